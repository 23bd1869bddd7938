//! [`QActivation`]: how each activation runs in the int8 domain.
//!
//! - [`ReLU`] and [`Identity`] are folded into the requantization: the accumulator is
//!   requantized straight to the activation's parameters, and ReLU clamps at the zero
//!   point, which is exact.
//! - [`LeakyReLU`], [`Tanh`], [`Sigmoid`] and [`Softplus`] map the int8 pre-activation
//!   z to the int8 activation through a 256-entry table ([`lookup_table`]) built when
//!   the network is quantized: entry q is φ(z) at z = s_z·(q − zp_z), rounded to the
//!   activation's grid. Given the int8 z each entry is correctly rounded, so the error
//!   is at most half an output step (s_a/2), plus the clamp at the ends of the
//!   activation's range.
//! - [`Softmax`] is computed from the int8 logits with an exponential table and
//!   integer sums and divisions ([`softmax`]), output scale 1/256 and zero point −128.

use super::params::{QParams, Range};
use crate::net::activation::{
    Activation, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh, leaky_relu,
};
use core::fmt::Debug;

/// An activation φ that an int8 layer can compute.
///
/// A quantized layer requantizes its `i32` accumulators to int8 with the parameters
/// [`requant_params`](QActivation::requant_params) picks (the pre-activation z's, or
/// the activation's own when φ is folded into the requantization), then calls
/// [`apply`](QActivation::apply), which must be integer-only.
///
/// Implemented for the crate's seven activations. For an element-wise activation of
/// your own, use a `[i8; 256]` table built by [`lookup_table`] and
/// [`apply_lookup_table`], as [`Tanh`] does.
pub trait QActivation: Activation<f32> + Activation<f64> {
    /// What a layer keeps for φ at run time (a lookup table, or nothing).
    type Table: Clone + Debug + PartialEq;

    /// The length of the table in the weight file, in bytes.
    const TABLE_BYTES: usize;

    /// Whether the accumulator is requantized straight to the activation's parameters
    /// (`true`: ReLU, identity) or to the pre-activation's, then mapped.
    const FOLDED: bool;

    /// The activation's int8 parameters, given its calibrated range (the range's own
    /// parameters, except for softmax: [`QParams::SOFTMAX`]).
    fn output_params(range: Range) -> QParams {
        range.params()
    }

    /// The parameters the accumulator is requantized to: `output` if
    /// [`FOLDED`](QActivation::FOLDED), `pre_activation` otherwise.
    fn requant_params(pre_activation: QParams, output: QParams) -> QParams {
        if Self::FOLDED { output } else { pre_activation }
    }

    /// `Some(floor)` when [`apply`](QActivation::apply) on requantized accumulators is
    /// exactly max(z, floor) (identity: −128; ReLU: the output zero point), so that the
    /// layer folds it into the requantization's final clamp and does not call `apply`;
    /// `None` (the default) otherwise.
    fn folded_floor(output: QParams) -> Option<i8> {
        let _ = output;
        None
    }

    /// Builds the table for a layer whose pre-activation has parameters
    /// `pre_activation` and activation `output` (float arithmetic, at quantization time).
    fn build_table(pre_activation: QParams, output: QParams) -> Self::Table;

    /// A table of zeros, the starting point of reading one from a file.
    fn empty_table() -> Self::Table;

    /// The int8 activation: `z` holds the requantized accumulators (in the parameters
    /// of [`requant_params`](QActivation::requant_params)), `output_zero_point` is the
    /// activation's zero point. Integer arithmetic only.
    fn apply(table: &Self::Table, z: &[i8], output_zero_point: i8, a: &mut [i8]);

    /// Writes the table's [`TABLE_BYTES`](QActivation::TABLE_BYTES) bytes.
    fn write_table(table: &Self::Table, out: &mut [u8]);

    /// Reads a table from exactly [`TABLE_BYTES`](QActivation::TABLE_BYTES) bytes
    /// (every byte string is a valid table).
    fn read_table(bytes: &[u8]) -> Self::Table;
}

impl QActivation for Identity {
    type Table = ();
    const TABLE_BYTES: usize = 0;
    const FOLDED: bool = true;
    fn folded_floor(_: QParams) -> Option<i8> {
        Some(i8::MIN)
    }
    fn build_table(_: QParams, _: QParams) {}
    fn empty_table() {}
    #[inline]
    fn apply(_: &(), z: &[i8], _: i8, a: &mut [i8]) {
        a.copy_from_slice(z);
    }
    fn write_table(_: &(), _: &mut [u8]) {}
    fn read_table(_: &[u8]) {}
}

