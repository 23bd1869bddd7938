//! Activation functions φ_i: the [`Activation`] trait, the [`ElementWise`] shortcut,
//! and the built-in zero-sized activations.
//!
//! A layer computes `a^i = φ_i(z^i)`. In the backward pass it needs the
//! vector-Jacobian product of φ_i: given `g = ∂E/∂a^i` it produces the error signal
//! `ξ^i = ∂E/∂z^i`. For an element-wise φ that is `ξ^i_n = g_n · φ'(z^i_n)` (MATH.md);
//! for [`Softmax`], whose output mixes all of `z`, it is `ξ = a ⊙ (g − (g·a))`.
//!
//! # The functions, and the same bits everywhere
//! For `f32` and `f64`, [`Sigmoid`], [`Tanh`], [`Softplus`] and [`Softmax`] (and the
//! losses) evaluate e^x, ln(1 + x), tanh, the logistic function and softplus with
//! typenet's own range reductions and polynomials (`src/num/approx.rs`), not with
//! `std` or `libm`: IEEE `+ − × ÷` only, no fused multiply-add and no table, so a
//! network gives the same bits on every x86 level, `no_std` and the Cortex-M cores.
//! Error bound: **at most 2 ulp** from the exact value for every input (checked for
//! all 2^32 `f32` inputs by `TYPENET_EXHAUSTIVE=1 cargo test --release --test approx`,
//! for dense samples of `f64`, against a high-precision reference; `tests/approx.rs`),
//! with the stable forms at ±1e4 (no overflow, tanh and the logistic function reach
//! ±1 and 0 exactly) and NaN returned unchanged. [`Q16`](crate::fixed::Q16) has its
//! own fixed-point functions.

use crate::net::scheme::Init;
use crate::num::scalar::Scalar;
use core::fmt::Debug;

/// The activation φ_i of a layer, as a forward map and its vector-Jacobian product.
///
/// Implement [`ElementWise`] instead when φ acts on each neuron separately: it gives
/// this trait for free. Implement `Activation` directly for activations that mix
/// neurons, as [`Softmax`] does.
///
/// Both methods receive slices of the layer's width `M_i`; all slices passed by the
/// crate have that same length.
///
/// ```
/// use typenet::{Activation, Softmax};
/// let z = [1.0_f64, 2.0, 3.0];
/// let mut a = [0.0; 3];
/// Softmax.forward(&z, &mut a);
/// assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// ```
pub trait Activation<T: Scalar>: Copy + Default + Debug + 'static {
    /// A short stable name (`"tanh"`, `"softmax"`, ...), used to describe architectures.
    const NAME: &'static str;

    /// The default weight initialisation for a layer with this activation
    /// (used by [`init::initialize`](crate::init::initialize)).
    const INIT: Init = Init::GlorotUniform;

    /// Computes `a = φ(z)`, writing every entry of `a` (a pass may hand over a buffer
    /// that still holds other values, such as z itself).
    fn forward(&self, z: &[T], a: &mut [T]);

    /// Computes `ξ = ∂E/∂z` from `z`, `a = φ(z)` and `grad_a = ∂E/∂a`.
    fn backward(&self, z: &[T], a: &[T], grad_a: &[T], xi: &mut [T]);
}

/// An activation that acts on each neuron on its own: `a_n = φ(z_n)`.
///
/// Every `ElementWise` type is an [`Activation`] for every [`Scalar`], with
/// `ξ_n = ∂E/∂a_n · φ'(z_n)`.
///
/// ```
/// use typenet::{Activation, ElementWise, Scalar};
///
/// /// φ(z) = z², a toy activation.
/// #[derive(Clone, Copy, Debug, Default)]
/// struct Square;
///
/// impl ElementWise for Square {
///     const NAME: &'static str = "square";
///     fn phi<T: Scalar>(&self, z: T) -> T { z * z }
///     fn dphi<T: Scalar>(&self, z: T, _a: T) -> T { z + z }
/// }
///
/// let mut xi = [0.0_f32; 2];
/// Square.backward(&[1.0, 3.0], &[1.0, 9.0], &[1.0, 0.5], &mut xi);
/// assert_eq!(xi, [2.0, 3.0]);
/// ```
pub trait ElementWise: Copy + Default + Debug + 'static {
    /// A short stable name, see [`Activation::NAME`].
    const NAME: &'static str;
    /// The default weight initialisation, see [`Activation::INIT`].
    const INIT: Init = Init::GlorotUniform;
    /// φ(z).
    fn phi<T: Scalar>(&self, z: T) -> T;
    /// φ'(z), given also `a = φ(z)` (many derivatives are cheapest written with `a`).
    fn dphi<T: Scalar>(&self, z: T, a: T) -> T;
}

