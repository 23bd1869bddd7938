//! `x · y + z` rounded once, in integer arithmetic: the `f32` multiply-add of the cores
//! without a floating-point unit (Cortex-M0/M0+/M3, any `no_std` target without
//! `VFMA.F32`), and of Windows builds without FMA (whose C runtime's `fmaf` is not
//! correctly rounded on a CPU without FMA).
//!
//! `libm::fmaf` computes the same value through `f64` arithmetic, which such a core
//! also emulates in software: about 280 instructions per multiply-add on the Cortex-M3,
//! where a software `f32` multiply and add take about 120. Here the common case, three
//! normal numbers (or a zero among them) whose result is normal, takes one 24 × 24-bit
//! integer product, one aligned 64-bit addition or subtraction and one rounding; every
//! other case (NaN, an infinity, a subnormal operand, a result that overflows or is
//! subnormal) goes to `libm::fmaf`.
//!
//! The method is the usual one of software floating point: the product's 48 bits and
//! the addend's 24 are placed in 64-bit words with the leading bit at bit 61, the one
//! with the smaller exponent is shifted right with the bits shifted out collected in
//! bit 0 ("jamming": it records that something nonzero was lost, below the rounding
//! position), the two are added or subtracted exactly, the result is normalised and
//! rounded to nearest, ties to even. The unit tests compare it with the hardware's
//! fused multiply-add on millions of operands, bit for bit.

/// The position of the leading bit of a significand in its 64-bit word.
const TOP: u32 = 61;

/// `v >> d`, with bit 0 set when a nonzero bit was shifted out.
#[inline(always)]
fn jam(v: u64, d: u32) -> u64 {
    if d == 0 {
        v
    } else if d < 64 {
        (v >> d) | u64::from(v << (64 - d) != 0)
    } else {
        u64::from(v != 0)
    }
}

/// x · y + z rounded once to nearest, ties to even (IEEE 754 fusedMultiplyAdd).
pub(crate) fn fmaf(x: f32, y: f32, z: f32) -> f32 {
    let (bx, by, bz) = (x.to_bits(), y.to_bits(), z.to_bits());
    let (ex, ey, ez) = ((bx >> 23) & 0xFF, (by >> 23) & 0xFF, (bz >> 23) & 0xFF);
    let sign_p = (bx ^ by) & 0x8000_0000;
    let sign_z = bz & 0x8000_0000;
    let zero = |b: u32| b & 0x7FFF_FFFF == 0;
    if ex == 0 || ey == 0 || ex == 0xFF || ey == 0xFF || ez == 0xFF {
        if (zero(bx) || zero(by)) && ex != 0xFF && ey != 0xFF && ez != 0xFF {
            // x · y is an exact ±0: the sum is z, or a zero that is −0 only when both
            // zeros are (round to nearest).
            return if zero(bz) {
                f32::from_bits(sign_p & sign_z)
            } else {
                z
            };
        }
        return libm::fmaf(x, y, z);
    }
    if ez == 0 && !zero(bz) {
        return libm::fmaf(x, y, z);
    }
    // The product, exact, with its leading bit at TOP: value = p · 2^(e_p − 127 − TOP).
    let mx = u64::from(bx & 0x7F_FFFF | 0x80_0000);
    let my = u64::from(by & 0x7F_FFFF | 0x80_0000);
    let p = mx * my;
    let (p, e_p) = if p >> 47 != 0 {
        (p << (TOP - 47), ex as i32 + ey as i32 - 126)
    } else {
        (p << (TOP - 46), ex as i32 + ey as i32 - 127)
    };
    let (mut sig, mut e, sign) = if zero(bz) {
        // x · y + (±0) = x · y, which is not zero here.
        (p, e_p, sign_p)
    } else {
        let zs = u64::from(bz & 0x7F_FFFF | 0x80_0000) << (TOP - 23);
        let e_z = ez as i32;
        let d = e_p - e_z;
        if sign_p == sign_z {
            let (s, e) = if d >= 0 {
                (p + jam(zs, d as u32), e_p)
            } else {
                (zs + jam(p, (-d) as u32), e_z)
            };
            (s, e, sign_p)
        } else if d > 0 {
            (p - jam(zs, d as u32), e_p, sign_p)
        } else if d < 0 {
            (zs - jam(p, (-d) as u32), e_z, sign_z)
        } else if p >= zs {
            (p - zs, e_p, sign_p)
        } else {
            (zs - p, e_z, sign_z)
        }
    };
    if sig == 0 {
        // An exact cancellation: +0 when rounding to nearest.
        return 0.0;
    }
    // Normalise: the leading bit to TOP (a sum may carry into TOP + 1).
    if sig >> (TOP + 1) != 0 {
        sig = jam(sig, 1);
        e += 1;
    } else {
        let shift = sig.leading_zeros() - (63 - TOP);
        sig <<= shift;
        e -= shift as i32;
    }
    // Round to 24 bits, to nearest, ties to even.
    let rest_bits = TOP - 23;
    let mut m = sig >> rest_bits;
    let rest = sig & ((1 << rest_bits) - 1);
    let half = 1 << (rest_bits - 1);
    if rest > half || (rest == half && m & 1 == 1) {
        m += 1;
        if m >> 24 != 0 {
            m >>= 1;
            e += 1;
        }
    }
    if e <= 0 || e >= 0xFF {
        // A subnormal result or an overflow: the general code.
        return libm::fmaf(x, y, z);
    }
    f32::from_bits(sign | (e as u32) << 23 | (m as u32 & 0x7F_FFFF))
}

