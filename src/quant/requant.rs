//! Fixed-point requantization, as TensorFlow Lite does it: a real multiplier M > 0
//! becomes a Q31 `i32` and a power-of-two exponent ([`quantize_multiplier`]), and
//! `x·M` is computed with two integer roundings ([`requantize`]).

/// A positive real multiplier M as TensorFlow Lite encodes it:
/// M ≈ `multiplier` · 2^(`shift` − 31), with `multiplier` in [2^30, 2^31) (Q31, so the
/// mantissa is in [0.5, 1)), or `multiplier` 0 for M = 0 (and M below 2^−32).
///
/// `shift` > 0 is a left shift, `shift` < 0 a right shift. [`quantize_multiplier`]
/// gives shifts in [−31, 30]; [`requantize`] clamps any other to [−31, 31], so every
/// value is usable (a weight file cannot make it panic).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Multiplier {
    /// The Q31 mantissa.
    pub multiplier: i32,
    /// The exponent: M ≈ `multiplier` · 2^(`shift` − 31).
    pub shift: i8,
}

impl Multiplier {
    /// The exact value this encoding stands for, `multiplier` · 2^(`shift` − 31)
    /// (float arithmetic, for tests and inspection; not used by inference).
    pub fn to_f64(self) -> f64 {
        f64::from(self.multiplier) * libm::exp2(f64::from(self.shift) - 31.0)
    }
}

/// TensorFlow Lite's `QuantizeMultiplier`: the [`Multiplier`] nearest to `real`.
///
/// `real` = q · 2^e with q in [0.5, 1) (`frexp`); the mantissa is round(q · 2^31) and
/// the shift e (a mantissa that rounds up to 2^31 is halved and e incremented). The
/// relative error is at most 2^−31. Multipliers below 2^−32 (whose product with any
/// `i32` rounds to 0) become 0; above 2^30 they saturate at (2^31 − 1) · 2^−1;
/// zero, negative and non-finite `real` give 0.
///
/// Float arithmetic: this runs when a network is quantized, never during inference.
pub fn quantize_multiplier(real: f64) -> Multiplier {
    if real.is_nan() || real <= 0.0 || real.is_infinite() {
        return Multiplier::default();
    }
    let (q, e) = libm::frexp(real);
    let mut mantissa = libm::round(q * 2_147_483_648.0) as i64;
    let mut shift = e;
    if mantissa == 1 << 31 {
        mantissa /= 2;
        shift += 1;
    }
    if shift < -31 {
        return Multiplier::default();
    }
    if shift > 30 {
        return Multiplier {
            multiplier: i32::MAX,
            shift: 30,
        };
    }
    Multiplier {
        multiplier: mantissa as i32,
        shift: shift as i8,
    }
}

/// gemmlowp's `SaturatingRoundingDoublingHighMul`: the high 32 bits of 2·a·b, rounded
/// to nearest (ties away from zero), i.e. round(a·b / 2^31). The one overflow,
/// a = b = −2^31, saturates to `i32::MAX`.
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = i64::from(a) * i64::from(b);
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // Division truncating toward zero, as in gemmlowp; by a constant power of two, so
    // it compiles to shifts. |ab + nudge| < 2^62, and the quotient fits an i32.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// gemmlowp's `RoundingDivideByPOT`: x / 2^`exponent` rounded to nearest, ties away
/// from zero. `exponent` is clamped to [0, 31].
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: u32) -> i32 {
    let exponent = exponent.min(31);
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + i32::from(x < 0);
    (x >> exponent) + i32::from(remainder > threshold)
}

/// TensorFlow Lite's `MultiplyByQuantizedMultiplier`: x · M for the encoded M, in
/// integers only.
///
/// A positive shift first multiplies x by 2^shift, then
/// [`saturating_rounding_doubling_high_mul`] by the mantissa, then
/// [`rounding_divide_by_pot`] by 2^−shift for a negative shift. Where TensorFlow Lite
/// would overflow (x · 2^shift beyond the `i32` range), the product is instead
/// computed in `i64` with one rounding and saturated to the `i32` range.
///
/// The result r is the exact rational product x·m·2^(shift−31) rounded down or up
/// (|r − exact| ≤ 3/4: two roundings, the first scaled down by the second), saturated
/// to the `i32` range; `tests/quant.rs` checks this against `i128` arithmetic.
#[inline]
pub fn requantize(x: i32, m: Multiplier) -> i32 {
    let shift = i32::from(m.shift).clamp(-31, 31);
    let left = shift.max(0) as u32;
    let right = (-shift).max(0) as u32;
    match i32::try_from(i64::from(x) << left) {
        Ok(shifted) => rounding_divide_by_pot(
            saturating_rounding_doubling_high_mul(shifted, m.multiplier),
            right,
        ),
        Err(_) => saturated_product(x, m.multiplier, left),
    }
}

/// round(x · m · 2^(left − 31)) saturated to the `i32` range, for `left` in 1..=31
/// (the cold path of [`requantize`]).
#[cold]
fn saturated_product(x: i32, m: i32, left: u32) -> i32 {
    // |x·m| < 2^62
    let p = i64::from(x) * i64::from(m);
    let s = 31u32.saturating_sub(left);
    let rounded = if s == 0 {
        p
    } else {
        let half = 1i64 << (s - 1);
        if p >= 0 {
            (p + half) >> s
        } else {
            -((half - p) >> s)
        }
    };
    rounded.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplier_of_powers_of_two_and_thirds() {
        assert_eq!(
            quantize_multiplier(0.5),
            Multiplier {
                multiplier: 1 << 30,
                shift: 0
            }
        );
        assert_eq!(
            quantize_multiplier(1.0),
            Multiplier {
                multiplier: 1 << 30,
                shift: 1
            }
        );
        let m = quantize_multiplier(1.0 / 3.0);
        assert_eq!(m.shift, -1);
        assert_eq!(m.multiplier, 1_431_655_765);
        assert_eq!(quantize_multiplier(0.0), Multiplier::default());
        assert_eq!(quantize_multiplier(-1.0), Multiplier::default());
        assert_eq!(quantize_multiplier(f64::NAN), Multiplier::default());
        assert_eq!(quantize_multiplier(1e-12), Multiplier::default());
        assert_eq!(quantize_multiplier(1e12).multiplier, i32::MAX);
    }

    #[test]
    fn rounding_ties_away_from_zero() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(4, 1), 2);
        assert_eq!(rounding_divide_by_pot(-7, 2), -2);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 31), 1);
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(1 << 30, 1 << 30),
            1 << 29
        );
    }

    #[test]
    fn requantize_by_a_third_and_by_three() {
        let third = quantize_multiplier(1.0 / 3.0);
        assert_eq!(requantize(300, third), 100);
        // -301/3 = -100.33, but two roundings (-200.67 -> -201, then -100.5 -> -101)
        // land on the far side: within the documented 3/4.
        assert_eq!(requantize(-301, third), -101);
        assert_eq!(requantize(-300, third), -100);
        assert_eq!(requantize(302, third), 101);
        let three = quantize_multiplier(3.0);
        assert_eq!(requantize(100, three), 300);
        assert_eq!(requantize(i32::MAX, three), i32::MAX);
        assert_eq!(requantize(i32::MIN, three), i32::MIN);
        assert_eq!(requantize(1 << 29, three), 3 << 29);
    }
}