// The passes below (and Softmax's): on x86-64, always inlined into
// `kernel::with_kernels`'s function compiled for AVX (out of line, as fat LTO left them,
// they ran in SSE2: see `with_kernels`).
impl<T: Scalar, E: ElementWise> Activation<T> for E {
    const NAME: &'static str = <E as ElementWise>::NAME;
    const INIT: Init = <E as ElementWise>::INIT;

    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn forward(&self, z: &[T], a: &mut [T]) {
        for (a, &z) in a.iter_mut().zip(z) {
            *a = self.phi(z);
        }
    }

    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn backward(&self, z: &[T], a: &[T], grad_a: &[T], xi: &mut [T]) {
        let n = xi.len().min(z.len()).min(a.len()).min(grad_a.len());
        let (xi, z, a, grad_a) = (&mut xi[..n], &z[..n], &a[..n], &grad_a[..n]);
        for i in 0..n {
            xi[i] = grad_a[i] * self.dphi(z[i], a[i]);
        }
    }
}

/// φ(z) = z. The usual output of a regression network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Identity;

impl ElementWise for Identity {
    const NAME: &'static str = "identity";
    #[inline]
    fn phi<T: Scalar>(&self, z: T) -> T {
        z
    }
    #[inline]
    fn dphi<T: Scalar>(&self, _z: T, _a: T) -> T {
        T::one()
    }
}

/// The logistic function φ(z) = 1 / (1 + e^−z), φ' = a(1 − a).
///
/// Evaluated so that no exponential overflows: for z < 0 it uses e^z / (1 + e^z).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sigmoid;

impl ElementWise for Sigmoid {
    const NAME: &'static str = "sigmoid";
    #[inline]
    fn phi<T: Scalar>(&self, z: T) -> T {
        z.sigmoid()
    }
    #[inline]
    fn dphi<T: Scalar>(&self, _z: T, a: T) -> T {
        a * (T::one() - a)
    }
}

/// φ(z) = tanh z, φ' = 1 − a².
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tanh;

impl ElementWise for Tanh {
    const NAME: &'static str = "tanh";
    #[inline]
    fn phi<T: Scalar>(&self, z: T) -> T {
        z.tanh()
    }
    #[inline]
    fn dphi<T: Scalar>(&self, _z: T, a: T) -> T {
        T::one() - a * a
    }
}

/// The rectifier φ(z) = max(z, 0); φ'(z) is 1 for z > 0 and 0 otherwise (0 at the kink).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReLU;

impl ElementWise for ReLU {
    const NAME: &'static str = "relu";
    const INIT: Init = Init::HeUniform;
    #[inline]
    fn phi<T: Scalar>(&self, z: T) -> T {
        if z > T::zero() { z } else { T::zero() }
    }
    #[inline]
    fn dphi<T: Scalar>(&self, z: T, _a: T) -> T {
        if z > T::zero() { T::one() } else { T::zero() }
    }
}

