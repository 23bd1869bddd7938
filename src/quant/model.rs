//! [`ModelCalibration`] and [`QModel`]: int8 quantization of networks whose shape is
//! data (feature `alloc`), through the typed path's own per-layer rules.

extern crate alloc;

use super::activation::{QActivation, leaky_relu_table};
use super::bytes::{Reader, Writer};
#[cfg(doc)]
use super::calibrate::{Calibration, quantize};
use super::calibrate::{checked_params, quantize_dense};
#[cfg(doc)]
use super::dense::QDense;
use super::dense::{
    ArraysMut, MAX_INPUTS, Rows, fold_rows, read_record, requantize_rows, write_record,
};
use super::error::{QuantizeError, ScaleKind};
use super::kernel::dense_slices;
use super::layers::QLayers;
#[cfg(doc)]
use super::network::QNetwork;
use super::network::{INPUT_RECORD_LEN, INT8_CODE, read_input, write_head};
use super::params::{QParams, Range};
use super::requant::Multiplier;
use super::stride::Dynamic;
use crate::io::format::HEADER_LEN;
use crate::io::model::{ActivationKind, Model, ModelError, Shape, check_file};
use crate::net::activation::{Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh};
use crate::net::error::InputLengthError;
use crate::net::layers::End;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// Runs `$body` with `$A` the [`QActivation`] type of the activation `$kind`. A
/// `LeakyReLU` of any slope is the default `LeakyReLU` here: of its rules only the
/// table's values depend on the slope, and [`table_of`] builds those with the slope.
macro_rules! with_activation {
    ($kind:expr, $A:ident => $body:expr) => {
        match $kind {
            ActivationKind::Identity => {
                type $A = Identity;
                $body
            }
            ActivationKind::Sigmoid => {
                type $A = Sigmoid;
                $body
            }
            ActivationKind::Tanh => {
                type $A = Tanh;
                $body
            }
            ActivationKind::ReLU => {
                type $A = ReLU;
                $body
            }
            ActivationKind::LeakyReLU(_) => {
                type $A = LeakyReLU;
                $body
            }
            ActivationKind::Softplus => {
                type $A = Softplus;
                $body
            }
            ActivationKind::Softmax => {
                type $A = Softmax;
                $body
            }
        }
    };
}

/// An activation's table ([`QActivation::Table`]) whatever its type.
// One per layer: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
enum Table {
    /// Identity and ReLU.
    Empty,
    /// An element-wise activation's 256 entries.
    Lookup([i8; 256]),
    /// Softmax's exponentials.
    Softmax([u16; 256]),
}

/// The [`QActivation::Table`] types, as a [`Table`].
trait AnyTable: Sized {
    fn wrap(self) -> Table;
    /// The table, if `table` holds one of this type.
    fn get(table: &Table) -> Option<&Self>;
}

impl AnyTable for () {
    fn wrap(self) -> Table {
        Table::Empty
    }
    fn get(table: &Table) -> Option<&()> {
        match table {
            Table::Empty => Some(&()),
            _ => None,
        }
    }
}

impl AnyTable for [i8; 256] {
    fn wrap(self) -> Table {
        Table::Lookup(self)
    }
    fn get(table: &Table) -> Option<&Self> {
        match table {
            Table::Lookup(t) => Some(t),
            _ => None,
        }
    }
}

impl AnyTable for [u16; 256] {
    fn wrap(self) -> Table {
        Table::Softmax(self)
    }
    fn get(table: &Table) -> Option<&Self> {
        match table {
            Table::Softmax(t) => Some(t),
            _ => None,
        }
    }
}

/// [`QActivation::build_table`], as a [`Table`].
fn built<A: QActivation>(pre_activation: QParams, output: QParams) -> Table
where
    A::Table: AnyTable,
{
    A::build_table(pre_activation, output).wrap()
}

/// [`QActivation::empty_table`], as a [`Table`].
fn empty<A: QActivation>() -> Table
where
    A::Table: AnyTable,
{
    A::empty_table().wrap()
}

