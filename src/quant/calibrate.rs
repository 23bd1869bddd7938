//! Calibration and quantization: [`Quantize`] maps an f32 network type to its int8
//! type, [`Calibration`] streams calibration inputs through the f32 network and keeps
//! each layer's ranges, and [`quantize`] does both.

use super::activation::QActivation;
use super::dense::{ArraysMut, QDense};
use super::error::{QuantizeError, ScaleKind};
use super::layers::QLayers;
use super::params::{QParams, Range};
use super::requant::{Multiplier, quantize_multiplier};
use super::sealed::Sealed;
use crate::net::alias::InputSize;
use crate::net::arr::{Arr, Matrix};
use crate::net::count::{LayerParamCount, Successor};
use crate::net::dense::Dense;
use crate::net::layers::{End, Layers};
use crate::net::network::Network;
use crate::net::network::Trace;
use core::borrow::Borrow;
use core::fmt::Debug;
use generic_array::{ArrayLength, GenericArray};

/// The int8 network type of the f32 network `N`: for
/// `network!(f32; 64 -> 64 ReLU -> 10 Softmax)` it is
/// `QDense<U64, U64, ReLU, QDense<U64, U10, Softmax, End>>`.
pub type Quantized<N> = <N as Quantize<InputSize<f32, N>>>::Quantized;

/// The calibrated ranges of one layer (of its pre-activation z^i and activation a^i),
/// and of the layers after it: the nested per-layer record of a [`Calibration`],
/// shaped like the network.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LayerRanges<R> {
    /// The range of z^i over the calibration inputs, widened to include 0.
    pub pre_activation: Range,
    /// The range of a^i over the calibration inputs, widened to include 0.
    pub output: Range,
    /// The records of the following layers (`()` after the last).
    pub rest: R,
}

/// An f32 stack of layers that can be quantized to int8: implemented for
/// [`Dense<f32, ...>`](crate::Dense) whose activations are [`QActivation`]s, and for
/// [`End`] (sealed).
pub trait Quantize<In: ArrayLength>: Sealed + Layers<f32, In> {
    /// The int8 stack of the same nested shape.
    type Quantized: QLayers<In>;
    /// The per-layer calibration record ([`LayerRanges`] nested like the network).
    type Ranges: Clone + Debug + Default + PartialEq;

    /// Widens the ranges of this stack, whose first layer is layer `first` of the
    /// network, with the values recorded in `trace`; returns the first layer whose
    /// z^i or a^i held a NaN or infinity (those values are skipped).
    fn observe<N: Network<f32>>(
        trace: &Trace<f32, N>,
        first: usize,
        ranges: &mut Self::Ranges,
    ) -> Option<usize>;

    /// The ranges (z^i, a^i) of layer `i` of the stack, counting its first layer as 1.
    fn layer_ranges(ranges: &Self::Ranges, i: usize) -> Option<(Range, Range)>;

    /// Quantizes this stack (its first layer is layer `first` of the network) whose
    /// input has parameters `input`, with the calibrated `ranges`.
    ///
    /// # Errors
    /// [`QuantizeError::NonFiniteParameter`] for a NaN or infinite weight or bias.
    fn quantize_layers(
        &self,
        first: usize,
        input: QParams,
        ranges: &Self::Ranges,
    ) -> Result<Self::Quantized, QuantizeError>;
}

impl<In: ArrayLength> Quantize<In> for End {
    type Quantized = End;
    type Ranges = ();
    fn observe<N: Network<f32>>(_: &Trace<f32, N>, _: usize, _: &mut ()) -> Option<usize> {
        None
    }
    fn layer_ranges(_: &(), _: usize) -> Option<(Range, Range)> {
        None
    }
    fn quantize_layers(&self, _: usize, _: QParams, _: &()) -> Result<End, QuantizeError> {
        Ok(End)
    }
}

impl<T: crate::Scalar, I, O, A, R> Sealed for Dense<T, I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: crate::Activation<T>,
    R: Layers<T, O>,
{
}

/// 2^30: the largest magnitude a quantized bias may take, so that adding the dot
/// product (below 2^31 − 2^30 for up to 33 000 inputs) stays in the `i32` range.
const BIAS_LIMIT: f64 = 1_073_741_824.0;

/// The largest requantization multiplier [`quantize_multiplier`] represents (its
/// shift is at most 30).
const MULTIPLIER_LIMIT: f64 = 1_073_741_824.0;

