//! [`Q16`]: Q16.16 fixed point, a [`Scalar`] for microcontrollers without an FPU.
//!
//! A `Q16` is an `i32` counting units of 2^−16: range [−32768, 32768 − 2^−16],
//! resolution 2^−16 ≈ 1.53e−5. Every operation is integer-only:
//!
//! - `+`, `−`, negation and `abs` saturate at the ends of the range instead of wrapping;
//! - `×` rounds to the nearest representable value (ties toward +∞) and saturates;
//! - `÷` truncates toward zero and saturates; dividing by zero gives the end of the
//!   range with the dividend's sign (0 / 0 gives 0);
//! - `exp`, `ln`, `ln_1p`, `tanh` and `sqrt` are computed with integer arithmetic only
//!   (range reduction and polynomials). Their maximum errors, checked over dense grids by
//!   `tests/fixed.rs`, in units of the last place (2^−16): `exp` within 2, relative to
//!   max(1, e^x); `ln` (and `ln_1p`, which is `ln(1 + x)`) within 4; `tanh` within 4;
//!   `sqrt` rounded down, so below 1. The [`Sigmoid`](crate::Sigmoid) activation (e^−|z|
//!   and one division) is within 2.
//!
//! In the weight format (`typenet::format`) a `Q16` network is stored as its raw `i32`
//! values, scalar code 3.
//!
//! The same network types run forward, backward and SGD in `Q16`:
//!
//! ```
//! use typenet::{network, Network, fixed::Q16};
//! use typenet::generic_array::GenericArray;
//!
//! type Net = network!(Q16; 2 -> 3 Tanh -> 1 Sigmoid);
//! let params: Vec<Q16> = (0..Net::PARAMS).map(|k| Q16::from_f64(k as f64 / 16.0 - 0.4)).collect();
//! let net = Net::from_params(&params).unwrap();
//! let y = net.forward(&GenericArray::from_array([Q16::from_f64(0.5), Q16::from_f64(-1.0)]));
//! assert!(y[0] > Q16::ZERO && y[0] < Q16::ONE);
//! ```

use crate::num::scalar::Scalar;
use core::cmp::Ordering;
use core::fmt;
use core::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

/// Q16.16 fixed point: an `i32` counting units of 2^−16. See the [module docs](self).
///
/// `#[repr(transparent)]`: a `Q16` has exactly the bytes of its `i32`, so all-zero
/// bytes are [`Q16::ZERO`] (what lets [`BoxedNetwork`](crate::BoxedNetwork) build Q16
/// networks zeroed on the heap).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Q16(i32);

const FRAC: u32 = 16;
const ONE_RAW: i32 = 1 << FRAC;

impl Q16 {
    /// 0.
    pub const ZERO: Q16 = Q16(0);
    /// 1.
    pub const ONE: Q16 = Q16(ONE_RAW);
    /// The largest value, 32768 − 2^−16.
    pub const MAX: Q16 = Q16(i32::MAX);
    /// The smallest value, −32768.
    pub const MIN: Q16 = Q16(i32::MIN);
    /// The resolution, 2^−16.
    pub const EPSILON: Q16 = Q16(1);

    /// The value with the raw representation `raw` (units of 2^−16).
    pub const fn from_bits(raw: i32) -> Q16 {
        Q16(raw)
    }

    /// The raw representation: the value in units of 2^−16.
    pub const fn to_bits(self) -> i32 {
        self.0
    }

    /// The nearest value to `x`, saturating outside the range; NaN gives 0.
    pub fn from_f64(x: f64) -> Q16 {
        let scaled = x * f64::from(ONE_RAW);
        if scaled.is_nan() {
            Q16(0)
        } else if scaled >= i32::MAX as f64 {
            Q16::MAX
        } else if scaled <= i32::MIN as f64 {
            Q16::MIN
        } else {
            // round half away from zero, without `f64::round` (not in core)
            let r = if scaled >= 0.0 {
                scaled + 0.5
            } else {
                scaled - 0.5
            };
            Q16(r as i32)
        }
    }

    /// The exact value as an `f64`.
    pub fn to_f64(self) -> f64 {
        f64::from(self.0) / f64::from(ONE_RAW)
    }