/// [`QActivation::read_table`], as a [`Table`].
fn read<A: QActivation>(bytes: &[u8]) -> Table
where
    A::Table: AnyTable,
{
    A::read_table(bytes).wrap()
}

/// [`QActivation::build_table`] of `kind`; for a leaky rectifier, the table of its
/// slope (what `LeakyReLU<SLOPE>::build_table` builds).
fn table_of(kind: ActivationKind, pre_activation: QParams, output: QParams) -> Table {
    match kind {
        ActivationKind::LeakyReLU(slope) => {
            Table::Lookup(leaky_relu_table(pre_activation, output, slope))
        }
        _ => with_activation!(kind, A => built::<A>(pre_activation, output)),
    }
}

/// [`QActivation::TABLE_BYTES`] of `kind`.
fn table_bytes(kind: ActivationKind) -> usize {
    with_activation!(kind, A => A::TABLE_BYTES)
}

/// Why [`ModelCalibration::observe`] could not take an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObserveError {
    /// The input does not have the model's M_0 values.
    InputLength(InputLengthError),
    /// The model is not of the architecture the calibration was made for.
    ShapeMismatch,
}

impl fmt::Display for ObserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObserveError::InputLength(e) => e.fmt(f),
            ObserveError::ShapeMismatch => QuantizeError::ShapeMismatch.fmt(f),
        }
    }
}

impl core::error::Error for ObserveError {}

/// The calibration of a [`Model`]: the range of its input and of every layer's z^i
/// and a^i over the inputs seen so far, as [`Calibration`] keeps them for a typed
/// network (the same values, in the same order, with the same skipping of NaN and
/// infinite values).
///
/// With [`QModel`], the counterpart of [`Calibration`] and [`QNetwork`] for a
/// [`Model`], for tools that learn the architecture at run time. They compute what the
/// typed path computes, by its own rules: the ranges of [`Calibration::observe`], the
/// per-layer quantization of [`quantize`] (scales, rows, multipliers, tables:
/// [`QActivation`]'s rules for the layer's activation), the integer layers of
/// [`QDense`] (its kernel and its general path) and its weight file, byte for byte
/// (`tests/quant_model.rs` checks all four against typed networks with every
/// activation, and against the committed int8 digits network).
///
/// ```
/// use typenet::model::Model;
/// use typenet::quant::{self, ModelCalibration, QModel, QNetwork, Quantized};
/// use typenet::{network, Network};
///
/// type Net = network!(f32; 2 -> 8 Tanh -> 3 Softmax);
/// let params: Vec<f32> = (0..Net::PARAMS).map(|k| ((k * 7 % 11) as f32 - 5.0) / 5.0).collect();
/// let net = Net::from_params(&params)?;
/// let inputs: Vec<[f32; 2]> = (0..50).map(|k| [k as f32 / 49.0, 1.0 - k as f32 / 49.0]).collect();
///
/// // A tool knows only the model (read from a file, say).
/// let model = Model::from_network(&net)?;
/// let mut calibration = ModelCalibration::new(model.shape());
/// for x in &inputs {
///     calibration.observe(&model, x)?;
/// }
/// let q: QModel = calibration.quantize(&model)?;
///
/// // The typed path gives the same network, file and outputs.
/// let typed: Quantized<Net> = quant::quantize(&net, inputs.iter().map(|&x| Net::input(x)))?;
/// assert_eq!(q.to_bytes(), quant::to_vec(&typed));
/// let x = q.quantize_input(&inputs[10]);
/// assert_eq!(q.forward(&x)?, typed.forward(&typed.quantize_input(&Net::input(inputs[10]))).to_vec());
/// assert_eq!(QModel::from_bytes(&q.to_bytes(), model.shape())?, q);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ModelCalibration {
    shape: Shape,
    input: Range,
    layers: Vec<(Range, Range)>,
    samples: usize,
    non_finite: Option<usize>,
}