/// The int8 parameters of a calibrated range (layer `layer`, scale `kind`), or
/// [`QuantizeError::ScaleOutOfRange`] when the range is not empty but its scale
/// (width / 255) is below `f32`'s normal numbers (`Range::params` would replace it
/// by 1/255).
pub(super) fn checked_params(
    range: Range,
    layer: usize,
    kind: ScaleKind,
) -> Result<QParams, QuantizeError> {
    let width = f64::from(range.max.max(0.0)) - f64::from(range.min.min(0.0));
    if width > 0.0 && !((width / 255.0) as f32).is_normal() {
        return Err(QuantizeError::ScaleOutOfRange { layer, scale: kind });
    }
    Ok(range.params())
}

/// Quantizes one row of W (output channel k) of layer `layer` and its bias; float
/// arithmetic.
///
/// # Errors
/// [`QuantizeError::ScaleOutOfRange`] when the weight scale overflows `f32` or
/// underflows to 0 for a non-zero row or bias, or the multiplier exceeds 2^30.
fn quantize_row(
    row: &[f32],
    bias: f32,
    (s_in, s_target): (f64, f64),
    layer: usize,
    out: &mut [i8],
) -> Result<(f32, i32, Multiplier), QuantizeError> {
    let out_of_range = |scale| QuantizeError::ScaleOutOfRange { layer, scale };
    let max_abs = row.iter().fold(0.0f64, |m, &w| m.max(f64::from(w).abs()));
    // max |w| / 127, widened if the bias would not fit in ±2^30 at scale s_in · s_w
    let wanted = (max_abs / 127.0).max(f64::from(bias).abs() / (s_in * BIAS_LIMIT));
    let scale = if wanted == 0.0 {
        // an all-zero row with a zero bias: any scale represents it
        1.0
    } else {
        let scale = wanted as f32;
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(out_of_range(ScaleKind::Weight));
        }
        scale
    };
    let s_w = f64::from(scale);
    for (q, &w) in out.iter_mut().zip(row) {
        *q = libm::round(f64::from(w) / s_w).clamp(-127.0, 127.0) as i8;
    }
    let b = libm::round(f64::from(bias) / (s_in * s_w)).clamp(-BIAS_LIMIT, BIAS_LIMIT) as i32;
    let real = s_in * s_w / s_target;
    // NaN cannot occur (the scales are finite and positive)
    if real >= MULTIPLIER_LIMIT {
        return Err(out_of_range(ScaleKind::Multiplier));
    }
    // below 2^−32 the multiplier is 0: every product rounds to 0 anyway
    Ok((scale, b, quantize_multiplier(real)))
}

/// Quantizes layer `layer` from its f32 weights (row-major, one row per bias) and
/// biases, the parameters of its input and its calibrated ranges (z^i, a^i), into
/// `out`; returns the parameters of its pre-activation and activation. φ enters through
/// its [`QActivation::output_params`] and [`QActivation::requant_params`]. The rule of
/// both [`Quantize::quantize_layers`] and the quantization of untyped networks.
///
/// # Errors
/// [`QuantizeError::NonFiniteParameter`] for a NaN or infinite weight or bias, else
/// [`QuantizeError::ScaleOutOfRange`] for the pre-activation, the activation, then row
/// by row the weight scale or multiplier.
pub(super) fn quantize_dense(
    layer: usize,
    (weights, bias): (&[f32], &[f32]),
    input: QParams,
    (pre_range, output_range): (Range, Range),
    (output_params, requant_params): (
        impl FnOnce(Range) -> QParams,
        impl FnOnce(QParams, QParams) -> QParams,
    ),
    out: ArraysMut<'_>,
) -> Result<(QParams, QParams), QuantizeError> {
    let finite = bias.iter().all(|b| b.is_finite()) && weights.iter().all(|w| w.is_finite());
    if !finite {
        return Err(QuantizeError::NonFiniteParameter { layer });
    }
    let pre_activation = checked_params(pre_range, layer, ScaleKind::PreActivation)?;
    checked_params(output_range, layer, ScaleKind::Output)?;
    let output = output_params(output_range);
    let s_target = f64::from(requant_params(pre_activation, output).scale);
    let s_in = f64::from(input.scale);
    let inputs = weights.len().checked_div(bias.len()).unwrap_or(0);
    for (k, &b) in bias.iter().enumerate() {
        let row = weights
            .get(k * inputs..)
            .and_then(|r| r.get(..inputs))
            .unwrap_or_default();
        let q = out
            .weights
            .get_mut(k * inputs..)
            .and_then(|r| r.get_mut(..inputs))
            .unwrap_or_default();
        let (scale, b, m) = quantize_row(row, b, (s_in, s_target), layer, q)?;
        if let (Some(s), Some(qb), Some(qm)) = (
            out.weight_scales.get_mut(k),
            out.bias.get_mut(k),
            out.multipliers.get_mut(k),
        ) {
            (*s, *qb, *qm) = (scale, b, m);
        }
    }
    Ok((pre_activation, output))
}

