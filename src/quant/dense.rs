//! [`QDense`]: an int8 fully-connected layer together with the int8 layers after it.

use super::activation::QActivation;
use super::bytes::{Reader, Writer};
use super::kernel;
use super::layers::QLayers;
use super::params::QParams;
use super::requant::{Multiplier, requantize};
use super::sealed::Sealed;
use super::view::QLayerRef;
use crate::io::format::LoadError;
use crate::net::activation::Activation;
use crate::net::arr::{Arr, Matrix};
use crate::net::view::LayerShape;
use generic_array::{ArrayLength, GenericArray};

/// The largest input size M_{i−1} of an int8 layer: below it the `i32` accumulator of
/// Σ_j w_kj (x_j − zp) (|w| ≤ 128, |x − zp| ≤ 255) cannot overflow.
pub const MAX_INPUTS: usize = 65_536;

/// Layer i of an int8 network: `O` neurons fed by `I` int8 inputs, with activation
/// `A`, followed by `R`, the int8 layers after it. The quantized counterpart of
/// [`Dense<f32, I, O, A, R>`](crate::Dense), of the same nested shape: quantizing
/// `network!(f32; 64 -> 64 ReLU -> 10 Softmax)` gives
/// `QDense<U64, U64, ReLU, QDense<U64, U10, Softmax, End>>` (the alias
/// [`Quantized<N>`](super::Quantized) names it).
///
/// For each output k the layer computes, in integers only,
///
/// ```text
/// acc_k = bias_k + Σ_j w_kj · (x_j − zp_in)                      (i32)
/// q_k   = saturate_i8(requantize(acc_k, M_k) + zp_t)             (M_k in Q31 + shift)
/// a     = φ_int8(q)                                              (table, clamp or softmax)
/// ```
///
/// where the real value of acc_k is s_in · s_w\[k\] · acc_k and M_k = s_in · s_w\[k\] / s_t,
/// with t the pre-activation z (lookup-table activations and softmax) or the activation
/// itself (ReLU and identity, folded into the requantization).
///
/// # The kernel
/// Σ_j w_kj · zp_in is a constant, so when the layer is built ([`quantize`](super::quantize),
/// [`from_bytes`](super::from_bytes), [`static_qnetwork!`](crate::static_qnetwork!)) it is
/// folded into the bias: `folded_bias[k]` = b_k − zp_in Σ_j w_kj, and the inner loop is
/// a pure Σ_j w_kj x_j over int8, four output rows per pass over x (on Arm cores with
/// the DSP extension, `SXTB16` and `SMLAD` on four inputs per word; see
/// `src/quant/dsp.rs`). The requantization of that path is branch-free, with the ReLU
/// clamp folded into its final clamp. It is taken when, for every row, no accumulator
/// can reach ±2^30 whatever the input (|b′_k| + 128 Σ_j |w_kj| < 2^30, so the
/// sums are exact and no saturation happens) and the shift is in [−31, 0]
/// (`fast`); every network [`quantize`](super::quantize) makes for up to a few thousand
/// inputs per layer qualifies. Any other layer (a hand-made file, say) runs the general
/// path: the `i32` accumulator above, saturated, and [`requantize`]. Both give exactly
/// the formulas above.
///
/// `folded_bias` and `fast` are derived from `weights`, `bias`, `multipliers` and
/// `input`: after changing those fields by hand, call [`refold`](QDense::refold).
pub struct QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    /// The int8 weights: `weights[k][j]` is w_kj / s_w\[k\] rounded, in [−127, 127].
    pub weights: Matrix<i8, O, I>,
    /// The `i32` biases b_k / (s_in · s_w\[k\]) rounded (zero point 0).
    pub bias: Arr<i32, O>,
    /// The per-output-channel weight scales s_w\[k\] = max_j |w_kj| / 127 (widened if a
    /// bias would not fit an `i32` otherwise).
    pub weight_scales: Arr<f32, O>,
    /// The requantization multipliers M_k.
    pub multipliers: Arr<Multiplier, O>,
    /// The parameters of the layer's input (the previous layer's output).
    pub input: QParams,
    /// The parameters of the pre-activation z, from its calibrated range.
    pub pre_activation: QParams,
    /// The parameters of the activation a, from its calibrated range
    /// ([`QParams::SOFTMAX`] for softmax).
    pub output: QParams,
    /// The activation's table ([`QActivation::Table`]).
    pub table: A::Table,
    /// φ.
    pub activation: A,
    /// The layers after this one.
    pub rest: R,
    /// Derived: b_k − zp_in Σ_j w_kj, the bias with the input zero point folded in
    /// (meaningful when `fast`).
    #[doc(hidden)]
    pub folded_bias: Arr<i32, O>,
    /// Derived: whether the layer runs the kernel's fast path (see the type's docs).
    #[doc(hidden)]
    pub fast: bool,
}