/// The leaky rectifier: φ(z) = z for z > 0, and `slope · z` otherwise.
///
/// The slope is part of the type, as the bits of an `f64` (stable Rust has no `f64`
/// const parameters): `LeakyReLU` alone is PyTorch's default `negative_slope` 0.01, and
/// any other slope is written with [`LeakyReLU::slope`], or in [`network!`](crate::network!)
/// as `LeakyReLU(0.2)`:
///
/// ```
/// use typenet::{network, LeakyReLU, Network};
///
/// type Leaky02 = LeakyReLU<{ LeakyReLU::slope(0.2) }>;
/// assert_eq!(Leaky02::SLOPE, 0.2);
/// assert_eq!(<LeakyReLU>::SLOPE, 0.01);
///
/// type Net = network!(f32; 2 -> 8 LeakyReLU(0.2) -> 1 Identity);
/// assert_eq!(Net::layer_shape(1).unwrap().activation, "leaky_relu(0x3fc999999999999a)");
/// ```
///
/// Because the slope is in the type, two networks of the same type have the same
/// slopes: equality of networks compares parameters only, and
/// [`zeroed`](crate::Network::zeroed), the weight formats and the fingerprint keep the
/// slope. Its [`NAME`](Activation::NAME) is `"leaky_relu"` for the default 0.01 (the
/// name, and so the fingerprint, of files written before the slope was a parameter)
/// and `"leaky_relu(0x…)"` with the slope's 16 hexadecimal `f64` bits otherwise
/// (see [`fingerprint`](crate::format#the-fingerprint)).
///
/// The slope must be finite; a NaN or infinite one is a compile error, where the type
/// is written for [`LeakyReLU::slope`] and `LeakyReLU(..)` in `network!`
/// (`tests/compile_fail/leaky_relu_slope_not_finite.rs`), and otherwise where the
/// activation is used:
///
/// ```compile_fail
/// use typenet::{network, Network};
/// type Net = network!(f32; 2 -> 1 LeakyReLU(f64::NAN));
/// let _ = Net::zeroed();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeakyReLU<const SLOPE_BITS: u64 = DEFAULT_SLOPE_BITS>;

/// The bits of 0.01, the default slope of [`LeakyReLU`].
pub(crate) const DEFAULT_SLOPE_BITS: u64 = 0.01_f64.to_bits();

impl LeakyReLU {
    /// The const argument of [`LeakyReLU`] for the slope `x`: its `f64` bits, so that
    /// `LeakyReLU<{ LeakyReLU::slope(0.2) }>` is the leaky rectifier with slope 0.2.
    ///
    /// # Panics
    /// If `x` is NaN or infinite. In a const argument, where it is meant to be used,
    /// that is a compile error with this sentence, even under `cargo check`.
    pub const fn slope(x: f64) -> u64 {
        if !x.is_finite() {
            panic!("the slope of a LeakyReLU must be a finite number (not NaN or infinite)");
        }
        x.to_bits()
    }
}

impl<const SLOPE_BITS: u64> LeakyReLU<SLOPE_BITS> {
    /// The slope for z ≤ 0 (0.01, PyTorch's default `negative_slope`, unless the type
    /// says otherwise). Evaluating it checks, by [`LeakyReLU::slope`], that the slope is
    /// finite, for a type written with other bits than `slope` gives.
    pub const SLOPE: f64 = f64::from_bits(LeakyReLU::slope(f64::from_bits(SLOPE_BITS)));

    const NAME_BYTES: [u8; 30] = leaky_relu_name(SLOPE_BITS);
}

/// `LeakyReLU(0.2)`, as in [`network!`](crate::network!): the slope is in the type, not
/// in the (empty) value, so a derived `Debug` would not show it.
impl<const SLOPE_BITS: u64> Debug for LeakyReLU<SLOPE_BITS> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "LeakyReLU({:?})", Self::SLOPE)
    }
}

impl<const SLOPE_BITS: u64> Default for LeakyReLU<SLOPE_BITS> {
    fn default() -> Self {
        // Evaluates the slope check where the activation is built.
        let _ = const { Self::SLOPE };
        LeakyReLU
    }
}

/// `leaky_relu(0x` + the 16 lower-case hexadecimal digits of `bits` + `)`.
pub(crate) const fn leaky_relu_name(bits: u64) -> [u8; 30] {
    let mut out = *b"leaky_relu(0x0000000000000000)";
    let mut k = 0;
    while k < 16 {
        let nibble = ((bits >> (60 - 4 * k)) & 0xf) as u8;
        out[13 + k] = if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        };
        k += 1;
    }
    out
}