impl<I, O, A, R> Quantize<I> for Dense<f32, I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: Quantize<O>,
    // the bounds of `Dense: Layers<f32, I>`
    I: LayerParamCount<O, R::ParamCount>,
    R::Depth: Successor,
{
    type Quantized = QDense<I, O, A, R::Quantized>;
    type Ranges = LayerRanges<R::Ranges>;

    fn observe<N: Network<f32>>(
        trace: &Trace<f32, N>,
        first: usize,
        ranges: &mut Self::Ranges,
    ) -> Option<usize> {
        let z = ranges
            .pre_activation
            .include(trace.z(first).unwrap_or_default());
        let a = ranges.output.include(trace.a(first).unwrap_or_default());
        let here = if z && a { None } else { Some(first) };
        let rest = R::observe(trace, first + 1, &mut ranges.rest);
        here.or(rest)
    }

    fn layer_ranges(ranges: &Self::Ranges, i: usize) -> Option<(Range, Range)> {
        match i {
            0 => None,
            1 => Some((ranges.pre_activation, ranges.output)),
            _ => R::layer_ranges(&ranges.rest, i - 1),
        }
    }

    fn quantize_layers(
        &self,
        first: usize,
        input: QParams,
        ranges: &Self::Ranges,
    ) -> Result<Self::Quantized, QuantizeError> {
        let mut weights = Matrix::<i8, O, I>::default();
        let mut bias = Arr::<i32, O>::default();
        let mut weight_scales = Arr::<f32, O>::default();
        let mut multipliers = Arr::<Multiplier, O>::default();
        let (pre_activation, output) = quantize_dense(
            first,
            (GenericArray::slice_from_chunks(&self.weights), &self.bias),
            input,
            (ranges.pre_activation, ranges.output),
            (A::output_params, A::requant_params),
            ArraysMut {
                weights: GenericArray::slice_from_chunks_mut(&mut weights),
                bias: &mut bias,
                weight_scales: &mut weight_scales,
                multipliers: &mut multipliers,
            },
        )?;
        Ok(QDense::built(QDense {
            weights,
            bias,
            weight_scales,
            multipliers,
            input,
            pre_activation,
            output,
            table: A::build_table(pre_activation, output),
            activation: A::default(),
            rest: self.rest.quantize_layers(first + 1, output, &ranges.rest)?,
            folded_bias: Arr::<i32, O>::default(),
            fast: false,
        }))
    }
}

/// The calibration of f32 network `N`: the range of its input and of every layer's
/// z^i and a^i over the inputs seen so far, in fixed-size storage (no heap, however
/// many inputs are streamed through it).
///
/// ```
/// use typenet::{network, Network};
/// use typenet::generic_array::GenericArray;
/// use typenet::quant::{Calibration, QNetwork};
///
/// type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);
/// let net = Net::from_params(&[0.5; Net::PARAMS]).unwrap();
/// let mut calibration = Calibration::<Net>::new();
/// for k in 0..20 {
///     let t = k as f32 / 19.0;
///     calibration.observe(&net, &GenericArray::from_array([t, 1.0 - 2.0 * t]));
/// }
/// // z^1 = 1 - t/2 lies in [0.5, 1]; its range is widened to include 0
/// let (z1, a1) = calibration.layer(1).unwrap();
/// assert_eq!((z1.min, z1.max), (0.0, 1.0));
/// assert!((a1.max - 1.0f32.tanh()).abs() < 1e-6);
/// // the inputs span [-1, 1]: scale 2/255, zero point round(-128 + 127.5)
/// assert_eq!((calibration.input.min, calibration.input.max), (-1.0, 1.0));
/// let q = calibration.quantize(&net).unwrap();
/// assert_eq!(q.input_params().zero_point, -1);
/// ```
pub struct Calibration<N>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
{
    /// The range of the input a^0, widened to include 0.
    pub input: Range,
    /// The ranges of the layers, nested like the network.
    pub layers: N::Ranges,
    samples: usize,
    non_finite: Option<usize>,
}

