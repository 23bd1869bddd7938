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
///
/// Branch-free: gemmlowp's `(a·b + nudge) / 2^31` with a nudge of 2^30 or 1 − 2^30 by
/// the product's sign and a division truncating toward zero is ⌊(a·b + 2^30) / 2^31⌋
/// for every product (its ties round toward +∞, so "away from zero" for positive
/// products only, exactly as gemmlowp), one arithmetic shift; the test module keeps
/// gemmlowp's form as the reference.
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    // |a·b| ≤ 2^62, so the sum cannot overflow; the quotient is in [−2^31 + 1, 2^31],
    // and only a = b = −2^31 reaches 2^31.
    let high = (i64::from(a) * i64::from(b) + (1 << 30)) >> 31;
    high.min(i64::from(i32::MAX)) as i32
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
/// computed in `i64` with one rounding (ties away from zero) and saturated to the
/// `i32` range.
///
/// The result r is the exact rational product x·m·2^(shift−31) rounded down or up
/// (|r − exact| ≤ 3/4: two roundings, the first scaled down by the second), saturated
/// to the `i32` range; `tests/quant.rs` checks this against `i128` arithmetic.
///
/// Branch-free: both cases are one `i64` product x·m shifted right by 31 − max(shift, 0)
/// with a rounding constant, the overflow case's negative ties moved one step down
/// (away from zero), then a saturation and the rounding division. The unit tests
/// compare it with the earlier two-path implementation over random and exhaustive
/// ranges of accumulators, multipliers and shifts.
#[inline]
pub fn requantize(x: i32, m: Multiplier) -> i32 {
    let shift = i32::from(m.shift).clamp(-31, 31);
    let left = shift.max(0) as u32;
    let right = (-shift).max(0) as u32;
    // |x·m| ≤ 2^62
    let p = i64::from(x) * i64::from(m.multiplier);
    // ⌊(x·2^left·m + 2^30) / 2^31⌋ = ⌊(p + half) / 2^s⌋, s = 31 − left in 0..=31
    let s = 31 - left;
    let half = (1i64 << s) >> 1;
    let high = (p + half) >> s;
    // Where x·2^left does not fit an i32 the product is rounded once, ties away from
    // zero: a negative tie (remainder exactly half) goes one step further down.
    let overflow = x.wrapping_shl(left) >> left != x;
    let negative_tie = p < 0 && s > 0 && (p & ((1i64 << s) - 1)) == half;
    let high = high - i64::from(overflow & negative_tie);
    let high = high.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    rounding_divide_by_pot(high, right)
}