impl ModelCalibration {
    /// A calibration of the networks of `shape` that has seen no input.
    pub fn new(shape: &Shape) -> Self {
        ModelCalibration {
            shape: shape.clone(),
            input: Range::ZERO,
            layers: vec![(Range::ZERO, Range::ZERO); shape.depth()],
            samples: 0,
            non_finite: None,
        }
    }

    /// Runs `model` on `x` in f32 ([`Model::forward`]) and widens every range with the
    /// values of the input and of each z^i and a^i, as [`Calibration::observe`] does.
    ///
    /// # Errors
    /// [`ObserveError::ShapeMismatch`] if the model's shape is not the calibration's,
    /// [`ObserveError::InputLength`] if `x` does not have M_0 values; nothing is
    /// recorded then.
    pub fn observe(&mut self, model: &Model, x: &[f32]) -> Result<(), ObserveError> {
        if *model.shape() != self.shape {
            return Err(ObserveError::ShapeMismatch);
        }
        let mut values = Vec::with_capacity(self.layers.len());
        model
            .forward_traced(x, |_, z, a| values.push((z.to_vec(), a.to_vec())))
            .map_err(ObserveError::InputLength)?;
        // Calibration::observe: the input first; if it held a NaN or infinity the
        // layers' ranges are left as they are; else each layer's z^i and a^i, the
        // first layer holding a non-finite value recorded.
        let bad = if self.input.include(x) {
            let mut first = None;
            for (i, ((z_range, a_range), (z, a))) in self.layers.iter_mut().zip(&values).enumerate()
            {
                let z_ok = z_range.include(z);
                let a_ok = a_range.include(a);
                if !(z_ok && a_ok) {
                    first = first.or(Some(i + 1));
                }
            }
            first
        } else {
            Some(0)
        };
        self.non_finite = self.non_finite.or(bad);
        self.samples += 1;
        Ok(())
    }

    /// The number of inputs observed.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// The calibrated range of the input a^0.
    pub fn input(&self) -> Range {
        self.input
    }

    /// The calibrated ranges (z^i, a^i) of layer `i` (1..=N), or `None` out of range.
    pub fn layer(&self, i: usize) -> Option<(Range, Range)> {
        self.layers.get(i.checked_sub(1)?).copied()
    }

    /// The shape the calibration was made for.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The int8 network for `model` with the scales and zero points of these ranges:
    /// what [`Calibration::quantize`] makes of the typed network of the same shape and
    /// parameters (in `f32`).
    ///
    /// # Errors
    /// [`QuantizeError::ShapeMismatch`] if the model's shape is not the calibration's,
    /// [`QuantizeError::TooManyInputs`] for a layer of more than [`MAX_INPUTS`]
    /// inputs (a compile error for a typed network), then the errors of
    /// [`Calibration::quantize`] in its order.
    pub fn quantize(&self, model: &Model) -> Result<QModel, QuantizeError> {
        if *model.shape() != self.shape {
            return Err(QuantizeError::ShapeMismatch);
        }
        if let Some(layer) = too_wide(&self.shape) {
            return Err(QuantizeError::TooManyInputs { layer });
        }
        let params: Vec<(&[f32], &[f32])> = model.layers_f32().collect();
        // Calibration::quantize's order: a non-finite parameter first.
        for (i, &(weights, bias)) in params.iter().enumerate() {
            if !weights.iter().chain(bias).all(|v| v.is_finite()) {
                return Err(QuantizeError::NonFiniteParameter { layer: i + 1 });
            }
        }
        if self.samples == 0 {
            return Err(QuantizeError::NoCalibrationData);
        }
        if let Some(layer) = self.non_finite {
            return Err(QuantizeError::NonFiniteCalibration { layer });
        }
        let input = checked_params(self.input, 0, ScaleKind::Input)?;
        let mut layers = Vec::with_capacity(params.len());
        let mut layer_input = input;
        for (i, (((inputs, outputs, kind), (weights, bias)), &ranges)) in self
            .shape
            .layer_sizes()
            .zip(&params)
            .zip(&self.layers)
            .enumerate()
        {
            let mut layer = QModelLayer::zeroed(inputs, outputs, kind, layer_input);
            let rules = with_activation!(kind, A => (
                A::output_params as fn(Range) -> QParams,
                A::requant_params as fn(QParams, QParams) -> QParams,
            ));
            let (pre_activation, output) = quantize_dense(
                i + 1,
                (weights, bias),
                layer_input,
                ranges,
                rules,
                layer.arrays_mut(),
            )?;
            layer.pre_activation = pre_activation;
            layer.output = output;
            layer.table = table_of(kind, pre_activation, output);
            layer.refold();
            layers.push(layer);
            layer_input = output;
        }
        Ok(QModel {
            shape: self.shape.clone(),
            input,
            layers,
        })
    }
}

