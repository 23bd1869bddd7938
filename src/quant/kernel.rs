//! The fast path of an int8 layer (see [`QDense`](super::QDense)): the accumulators
//! b′_k + Σ_j w_kj x_j with the input zero point already folded into b′, four output
//! rows per pass over the input, then the branch-free requantization with the
//! activation's clamp.
//!
//! The dot products are exact `i32` sums (the layer checked when it was built that
//! none can overflow), so the portable loop below and the Arm DSP loop of
//! `dsp.rs` give the same results on every target.

use super::requant::{Multiplier, requantize_kernel};
use super::stride::{Stride, Typed};
use crate::net::arr::{Arr, Matrix};
use generic_array::{ArrayLength, GenericArray};

#[cfg(all(target_arch = "arm", any(target_feature = "dsp", typenet_dsp)))]
use super::dsp::{Lanes, dot_rows};

/// What the DSP loop prepares from a layer's input once (`dsp.rs`); the portable loop
/// reads the input bytes themselves and prepares nothing.
#[cfg(not(all(target_arch = "arm", any(target_feature = "dsp", typenet_dsp))))]
struct Lanes<I>(core::marker::PhantomData<I>);

#[cfg(not(all(target_arch = "arm", any(target_feature = "dsp", typenet_dsp))))]
impl<I> Lanes<I> {
    const USED: bool = false;
    fn new() -> Self {
        Lanes(core::marker::PhantomData)
    }
    fn fill(&mut self, _: &[i8]) {}
}

/// acc_r + Σ_j block\[r·stride + j\] · x_j for the `R` rows of `block` (rows of
/// `stride` ≥ `x.len()` bytes): the portable loop, each x_j read once for the `R` rows.
#[cfg(not(all(target_arch = "arm", any(target_feature = "dsp", typenet_dsp))))]
#[inline(always)]
fn dot_rows<S: Stride, const R: usize>(
    block: &[i8],
    stride: S,
    x: &[i8],
    _: Option<&Lanes<S::Size>>,
    mut acc: [i32; R],
) -> [i32; R] {
    let stride = stride.get();
    let row = |r: usize| &block[r * stride..][..x.len()];
    // written out for four and two rows: the firmware's opt-level "s" does not unroll
    // a loop over the rows
    match acc.as_mut_slice() {
        [a0, a1, a2, a3] => {
            let (w0, w1, w2, w3) = (row(0), row(1), row(2), row(3));
            for (j, &xj) in x.iter().enumerate() {
                let xj = i32::from(xj);
                *a0 += i32::from(w0[j]) * xj;
                *a1 += i32::from(w1[j]) * xj;
                *a2 += i32::from(w2[j]) * xj;
                *a3 += i32::from(w3[j]) * xj;
            }
        }
        [a0, a1] => {
            let (w0, w1) = (row(0), row(1));
            for (j, &xj) in x.iter().enumerate() {
                let xj = i32::from(xj);
                *a0 += i32::from(w0[j]) * xj;
                *a1 += i32::from(w1[j]) * xj;
            }
        }
        acc => {
            for (r, a) in acc.iter_mut().enumerate() {
                for (&w, &xj) in row(r).iter().zip(x) {
                    *a += i32::from(w) * i32::from(xj);
                }
            }
        }
    }
    acc
}

/// One output: requantized (shift in [−31, 0], |accumulator| < 2^30, as the layer
/// checked, so |result| < 2^30 and adding the zero point cannot overflow), plus the
/// target zero point, clamped to [`floor`, 127] (`SSAT` and one comparison on Arm).
///
/// `FLOOR` false: the floor is −128 (identity, the pre-activation of a table
/// activation or softmax, and ReLU whose zero point is −128, as every ReLU layer that
/// [`quantize`](super::quantize) makes), so the clamp is one `SSAT`.
#[inline(always)]
fn output<const FLOOR: bool>(acc: i32, m: Multiplier, zero_point: i32, floor: i32) -> i8 {
    let q = (requantize_kernel(acc, m.multiplier, m.shift) + zero_point)
        .clamp(i32::from(i8::MIN), i32::from(i8::MAX));
    if FLOOR { q.max(floor) as i8 } else { q as i8 }
}