/// The requantization of the kernel's hot path, for an accumulator |`x`| < 2^30 and a
/// multiplier with `shift` in [−31, 0]: equal to [`requantize`] there (the unit tests
/// check it), branch-free, in a handful of instructions:
///
/// - the high multiply ⌊(x·m + 2^30) / 2^31⌋ is ⌊(2x·m + 2^31) / 2^32⌋, the rounded
///   high word of 2x·m (one `SMMULR` on cores with the DSP extension); 2x fits an
///   `i32` and no saturation is needed, since x ≠ −2^31;
/// - the rounding division by 2^R (R = −shift), ties away from zero, is
///   (h + ⌊2^R / 2⌋ − \[h < 0 and R > 0\]) >> R, and "h < 0 and R > 0" is the sign bit
///   of h & shift; |h| < 2^30, so the sum cannot overflow.
///
/// The layers check that domain once, when they are built.
#[inline(always)]
pub(crate) fn requantize_kernel(x: i32, multiplier: i32, shift: i8) -> i32 {
    let high = ((i64::from(2 * x) * i64::from(multiplier) + (1 << 31)) >> 32) as i32;
    let shift = i32::from(shift);
    let right = (-shift) as u32 & 31;
    let half = ((1u32 << right) >> 1) as i32;
    (high + half + ((high & shift) >> 31)) >> right
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The implementation before the branch-free one, kept as the reference: gemmlowp's
    /// `SaturatingRoundingDoublingHighMul` with its sign-dependent nudge and truncating
    /// division.
    fn reference_high_mul(a: i32, b: i32) -> i32 {
        if a == i32::MIN && b == i32::MIN {
            return i32::MAX;
        }
        let ab = i64::from(a) * i64::from(b);
        let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
        ((ab + nudge) / (1i64 << 31)) as i32
    }

    /// The earlier `RoundingDivideByPOT` (unchanged, kept for the reference).
    fn reference_divide_by_pot(x: i32, exponent: u32) -> i32 {
        let exponent = exponent.min(31);
        let mask = ((1i64 << exponent) - 1) as i32;
        let remainder = x & mask;
        let threshold = (mask >> 1) + i32::from(x < 0);
        (x >> exponent) + i32::from(remainder > threshold)
    }

    /// The earlier two-path `requantize`: the shifted accumulator through the high
    /// multiply and the rounding division when it fits, else one rounding in `i64`.
    fn reference_requantize(x: i32, m: Multiplier) -> i32 {
        let shift = i32::from(m.shift).clamp(-31, 31);
        let left = shift.max(0) as u32;
        let right = (-shift).max(0) as u32;
        match i32::try_from(i64::from(x) << left) {
            Ok(shifted) => {
                reference_divide_by_pot(reference_high_mul(shifted, m.multiplier), right)
            }
            Err(_) => reference_saturated_product(x, m.multiplier, left),
        }
    }

    fn reference_saturated_product(x: i32, m: i32, left: u32) -> i32 {
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

    /// Accumulators: anything, weighted toward the ends, zero and small values.
    fn accumulator() -> impl Strategy<Value = i32> {
        prop_oneof![
            any::<i32>(),
            -1000i32..1000,
            Just(i32::MIN),
            Just(i32::MAX),
            Just(i32::MIN + 1),
            (0u32..31).prop_map(|e| 1i32 << e),
            (0u32..31).prop_map(|e| -(1i32 << e)),
        ]
    }

    /// Multipliers: anything, the Q31 mantissas `quantize_multiplier` makes, and ends.
    fn mantissa() -> impl Strategy<Value = i32> {
        prop_oneof![
            any::<i32>(),
            (1i32 << 30)..=i32::MAX,
            Just(i32::MIN),
            Just(i32::MAX),
            Just(0),
            Just(1 << 30),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn branch_free_requantize_equals_the_reference(
            x in accumulator(),
            multiplier in mantissa(),
            shift in any::<i8>(),
        ) {
            let m = Multiplier { multiplier, shift };
            prop_assert_eq!(requantize(x, m), reference_requantize(x, m));
        }

        #[test]
        fn branch_free_requantize_equals_the_reference_near_overflow(
            x in accumulator(),
            multiplier in mantissa(),
            shift in 1i8..=31,
        ) {
            // positive shifts: the two paths of the reference and the ties between them
            let m = Multiplier { multiplier, shift };
            prop_assert_eq!(requantize(x, m), reference_requantize(x, m));
        }

        #[test]
        fn hot_path_requantize_equals_the_reference(
            x in prop_oneof![accumulator(), -(1i32 << 30) + 1..(1 << 30)]
                .prop_filter("the kernel's domain", |&x| x.unsigned_abs() < 1 << 30),
            multiplier in mantissa(),
            shift in -31i8..=0,
        ) {
            let m = Multiplier { multiplier, shift };
            prop_assert_eq!(
                requantize_kernel(x, multiplier, shift),
                reference_requantize(x, m)
            );
        }

        #[test]
        fn branch_free_high_mul_equals_the_reference(a in accumulator(), b in mantissa()) {
            prop_assert_eq!(saturating_rounding_doubling_high_mul(a, b), reference_high_mul(a, b));
        }
    }

    /// Every accumulator in [−2^11, 2^11] and every shift in [−34, 34] (clamped ones
    /// included), with multipliers at the ends, around the powers of two and spread in
    /// between: 4097 · 69 · 45 cases.
    #[test]
    fn branch_free_requantize_exhaustive_small_range() {
        let mut multipliers = std::vec![
            0,
            1,
            -1,
            2,
            3,
            i32::MIN,
            i32::MIN + 1,
            i32::MAX,
            i32::MAX - 1
        ];
        for e in [15, 29, 30] {
            multipliers.extend([(1 << e) - 1, 1 << e, (1 << e) + 1, -(1 << e)]);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        while multipliers.len() < 45 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            multipliers.push((state >> 32) as i32);
        }
        for &multiplier in &multipliers {
            for shift in -34i8..=34 {
                let m = Multiplier { multiplier, shift };
                for x in -(1i32 << 11)..=(1 << 11) {
                    let want = reference_requantize(x, m);
                    assert_eq!(requantize(x, m), want, "x={x} m={m:?}");
                    if (-31..=0).contains(&shift) {
                        assert_eq!(
                            requantize_kernel(x, multiplier, shift),
                            want,
                            "hot path x={x} m={m:?}"
                        );
                    }
                }
                // and the ends of the accumulator range
                for x in [i32::MIN, i32::MIN + 1, i32::MAX - 1, i32::MAX] {
                    assert_eq!(
                        requantize(x, m),
                        reference_requantize(x, m),
                        "x={x} m={m:?}"
                    );
                }
            }
        }
    }

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
