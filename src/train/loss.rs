//! Costs E(a^N) for training: each gives E and the seed of the backward pass.
//!
//! | loss | E for one sample | seed | output activation |
//! | --- | --- | --- | --- |
//! | [`MeanSquaredError`] | (1/M) Σ_k (a_k − t_k)² | ∂E/∂a_k = 2(a_k − t_k)/M | any |
//! | [`Huber`] | (1/M) Σ_k h_δ(a_k − t_k) | ∂E/∂a_k = clamp(a_k − t_k, ±δ)/M | any |
//! | [`BinaryCrossEntropy`] | (1/M) Σ_k [max(z_k,0) − z_k t_k + ln(1 + e^−\|z_k\|)] | ξ^N_k = (a_k − t_k)/M | [`Sigmoid`] |
//! | [`SoftmaxCrossEntropy`] | −Σ_k t_k ln a_k = lse(z) Σt − Σ_k t_k z_k | ξ^N = a Σt − t | [`Softmax`] |
//!
//! M is the output size M_N, a = a^N and z = z^N. The two cross-entropies are fused
//! with their output activation: they are computed from the logits z^N (no ln of a
//! rounded probability) and seed the backward pass with ξ^N directly
//! ([`Seed::Xi`]), which for a one-hot or probability target t is exactly
//! ξ^N = a^N − t (MATH.md). Using them on a network whose output activation is not
//! the one they fuse does not compile.

use crate::net::activation::{Sigmoid, Softmax};
use crate::net::arr::Arr;
pub use crate::net::layers::Seed;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::hyper::{HyperParameterError, Range, Setting, check};
use core::fmt;
use generic_array::ArrayLength;

/// A cost on the output of network `N` for targets of type `Target`.
pub trait Loss<T: Scalar, N: Network<T>, Target: ?Sized> {
    /// Whether [`loss_and_seed`](Loss::loss_and_seed) writes ∂E/∂a^N or ξ^N.
    const SEED: Seed;

    /// E for one sample, from the recorded z^N and a^N; writes the seed of the backward
    /// pass (see [`SEED`](Loss::SEED)) into `seed`.
    ///
    /// # Errors
    /// [`TargetError`] when `target` is not a valid target (a class index out of range).
    fn loss_and_seed(
        &self,
        z: &Arr<T, N::Output>,
        a: &Arr<T, N::Output>,
        target: &Target,
        seed: &mut Arr<T, N::Output>,
    ) -> Result<T, TargetError>;

    /// Checks the loss's own hyper-parameters ([`Huber`]'s δ); a trainer and
    /// [`evaluate`](crate::train::evaluate) call it once before they use the loss. The
    /// default has none to check.
    ///
    /// # Errors
    /// [`HyperParameterError`] for a setting outside its range.
    fn check(&self) -> Result<(), HyperParameterError> {
        Ok(())
    }
}

/// A target that cannot be scored against the network's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetError {
    /// A class index that is not below the number of classes M_N.
    ClassOutOfRange {
        /// The index given.
        class: usize,
        /// The number of classes, M_N.
        classes: usize,
    },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TargetError::ClassOutOfRange { class, classes } => {
                write!(
                    f,
                    "class index {class} is out of range for {classes} classes"
                )
            }
        }
    }
}

impl core::error::Error for TargetError {}

/// A classification target: a class index (`usize`) or a probability vector over the
/// M_N outputs (`Arr<T, M_N>`, e.g. one-hot).
pub trait ClassTarget<T: Scalar, M: ArrayLength> {
    /// t_k, the target probability of class `k`.
    ///
    /// # Errors
    /// [`TargetError::ClassOutOfRange`] for a class index not below M.
    fn check(&self) -> Result<(), TargetError>;
    /// t_k (only called after [`check`](ClassTarget::check) succeeded).
    fn prob(&self, k: usize) -> T;
    /// Σ_k t_k.
    fn total(&self) -> T;
    /// The class the target designates: the index, or the [`argmax`] of the vector
    /// (`None` when all its entries are NaN).
    fn class(&self) -> Option<usize>;
}

impl<T: Scalar, M: ArrayLength> ClassTarget<T, M> for usize {
    fn check(&self) -> Result<(), TargetError> {
        if *self < M::USIZE {
            Ok(())
        } else {
            Err(TargetError::ClassOutOfRange {
                class: *self,
                classes: M::USIZE,
            })
        }
    }
    #[inline]
    fn prob(&self, k: usize) -> T {
        if k == *self { T::one() } else { T::zero() }
    }
    #[inline]
    fn total(&self) -> T {
        T::one()
    }
    #[inline]
    fn class(&self) -> Option<usize> {
        Some(*self)
    }
}

impl<T: Scalar, M: ArrayLength> ClassTarget<T, M> for Arr<T, M> {
    fn check(&self) -> Result<(), TargetError> {
        Ok(())
    }
    #[inline]
    fn prob(&self, k: usize) -> T {
        self[k]
    }
    fn total(&self) -> T {
        self.iter().fold(T::zero(), |s, &t| s + t)
    }
    fn class(&self) -> Option<usize> {
        argmax(self)
    }
}