    fn saturate(x: i64) -> Q16 {
        Q16(x.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }
}

impl fmt::Debug for Q16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q16({})", self.to_f64())
    }
}

impl fmt::Display for Q16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_f64(), f)
    }
}

impl Add for Q16 {
    type Output = Q16;
    #[inline]
    fn add(self, o: Q16) -> Q16 {
        Q16(self.0.saturating_add(o.0))
    }
}

impl Sub for Q16 {
    type Output = Q16;
    #[inline]
    fn sub(self, o: Q16) -> Q16 {
        Q16(self.0.saturating_sub(o.0))
    }
}

impl Mul for Q16 {
    type Output = Q16;
    #[inline]
    fn mul(self, o: Q16) -> Q16 {
        let p = i64::from(self.0) * i64::from(o.0);
        Q16::saturate((p + (1 << (FRAC - 1))) >> FRAC)
    }
}

impl Div for Q16 {
    type Output = Q16;
    #[inline]
    fn div(self, o: Q16) -> Q16 {
        match (o.0, self.0.cmp(&0)) {
            (0, Ordering::Greater) => Q16::MAX,
            (0, Ordering::Less) => Q16::MIN,
            (0, Ordering::Equal) => Q16::ZERO,
            (d, _) => Q16::saturate((i64::from(self.0) << FRAC) / i64::from(d)),
        }
    }
}

impl Rem for Q16 {
    type Output = Q16;
    #[inline]
    fn rem(self, o: Q16) -> Q16 {
        if o.0 == 0 {
            Q16::ZERO
        } else {
            Q16(self.0.wrapping_rem(o.0))
        }
    }
}

impl Neg for Q16 {
    type Output = Q16;
    #[inline]
    fn neg(self) -> Q16 {
        Q16(self.0.saturating_neg())
    }
}