impl QActivation for ReLU {
    type Table = ();
    const TABLE_BYTES: usize = 0;
    const FOLDED: bool = true;
    /// The output zero point: max(z, zero point) is the requantization's clamp at it.
    fn folded_floor(output: QParams) -> Option<i8> {
        Some(output.zero_point)
    }
    fn build_table(_: QParams, _: QParams) {}
    fn empty_table() {}
    /// max(z, zero point): exact, since the zero point is the real 0.
    #[inline]
    fn apply(_: &(), z: &[i8], output_zero_point: i8, a: &mut [i8]) {
        for (a, &z) in a.iter_mut().zip(z) {
            *a = z.max(output_zero_point);
        }
    }
    fn write_table(_: &(), _: &mut [u8]) {}
    fn read_table(_: &[u8]) {}
}

/// The 256-entry table of an element-wise activation φ: entry `q + 128` is
/// `output.quantize(φ(pre_activation.dequantize(q)))`, with φ evaluated in `f64`.
///
/// Float arithmetic: runs when a network is quantized.
pub fn lookup_table<A: Activation<f64>>(pre_activation: QParams, output: QParams) -> [i8; 256] {
    let phi = A::default();
    table_of(pre_activation, output, |z| {
        let mut a = [0.0f64];
        phi.forward(&[z], &mut a);
        a[0]
    })
}

/// The table of a leaky rectifier of slope `slope`: [`LeakyReLU`]'s (its slope from
/// its type) and that of a network whose shape is data (its slope a value), both
/// through [`leaky_relu`], the body of [`LeakyReLU`]'s φ.
pub(crate) fn leaky_relu_table(pre_activation: QParams, output: QParams, slope: f64) -> [i8; 256] {
    table_of(pre_activation, output, |z| leaky_relu(z, slope))
}

/// The rule of [`lookup_table`]: entry `q + 128` is
/// `output.quantize(phi(pre_activation.dequantize(q)))` in `f64`, a NaN giving the
/// output zero point.
fn table_of(pre_activation: QParams, output: QParams, phi: impl Fn(f64) -> f64) -> [i8; 256] {
    core::array::from_fn(|k| {
        let q = k as i32 - 128;
        let z =
            f64::from(pre_activation.scale) * f64::from(q - i32::from(pre_activation.zero_point));
        let v = libm::round(phi(z) / f64::from(output.scale)) + f64::from(output.zero_point);
        if v.is_nan() {
            output.zero_point
        } else {
            v.clamp(-128.0, 127.0) as i8
        }
    })
}

/// a_k = table[z_k + 128]: the run-time half of a lookup-table activation.
#[inline]
pub fn apply_lookup_table(table: &[i8; 256], z: &[i8], a: &mut [i8]) {
    for (a, &z) in a.iter_mut().zip(z) {
        // z + 128 as the byte z ^ 0x80: a u8 index, so the table needs no bounds check
        *a = table[usize::from(z.cast_unsigned() ^ 0x80)];
    }
}

macro_rules! lookup_activation {
    ($([$($g:tt)*] $t:ty => $build:expr),*) => {$(
        impl<$($g)*> QActivation for $t {
            type Table = [i8; 256];
            const TABLE_BYTES: usize = 256;
            const FOLDED: bool = false;
            fn build_table(pre_activation: QParams, output: QParams) -> [i8; 256] {
                $build(pre_activation, output)
            }
            fn empty_table() -> [i8; 256] {
                [0; 256]
            }
            #[inline]
            fn apply(table: &[i8; 256], z: &[i8], _: i8, a: &mut [i8]) {
                apply_lookup_table(table, z, a);
            }
            fn write_table(table: &[i8; 256], out: &mut [u8]) {
                for (o, &t) in out.iter_mut().zip(table) {
                    *o = t as u8;
                }
            }
            fn read_table(bytes: &[u8]) -> [i8; 256] {
                let mut table = [0i8; 256];
                for (t, &b) in table.iter_mut().zip(bytes) {
                    *t = b as i8;
                }
                table
            }
        }
    )*};
}

// LeakyReLU's table is that of the slope of its type: a slope-0.2 layer gets the table
// of 0.2 · z.
lookup_activation!(
    [const SLOPE_BITS: u64] LeakyReLU<SLOPE_BITS> =>
        |pre, output| leaky_relu_table(pre, output, Self::SLOPE),
    [] Tanh => lookup_table::<Tanh>,
    [] Sigmoid => lookup_table::<Sigmoid>,
    [] Softplus => lookup_table::<Softplus>
);

/// The value of e^0 in a softmax table: entries are e^{−s_z·d} in units of 2^−15.
pub const SOFTMAX_ONE: u16 = 1 << 15;