/// The index of the largest entry: the predicted class of a classifier's output (f32,
/// f64, [`Q16`](crate::fixed::Q16), or the int8 output of a quantized network
/// (`typenet::quant::QNetwork`) — the map from int8 to real values is
/// increasing, so no dequantization is needed). This is the crate's one arg-max rule:
/// - the first of equal largest entries wins;
/// - **NaN never wins**: entries that are not comparable with themselves (NaN) are
///   skipped, whatever their position;
/// - `None` for an empty slice or one whose entries are all NaN.
///
/// ```
/// use typenet::loss::argmax;
/// assert_eq!(argmax(&[0.1, 0.7, 0.7, 0.2]), Some(1));
/// assert_eq!(argmax(&[f32::NAN, 0.2, 0.1]), Some(1));
/// assert_eq!(argmax(&[f32::NAN, f32::NAN]), None);
/// assert_eq!(argmax::<i8>(&[]), None);
/// assert_eq!(argmax(&[-3_i8, 5, 5]), Some(1));
/// ```
pub fn argmax<T: PartialOrd>(v: &[T]) -> Option<usize> {
    let mut best: Option<(usize, &T)> = None;
    for (k, x) in v.iter().enumerate() {
        // NaN is the one value not comparable with itself.
        if x.partial_cmp(x).is_none() {
            continue;
        }
        match best {
            Some((_, b)) if x <= b => {}
            _ => best = Some((k, x)),
        }
    }
    best.map(|(k, _)| k)
}

/// Mean squared error, E = (1/M) Σ_k (a^N_k − t_k)² (PyTorch's `MSELoss`), for any
/// output activation. ∂E/∂a^N_k = 2(a^N_k − t_k)/M.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeanSquaredError;

impl<T: Scalar, N: Network<T>> Loss<T, N, Arr<T, N::Output>> for MeanSquaredError {
    const SEED: Seed = Seed::GradOutput;

    fn loss_and_seed(
        &self,
        _z: &Arr<T, N::Output>,
        a: &Arr<T, N::Output>,
        target: &Arr<T, N::Output>,
        seed: &mut Arr<T, N::Output>,
    ) -> Result<T, TargetError> {
        let m = T::from_f64(N::OUTPUTS as f64);
        let two = T::one() + T::one();
        let mut e = T::zero();
        for ((g, &a), &t) in seed.iter_mut().zip(a.iter()).zip(target.iter()) {
            let d = a - t;
            e += d * d;
            *g = two * d / m;
        }
        Ok(e / m)
    }
}

/// The Huber loss, quadratic near the target and linear beyond `delta`
/// (PyTorch's `HuberLoss`): E = (1/M) Σ_k h(a^N_k − t_k) with h(d) = ½d² for |d| ≤ δ
/// and δ(|d| − ½δ) otherwise. ∂E/∂a^N_k = clamp(d, −δ, δ)/M.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Huber<T> {
    /// δ, where the loss turns from quadratic to linear; must be finite and positive
    /// (a step or an evaluation with another δ is refused:
    /// [`TrainError::HyperParameter`](crate::train::TrainError::HyperParameter)).
    pub delta: T,
}

impl<T: Scalar> Default for Huber<T> {
    /// δ = 1, PyTorch's default.
    fn default() -> Self {
        Huber { delta: T::one() }
    }
}

impl<T: Scalar, N: Network<T>> Loss<T, N, Arr<T, N::Output>> for Huber<T> {
    const SEED: Seed = Seed::GradOutput;

    fn loss_and_seed(
        &self,
        _z: &Arr<T, N::Output>,
        a: &Arr<T, N::Output>,
        target: &Arr<T, N::Output>,
        seed: &mut Arr<T, N::Output>,
    ) -> Result<T, TargetError> {
        let m = T::from_f64(N::OUTPUTS as f64);
        let half = T::from_f64(0.5);
        let delta = self.delta;
        let mut e = T::zero();
        for ((g, &a), &t) in seed.iter_mut().zip(a.iter()).zip(target.iter()) {
            let d = a - t;
            if d.abs() <= delta {
                e += half * d * d;
                *g = d / m;
            } else {
                e += delta * (d.abs() - half * delta);
                *g = if d > T::zero() { delta / m } else { -delta / m };
            }
        }
        Ok(e / m)
    }

    /// δ must be finite and > 0.
    fn check(&self) -> Result<(), HyperParameterError> {
        check!([(Setting::HuberDelta, self.delta, Range::Positive)])
    }
}

/// The rule of a fused loss `L` that needs the network's output activation φ_N to be
/// `Expected` ([`SoftmaxCrossEntropy`] needs [`Softmax`], [`BinaryCrossEntropy`]
/// needs [`Sigmoid`]): implemented for `Expected` itself only, so a network with
/// another output activation is rejected with a message naming the loss and the
/// activation it needs.
#[diagnostic::on_unimplemented(
    message = "`{L}` needs a network whose output activation is `{Expected}`, but this network's output activation is `{Self}`",
    label = "the network's output activation must be `{Expected}` for `{L}`",
    note = "the loss is fused with its output activation (its gradient ξ^N is computed from z^N): end the network with `{Expected}`, or use a loss that takes any output (`MeanSquaredError`, `Huber`)"
)]
pub trait OutputIs<Expected, L> {}