/// The slope of a LeakyReLU from its [`NAME`](Activation::NAME): 0.01 for
/// `"leaky_relu"`, the `f64` of the hexadecimal bits for `"leaky_relu(0x…)"` if it is
/// finite, `None` for any other name (or a NaN or infinite slope, which no layer
/// computes with: a name read from a file gives no such activation). The inverse of
/// [`leaky_relu_name`] for finite slopes.
pub(crate) fn leaky_relu_slope(name: &str) -> Option<f64> {
    if name == "leaky_relu" {
        return Some(f64::from_bits(DEFAULT_SLOPE_BITS));
    }
    let hex = name.strip_prefix("leaky_relu(0x")?.strip_suffix(')')?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16)
        .ok()
        .map(f64::from_bits)
        .filter(|slope| slope.is_finite())
}

impl<const SLOPE_BITS: u64> ElementWise for LeakyReLU<SLOPE_BITS> {
    const NAME: &'static str = {
        let slope = Self::SLOPE;
        if slope.to_bits() == DEFAULT_SLOPE_BITS {
            "leaky_relu"
        } else {
            match core::str::from_utf8(&Self::NAME_BYTES) {
                Ok(name) => name,
                Err(_) => panic!("a LeakyReLU name is ASCII"),
            }
        }
    };
    const INIT: Init = Init::HeUniform;
    #[inline]
    fn phi<T: Scalar>(&self, z: T) -> T {
        leaky_relu(z, Self::SLOPE)
    }
    #[inline]
    fn dphi<T: Scalar>(&self, z: T, _a: T) -> T {
        if z > T::zero() {
            T::one()
        } else {
            T::from_f64(Self::SLOPE)
        }
    }
}

/// The leaky rectifier of slope `slope`: z for z > 0, `slope · z` otherwise. The one
/// body of [`LeakyReLU`]'s φ, whose slope is a type parameter, and of the leaky
/// rectifiers of networks whose shape is data (`model`), whose slope is a value.
#[inline]
pub(crate) fn leaky_relu<T: Scalar>(z: T, slope: f64) -> T {
    if z > T::zero() {
        z
    } else {
        z * T::from_f64(slope)
    }
}

/// φ(z) = ln(1 + e^z), a smooth rectifier; φ'(z) is the logistic function.
///
/// Evaluated as max(z, 0) + ln(1 + e^−|z|), which neither overflows nor loses the
/// small values of ln(1 + e^z) for very negative z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Softplus;

impl ElementWise for Softplus {
    const NAME: &'static str = "softplus";
    #[inline]
    fn phi<T: Scalar>(&self, z: T) -> T {
        z.softplus()
    }
    #[inline]
    fn dphi<T: Scalar>(&self, z: T, _a: T) -> T {
        z.sigmoid()
    }
}

/// a_k = e^{z_k} / Σ_j e^{z_j}: a probability distribution over the layer's neurons.
///
/// Not element-wise: its backward pass is the vector-Jacobian product
/// `ξ = a ⊙ (g − (g·a))` with `g = ∂E/∂a` (MATH.md, "Two additions"). Under the
/// cross-entropy cost `E = −Σ t_k ln a_k`, `g_k = −t_k / a_k` and this is `ξ = a − t`.
/// The forward pass subtracts `max z` first, so no exponential overflows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Softmax;

impl<T: Scalar> Activation<T> for Softmax {
    const NAME: &'static str = "softmax";

