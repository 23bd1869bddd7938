//! Stochastic gradient descent with momentum, Nesterov momentum and weight decay.

use super::Optimizer;
use super::two_pass::descend;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::hyper::{Range, Setting, check, learning_rate};

/// Stochastic gradient descent, with PyTorch's `SGD` semantics:
///
/// ```text
/// g ← g + λ w                       (weight decay λ, an L2 penalty)
/// v ← μ v + g                       (momentum μ; v starts at 0)
/// w ← w − η (g + μ v)   if Nesterov
/// w ← w − η v           otherwise   (plain SGD when μ = 0: w ← w − η g)
/// ```
///
/// As in PyTorch, the momentum buffer v is only kept when μ ≠ 0: with μ = 0 a step
/// reads w and g and writes w, and [`velocity`](Sgd::velocity) stays zero.
///
/// ```
/// use typenet::{network, Network, optim::{Optimizer, Sgd}};
/// type Net = network!(f32; 1 -> 1 Identity);
/// let mut net = Net::from_params(&[1.0, 0.0]).unwrap();
/// let grads = Net::from_params(&[0.5, -1.0]).unwrap();
/// let mut sgd = Sgd::<f32, Net>::new(0.1);
/// sgd.step(&mut net, &grads).unwrap();
/// assert_eq!(net.params().copied().collect::<Vec<_>>(), [0.95, 0.1]);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T: Scalar, N: Network<T>> {
    /// η.
    pub learning_rate: T,
    /// μ (0 for plain SGD).
    pub momentum: T,
    /// Use Nesterov momentum.
    pub nesterov: bool,
    /// λ (0 for none).
    pub weight_decay: T,
    velocity: N,
}

impl<T: Scalar, N: Network<T>> Sgd<T, N> {
    /// Plain SGD with learning rate η.
    pub fn new(learning_rate: T) -> Self {
        Sgd {
            learning_rate,
            momentum: T::zero(),
            nesterov: false,
            weight_decay: T::zero(),
            velocity: N::zeroed(),
        }
    }

    /// Sets the momentum μ.
    pub fn with_momentum(mut self, momentum: T) -> Self {
        self.momentum = momentum;
        self
    }

    /// Switches on Nesterov momentum (with momentum μ).
    pub fn with_nesterov(mut self, momentum: T) -> Self {
        self.momentum = momentum;
        self.nesterov = true;
        self
    }

    /// Sets the weight decay λ.
    pub fn with_weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The momentum buffer v, one value per parameter in the network's shape (all zero
    /// while μ = 0: the buffer is not kept then).
    pub fn velocity(&self) -> &N {
        &self.velocity
    }

    fn rule(&self) -> Rule<T> {
        Rule {
            learning_rate: self.learning_rate,
            momentum: self.momentum,
            nesterov: self.nesterov,
            weight_decay: self.weight_decay,
        }
    }
}

/// The hyper-parameters, copied out so the state can be borrowed mutably.
#[derive(Clone, Copy)]
struct Rule<T> {
    learning_rate: T,
    momentum: T,
    nesterov: bool,
    weight_decay: T,
}

impl<T: Scalar> Rule<T> {
    /// w ← w − η (g + λ w), all or nothing, without the momentum buffer (μ = 0): half
    /// the memory traffic of the general step, which matters once the parameters
    /// outgrow the L1 cache.
    fn step_without_momentum<N: Network<T>>(
        self,
        net: &mut N,
        grads: &N,
    ) -> Result<(), TrainError> {
        // Copied in by value: the hyper-parameters then live in registers, where a
        // captured reference would be re-read after every store to w.
        let (lr, wd) = (self.learning_rate, self.weight_decay);
        // No state: the shared two-pass update with K = 0 state values.
        if wd == T::zero() && wd.to_f64().is_sign_positive() {
            // With λ = +0, g + λ·w differs from g only for g = −0 and w ≥ +0 (then it is
            // +0), where w − η·(±0) gives the same bits for every η; a non-finite w makes
            // both forms non-finite, so the step is refused either way. (λ = −0 keeps the
            // full form: for w = g = −0 the two differ in the sign of the zero.) Two
            // operations fewer per parameter.
            return super::two_pass::update_stateless(net, grads, move |w: T, g: T| {
                (descend(w, lr * g),)
            });
        }
        super::two_pass::update_stateless(net, grads, move |w: T, g: T| {
            (descend(w, lr * (g + wd * w)),)
        })
    }

    /// (new w, new v) for one parameter.
    #[inline]
    fn update(self, w: T, g: T, v: T) -> (T, T) {
        let g = g + self.weight_decay * w;
        let v = self.momentum * v + g;
        let d = if self.nesterov {
            g + self.momentum * v
        } else {
            v
        };
        (descend(w, self.learning_rate * d), v)
    }
}

impl<T: Scalar, N: Network<T>> Optimizer<T, N> for Sgd<T, N> {
    // A non-finite g reaches a checked value through +, − and × only: g (+ λ·w), then
    // w − η·(…) or the velocity μ·v + (…).
    const REFUSES_OVERFLOWED_GRADIENTS: bool = T::IEEE_754;

    /// # Errors
    /// [`TrainError::HyperParameter`] unless η ≥ 0, 0 ≤ μ < 1 (0 < μ with Nesterov
    /// momentum, as PyTorch asks) and λ ≥ 0 (all finite),
    /// [`TrainError::NonFiniteUpdate`]; nothing is changed then.
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), TrainError> {
        check!([
            learning_rate(self.learning_rate),
            (
                Setting::Momentum,
                self.momentum,
                if self.nesterov {
                    Range::Open
                } else {
                    Range::BelowOne
                },
            ),
            (Setting::WeightDecay, self.weight_decay, Range::NonNegative),
        ])?;
        let rule = self.rule();
        if rule.momentum == T::zero() {
            return rule.step_without_momentum(net, grads);
        }
        super::two_pass::update_with_state(net, grads, &mut self.velocity, move |w, g, v| {
            rule.update(w, g, v)
        })
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
