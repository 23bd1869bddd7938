//! [`HyperParameterError`]: a training setting outside the range it may take, and the
//! check that the optimizers and the losses run on each setting before they change
//! anything (each range written once, here).

use crate::num::scalar::Scalar;
use core::fmt;

/// A hyper-parameter outside the range it may take: a negative or NaN learning rate, a
/// momentum or a β of 1 or more, a Huber δ that is not positive, … (PyTorch's rules,
/// with the decays below 1). Returned by an optimizer's
/// [`step`](crate::optim::Optimizer::step) and by a loss's
/// [`check`](crate::loss::Loss::check) before anything is changed.
///
/// ```
/// use typenet::{network, Network, optim::{Optimizer, Sgd}, TrainError};
/// type Net = network!(f32; 1 -> 1 Identity);
/// let mut net = Net::from_params(&[1.0, 0.0]).unwrap();
/// let grads = Net::from_params(&[0.5, -1.0]).unwrap();
/// let mut sgd = Sgd::<f32, Net>::new(-0.1);
/// let Err(TrainError::HyperParameter(e)) = sgd.step(&mut net, &grads) else {
///     panic!("a negative learning rate was accepted");
/// };
/// assert_eq!(e.name(), "the learning rate η");
/// assert_eq!(e.to_string(), "the learning rate η must be finite and ≥ 0");
/// assert_eq!(net.params().copied().collect::<Vec<_>>(), [1.0, 0.0]); // unchanged
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HyperParameterError {
    setting: Setting,
    range: Range,
}

impl HyperParameterError {
    /// The setting, as the docs write it ("the learning rate η", "β₁", …).
    pub fn name(&self) -> &'static str {
        self.setting.name()
    }

    /// The range it must lie in, in words ("finite and ≥ 0", "in [0, 1)", …).
    pub fn range(&self) -> &'static str {
        self.range.words()
    }
}

impl fmt::Display for HyperParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be {}", self.name(), self.range())
    }
}

impl core::error::Error for HyperParameterError {}

/// The settings checked. (Two bytes for the whole error, named and described when it is
/// shown: an error that carried the name and the value made every `Result` of the
/// training step larger and an Adam step on the Cortex-M4F 1.8 % longer, and the
/// value's conversion to `f64` brought floating-point code into the integer-only
/// `Q16` step.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Setting {
    LearningRate,
    Momentum,
    WeightDecay,
    Beta1,
    Beta2,
    Epsilon,
    Alpha,
    HuberDelta,
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Setting::LearningRate => "the learning rate η",
            Setting::Momentum => "the momentum μ",
            Setting::WeightDecay => "the weight decay λ",
            Setting::Beta1 => "β₁",
            Setting::Beta2 => "β₂",
            Setting::Epsilon => "ε",
            Setting::Alpha => "α",
            Setting::HuberDelta => "Huber's δ",
        }
    }
}

/// The ranges a hyper-parameter may be asked to lie in. NaN lies in none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Range {
    /// 0 ≤ v < ∞ (learning rates, weight decays, ε).
    NonNegative,
    /// 0 < v < ∞ (Huber's δ).
    Positive,
    /// 0 ≤ v < 1 (momentum, Adam's β₁ and β₂).
    BelowOne,
    /// 0 < v < 1 (Nesterov momentum, which needs one).
    Open,
    /// 0 ≤ v ≤ 1 (RMSprop's α).
    UpToOne,
}