macro_rules! assign_ops {
    ($($tr:ident $f:ident $op:tt),*) => {$(
        impl $tr for Q16 {
            #[inline]
            fn $f(&mut self, o: Q16) {
                *self = *self $op o;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /, RemAssign rem_assign %);

impl num_traits::Zero for Q16 {
    fn zero() -> Q16 {
        Q16::ZERO
    }
    fn is_zero(&self) -> bool {
        self.0 == 0
    }
}

impl num_traits::One for Q16 {
    fn one() -> Q16 {
        Q16::ONE
    }
}

/// A string that is not a decimal number, for `Q16`'s `from_str_radix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseQ16Error;

impl fmt::Display for ParseQ16Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a decimal number")
    }
}

impl core::error::Error for ParseQ16Error {}

impl num_traits::Num for Q16 {
    type FromStrRadixErr = ParseQ16Error;
    /// Decimal only (`radix` 10); the value is rounded to the nearest `Q16`.
    fn from_str_radix(s: &str, radix: u32) -> Result<Q16, ParseQ16Error> {
        if radix != 10 {
            return Err(ParseQ16Error);
        }
        s.parse::<f64>()
            .map(Q16::from_f64)
            .map_err(|_| ParseQ16Error)
    }
}

/// ln 2 in Q16.16 (rounded).
const LN2: i64 = 45_426;
/// log2(e) in units of 2^−30 (rounded), so that e^x keeps full precision up to x = 22.
const LOG2E: i64 = 1_549_082_005;

/// 2^f for f in [0, 1) given in units of 2^−32, as a value in [1, 2) in units of 2^−30:
/// a degree-5 polynomial (Horner form, coefficients in units of 2^−30, a least-squares
/// fit of 2^f on Chebyshev nodes of [0, 1)); its error is below 4.2e−7, a fortieth of the
/// resolution of Q16.16.
fn exp2_frac(f: i64) -> i64 {
    // 2^f = 1 + f·(c1 + f·(c2 + f·(c3 + f·(c4 + f·c5))))
    const C: [i64; 5] = [744_261_544, 257_920_167, 59_763_036, 9_874_991, 1_921_638];
    let mut acc = C[4];
    for &c in C[..4].iter().rev() {
        acc = c + ((acc * f) >> 32);
    }
    (1 << 30) + ((acc * f) >> 32)
}

/// ln(m) for m in [1, 2) given in units of 2^−30, in units of 2^−30: ln(m) = 2·atanh(s)
/// with s = (m − 1)/(m + 1) in [0, 1/3], series to s^11 (error below 2^−27).
fn ln_mantissa(m: i64) -> i64 {
    let one = 1i64 << 30;
    let s = ((m - one) << 30) / (m + one);
    let s2 = (s * s) >> 30;
    // Σ s^(2k+1)/(2k+1), k = 0..5, Horner in s²
    let mut acc = one / 11;
    for d in [9i64, 7, 5, 3, 1] {
        acc = one / d + ((acc * s2) >> 30);
    }
    2 * ((acc * s) >> 30)
}

impl Scalar for Q16 {
    fn from_f64(x: f64) -> Q16 {
        Q16::from_f64(x)
    }

    fn to_f64(self) -> f64 {
        Q16::to_f64(self)
    }

    /// e^x = 2^(x·log2 e): the integer part of the exponent shifts, the fraction goes
    /// through a polynomial. Saturates at `MAX`; underflows to 0.
    fn exp(self) -> Q16 {
        // y = x·log2(e) in units of 2^−32 (x in 2^−16 units times 2^−30 units, >> 14)
        let y = (i64::from(self.0) * LOG2E) >> 14;
        let n = y >> 32; // floor
        let f = y - (n << 32); // [0, 2^32)
        let m = exp2_frac(f); // [2^30, 2^31)
        // value = m · 2^n / 2^30 in units of 2^−16 = m · 2^(n − 14)
        let shift = n - 14;
        if shift >= 0 {
            if shift > 32 {
                return Q16::MAX;
            }
            Q16::saturate(m << shift)
        } else {
            let s = -shift;
            if s > 62 {
                return Q16::ZERO;
            }
            Q16::saturate((m + (1 << (s - 1))) >> s)
        }
    }

    /// ln x = k·ln 2 + ln m with x = m·2^k, m in [1, 2). `MIN` for x ≤ 0.
    fn ln(self) -> Q16 {
        if self.0 <= 0 {
            return Q16::MIN;
        }
        let x = i64::from(self.0);
        // highest set bit: x in [2^b, 2^(b+1)), value = x·2^−16, so k = b − 16
        let b = 63 - x.leading_zeros() as i64;
        let k = b - 16;
        let m = if b >= 30 {
            x >> (b - 30)
        } else {
            x << (30 - b)
        }; // [2^30, 2^31)
        let ln_m = ln_mantissa(m); // units of 2^−30
        let total = ((k * LN2) << 14) + ln_m; // units of 2^−30
        Q16::saturate((total + (1 << 13)) >> 14)
    }

    /// ln(1 + x), through [`ln`](Scalar::ln) (the resolution of Q16 gains nothing from a
    /// separate small-x formula).
    fn ln_1p(self) -> Q16 {
        (Q16::ONE + self).ln()
    }

    /// tanh x = 1 − 2 / (e^{2x} + 1) for x ≥ 0 (odd for x < 0); ±1 beyond |x| = 12,
    /// where 1 − tanh x is below the resolution.
    fn tanh(self) -> Q16 {
        let a = self.abs();
        let t = if a.0 >= 12 * ONE_RAW {
            Q16::ONE
        } else {
            let two = Q16(2 * ONE_RAW);
            Q16::ONE - two / ((a + a).exp() + Q16::ONE)
        };
        if self.0 < 0 { -t } else { t }
    }

    /// The square root rounded down (exact integer square root of x·2^16); `ZERO` for
    /// negative x.
    fn sqrt(self) -> Q16 {
        if self.0 <= 0 {
            return Q16::ZERO;
        }
        let n = (self.0 as u64) << FRAC;
        // Newton's method on integers, from above
        let mut r = 1u64 << ((64 - n.leading_zeros()).div_ceil(2));
        loop {
            let next = (r + n / r) / 2;
            if next >= r {
                break;
            }
            r = next;
        }
        Q16(r as i32)
    }

    fn abs(self) -> Q16 {
        Q16(self.0.saturating_abs())
    }

    /// Always `true`: a `Q16` saturates instead of overflowing.
    fn is_finite(self) -> bool {
        true
    }

    fn max(self, other: Q16) -> Q16 {
        Ord::max(self, other)
    }
}
