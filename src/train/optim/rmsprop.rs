//! RMSprop.

use super::Optimizer;
use super::two_pass::descend;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::hyper::{Range, Setting, check, learning_rate};

/// RMSprop (Hinton, 2012), with PyTorch's semantics (no momentum, not centred):
///
/// ```text
/// v ← α v + (1 − α) g²        w ← w − η g / (√v + ε)
/// ```
///
/// Defaults: α = 0.99, ε = 1e-8.
#[derive(Clone, Debug)]
pub struct RmsProp<T: Scalar, N: Network<T>> {
    /// η.
    pub learning_rate: T,
    /// α, the decay of the running mean of g².
    pub alpha: T,
    /// ε, added to √v.
    pub epsilon: T,
    v: N,
}

impl<T: Scalar, N: Network<T>> RmsProp<T, N> {
    /// RMSprop with learning rate η, α = 0.99, ε = 1e-8.
    pub fn new(learning_rate: T) -> Self {
        RmsProp {
            learning_rate,
            alpha: T::from_f64(0.99),
            epsilon: T::from_f64(1e-8),
            v: N::zeroed(),
        }
    }

    /// Sets α.
    pub fn with_alpha(mut self, alpha: T) -> Self {
        self.alpha = alpha;
        self
    }

    /// The running mean of g², in the network's shape.
    pub fn mean_square(&self) -> &N {
        &self.v
    }
}

impl<T: Scalar, N: Network<T>> Optimizer<T, N> for RmsProp<T, N> {
    // A non-finite g reaches a checked value through +, − and × only: the mean square
    // α·v + (1 − α)·g·g.
    const REFUSES_OVERFLOWED_GRADIENTS: bool = T::IEEE_754;

    /// # Errors
    /// [`TrainError::HyperParameter`] unless η ≥ 0, 0 ≤ α ≤ 1 and ε ≥ 0 (all finite),
    /// [`TrainError::NonFiniteUpdate`]; nothing is changed then.
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), TrainError> {
        check!([
            learning_rate(self.learning_rate),
            (Setting::Alpha, self.alpha, Range::UpToOne),
            (Setting::Epsilon, self.epsilon, Range::NonNegative),
        ])?;
        let (lr, alpha, eps) = (self.learning_rate, self.alpha, self.epsilon);
        super::two_pass::update_with_state(net, grads, &mut self.v, move |w: T, g: T, v: T| {
            let v = alpha * v + (T::one() - alpha) * g * g;
            (descend(w, lr * g / (v.sqrt() + eps)), v)
        })
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