impl<N> Calibration<N>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
{
    /// A calibration that has seen no input.
    pub fn new() -> Self {
        Calibration {
            input: Range::ZERO,
            layers: N::Ranges::default(),
            samples: 0,
            non_finite: None,
        }
    }

    /// Runs `net` on `x` (with [`Network::forward_trace`]) and widens every range with
    /// the values it records. Float arithmetic; allocates nothing.
    pub fn observe(&mut self, net: &N, x: &Arr<f32, N::Input>) {
        let mut trace = Trace::<f32, N>::new();
        net.forward_trace(x, &mut trace);
        let input_ok = self.input.include(x);
        let bad = if input_ok { None } else { Some(0) }
            .or_else(|| N::observe(&trace, 1, &mut self.layers));
        self.non_finite = self.non_finite.or(bad);
        self.samples += 1;
    }

    /// The number of inputs observed.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// The calibrated ranges (z^i, a^i) of layer `i` (1..=N), or `None` out of range.
    pub fn layer(&self, i: usize) -> Option<(Range, Range)> {
        N::layer_ranges(&self.layers, i)
    }

    /// The int8 network for `net` with the scales and zero points of these ranges.
    ///
    /// Float arithmetic (this is where every float computation of the int8 network
    /// happens); allocates nothing.
    ///
    /// # Errors
    /// In this order: [`QuantizeError::NonFiniteParameter`] for a NaN or infinite
    /// weight or bias, [`QuantizeError::NoCalibrationData`] before any input was
    /// observed, [`QuantizeError::NonFiniteCalibration`] if a value recorded was NaN or
    /// infinite, [`QuantizeError::ScaleOutOfRange`] if a scale or multiplier the int8
    /// network needs cannot be represented.
    pub fn quantize(&self, net: &N) -> Result<Quantized<N>, QuantizeError> {
        // A non-finite parameter is the cause of any non-finite calibration value
        // after it: name it first.
        for i in 1..=N::DEPTH {
            if let Some(layer) = Network::layer(net, i) {
                let finite = layer
                    .weights
                    .iter()
                    .chain(layer.bias)
                    .all(|v| v.is_finite());
                if !finite {
                    return Err(QuantizeError::NonFiniteParameter { layer: i });
                }
            }
        }
        if self.samples == 0 {
            return Err(QuantizeError::NoCalibrationData);
        }
        if let Some(layer) = self.non_finite {
            return Err(QuantizeError::NonFiniteCalibration { layer });
        }
        let input = checked_params(self.input, 0, ScaleKind::Input)?;
        net.quantize_layers(1, input, &self.layers)
    }
}

impl<N> Default for Calibration<N>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<N> Clone for Calibration<N>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
{
    fn clone(&self) -> Self {
        Calibration {
            input: self.input,
            layers: self.layers.clone(),
            samples: self.samples,
            non_finite: self.non_finite,
        }
    }
}

impl<N> Debug for Calibration<N>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Calibration")
            .field("input", &self.input)
            .field("layers", &self.layers)
            .field("samples", &self.samples)
            .field("non_finite", &self.non_finite)
            .finish()
    }
}

/// Post-training int8 quantization of the trained f32 network `net`, calibrated on
/// the inputs of `calibration` (streamed: any iterator of input arrays, or of
/// references to them; nothing is stored but per-layer ranges).
///
/// Each layer's activation ranges are the min/max over the calibration set (widened to
/// include 0); weights get per-output-channel symmetric scales. See the
/// [module docs](super) for the arithmetic.
///
/// # Errors
/// As [`Calibration::quantize`].
pub fn quantize<N, X>(
    net: &N,
    calibration: impl IntoIterator<Item = X>,
) -> Result<Quantized<N>, QuantizeError>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
    X: Borrow<Arr<f32, N::Input>>,
{
    let mut c = Calibration::<N>::new();
    for x in calibration {
        c.observe(net, x.borrow());
    }
    c.quantize(net)
}
