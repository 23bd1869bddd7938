//! The [`Optimizer`] trait.

use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;

/// Turns a gradient into an update of the parameters of network `N`.
///
/// Optimizer state (momentum, moment estimates) has the network's own nested type and
/// lives inside the optimizer value, wherever that value lives: no heap.
///
/// Every optimizer here first checks its hyper-parameters (a negative or NaN learning
/// rate, a momentum or a β of 1 or more are refused with
/// [`TrainError::HyperParameter`]), then computes the update twice: a first pass
/// checks that no new parameter or state value overflowed ([`Scalar::overflowed`]: NaN
/// or infinite in floats, at either end of the range in `Q16`), and only then a second
/// pass writes them. A step that would produce such a value (a diverging learning rate,
/// a poisoned gradient) returns [`TrainError::NonFiniteUpdate`]; either way the network
/// and the optimizer are left exactly as they were.
///
/// In `Q16` the check sees what saturates in the values and in the step subtracted
/// from w (η·g beyond ±32 768, a division by a √v + ε that rounds to 0, as ε = 1e-8
/// does); a saturation inside a rule whose result stays in range (Adam's
/// m̂ = m/(1 − β₁ᵗ) at the end of the range, times a small η) is not seen, so a Q16
/// network should train well inside ±32 768. A Q16 parameter already at the end of
/// the range counts as saturated: every step of a network holding one is refused.
pub trait Optimizer<T: Scalar, N: Network<T>>: Sized {
    /// Bytes of the optimizer with its state (for Adam: the two moment estimates, each
    /// of the network's size, and the hyper-parameters). See
    /// [`assert_fits!`](crate::assert_fits!).
    const STATE_BYTES: usize = core::mem::size_of::<Self>();

    /// Whether [`step`](Self::step) refuses every gradient with an entry that
    /// [overflowed](Scalar::overflowed) (NaN or infinite in floats): such an entry makes
    /// a new parameter or state value non-finite, so the step returns
    /// [`TrainError::NonFiniteUpdate`] and changes nothing. A
    /// [`Trainer`](crate::train::Trainer) stepping on one sample without clipping then
    /// leaves the check of the gradient to the optimizer's own first pass, and reports a
    /// refused step whose gradient overflowed as [`TrainError::NonFiniteGradient`], as
    /// it would have before the update. `false` by default (the trainer checks); `true`
    /// for this crate's optimizers in `f32` and `f64` ([`Scalar::IEEE_754`]), whose rules
    /// pass each gradient entry through `+`, `−` and `×` only into a checked value.
    const REFUSES_OVERFLOWED_GRADIENTS: bool = false;

    /// Applies one update from `grads` (∂E/∂W^i and ∂E/∂b^i, in a value of type `N`).
    ///
    /// # Errors
    /// [`TrainError::HyperParameter`] for a hyper-parameter outside its range,
    /// [`TrainError::NonFiniteUpdate`] if any new parameter or state value would not be
    /// finite (or, in `Q16`, would saturate); nothing is changed then.
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), TrainError>;

    /// The current learning rate η.
    fn learning_rate(&self) -> T;

    /// Sets the learning rate η (a [`Schedule`](crate::optim::Schedule) calls this).
    fn set_learning_rate(&mut self, learning_rate: T);
}
