//! Compile-time decoding of int8 weight files, for
//! [`static_qnetwork!`](crate::static_qnetwork!). Not for direct use: the macro passes
//! offsets computed from the network type. Each function panics (a compile error when
//! evaluated in a constant) with a sentence naming the problem.

use super::network::INT8_CODE;
use super::params::{QParams, is_scale};
use super::requant::Multiplier;
use crate::io::format::HEADER_LEN;

/// Checks the header and length of an int8 weight file at compile time.
#[doc(hidden)]
pub const fn const_check(bytes: &[u8], fingerprint: u64, params: usize, len: usize) {
    if bytes.len() != len {
        wrong_length();
    }
    if len < HEADER_LEN {
        panic!("the int8 weight file is shorter than a header");
    }
    crate::io::format::const_check_header(bytes, INT8_CODE, fingerprint, params);
}

/// Stops the compilation with the length sentence when `bytes` has fewer than `end`
/// bytes, so a file cut short never reaches a raw index-out-of-bounds error: every
/// reader below calls it before indexing.
const fn const_need(bytes: &[u8], end: usize) {
    if bytes.len() < end {
        wrong_length();
    }
}

/// The compile error of a file whose length is not the network's.
const fn wrong_length() -> ! {
    panic!(
        "the int8 weight file's length does not match the network (wrong file, or a network of other sizes)"
    );
}

/// The byte length of a layer record (see the module docs of [`quant`](super)).
#[doc(hidden)]
pub const fn const_record_len(inputs: usize, outputs: usize, table: usize) -> usize {
    10 + 13 * outputs + outputs * inputs + table
}

/// The parameters (`f32` scale, `i8` zero point) at `at`; the scale must be finite
/// and > 0.
#[doc(hidden)]
pub const fn const_params(bytes: &[u8], at: usize) -> QParams {
    const_need(bytes, at + 5);
    let scale = f32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    QParams {
        scale: const_scale(scale),
        zero_point: bytes[at + 4] as i8,
    }
}

/// `N` weight scales at `at`, each finite and > 0.
#[doc(hidden)]
pub const fn const_scales<const N: usize>(bytes: &[u8], at: usize) -> [f32; N] {
    let scales = crate::io::format::const_f32s::<N>(bytes, at);
    let mut k = 0;
    while k < N {
        const_scale(scales[k]);
        k += 1;
    }
    scales
}

/// `scale`, or the compile error of a scale that is not finite and > 0.
const fn const_scale(scale: f32) -> f32 {
    if !is_scale(scale) {
        panic!("the int8 weight file holds a scale that is NaN, infinite, zero or negative");
    }
    scale
}

/// `N` consecutive `i8` at `at`.
#[doc(hidden)]
pub const fn const_i8s<const N: usize>(bytes: &[u8], at: usize) -> [i8; N] {
    const_need(bytes, at + N);
    let mut out = [0i8; N];
    let mut k = 0;
    while k < N {
        out[k] = bytes[at + k] as i8;
        k += 1;
    }
    out
}

/// `N` consecutive `i32` at `at`.
#[doc(hidden)]
pub const fn const_i32s<const N: usize>(bytes: &[u8], at: usize) -> [i32; N] {
    const_need(bytes, at + 4 * N);
    let mut out = [0i32; N];
    let mut k = 0;
    while k < N {
        let b = at + 4 * k;
        out[k] = i32::from_le_bytes([bytes[b], bytes[b + 1], bytes[b + 2], bytes[b + 3]]);
        k += 1;
    }
    out
}

/// `N` multipliers: mantissas (`i32`) at `mantissas`, shifts (`i8`) at `shifts`.
#[doc(hidden)]
pub const fn const_multipliers<const N: usize>(
    bytes: &[u8],
    mantissas: usize,
    shifts: usize,
) -> [Multiplier; N] {
    let m = const_i32s::<N>(bytes, mantissas);
    let s = const_i8s::<N>(bytes, shifts);
    let mut out = [Multiplier {
        multiplier: 0,
        shift: 0,
    }; N];
    let mut k = 0;
    while k < N {
        out[k] = Multiplier {
            multiplier: m[k],
            shift: s[k],
        };
        k += 1;
    }
    out
}

/// The 256 `u16` of a softmax table at `at`.
#[doc(hidden)]
pub const fn const_u16_table(bytes: &[u8], at: usize) -> [u16; 256] {
    const_need(bytes, at + 512);
    let mut out = [0u16; 256];
    let mut k = 0;
    while k < 256 {
        out[k] = u16::from_le_bytes([bytes[at + 2 * k], bytes[at + 2 * k + 1]]);
        k += 1;
    }
    out
}

/// The derived fields of a layer (see [`QDense`](super::QDense)): the biases with the
/// input zero point folded in, and whether the fast path applies; what
/// [`QDense::refold`](super::QDense::refold) computes at run time.
#[doc(hidden)]
pub const fn const_fold<const I: usize, const O: usize>(
    weights: &[[i8; I]; O],
    bias: &[i32; O],
    multipliers: &[Multiplier; O],
    input: QParams,
) -> ([i32; O], bool) {
    let mut folded = [0i32; O];
    let mut fast = true;
    let mut k = 0;
    while k < O {
        match super::dense::fold_row(&weights[k], bias[k], input.zero_point) {
            Some(b) => folded[k] = b,
            None => fast = false,
        }
        if !super::dense::fast_multiplier(multipliers[k]) {
            fast = false;
        }
        k += 1;
    }
    (folded, fast)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compile-time reader's rule for scales is the run-time reader's: finite and
    /// > 0 (evaluated at run time here, where the compile error is a panic).
    #[test]
    fn scales_of_zero_or_below_are_refused() {
        let file = |v: f32| {
            let mut b = [0u8; 8];
            b[..4].copy_from_slice(&v.to_le_bytes());
            b
        };
        assert_eq!(const_params(&file(0.5), 0).scale, 0.5);
        let two: std::vec::Vec<u8> = [0.25f32, 2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(const_scales::<2>(&two, 0), [0.25, 2.0]);
        for v in [0.0f32, -0.0, -1.0, f32::NAN, f32::INFINITY] {
            let bytes = file(v);
            assert!(
                std::panic::catch_unwind(|| const_params(&bytes, 0)).is_err(),
                "{v}"
            );
            assert!(
                std::panic::catch_unwind(|| const_scales::<1>(&bytes, 0)).is_err(),
                "{v}"
            );
        }
    }
}
