//! The numeric type a network computes in.

use crate::num::approx::Functions;
use crate::num::kernel::{self, Column};
use core::fmt::{Debug, Display};
use core::ops::Neg;
use num_traits::{Num, NumAssignOps};
use typenum::Unsigned;

/// Why a number cannot be a parameter of a network in a given scalar type: the two
/// ways [`Scalar::param_from_f64`], the rule every loader applies, refuses one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueError {
    /// NaN or an infinity.
    NotFinite,
    /// A finite number beyond the scalar type's range.
    OutOfRange,
}

impl core::fmt::Display for ValueError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ValueError::NotFinite => "is NaN or infinite",
            ValueError::OutOfRange => "is out of range",
        })
    }
}

impl core::error::Error for ValueError {}

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
    /// The type's name in error messages (`"f32"`, `"f64"`, `"Q16.16"`).
    const NAME: &'static str;

    /// `true` for `f32` and `f64`, whose NaN and infinities follow IEEE 754: `+`, `−` or
    /// `×` with a NaN or an infinite operand gives a NaN or an infinite result. The
    /// crate's optimizers rely on it to refuse a non-finite gradient themselves
    /// ([`Optimizer::REFUSES_OVERFLOWED_GRADIENTS`](crate::optim::Optimizer::REFUSES_OVERFLOWED_GRADIENTS)).
    /// `false` by default, and for [`Q16`](crate::fixed::Q16), which saturates.
    const IEEE_754: bool = false;

    /// Converts from `f64`, rounding to the nearest representable value.
    fn from_f64(x: f64) -> Self;

    /// **The parameter rule of every loader** (weight files, safetensors, serde): `x`
    /// as a parameter of a network computing in this type. NaN and infinities are
    /// [`ValueError::NotFinite`]; a finite `x` beyond the type's range (`1e300` for
    /// `f32`, `1e9` for [`Q16`](crate::fixed::Q16)) is [`ValueError::OutOfRange`];
    /// any other `x` is rounded to the nearest representable value, so a value smaller
    /// than half the resolution becomes 0 (`1e-9` in `Q16`).
    fn param_from_f64(x: f64) -> Result<Self, ValueError> {
        if !x.is_finite() {
            return Err(ValueError::NotFinite);
        }
        let v = Self::from_f64(x);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ValueError::OutOfRange)
        }
    }

    /// The same rule for a value already of this type (a file storing the network's
    /// own scalar): `self`, or [`ValueError::NotFinite`] for NaN or an infinity.
    fn check_param(self) -> Result<Self, ValueError> {
        if self.is_finite() {
            Ok(self)
        } else {
            Err(ValueError::NotFinite)
        }
    }

    /// `self / n`, for the mean of `n` values (n ≥ 1) from their sum. Floats multiply
    /// by the rounded reciprocal `1 / n` (the historical bits of every average);
    /// [`Q16`](crate::fixed::Q16) divides exactly in integers, rounding to nearest.
    #[inline]
    fn div_count(self, n: usize) -> Self {
        self * (Self::one() / Self::from_f64(n as f64))
    }

    /// `self · num / den`, for scaling by a ratio (gradient clipping). Floats multiply
    /// by the rounded `num / den`; [`Q16`](crate::fixed::Q16) computes the exact
    /// product and quotient in integers, rounded to nearest and saturated, so a small
    /// ratio keeps its precision.
    #[inline]
    fn mul_ratio(self, num: Self, den: Self) -> Self {
        self * (num / den)
    }

    /// The L2 norm of all values of `runs()` (called once or twice), without
    /// overflow or underflow in the sums: a pair `(m, r)` with ‖v‖ = m · r.
    ///
    /// When ‖v‖ fits the type's range, `r` is exactly 1 and `m` is the norm. Otherwise
    /// (only possible when the norm itself is beyond the range) `m` = max |v_i| and
    /// `r` = √Σ (v_i / m)², as a robust `hypot` computes it. A NaN or infinite entry
    /// gives `(NaN or ∞, 1)`.
    ///
    /// The default, for floats: the plain √Σ v_i² when that sum neither overflowed nor
    /// underflowed to 0, else the scaled sum. [`Q16`](crate::fixed::Q16) sums the exact
    /// integer squares instead.
    fn norm_parts<'a, I>(runs: impl Fn() -> I) -> (Self, Self)
    where
        I: Iterator<Item = &'a [Self]>,
    {
        let plain = runs()
            .map(|run| run.iter().fold(Self::zero(), |s, &g| s + g * g))
            .fold(Self::zero(), |s, r| s + r)
            .sqrt();
        let all_finite = || runs().all(|run| run.iter().all(|g| g.is_finite()));
        if (plain.is_finite() && !plain.is_zero()) || !all_finite() {
            return (plain, Self::one());
        }
        let m = runs().fold(Self::zero(), |m, run| {
            run.iter().fold(m, |m, &g| m.max(g.abs()))
        });
        if m.is_zero() {
            return (m, Self::one());
        }
        let sum = runs().fold(Self::zero(), |s, run| {
            run.iter().fold(s, |s, &g| {
                let q = g / m;
                s + q * q
            })
        });
        let r = sum.sqrt();
        let norm = m * r;
        if norm.is_finite() {
            (norm, Self::one())
        } else {
            (m, r)
        }
    }
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
    /// The logistic function 1 / (1 + e^−self), in a form that overflows nowhere: for
    /// self < 0, e^self / (1 + e^self).
    #[inline]
    fn sigmoid(self) -> Self {
        if self >= Self::zero() {
            Self::one() / (Self::one() + (-self).exp())
        } else {
            let e = self.exp();
            e / (Self::one() + e)
        }
    }
    /// Softplus ln(1 + e^self) as max(self, 0) + ln(1 + e^−|self|), which neither
    /// overflows nor loses the small values for very negative `self`.
    #[inline]
    fn softplus(self) -> Self {
        let pos = if self > Self::zero() {
            self
        } else {
            Self::zero()
        };
        pos + (-self.abs()).exp().ln_1p()
    }
    /// Square root (NaN for negative values).
    fn sqrt(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// `true` unless the value is infinite or NaN.
    fn is_finite(self) -> bool;
    /// Whether an accumulated value may have overflowed: NaN or infinite for floats;
    /// for a saturating fixed-point type such as [`Q16`](crate::fixed::Q16), also a
    /// value at either end of the range, where saturation stops a sum.
    #[inline]
    fn overflowed(self) -> bool {
        !self.is_finite()
    }

    /// The larger of two values (the non-NaN one if one is NaN).
    #[allow(clippy::eq_op)] // `self != self` is the NaN test, with no float trait needed
    fn max(self, other: Self) -> Self {
        if other > self || self != self {
            other
        } else {
            self
        }
    }

    /// `self · a + b` as every layer kernel computes it (each term of a dot product, of
    /// ∂E/∂W and of (W^i)ᵀ ξ). The default rounds the product, then the sum, as `f64`
    /// and [`Q16`](crate::fixed::Q16) do; **`f32` rounds once** (a fused multiply-add,
    /// one instruction on x86 with FMA and on the Cortex-M4F/M7/M33), the same bits on
    /// every target. (Named apart from `f32::mul_add` and `num_traits::Float::mul_add`,
    /// so that code bounded by both traits stays unambiguous.)
    ///
    /// ```
    /// use typenet::Scalar;
    /// let (x, e) = (1.0_f32 + f32::EPSILON, f32::EPSILON);
    /// // x² = 1 + 2ε + ε²: the product alone rounds the ε² away, the fused form keeps it.
    /// assert_eq!(x.kernel_mul_add(x, -(1.0 + 2.0 * e)), e * e);
    /// assert_eq!(Scalar::kernel_mul_add(1.0_f64 + f64::EPSILON, 1.0 + f64::EPSILON, -1.0), 2.0 * f64::EPSILON);
    /// ```
    #[inline]
    fn kernel_mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }

    /// The forward kernel of a dense layer for `B` samples: `zs[s] = W xs[s] + b`, with
    /// `w` holding `bias.len()` rows of `xs[s].len()` columns, row after row.
    ///
    /// The default is the crate's portable code; `f32` overrides it with AVX-512F or
    /// AVX code with FMA chosen at run time (with `std`, on x86-64), and with
    /// `VLDM`/`VFMA.F32` assembly on the Cortex-M4F/M7/M33. An override must give
    /// **the same bits** as the default: each dot product as eight running sums over
    /// the whole chunks of eight, added as a tree,
    /// `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`, then the leftover products
    /// one by one, then the bias; every product added by
    /// [`kernel_mul_add`](Scalar::kernel_mul_add).
    #[inline]
    fn affine_kernel<const B: usize>(
        w: &[Self],
        bias: &[Self],
        xs: [&[Self]; B],
        zs: [&mut [Self]; B],
    ) {
        kernel::affine(w, bias, xs, zs);
    }

    #[doc(hidden)]
    /// [`affine_kernel`](Scalar::affine_kernel) for rows of `I` inputs, `I` known when
    /// compiling (what [`Dense`](crate::Dense) calls). The default calls
    /// `affine_kernel`, so a type that overrides only that one keeps its kernel; `f32`
    /// on x86-64 compiles its kernels for the count.
    #[inline]
    fn affine_kernel_for<I: Unsigned, const B: usize>(
        w: &[Self],
        bias: &[Self],
        xs: [&[Self]; B],
        zs: [&mut [Self]; B],
    ) {
        Self::affine_kernel(w, bias, xs, zs);
    }

    #[doc(hidden)]
    /// Whether [`Packed`](crate::Packed) copies a layer of `inputs` × `outputs` weights
    /// into column tiles: only where [`packed_affine_kernel`](Scalar::packed_affine_kernel)
    /// is faster than the row kernel (`f32` on x86-64 with AVX-512F or AVX, layers of at
    /// least 256 weights). The default is never.
    #[inline]
    fn packs(inputs: usize, outputs: usize) -> bool {
        let _ = (inputs, outputs);
        false
    }

    #[doc(hidden)]
    /// The forward kernel for `B` samples on weights in column tiles (what
    /// [`Packed`](crate::Packed) runs): bit for bit what
    /// [`affine_kernel`](Scalar::affine_kernel) gives on the same W. `f32` on x86-64
    /// compiles it for the widest vectors the CPU has.
    #[inline]
    fn packed_affine_kernel<const B: usize>(
        tiles: &[Column<Self>],
        bias: &[Self],
        xs: [&[Self]; B],
        zs: [&mut [Self]; B],
    ) {
        kernel::packed_affine(tiles, bias, xs, zs);
    }

    /// The kernel of ∂E/∂W and ∂E/∂b for `B` samples: `g[k][j] += Σ_s xis[s][k] ·
    /// a[s][j]` and `gb[k] += Σ_s xis[s][k]`, the samples added in order, each product
    /// by [`kernel_mul_add`](Scalar::kernel_mul_add); `g` holds `gb.len()` rows of `a[s].len()` columns.
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

    #[doc(hidden)]
    /// [`outer_kernel`](Scalar::outer_kernel) into `g` and `gb` taken as zero (their
    /// values are not read): the first sample or block of a training sum. The same bits
    /// as zeroing them, then `outer_kernel`, which this default does; `f32` on x86-64
    /// starts its registers at zero instead of loading, which saves the pass that
    /// zeroes ∂E/∂W.
    #[inline]
    fn outer_kernel_from_zero<const B: usize>(
        g: &mut [Self],
        gb: &mut [Self],
        xis: [&[Self]; B],
        a: [&[Self]; B],
    ) {
        g.fill(Self::zero());
        gb.fill(Self::zero());
        Self::outer_kernel(g, gb, xis, a);
    }

    /// The kernel of ∂E/∂a^{i−1} for `B` samples: `gs[s][j] += Σ_k xis[s][k] · w[k][j]`,
    /// the rows added in order, each product by [`kernel_mul_add`](Scalar::kernel_mul_add); `w` holds
    /// `xis[s].len()` rows of `gs[s].len()` columns. Overrides must give the same bits
    /// as this default.
    #[inline]
    fn transpose_kernel<const B: usize>(w: &[Self], xis: [&[Self]; B], gs: [&mut [Self]; B]) {
        kernel::transpose(w, xis, gs);
    }
}