/// One layer of a [`QModel`]: the fields of a [`QDense`], in vectors.
#[derive(Clone, Debug, PartialEq)]
struct QModelLayer {
    inputs: usize,
    activation: ActivationKind,
    weights: Vec<i8>,
    bias: Vec<i32>,
    weight_scales: Vec<f32>,
    multipliers: Vec<Multiplier>,
    input: QParams,
    pre_activation: QParams,
    output: QParams,
    table: Table,
    /// Derived, as in [`QDense`].
    folded_bias: Vec<i32>,
    /// Derived, as in [`QDense`].
    fast: bool,
}

impl QModelLayer {
    /// A layer of zeros (and the activation's zero table) taking `input`.
    fn zeroed(inputs: usize, outputs: usize, activation: ActivationKind, input: QParams) -> Self {
        QModelLayer {
            inputs,
            activation,
            weights: vec![0; inputs * outputs],
            bias: vec![0; outputs],
            weight_scales: vec![0.0; outputs],
            multipliers: vec![Multiplier::default(); outputs],
            input,
            pre_activation: input,
            output: input,
            table: with_activation!(activation, A => empty::<A>()),
            folded_bias: vec![0; outputs],
            fast: false,
        }
    }

    fn arrays_mut(&mut self) -> ArraysMut<'_> {
        ArraysMut {
            weights: &mut self.weights,
            bias: &mut self.bias,
            weight_scales: &mut self.weight_scales,
            multipliers: &mut self.multipliers,
        }
    }

    /// [`QDense::refold`].
    fn refold(&mut self) {
        self.fast = fold_rows(
            &self.weights,
            self.inputs,
            &self.bias,
            &self.multipliers,
            self.input.zero_point,
            &mut self.folded_bias,
        );
    }

    /// The layer's int8 output for `x` (of `inputs` values), as `QDense` runs it: the
    /// kernel's fast path or the general one, then φ, folded into the requantization's
    /// clamp ([`QActivation::folded_floor`]) or applied to the requantized z.
    fn run(&self, x: &[i8]) -> Vec<i8> {
        let outputs = self.bias.len();
        let mut a = vec![0i8; outputs];
        with_activation!(self.activation, A => {
            let zp_t = A::requant_params(self.pre_activation, self.output).zero_point;
            let requantized = |floor: i8, z: &mut [i8]| {
                if self.fast {
                    dense_slices(
                        &self.weights,
                        Dynamic(self.inputs),
                        x,
                        &self.folded_bias,
                        &self.multipliers,
                        i32::from(zp_t),
                        i32::from(floor),
                        z,
                    );
                } else {
                    let rows = Rows {
                        weights: &self.weights,
                        bias: &self.bias,
                        multipliers: &self.multipliers,
                        input_zero_point: self.input.zero_point,
                    };
                    requantize_rows(&rows, self.inputs, x, zp_t, floor, z);
                }
            };
            match A::folded_floor(self.output) {
                Some(floor) => requantized(floor, &mut a),
                None => {
                    let mut z = vec![0i8; outputs];
                    requantized(i8::MIN, &mut z);
                    if let Some(table) = <<A as QActivation>::Table as AnyTable>::get(&self.table) {
                        A::apply(table, &z, self.output.zero_point, &mut a);
                    }
                }
            }
        });
        a
    }
}