impl Range {
    fn words(self) -> &'static str {
        match self {
            Range::NonNegative => "finite and ≥ 0",
            Range::Positive => "finite and > 0",
            Range::BelowOne => "in [0, 1)",
            Range::Open => "in (0, 1) with Nesterov momentum",
            Range::UpToOne => "in [0, 1]",
        }
    }

    /// `&` rather than `&&` throughout: no branch but the caller's one. Finite as
    /// v − v = 0 (∞ − ∞ and NaN − NaN are NaN; always true in `Q16`): two compares and
    /// a subtraction, where `is_finite` took a dozen integer instructions on x86-64.
    #[inline(always)]
    #[allow(clippy::eq_op)] // `v - v` is the finiteness test
    pub(crate) fn holds<T: Scalar>(self, v: T) -> bool {
        let (zero, one) = (T::zero(), T::one());
        match self {
            Range::NonNegative => (v >= zero) & (v - v == zero),
            Range::Positive => (v > zero) & (v - v == zero),
            Range::BelowOne => (v >= zero) & (v < one),
            Range::Open => (v > zero) & (v < one),
            Range::UpToOne => (v >= zero) & (v <= one),
        }
    }
}

/// `Ok` if every value lies in its range, else the error naming the first setting
/// that does not: `check!([(Setting::X, value, Range::Y), learning_rate(η), …])`, each
/// entry a `(Setting, value, Range)`. A macro rather than a function of an array, so
/// that the common case is one test of all the values and the array is only built on
/// the way to the error (as a function's argument it was built on every step: +109
/// instructions per XOR SGD step on the Cortex-M4F, against +63 for separate tests and
/// +0 for none).
macro_rules! check {
    ([$($entry:expr),+ $(,)?]) => {
        if true $(& { let (_, value, range) = $entry; range.holds(value) })+ {
            Ok(())
        } else {
            Err($crate::train::hyper::first_outside(&[$($entry),+]))
        }
    };
}
pub(crate) use check;

/// The learning rate's entry for [`check!`]: η finite and ≥ 0, the rule of every
/// optimizer and of a schedule in `Fit`.
#[inline(always)]
pub(crate) fn learning_rate<T: Scalar>(eta: T) -> (Setting, T, Range) {
    (Setting::LearningRate, eta, Range::NonNegative)
}

/// The error of the first setting outside its range.
#[cold]
pub(crate) fn first_outside<T: Scalar>(settings: &[(Setting, T, Range)]) -> HyperParameterError {
    let (setting, range) = settings
        .iter()
        .find(|&&(_, v, r)| !r.holds(v))
        .map_or((Setting::LearningRate, Range::NonNegative), |&(s, _, r)| {
            (s, r)
        });
    HyperParameterError { setting, range }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed::Q16;
    use std::string::ToString;

    #[test]
    fn ranges() {
        let ok = |v: f32, r: Range| check!([(Setting::Alpha, v, r)]).is_ok();
        assert!(ok(0.0, Range::NonNegative) && ok(-0.0, Range::NonNegative));
        assert!(!ok(-1e-30, Range::NonNegative) && !ok(f32::INFINITY, Range::NonNegative));
        assert!(!ok(0.0, Range::Positive) && ok(1e-30, Range::Positive));
        assert!(ok(0.999, Range::BelowOne) && !ok(1.0, Range::BelowOne));
        assert!(ok(1.0, Range::UpToOne) && !ok(1.001, Range::UpToOne));
        assert!(!ok(0.0, Range::Open) && ok(0.5, Range::Open) && !ok(1.0, Range::Open));
        for r in [
            Range::NonNegative,
            Range::Positive,
            Range::BelowOne,
            Range::Open,
            Range::UpToOne,
        ] {
            assert!(!ok(f32::NAN, r), "{r:?} took NaN");
        }
        let q = Q16::from_f64;
        let e = check!([(Setting::LearningRate, q(-0.5), Range::NonNegative)]).unwrap_err();
        assert_eq!(e.to_string(), "the learning rate η must be finite and ≥ 0");
        assert!(check!([(Setting::Momentum, q(0.5), Range::BelowOne)]).is_ok());
        let e = check!([
            (Setting::Momentum, q(0.5), Range::BelowOne),
            (Setting::Beta2, q(1.0), Range::BelowOne),
            (Setting::Alpha, q(-1.0), Range::UpToOne),
        ])
        .unwrap_err();
        assert_eq!(e.name(), "β₂");
    }
}