/// b − zp Σ_j w_j, if every accumulator (b − zp Σ_j w_j) + Σ_j w_j x_j over int8 x_j
/// stays strictly inside ±2^30 (|b′| + 128 Σ_j |w_j| < 2^30); `None` otherwise.
/// A `const fn`, so [`static_qnetwork!`](crate::static_qnetwork!) folds at compile time.
#[doc(hidden)]
pub const fn fold_row(row: &[i8], bias: i32, zero_point: i8) -> Option<i32> {
    let mut sum: i64 = 0;
    let mut abs: i64 = 0;
    let mut j = 0;
    while j < row.len() {
        sum += row[j] as i64;
        abs += (row[j] as i64).abs();
        j += 1;
    }
    let folded = bias as i64 - zero_point as i64 * sum;
    if folded.abs() + 128 * abs < 1 << 30 {
        Some(folded as i32)
    } else {
        None
    }
}

/// Whether a multiplier is in the fast path's domain (shift in [−31, 0]).
#[doc(hidden)]
pub const fn fast_multiplier(m: Multiplier) -> bool {
    m.shift >= -31 && m.shift <= 0
}

impl<I, O, A, R> QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    /// The byte length of this layer's own record in the weight file (see the
    /// [module docs](super)).
    pub const RECORD_LEN: usize = 10 + 13 * O::USIZE + O::USIZE * I::USIZE + A::TABLE_BYTES;

    /// `layer` with its derived fields computed.
    pub(crate) fn built(mut layer: Self) -> Self {
        layer.refold();
        layer
    }

    /// Recomputes the derived `folded_bias` and `fast` of this layer (not of the
    /// layers after it) from `weights`, `bias`, `multipliers` and `input`: needed only
    /// after changing those fields by hand; every constructor calls it.
    pub fn refold(&mut self) {
        self.fast = fold_rows(
            GenericArray::slice_from_chunks(&self.weights),
            I::USIZE,
            &self.bias,
            &self.multipliers,
            self.input.zero_point,
            &mut self.folded_bias,
        );
    }

    /// The layer's arrays as slices, for [`requantize_rows`].
    #[inline]
    fn rows(&self) -> Rows<'_> {
        Rows {
            weights: GenericArray::slice_from_chunks(&self.weights),
            bias: &self.bias,
            multipliers: &self.multipliers,
            input_zero_point: self.input.zero_point,
        }
    }

    /// The int8 requantized accumulators of input `x`, in the parameters of
    /// [`QActivation::requant_params`], clamped to [`floor`, 127].
    #[inline]
    fn requantized(&self, x: &Arr<i8, I>, floor: i8) -> Arr<i8, O> {
        const {
            assert!(
                I::USIZE <= MAX_INPUTS,
                "an int8 layer takes at most 65 536 inputs (its i32 accumulator could overflow)"
            )
        };
        let zp_t = A::requant_params(self.pre_activation, self.output).zero_point;
        let mut z = Arr::<i8, O>::default();
        if self.fast {
            kernel::dense(
                &self.weights,
                x,
                &self.folded_bias,
                &self.multipliers,
                i32::from(zp_t),
                i32::from(floor),
                &mut z,
            );
        } else {
            requantize_rows(&self.rows(), I::USIZE, x, zp_t, floor, &mut z);
        }
        z
    }
}