/// An int8 network whose shape is data: what [`ModelCalibration::quantize`] makes of
/// a [`Model`], or [`QModel::from_bytes`] reads; the untyped counterpart of a
/// [`QNetwork`], with the same integer-only [`forward`](QModel::forward) and the same
/// weight file. See [`ModelCalibration`].
#[derive(Clone, Debug, PartialEq)]
pub struct QModel {
    shape: Shape,
    input: QParams,
    layers: Vec<QModelLayer>,
}

/// The byte length of the int8 file of a network of `shape` (see the module docs of
/// [`quant`](super)), or `None` if it overflows `usize`.
fn encoded_len(shape: &Shape) -> Option<usize> {
    shape
        .layer_sizes()
        .try_fold(HEADER_LEN + INPUT_RECORD_LEN, |len, (i, o, kind)| {
            let record = o
                .checked_mul(13)?
                .checked_add(o.checked_mul(i)?)?
                .checked_add(10 + table_bytes(kind))?;
            len.checked_add(record)
        })
}

impl QModel {
    /// The architecture.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The parameters of the input a^0, as [`QNetwork::input_params`].
    pub fn input_params(&self) -> QParams {
        self.input
    }

    /// The parameters of the output a^N, as [`QNetwork::output_params`].
    pub fn output_params(&self) -> QParams {
        self.layers.last().map_or(self.input, |l| l.output)
    }

    /// Integer-only inference, as [`QNetwork::forward`]: the int8 output for the int8
    /// input `x`.
    ///
    /// # Errors
    /// [`InputLengthError`] if `x` does not have M_0 values.
    pub fn forward(&self, x: &[i8]) -> Result<Vec<i8>, InputLengthError> {
        if x.len() != self.shape.inputs {
            return Err(InputLengthError {
                expected: self.shape.inputs,
                found: x.len(),
            });
        }
        let mut a = x.to_vec();
        for layer in &self.layers {
            a = layer.run(&a);
        }
        Ok(a)
    }

    /// Quantizes an f32 input with [`input_params`](QModel::input_params) (float
    /// arithmetic, outside the integer path), value by value.
    pub fn quantize_input(&self, x: &[f32]) -> Vec<i8> {
        x.iter().map(|&v| self.input.quantize(v)).collect()
    }

    /// The real values of an int8 output, with
    /// [`output_params`](QModel::output_params) (float arithmetic).
    pub fn dequantize_output(&self, y: &[i8]) -> Vec<f32> {
        let p = self.output_params();
        y.iter().map(|&q| p.dequantize(q)).collect()
    }