    // On x86-64, always inlined (see the `ElementWise` passes above).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn forward(&self, z: &[T], a: &mut [T]) {
        let Some(&first) = z.first() else { return };
        let max = z.iter().fold(first, |m, &v| m.max(v));
        let mut sum = T::zero();
        for (a, &z) in a.iter_mut().zip(z) {
            *a = (z - max).exp();
            sum += *a;
        }
        for a in a.iter_mut() {
            *a /= sum;
        }
    }

    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn backward(&self, _z: &[T], a: &[T], grad_a: &[T], xi: &mut [T]) {
        let mut dot = T::zero();
        for (&g, &a) in grad_a.iter().zip(a) {
            dot += g * a;
        }
        for ((xi, &g), &a) in xi.iter_mut().zip(grad_a).zip(a) {
            *xi = a * (g - dot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply<A: Activation<f64>>(act: A, z: f64) -> f64 {
        let mut a = [0.0];
        act.forward(&[z], &mut a);
        a[0]
    }

    #[test]
    fn sigmoid_and_softplus_do_not_overflow() {
        for z in [-1e4, -700.0, -1.0, 0.0, 1.0, 700.0, 1e4] {
            let s = apply(Sigmoid, z);
            assert!(
                s.is_finite() && (0.0..=1.0).contains(&s),
                "sigmoid({z}) = {s}"
            );
            let p = apply(Softplus, z);
            assert!(p.is_finite() && p >= 0.0, "softplus({z}) = {p}");
        }
        assert_eq!(apply(Softplus, 1e4), 1e4);
        assert_eq!(apply(Sigmoid, -1e4), 0.0);
        assert_eq!(apply(Sigmoid, 1e4), 1.0);
        let s32 = {
            let mut a = [0.0_f32];
            Sigmoid.forward(&[-1e4_f32], &mut a);
            a[0]
        };
        assert_eq!(s32, 0.0);
    }

    #[test]
    fn softplus_keeps_small_values() {
        // ln(1 + e^-40) = e^-40 to within rounding; a naive ln(1 + e^z) gives 0.
        let p = apply(Softplus, -40.0);
        assert!((p / (-40.0_f64).exp() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn softmax_is_stable_and_normalised() {
        let z = [1e4_f64, 1e4 - 1.0, -1e4];
        let mut a = [0.0; 3];
        Softmax.forward(&z, &mut a);
        assert!(a.iter().all(|v| v.is_finite()));
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        let e = (-1.0_f64).exp();
        assert!((a[0] - 1.0 / (1.0 + e)).abs() < 1e-15);
    }

    #[test]
    fn softmax_cross_entropy_xi_is_a_minus_t() {
        let z = [0.3_f64, -1.2, 2.0];
        let t = [0.0, 1.0, 0.0];
        let mut a = [0.0; 3];
        Softmax.forward(&z, &mut a);
        let g: [f64; 3] = core::array::from_fn(|k| -t[k] / a[k]);
        let mut xi = [0.0; 3];
        Softmax.backward(&z, &a, &g, &mut xi);
        for k in 0..3 {
            assert!((xi[k] - (a[k] - t[k])).abs() < 1e-15);
        }
    }

    #[test]
    fn leaky_relu_slope_in_type_and_name() {
        let default: LeakyReLU = LeakyReLU;
        assert_eq!(apply(default, -2.0), -0.02);
        assert_eq!(apply(LeakyReLU::<{ LeakyReLU::slope(0.2) }>, -2.0), -0.4);
        assert_eq!(apply(LeakyReLU::<{ LeakyReLU::slope(0.2) }>, 2.0), 2.0);
        assert_eq!(<LeakyReLU as Activation<f32>>::NAME, "leaky_relu");
        assert_eq!(
            <LeakyReLU<{ LeakyReLU::slope(-1.5) }> as Activation<f32>>::NAME,
            "leaky_relu(0xbff8000000000000)"
        );
        assert_eq!(apply(LeakyReLU::<{ LeakyReLU::slope(0.01) }>, -2.0), -0.02);
        assert_eq!(apply(default, 3.0), 3.0);
        assert_eq!(leaky_relu_slope("leaky_relu"), Some(0.01));
        assert_eq!(
            leaky_relu_slope(<LeakyReLU<{ LeakyReLU::slope(-1.5) }> as ElementWise>::NAME),
            Some(-1.5)
        );
        assert_eq!(leaky_relu_slope("leaky_relu(0x12)"), None);
        assert_eq!(leaky_relu_slope("relu"), None);

        assert_eq!(apply(ReLU, -3.0), 0.0);
    }
}
