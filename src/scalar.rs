//! The numeric type a network computes in.

use core::fmt::{Debug, Display};
use core::ops::Neg;
use num_traits::{Num, NumAssignOps};

/// The scalar type of a network's weights, activations and gradients.
///
/// It bundles every arithmetic bound the crate needs (a [`num_traits::Num`] with
/// compound assignment and negation) plus the few transcendental functions the
/// activations use. The functions are methods of this trait rather than a bound on
/// [`num_traits::Float`], so a fixed-point type can implement `Scalar` with its own
/// approximations without reshaping any signature of the crate.
///
/// Implemented for `f32` and `f64` (through `num_traits::Float`, which takes its
/// functions from `std` or, without `std`, from `libm`).
///
/// ```
/// use typenet::Scalar;
/// fn logistic<T: Scalar>(z: T) -> T {
///     T::one() / (T::one() + (-z).exp())
/// }
/// assert!((logistic(0.0_f64) - 0.5).abs() < 1e-15);
/// ```
pub trait Scalar:
    Num + NumAssignOps + Neg<Output = Self> + Copy + Default + PartialOrd + Debug + Display + 'static
{
    /// Converts from `f64`, rounding to the nearest representable value.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64`.
    fn to_f64(self) -> f64;
    /// e^self.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// ln(1 + self), accurate for small `self`.
    fn ln_1p(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Square root (NaN for negative values).
    fn sqrt(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// `true` unless the value is infinite or NaN.
    fn is_finite(self) -> bool;
    /// The larger of two values (the non-NaN one if one is NaN).
    #[allow(clippy::eq_op)] // `self != self` is the NaN test, with no float trait needed
    fn max(self, other: Self) -> Self {
        if other > self || self != self {
            other
        } else {
            self
        }
    }
}

macro_rules! impl_scalar_for_float {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn exp(self) -> Self {
                num_traits::Float::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                num_traits::Float::ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                num_traits::Float::ln_1p(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                num_traits::Float::tanh(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                num_traits::Float::sqrt(self)
            }
            #[inline]
            fn abs(self) -> Self {
                num_traits::Float::abs(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                num_traits::Float::is_finite(self)
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                num_traits::Float::max(self, other)
            }
        }
    )*};
}

#[cfg(any(feature = "std", feature = "libm"))]
impl_scalar_for_float!(f32, f64);

#[cfg(test)]
mod tests {
    use super::Scalar;

    #[test]
    fn max_prefers_the_number_over_nan() {
        assert_eq!(Scalar::max(f64::NAN, 1.0), 1.0);
        assert_eq!(Scalar::max(1.0_f32, f32::NAN), 1.0);
        assert_eq!(Scalar::max(-2.0_f32, 3.0), 3.0);
    }

    #[test]
    fn conversions_round_trip() {
        assert_eq!(f32::from_f64(0.5).to_f64(), 0.5);
        assert_eq!(f64::from_f64(0.1), 0.1);
    }
}