    /// The int8 weight file (see the module docs of [`quant`](super)): byte for byte
    /// what [`to_vec`](super::to_vec) writes for the typed network.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A QModel's arrays are in memory, so its file length does not overflow.
        let mut out = vec![0u8; encoded_len(&self.shape).unwrap_or(0)];
        write_head(
            &mut out,
            self.shape.fingerprint(),
            self.shape.params().unwrap_or(0),
            self.input,
        );
        let mut w = Writer::new(
            out.get_mut(HEADER_LEN + INPUT_RECORD_LEN..)
                .unwrap_or_default(),
        );
        for l in &self.layers {
            write_record(
                &mut w,
                l.pre_activation,
                l.output,
                &l.weight_scales,
                &l.multipliers,
                &l.bias,
                &l.weights,
                table_bytes(l.activation),
                |out| {
                    with_activation!(l.activation, A => {
                        if let Some(table) = <<A as QActivation>::Table as AnyTable>::get(&l.table) {
                            A::write_table(table, out);
                        }
                    })
                },
            );
        }
        out
    }

    /// Reads the int8 weight file of a network of `shape` (the file stores only the
    /// shape's fingerprint): the checks of [`QNetwork::from_bytes`], in its order.
    ///
    /// # Errors
    /// [`ModelError::TooLarge`] for a shape beyond the format,
    /// [`ModelError::FingerprintMismatch`] for a file of another architecture,
    /// [`ModelError::Load`] with the [`LoadError`](crate::format::LoadError) of
    /// [`QNetwork::from_bytes`]
    /// otherwise (magic, version, flags, scalar type, parameter count, length, a
    /// scale that is not finite and positive); [`ModelError::InvalidShape`] for a shape
    /// no network has or a layer of more than [`MAX_INPUTS`] inputs (whose sums an
    /// int8 layer cannot hold, as [`ModelCalibration::quantize`] refuses it); never
    /// panics.
    pub fn from_bytes(bytes: &[u8], shape: &Shape) -> Result<QModel, ModelError> {
        shape.check()?;
        if too_wide(shape).is_some() {
            return Err(ModelError::InvalidShape(
                "a layer has more inputs than an int8 layer takes (65 536)",
            ));
        }
        let count = shape.file_params().ok_or(ModelError::TooLarge)?;
        let len = encoded_len(shape).ok_or(ModelError::TooLarge)?;
        check_file(bytes, INT8_CODE, shape, count, len)?;
        let (input, mut records) = read_input(bytes, len).map_err(ModelError::Load)?;
        let mut layers = Vec::with_capacity(shape.depth());
        let (mut layer_input, mut scale_index) = (input, 1);
        for (inputs, outputs, kind) in shape.layer_sizes() {
            let mut r = Reader::new(records, scale_index);
            let mut layer = QModelLayer::zeroed(inputs, outputs, kind, layer_input);
            let (pre_activation, output) =
                read_record(&mut r, inputs, layer.arrays_mut()).map_err(ModelError::Load)?;
            let table = with_activation!(kind, A => {
                read::<A>(r.take(A::TABLE_BYTES).map_err(ModelError::Load)?)
            });
            layer.pre_activation = pre_activation;
            layer.output = output;
            layer.table = table;
            layer.refold();
            layers.push(layer);
            layer_input = output;
            scale_index = r.scale_index;
            records = r.rest();
        }
        // Whatever follows the last record: `End`'s rule.
        <End as QLayers<typenum::U1>>::read_records(records, layer_input, scale_index)
            .map_err(ModelError::Load)?;
        Ok(QModel {
            shape: shape.clone(),
            input,
            layers,
        })
    }
}

/// The first layer (1-based) of more than [`MAX_INPUTS`] inputs, whose sums an int8
/// layer cannot hold.
fn too_wide(shape: &Shape) -> Option<usize> {
    shape
        .layer_sizes()
        .position(|(inputs, _, _)| inputs > MAX_INPUTS)
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::format::LoadError;

    #[test]
    fn a_file_too_short_for_its_shape_is_a_length_error() {
        let shape: Shape = "2 -> 3 ReLU -> 1 Sigmoid".parse().unwrap();
        let len = encoded_len(&shape).unwrap();
        // 20-byte header, input (5), layer 1: 10 + 13·3 + 3·2, layer 2: 10 + 13 + 3 + 256
        assert_eq!(len, 20 + 5 + (10 + 39 + 6) + (10 + 13 + 3 + 256));
        let mut bytes = vec![0u8; len];
        write_head(&mut bytes, shape.fingerprint(), 13, Range::ZERO.params());
        // The whole length passes the length checks: the first error is then the
        // first scale of the zeros (layer 1's s_z, after the input's).
        assert_eq!(
            QModel::from_bytes(&bytes, &shape),
            Err(ModelError::Load(LoadError::NonPositiveScale { index: 1 }))
        );
        assert_eq!(
            QModel::from_bytes(&bytes[..len - 1], &shape),
            Err(ModelError::Load(LoadError::LengthMismatch {
                expected: len,
                found: len - 1
            }))
        );
    }
}