/// The `folded_bias` of a layer's rows (`weights` row-major, rows of `stride`) and
/// whether the layer runs the kernel's fast path: every multiplier in its domain
/// ([`fast_multiplier`]), every row folded by [`fold_row`], and at least one input
/// (the kernel walks rows of `stride` ≥ 1 weights). What
/// [`QDense::refold`] computes, for the layers of typed and of untyped networks.
pub(super) fn fold_rows(
    weights: &[i8],
    stride: usize,
    bias: &[i32],
    multipliers: &[Multiplier],
    zero_point: i8,
    folded_bias: &mut [i32],
) -> bool {
    let mut fast = stride > 0 && multipliers.iter().all(|&m| fast_multiplier(m));
    for (k, (f, &b)) in folded_bias.iter_mut().zip(bias).enumerate() {
        match fold_row(row(weights, k, stride), b, zero_point) {
            Some(folded) => *f = folded,
            None => {
                *f = 0;
                fast = false;
            }
        }
    }
    fast
}

/// Row `k` of a row-major matrix with rows of `stride` (empty past the end).
fn row<T>(values: &[T], k: usize, stride: usize) -> &[T] {
    values
        .get(k * stride..)
        .and_then(|r| r.get(..stride))
        .unwrap_or_default()
}

/// An int8 layer's arrays as slices, as [`requantize_rows`] runs them: `weights` holds
/// one row of the layer's input count per output, row after row; `bias` and
/// `multipliers` one value per output (see [`QDense`]).
pub(super) struct Rows<'a> {
    pub(super) weights: &'a [i8],
    pub(super) bias: &'a [i32],
    pub(super) multipliers: &'a [Multiplier],
    pub(super) input_zero_point: i8,
}

/// The requantized accumulators z_k = clamp(requantize(acc_k, M_k) + zp_t, floor, 127)
/// of the input `x` (of `stride` values) into `z` (one per output), on the general
/// path: the `i32` accumulator acc_k = b_k + Σ_j w_kj (x_j − zp_in), saturated, and
/// [`requantize`] (see [`QDense`]; the fast path, [`kernel::dense_slices`], gives the
/// same values). The one body of the int8 layers of typed networks ([`QDense`]) and of
/// untyped ones. Always inlined, as it was inside [`QDense`] before it served both.
#[inline(always)]
pub(super) fn requantize_rows(
    rows: &Rows<'_>,
    stride: usize,
    x: &[i8],
    zp_t: i8,
    floor: i8,
    z: &mut [i8],
) {
    let zp_t = i32::from(zp_t);
    let floor = i32::from(floor);
    let zp_in = i32::from(rows.input_zero_point);
    for (k, ((z, &b), &m)) in z
        .iter_mut()
        .zip(rows.bias)
        .zip(rows.multipliers)
        .enumerate()
    {
        let acc = dot(row(rows.weights, k, stride), x, zp_in).saturating_add(b);
        *z = requantize(acc, m)
            .saturating_add(zp_t)
            .clamp(floor, i32::from(i8::MAX)) as i8;
    }
}

/// Σ_j w_j (x_j − zp); cannot overflow for up to [`MAX_INPUTS`] terms (wraps beyond,
/// which only a hand-made file of an untyped network can ask for).
#[inline]
fn dot(w: &[i8], x: &[i8], zp: i32) -> i32 {
    let mut sum = 0i32;
    for (&w, &x) in w.iter().zip(x) {
        sum = sum.wrapping_add(i32::from(w) * (i32::from(x) - zp));
    }
    sum
}

/// An int8 layer's parameter arrays as mutable slices (`weights` row-major, rows of
/// the input count): what quantizing a layer and reading its record fill.
pub(super) struct ArraysMut<'a> {
    pub(super) weights: &'a mut [i8],
    pub(super) bias: &'a mut [i32],
    pub(super) weight_scales: &'a mut [f32],
    pub(super) multipliers: &'a mut [Multiplier],
}

