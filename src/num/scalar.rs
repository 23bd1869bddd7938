//! The numeric type a network computes in.

use crate::num::kernel;
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

    /// The forward kernel of a dense layer for `B` samples: `zs[s] = W xs[s] + b`, with
    /// `w` holding `bias.len()` rows of `xs[s].len()` columns, row after row.
    ///
    /// The default is the crate's portable code; `f32` overrides it with AVX-512F or
    /// AVX code chosen at run time (with `std`, on x86-64). An override must give
    /// **the same bits** as the default: each dot product as eight running sums over
    /// the whole chunks of eight, added `s0 + s1 + … + s7`, then the leftover products
    /// one by one, then the bias; every product rounded before it is added (no fused
    /// multiply-add).
    #[inline]
    fn affine_kernel<const B: usize>(
        w: &[Self],
        bias: &[Self],
        xs: [&[Self]; B],
        zs: [&mut [Self]; B],
    ) {
        kernel::affine(w, bias, xs, zs);
    }

    /// The kernel of ∂E/∂W and ∂E/∂b for `B` samples: `g[k][j] += Σ_s xis[s][k] ·
    /// a[s][j]` and `gb[k] += Σ_s xis[s][k]`, the samples added in order, each product
    /// rounded before it is added; `g` holds `gb.len()` rows of `a[s].len()` columns.
    /// Overrides must give the same bits as this default.
    #[inline]
    fn outer_kernel<const B: usize>(
        g: &mut [Self],
        gb: &mut [Self],
        xis: [&[Self]; B],
        a: [&[Self]; B],
    ) {
        kernel::outer(g, gb, xis, a);
    }

    /// The kernel of ∂E/∂a^{i−1} for `B` samples: `gs[s][j] += Σ_k xis[s][k] · w[k][j]`,
    /// the rows added in order, each product rounded before it is added; `w` holds
    /// `xis[s].len()` rows of `gs[s].len()` columns. Overrides must give the same bits
    /// as this default.
    #[inline]
    fn transpose_kernel<const B: usize>(w: &[Self], xis: [&[Self]; B], gs: [&mut [Self]; B]) {
        kernel::transpose(w, xis, gs);
    }
}

macro_rules! impl_scalar_for_float {
    ($($t:ty $({ $($kernels:tt)* })?),*) => {$(
        impl Scalar for $t {
            $($($kernels)*)?
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

#[cfg(all(
    any(feature = "std", feature = "libm"),
    not(all(feature = "std", target_arch = "x86_64"))
))]
impl_scalar_for_float!(f32, f64);

// With `std` on x86-64, `f32` layers run on the kernels the CPU supports (same bits).
#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl_scalar_for_float!(
    f32 {
        #[inline]
        fn affine_kernel<const B: usize>(
            w: &[f32],
            bias: &[f32],
            xs: [&[f32]; B],
            zs: [&mut [f32]; B],
        ) {
            kernel::x86::affine(w, bias, xs, zs);
        }
        #[inline]
        fn outer_kernel<const B: usize>(
            g: &mut [f32],
            gb: &mut [f32],
            xis: [&[f32]; B],
            a: [&[f32]; B],
        ) {
            kernel::x86::outer(g, gb, xis, a);
        }
        #[inline]
        fn transpose_kernel<const B: usize>(w: &[f32], xis: [&[f32]; B], gs: [&mut [f32]; B]) {
            kernel::x86::transpose(w, xis, gs);
        }
    },
    f64
);

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