#[cfg(test)]
mod tests {
    use super::fmaf;

    /// The hardware's (or the C library's) fused multiply-add, bit for bit; NaNs equal.
    fn check(x: f32, y: f32, z: f32) {
        let want = x.mul_add(y, z);
        let got = fmaf(x, y, z);
        assert!(
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
            "fmaf({x:e}, {y:e}, {z:e}) = {got:e} ({:#x}), want {want:e} ({:#x})",
            got.to_bits(),
            want.to_bits()
        );
    }

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 32) as u32
        }
        /// A float with exponent in `lo..=hi` (biased), random sign and significand.
        fn float(&mut self, lo: u32, hi: u32) -> f32 {
            let r = self.next();
            let e = lo + r % (hi - lo + 1);
            f32::from_bits((self.next() & 0x807F_FFFF) | e << 23)
        }
    }

    #[test]
    fn special_values_and_zeros() {
        let specials = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
            f32::from_bits(0x8000_0001),
            f32::from_bits(0x007F_FFFF),
            f32::MAX,
            -f32::MAX,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1.0 + f32::EPSILON,
            1.0 - f32::EPSILON / 2.0,
            3.0,
            0.1,
            -1e-20,
            1e20,
            2.0f32.powi(-63),
            2.0f32.powi(64),
        ];
        for &x in &specials {
            for &y in &specials {
                for &z in &specials {
                    check(x, y, z);
                }
            }
        }
    }

    /// Operands of every exponent: overflow, underflow to subnormals and to zero, and
    /// addends far above or below the product.
    #[test]
    fn every_exponent() {
        let mut r = Lcg(1);
        for _ in 0..400_000 {
            let (x, y, z) = (r.float(0, 254), r.float(0, 254), r.float(0, 254));
            check(x, y, z);
        }
    }

    /// Products and addends of similar size, the addend near minus the product (the
    /// cancellations), and ties: where rounding once and rounding twice differ.
    #[test]
    fn near_cancellation_and_ties() {
        let mut r = Lcg(2);
        for _ in 0..400_000 {
            let (x, y) = (r.float(100, 154), r.float(100, 154));
            let p = x * y;
            let d = (r.next() % 9) as i32 - 4;
            let near = f32::from_bits((-p).to_bits().wrapping_add_signed(d));
            check(x, y, near);
            check(x, y, r.float(90, 164));
            // x · y + z exactly halfway between two floats when z is tiny against it.
            let tiny = f32::from_bits(p.to_bits() & 0xFF80_0000) * f32::EPSILON / 2.0;
            check(x, y, tiny);
            check(x, y, -tiny);
        }
    }

    /// Small integers: exact products and sums, exact cancellations to +0.
    #[test]
    fn exact_results() {
        for a in -12..=12 {
            for b in -12..=12 {
                for c in -150..=150 {
                    check(a as f32, b as f32, c as f32);
                    check(a as f32 * 0.5, b as f32 * 0.25, c as f32 * 0.125);
                }
            }
        }
    }
}