/// Writes a layer record (see the [module docs](super)) up to its table: the
/// pre-activation and activation parameters, the weight scales, the multipliers'
/// mantissas then shifts, the biases and the weights row by row; then `table_len`
/// bytes written by `table`. Both the typed and the untyped int8 networks write their
/// records with it.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_record(
    w: &mut Writer<'_>,
    pre_activation: QParams,
    output: QParams,
    weight_scales: &[f32],
    multipliers: &[Multiplier],
    bias: &[i32],
    weights: &[i8],
    table_len: usize,
    table: impl FnOnce(&mut [u8]),
) {
    w.params(pre_activation);
    w.params(output);
    for s in weight_scales {
        w.bytes(&s.to_le_bytes());
    }
    for m in multipliers {
        w.bytes(&m.multiplier.to_le_bytes());
    }
    for m in multipliers {
        w.bytes(&[m.shift as u8]);
    }
    for b in bias {
        w.bytes(&b.to_le_bytes());
    }
    for &q in weights {
        w.bytes(&[q as u8]);
    }
    w.nested(table_len, |out| {
        if let Some(out) = out.get_mut(..table_len) {
            table(out);
        }
    });
}

/// Reads a layer record up to its table into `arrays` (rows of `stride` weights),
/// returning the pre-activation and activation parameters; the reading rule of
/// [`write_record`]'s layout.
///
/// # Errors
/// [`LoadError::NonFinite`] for a NaN or infinite scale, [`LoadError::NonPositiveScale`]
/// for one of 0 or below, [`LoadError::LengthMismatch`]
/// if the bytes run out.
pub(super) fn read_record(
    r: &mut Reader<'_>,
    stride: usize,
    arrays: ArraysMut<'_>,
) -> Result<(QParams, QParams), LoadError> {
    let pre_activation = r.params()?;
    let output = r.params()?;
    for s in arrays.weight_scales.iter_mut() {
        *s = r.scale()?;
    }
    for m in arrays.multipliers.iter_mut() {
        m.multiplier = r.i32()?;
    }
    for m in arrays.multipliers.iter_mut() {
        m.shift = r.i8()?;
    }
    for b in arrays.bias.iter_mut() {
        *b = r.i32()?;
    }
    if stride > 0 {
        for row in arrays.weights.chunks_exact_mut(stride) {
            for (q, &b) in row.iter_mut().zip(r.take(stride)?) {
                *q = b as i8;
            }
        }
    }
    Ok((pre_activation, output))
}

// Manual impls: a derive would demand the traits of the size types `I` and `O`.
impl<I, O, A, R> Clone for QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    fn clone(&self) -> Self {
        QDense {
            weights: self.weights.clone(),
            bias: self.bias.clone(),
            weight_scales: self.weight_scales.clone(),
            multipliers: self.multipliers.clone(),
            input: self.input,
            pre_activation: self.pre_activation,
            output: self.output,
            table: self.table.clone(),
            activation: self.activation,
            rest: self.rest.clone(),
            folded_bias: self.folded_bias.clone(),
            fast: self.fast,
        }
    }
}

impl<I, O, A, R> core::fmt::Debug for QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QDense")
            .field("inputs", &I::USIZE)
            .field("outputs", &O::USIZE)
            .field("activation", &self.activation)
            .field("input", &self.input)
            .field("pre_activation", &self.pre_activation)
            .field("output", &self.output)
            .field("weights", &self.weights)
            .field("bias", &self.bias)
            .field("weight_scales", &self.weight_scales)
            .field("multipliers", &self.multipliers)
            .field("table", &self.table)
            .field("rest", &self.rest)
            .field("folded_bias", &self.folded_bias)
            .field("fast", &self.fast)
            .finish()
    }
}

impl<I, O, A, R> PartialEq for QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    fn eq(&self, other: &Self) -> bool {
        self.weights == other.weights
            && self.bias == other.bias
            && self.weight_scales == other.weight_scales
            && self.multipliers == other.multipliers
            && self.input == other.input
            && self.pre_activation == other.pre_activation
            && self.output == other.output
            && self.table == other.table
            && self.rest == other.rest
            && self.folded_bias == other.folded_bias
            && self.fast == other.fast
    }
}