/// The exponential table of an int8 softmax whose logits have parameters
/// `pre_activation`: entry d (0..=255) is round(2^15 · e^{−s_z·d}), the weight of a
/// logit d steps below the largest.
///
/// Float arithmetic: runs when a network is quantized.
pub fn softmax_table(pre_activation: QParams) -> [u16; 256] {
    let s = f64::from(pre_activation.scale);
    core::array::from_fn(|d| {
        let e = libm::exp(-s * d as f64);
        libm::round(e * f64::from(SOFTMAX_ONE)).clamp(0.0, f64::from(u16::MAX)) as u16
    })
}

/// The integer softmax: with m = max_j z_j, e_k = table[m − z_k] and S = Σ_j e_k,
/// a_k = round(256 · e_k / S) − 128, saturated to int8: probabilities with scale 1/256
/// and zero point −128.
///
/// Only the differences m − z_k (0..=255) matter, so the logits' zero point drops out.
/// Against the exact softmax of the dequantized logits the result is off by at most
/// 1/512 from the final rounding, 1/256 where a probability above 255.5/256 saturates
/// at 127, and (1 + n)/2^16 from the table's rounding (n = the number of outputs);
/// `tests/quant.rs` measures it. The sums are `u32`, exact for up to 65 536 outputs
/// (saturating beyond), and a table with a zero first entry cannot divide by zero.
#[inline]
pub fn softmax(table: &[u16; 256], z: &[i8], a: &mut [i8]) {
    let Some(&max) = z.iter().max() else { return };
    // m − z_k is in 0..=255 (m ≥ z_k), so it is the wrapping difference of the two
    // bytes: a u8 index, and the table needs no bounds check (no panic path).
    let weight =
        |z: i8| u32::from(table[usize::from(max.cast_unsigned().wrapping_sub(z.cast_unsigned()))]);
    let sum = z
        .iter()
        .fold(0u32, |s, &z| s.saturating_add(weight(z)))
        .max(1);
    for (a, &z) in a.iter_mut().zip(z) {
        let p = (weight(z) << 8).saturating_add(sum / 2) / sum;
        *a = (p.min(255) as i32 - 128) as i8;
    }
}

impl QActivation for Softmax {
    type Table = [u16; 256];
    const TABLE_BYTES: usize = 512;
    const FOLDED: bool = false;
    fn output_params(_: Range) -> QParams {
        QParams::SOFTMAX
    }
    fn build_table(pre_activation: QParams, _: QParams) -> [u16; 256] {
        softmax_table(pre_activation)
    }
    fn empty_table() -> [u16; 256] {
        [0; 256]
    }
    #[inline]
    fn apply(table: &[u16; 256], z: &[i8], _: i8, a: &mut [i8]) {
        softmax(table, z, a);
    }
    fn write_table(table: &[u16; 256], out: &mut [u8]) {
        for (o, &t) in out.chunks_exact_mut(2).zip(table) {
            o.copy_from_slice(&t.to_le_bytes());
        }
    }
    fn read_table(bytes: &[u8]) -> [u16; 256] {
        let mut table = [0u16; 256];
        for (t, b) in table.iter_mut().zip(bytes.chunks_exact(2)) {
            *t = u16::from_le_bytes([b[0], b[1]]);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_clamps_at_the_zero_point() {
        let mut a = [0i8; 4];
        ReLU::apply(&(), &[-128, -5, 0, 90], -5, &mut a);
        assert_eq!(a, [-5, -5, 0, 90]);
    }

    #[test]
    fn tanh_table_is_odd_around_a_centred_zero_point() {
        let z = QParams {
            scale: 4.0 / 128.0,
            zero_point: 0,
        };
        let a = QParams {
            scale: 1.0 / 128.0,
            zero_point: 0,
        };
        let t = Tanh::build_table(z, a);
        // odd up to where the positive side saturates at 127 (tanh(4) = 0.9993)
        for q in 1..100i32 {
            assert_eq!(t[(128 + q) as usize], -t[(128 - q) as usize], "q = {q}");
        }
        assert_eq!(t[128], 0);
        assert_eq!(t[255], 127);
    }

    #[test]
    fn softmax_of_equal_logits_is_uniform() {
        let table = softmax_table(QParams {
            scale: 0.1,
            zero_point: 3,
        });
        assert_eq!(table[0], SOFTMAX_ONE);
        let mut a = [0i8; 4];
        softmax(&table, &[7, 7, 7, 7], &mut a);
        // 1/4 = 64/256
        assert_eq!(a, [-64; 4]);
        softmax(&table, &[127, -128, -128, -128], &mut a);
        assert_eq!(a[0], 127);
        softmax(&[0; 256], &[1, 2], &mut a[..2]);
        assert_eq!(a[..2], [-128, -128]);
    }
}