/// The rows of `weights` in groups of `R`, their accumulators started at the folded
/// biases, requantized into `out`; `lanes`, the input prepared for the DSP loop of
/// four rows, if there is one.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the layer's slices and constants, passed through
fn rows<S: Stride, const R: usize, const FLOOR: bool>(
    weights: &[i8],
    stride: S,
    x: &[i8],
    lanes: Option<&Lanes<S::Size>>,
    bias: &[i32],
    multipliers: &[Multiplier],
    zero_point: i32,
    floor: i32,
    out: &mut [i8],
) {
    let (b, _) = bias.as_chunks::<R>();
    let (m, _) = multipliers.as_chunks::<R>();
    let (o, _) = out.as_chunks_mut::<R>();
    let blocks = weights.chunks_exact(R * stride.get());
    for (((w, b), m), o) in blocks.zip(b).zip(m).zip(o) {
        let acc = dot_rows::<S, R>(w, stride, x, lanes, *b);
        let out = |acc: i32, m: Multiplier| output::<FLOOR>(acc, m, zero_point, floor);
        // written out for four rows (no loop at the firmware's opt-level "s")
        match (o.as_mut_slice(), acc.as_slice(), m.as_slice()) {
            ([o0, o1, o2, o3], &[a0, a1, a2, a3], &[m0, m1, m2, m3]) => {
                (*o0, *o1, *o2, *o3) = (out(a0, m0), out(a1, m1), out(a2, m2), out(a3, m3));
            }
            (o, acc, m) => {
                for ((o, &acc), &m) in o.iter_mut().zip(acc).zip(m) {
                    *o = out(acc, m);
                }
            }
        }
    }
}

/// Whether the kernel takes four rows per pass (else two): not on Armv6-M (Cortex-M0,
/// M0+, M1), whose eight low registers cannot hold four accumulators, four rows and the
/// input at once (the 32-bit atomics it lacks are the stable cfg that tells it apart
/// among the Arm targets).
const WIDE: bool = !cfg!(all(target_arch = "arm", not(target_has_atomic = "32")));

/// The fast path of a typed layer of `I` inputs and `O` outputs: [`dense_slices`] with
/// the sizes in the type. One copy per pair of sizes (inlined where the compiler sees
/// fit), whose lengths are constants.
#[inline]
pub(crate) fn dense<I: ArrayLength, O: ArrayLength>(
    weights: &Matrix<i8, O, I>,
    x: &Arr<i8, I>,
    folded_bias: &Arr<i32, O>,
    multipliers: &Arr<Multiplier, O>,
    zero_point: i32,
    floor: i32,
    out: &mut Arr<i8, O>,
) {
    dense_slices(
        GenericArray::slice_from_chunks(weights),
        Typed::<I>::new(),
        x,
        folded_bias,
        multipliers,
        zero_point,
        floor,
        out,
    );
}

/// The fast path of a layer: out_k = clamp(requantize(b′_k + Σ_j w_kj x_j, M_k) + zp,
/// floor, 127), four rows at a time, then two, then one. `weights` holds `out.len()`
/// rows of `stride` ≥ 1 bytes (row-major), `x` has `stride` values, `folded_bias` and
/// `multipliers` one per row; the layers check it when they are built. The body of
/// [`dense`] (typed layers) and of the layers of untyped networks.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_slices<S: Stride>(
    weights: &[i8],
    stride: S,
    x: &[i8],
    folded_bias: &[i32],
    multipliers: &[Multiplier],
    zero_point: i32,
    floor: i32,
    out: &mut [i8],
) {
    // one test per layer; the clamp at −128 is the saturation itself
    if floor == i32::from(i8::MIN) {
        dense_clamped::<S, false>(
            weights,
            stride,
            x,
            folded_bias,
            multipliers,
            zero_point,
            floor,
            out,
        );
    } else {
        dense_clamped::<S, true>(
            weights,
            stride,
            x,
            folded_bias,
            multipliers,
            zero_point,
            floor,
            out,
        );
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dense_clamped<S: Stride, const FLOOR: bool>(
    weights: &[i8],
    stride: S,
    x: &[i8],
    folded_bias: &[i32],
    multipliers: &[Multiplier],
    zero_point: i32,
    floor: i32,
    out: &mut [i8],
) {
    let outputs = out.len();
    let quads = if WIDE { outputs / 4 * 4 } else { 0 };
    let pairs = quads + (outputs - quads) / 2 * 2;
    let width = stride.get();
    if WIDE && S::KNOWN && Lanes::<S::Size>::USED && quads > 0 {
        // the input unpacked once for all the groups of four rows (2·I bytes)
        let mut lanes = Lanes::<S::Size>::new();
        lanes.fill(x);
        let lanes = Some(&lanes);
        rows::<S, 4, FLOOR>(
            weights,
            stride,
            x,
            lanes,
            folded_bias,
            multipliers,
            zero_point,
            floor,
            out,
        );
    } else if WIDE {
        rows::<S, 4, FLOOR>(
            weights,
            stride,
            x,
            None,
            folded_bias,
            multipliers,
            zero_point,
            floor,
            out,
        );
    }
    rows::<S, 2, FLOOR>(
        &weights[quads * width..],
        stride,
        x,
        None,
        &folded_bias[quads..],
        &multipliers[quads..],
        zero_point,
        floor,
        &mut out[quads..],
    );
    rows::<S, 1, FLOOR>(
        &weights[pairs * width..],
        stride,
        x,
        None,
        &folded_bias[pairs..],
        &multipliers[pairs..],
        zero_point,
        floor,
        &mut out[pairs..],
    );
}