impl<I, O, A, R> Sealed for QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
}

impl<I, O, A, R> QLayers<I> for QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    type Output = R::Output;
    const STACK_DEPTH: usize = R::STACK_DEPTH + 1;
    const STACK_PARAMS: usize = I::USIZE * O::USIZE + O::USIZE + R::STACK_PARAMS;
    const FINGERPRINT_STATE: u64 = crate::net::fingerprint::fnv_layer(
        R::FINGERPRINT_STATE,
        I::USIZE,
        O::USIZE,
        <A as Activation<f32>>::NAME,
    );
    const RECORDS_LEN: usize = Self::RECORD_LEN + R::RECORDS_LEN;

    #[inline]
    fn run(&self, x: &Arr<i8, I>) -> Arr<i8, R::Output> {
        let a = match A::folded_floor(self.output) {
            // ReLU and identity: the activation is the requantization's final clamp
            Some(floor) => self.requantized(x, floor),
            None => {
                let z = self.requantized(x, i8::MIN);
                let mut a = Arr::<i8, O>::default();
                A::apply(&self.table, &z, self.output.zero_point, &mut a);
                a
            }
        };
        self.rest.run(&a)
    }

    fn output_params_after(&self, _: QParams) -> QParams {
        self.rest.output_params_after(self.output)
    }

    fn layer_shape(i: usize) -> Option<LayerShape> {
        match i {
            0 => None,
            1 => Some(LayerShape {
                inputs: I::USIZE,
                outputs: O::USIZE,
                activation: <A as Activation<f32>>::NAME,
            }),
            _ => R::layer_shape(i - 1),
        }
    }

    fn layer_ref(&self, i: usize) -> Option<QLayerRef<'_>> {
        match i {
            0 => None,
            1 => Some(QLayerRef {
                weights: GenericArray::slice_from_chunks(&self.weights),
                bias: &self.bias,
                weight_scales: &self.weight_scales,
                multipliers: &self.multipliers,
                inputs: I::USIZE,
                outputs: O::USIZE,
                activation: <A as Activation<f32>>::NAME,
                folded: A::FOLDED,
                input: self.input,
                pre_activation: self.pre_activation,
                output: self.output,
            }),
            _ => self.rest.layer_ref(i - 1),
        }
    }

    fn write_records(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        write_record(
            &mut w,
            self.pre_activation,
            self.output,
            &self.weight_scales,
            &self.multipliers,
            &self.bias,
            GenericArray::slice_from_chunks(&self.weights),
            A::TABLE_BYTES,
            |out| A::write_table(&self.table, out),
        );
        w.nested(R::RECORDS_LEN, |out| self.rest.write_records(out));
    }

    fn read_records(bytes: &[u8], input: QParams, scale_index: usize) -> Result<Self, LoadError> {
        let mut r = Reader::new(bytes, scale_index);
        let mut weights = Matrix::<i8, O, I>::default();
        let mut bias = Arr::<i32, O>::default();
        let mut weight_scales = Arr::<f32, O>::default();
        let mut multipliers = Arr::<Multiplier, O>::default();
        let (pre_activation, output) = read_record(
            &mut r,
            I::USIZE,
            ArraysMut {
                weights: GenericArray::slice_from_chunks_mut(&mut weights),
                bias: &mut bias,
                weight_scales: &mut weight_scales,
                multipliers: &mut multipliers,
            },
        )?;
        let table = A::read_table(r.take(A::TABLE_BYTES)?);
        let scale_index = r.scale_index;
        let rest = R::read_records(r.rest(), output, scale_index)?;
        Ok(QDense::built(QDense {
            weights,
            bias,
            weight_scales,
            multipliers,
            input,
            pre_activation,
            output,
            table,
            activation: A::default(),
            rest,
            folded_bias: Arr::<i32, O>::default(),
            fast: false,
        }))
    }
}