impl<A, L> OutputIs<A, L> for A {}

/// Binary cross-entropy on a [`Sigmoid`] output, computed from the logits z^N:
/// E = (1/M) Σ_k [max(z_k, 0) − z_k t_k + ln(1 + e^−|z_k|)], which equals
/// −(1/M) Σ_k [t_k ln a_k + (1 − t_k) ln(1 − a_k)] without ever taking the log of a
/// rounded probability (PyTorch's `BCEWithLogitsLoss`). Seeds ξ^N_k = (a_k − t_k)/M.
/// Targets t_k in [0, 1].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl<T, N> Loss<T, N, Arr<T, N::Output>> for BinaryCrossEntropy
where
    T: Scalar,
    N: Network<T>,
    N::OutputActivation: OutputIs<Sigmoid, BinaryCrossEntropy>,
{
    const SEED: Seed = Seed::Xi;

    fn loss_and_seed(
        &self,
        z: &Arr<T, N::Output>,
        _a: &Arr<T, N::Output>,
        target: &Arr<T, N::Output>,
        seed: &mut Arr<T, N::Output>,
    ) -> Result<T, TargetError> {
        let m = T::from_f64(N::OUTPUTS as f64);
        let mut e = T::zero();
        for ((xi, &z), &t) in seed.iter_mut().zip(z.iter()).zip(target.iter()) {
            let pos = if z > T::zero() { z } else { T::zero() };
            e += pos - z * t + (-z.abs()).exp().ln_1p();
            // σ(z) recomputed from z, so ξ is exact even where a rounded to 0 or 1.
            *xi = (z.sigmoid() - t) / m;
        }
        Ok(e / m)
    }
}

/// Softmax with categorical cross-entropy, fused: E = −Σ_k t_k ln a^N_k computed as
/// lse(z^N) Σ_k t_k − Σ_k t_k z^N_k with a stable log-sum-exp, and the backward pass
/// seeded with ξ^N = a^N Σ_k t_k − t, which is ξ^N = a^N − t for a class index, a
/// one-hot or a probability vector (MATH.md). Targets: a class index `usize` or a
/// vector `Arr<T, M_N>` (see [`ClassTarget`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

impl<T, N, Tg> Loss<T, N, Tg> for SoftmaxCrossEntropy
where
    T: Scalar,
    N: Network<T>,
    N::OutputActivation: OutputIs<Softmax, SoftmaxCrossEntropy>,
    Tg: ClassTarget<T, N::Output>,
{
    const SEED: Seed = Seed::Xi;

    fn loss_and_seed(
        &self,
        z: &Arr<T, N::Output>,
        a: &Arr<T, N::Output>,
        target: &Tg,
        seed: &mut Arr<T, N::Output>,
    ) -> Result<T, TargetError> {
        target.check()?;
        let lse = log_sum_exp(z);
        let total = target.total();
        let mut tz = T::zero();
        for (k, ((xi, &z), &a)) in seed.iter_mut().zip(z.iter()).zip(a.iter()).enumerate() {
            let t = target.prob(k);
            tz += t * z;
            *xi = a * total - t;
        }
        Ok(lse * total - tz)
    }
}

/// ln Σ_k e^{z_k}, computed as max z + ln Σ_k e^{z_k − max z} so nothing overflows.
pub fn log_sum_exp<T: Scalar>(z: &[T]) -> T {
    let Some(&first) = z.first() else {
        return T::zero();
    };
    let max = z.iter().fold(first, |m, &v| m.max(v));
    let sum = z.iter().fold(T::zero(), |s, &v| s + (v - max).exp());
    max + sum.ln()
}

/// Whether an output counts as a correct prediction of a target, for accuracy.
///
/// A class index or a vector target of several outputs is correct when the arg-max of
/// the output is its class; a single-output vector target (binary classification) is
/// correct when output and target lie on the same side of ½. Arg-max follows
/// [`argmax`]'s rule (NaN never wins); [`evaluate`](crate::train::evaluate) refuses an
/// output with a NaN before scoring it.
pub trait Scored<T: Scalar, M: ArrayLength> {
    /// `true` when `output` predicts this target.
    fn is_correct(&self, output: &Arr<T, M>) -> bool;
}

impl<T: Scalar, M: ArrayLength> Scored<T, M> for usize {
    fn is_correct(&self, output: &Arr<T, M>) -> bool {
        argmax(output) == Some(*self)
    }
}

impl<T: Scalar, M: ArrayLength> Scored<T, M> for Arr<T, M> {
    fn is_correct(&self, output: &Arr<T, M>) -> bool {
        if M::USIZE == 1 {
            let half = T::from_f64(0.5);
            (output[0] >= half) == (self[0] >= half)
        } else {
            matches!((argmax(output), argmax(self)), (Some(p), Some(c)) if p == c)
        }
    }
}