/// `Scalar` for a float type: `$t [$mul_add]` overrides `kernel_mul_add` with
/// `$mul_add` (without it, the default: the product rounded, then the sum), and
/// `{ … }` adds the type's kernel overrides.
macro_rules! impl_scalar_for_float {
    ($($t:ty $([$mul_add:path])? $({ $($kernels:tt)* })?),*) => {$(
        impl Scalar for $t {
            $($($kernels)*)?
            const NAME: &'static str = stringify!($t);
            const IEEE_754: bool = true;
            $(
                #[inline(always)]
                fn kernel_mul_add(self, a: Self, b: Self) -> Self {
                    $mul_add(self, a, b)
                }
            )?
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
                Functions::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                num_traits::Float::ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                Functions::ln_1p(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                Functions::tanh(self)
            }
            #[inline]
            fn sigmoid(self) -> Self {
                Functions::sigmoid(self)
            }
            #[inline]
            fn softplus(self) -> Self {
                Functions::softplus(self)
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

/// Every scalar is a ring the portable kernels compute in, with its multiply-add.
impl<T: Scalar> kernel::Arith for T {
    #[inline(always)]
    fn mul_add(self, a: T, b: T) -> T {
        Scalar::kernel_mul_add(self, a, b)
    }
}

#[cfg(all(
    any(feature = "std", feature = "libm"),
    not(all(feature = "std", target_arch = "x86_64")),
    not(typenet_vfma)
))]
impl_scalar_for_float!(f32[kernel::fused_f32], f64);

// On the Cortex-M cores with a single-precision FPU, the forward kernel of `f32` layers
// loads eight values per `VLDM` (same bits; `kernel/vfp.rs`).
#[cfg(all(any(feature = "std", feature = "libm"), typenet_vfma))]
impl_scalar_for_float!(
    f32 [kernel::fused_f32] {
        #[inline]
        fn affine_kernel<const B: usize>(
            w: &[f32],
            bias: &[f32],
            xs: [&[f32]; B],
            zs: [&mut [f32]; B],
        ) {
            kernel::vfp::affine(w, bias, xs, zs);
        }
    },
    f64
);

// With `std` on x86-64, `f32` layers run on the kernels the CPU supports (same bits).
#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl_scalar_for_float!(
    f32 [kernel::fused_f32] {
        #[inline]
        fn affine_kernel<const B: usize>(
            w: &[f32],
            bias: &[f32],
            xs: [&[f32]; B],
            zs: [&mut [f32]; B],
        ) {
            kernel::x86::affine::<typenum::U0, B>(w, bias, xs, zs);
        }
        #[inline]
        fn affine_kernel_for<I: Unsigned, const B: usize>(
            w: &[f32],
            bias: &[f32],
            xs: [&[f32]; B],
            zs: [&mut [f32]; B],
        ) {
            kernel::x86::affine::<I, B>(w, bias, xs, zs);
        }
        #[inline]
        fn packs(inputs: usize, outputs: usize) -> bool {
            kernel::x86::packs(inputs, outputs)
        }
        #[inline(always)]
        fn packed_affine_kernel<const B: usize>(
            tiles: &[Column<f32>],
            bias: &[f32],
            xs: [&[f32]; B],
            zs: [&mut [f32]; B],
        ) {
            kernel::x86::packed_affine(tiles, bias, xs, zs);
        }
        #[inline]
        fn outer_kernel<const B: usize>(
            g: &mut [f32],
            gb: &mut [f32],
            xis: [&[f32]; B],
            a: [&[f32]; B],
        ) {
            kernel::x86::outer(g, gb, xis, a, false);
        }
        #[inline]
        fn outer_kernel_from_zero<const B: usize>(
            g: &mut [f32],
            gb: &mut [f32],
            xis: [&[f32]; B],
            a: [&[f32]; B],
        ) {
            kernel::x86::outer(g, gb, xis, a, true);
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
