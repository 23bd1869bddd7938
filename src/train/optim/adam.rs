//! Adam and AdamW.

use super::Optimizer;
use super::two_pass::descend;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::hyper::{Range, Setting, check, learning_rate};

/// Adam (Kingma & Ba, 2015) with bias correction, and AdamW (Loshchilov & Hutter, 2019)
/// with decoupled weight decay, with PyTorch's semantics. At step t = 1, 2, ...:
///
/// ```text
/// g ← g + λ w                                  (Adam's weight decay λ; not AdamW)
/// m ← β₁ m + (1 − β₁) g        v ← β₂ v + (1 − β₂) g²
/// m̂ = m / (1 − β₁ᵗ)            v̂ = v / (1 − β₂ᵗ)
/// w ← w − η λ w                                (AdamW's decoupled decay)
/// w ← w − η m̂ / (√v̂ + ε)
/// ```
///
/// Defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0 (AdamW: λ = 0.01).
#[derive(Clone, Debug)]
pub struct Adam<T: Scalar, N: Network<T>> {
    /// η.
    pub learning_rate: T,
    /// β₁, the decay of the first-moment estimate m.
    pub beta1: T,
    /// β₂, the decay of the second-moment estimate v.
    pub beta2: T,
    /// ε, added to √v̂.
    pub epsilon: T,
    /// λ.
    pub weight_decay: T,
    /// `true` for AdamW (decay applied to the weights, not added to the gradient).
    pub decoupled: bool,
    steps: u64,
    beta1_t: T,
    beta2_t: T,
    m: N,
    v: N,
}

impl<T: Scalar, N: Network<T>> Adam<T, N> {
    /// Adam with learning rate η and the default β₁, β₂, ε, no weight decay.
    pub fn new(learning_rate: T) -> Self {
        Adam {
            learning_rate,
            beta1: T::from_f64(0.9),
            beta2: T::from_f64(0.999),
            epsilon: T::from_f64(1e-8),
            weight_decay: T::zero(),
            decoupled: false,
            steps: 0,
            beta1_t: T::one(),
            beta2_t: T::one(),
            m: N::zeroed(),
            v: N::zeroed(),
        }
    }

    /// AdamW with learning rate η and decoupled weight decay λ = 0.01.
    pub fn adamw(learning_rate: T) -> Self {
        Adam {
            weight_decay: T::from_f64(0.01),
            decoupled: true,
            ..Self::new(learning_rate)
        }
    }

    /// Sets β₁ and β₂.
    pub fn with_betas(mut self, beta1: T, beta2: T) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets ε.
    pub fn with_epsilon(mut self, epsilon: T) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Sets the weight decay λ (L2 for Adam, decoupled for AdamW).
    pub fn with_weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The number of steps taken, t.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The first-moment estimate m, in the network's shape.
    pub fn first_moment(&self) -> &N {
        &self.m
    }

    /// The second-moment estimate v, in the network's shape.
    pub fn second_moment(&self) -> &N {
        &self.v
    }
}

#[derive(Clone, Copy)]
struct Rule<T> {
    learning_rate: T,
    beta1: T,
    beta2: T,
    epsilon: T,
    weight_decay: T,
    decoupled: bool,
    /// 1 − β₁ᵗ and 1 − β₂ᵗ for the step being taken.
    correction1: T,
    correction2: T,
}

impl<T: Scalar> Rule<T> {
    /// (new w, new m, new v) for one parameter.
    #[inline]
    fn update(self, w: T, g: T, m: T, v: T) -> (T, T, T) {
        let one = T::one();
        let g = if self.decoupled {
            g
        } else {
            g + self.weight_decay * w
        };
        let m = self.beta1 * m + (one - self.beta1) * g;
        let v = self.beta2 * v + (one - self.beta2) * g * g;
        let m_hat = m / self.correction1;
        let v_hat = v / self.correction2;
        let w = if self.decoupled {
            descend(w, self.learning_rate * self.weight_decay * w)
        } else {
            w
        };
        (
            descend(
                w,
                self.learning_rate * m_hat / (v_hat.sqrt() + self.epsilon),
            ),
            m,
            v,
        )
    }
}

impl<T: Scalar, N: Network<T>> Optimizer<T, N> for Adam<T, N> {
    // A non-finite g reaches a checked value through +, − and × only: g (+ λ·w), then
    // the first moment β₁·m + (1 − β₁)·(…).
    const REFUSES_OVERFLOWED_GRADIENTS: bool = T::IEEE_754;

    /// # Errors
    /// [`TrainError::HyperParameter`] unless η ≥ 0, 0 ≤ β₁ < 1, 0 ≤ β₂ < 1, ε ≥ 0 and
    /// λ ≥ 0 (all finite), [`TrainError::NonFiniteUpdate`]; nothing is changed then.
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), TrainError> {
        check!([
            learning_rate(self.learning_rate),
            (Setting::Beta1, self.beta1, Range::BelowOne),
            (Setting::Beta2, self.beta2, Range::BelowOne),
            (Setting::Epsilon, self.epsilon, Range::NonNegative),
            (Setting::WeightDecay, self.weight_decay, Range::NonNegative),
        ])?;
        let beta1_t = self.beta1_t * self.beta1;
        let beta2_t = self.beta2_t * self.beta2;
        let rule = Rule {
            learning_rate: self.learning_rate,
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
            weight_decay: self.weight_decay,
            decoupled: self.decoupled,
            correction1: T::one() - beta1_t,
            correction2: T::one() - beta2_t,
        };
        super::two_pass::update_with_two_states(
            net,
            grads,
            &mut self.m,
            &mut self.v,
            move |w, g, m, v| rule.update(w, g, m, v),
        )?;
        self.steps += 1;
        self.beta1_t = beta1_t;
        self.beta2_t = beta2_t;
        Ok(())
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// A layer of 200 weights takes the wide-vector path of `step` (AVX-512F or AVX
    /// where the CPU has them); the result must be, bit for bit, `Rule::update` applied
    /// to one parameter after another.
    #[test]
    fn the_wide_step_is_the_per_parameter_rule() {
        type Net = network!(f32; 20 -> 10 Tanh);
        let values = |seed: u32, n: usize| {
            let mut s = seed;
            (0..n)
                .map(|_| {
                    s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    ((s >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 3.0
                })
                .collect::<Vec<f32>>()
        };
        let mut net = Net::from_params(&values(1, Net::PARAMS)).unwrap();
        let grads = Net::from_params(&values(2, Net::PARAMS)).unwrap();
        for decoupled in [false, true] {
            let mut opt = Adam::<f32, Net>::new(0.01).with_weight_decay(0.1);
            opt.decoupled = decoupled;
            let before: Vec<f32> = net.params().copied().collect();
            // two steps, so m and v are not zero going into the second
            opt.step(&mut net, &grads).unwrap();
            let (m1, v1): (Vec<f32>, Vec<f32>) = (
                opt.first_moment().params().copied().collect(),
                opt.second_moment().params().copied().collect(),
            );
            let mid: Vec<f32> = net.params().copied().collect();
            opt.step(&mut net, &grads).unwrap();
            let rule = |t: i32| Rule {
                learning_rate: 0.01f32,
                beta1: opt.beta1,
                beta2: opt.beta2,
                epsilon: opt.epsilon,
                weight_decay: 0.1,
                decoupled,
                correction1: 1.0 - opt.beta1.powi(t),
                correction2: 1.0 - opt.beta2.powi(t),
            };
            for (i, g) in grads.params().enumerate() {
                let (w1, m, v) = rule(1).update(before[i], *g, 0.0, 0.0);
                assert_eq!(
                    (w1.to_bits(), m.to_bits(), v.to_bits()),
                    (mid[i].to_bits(), m1[i].to_bits(), v1[i].to_bits())
                );
                let (w2, _, _) = rule(2).update(w1, *g, m, v);
                assert_eq!(
                    w2.to_bits(),
                    net.params().nth(i).unwrap().to_bits(),
                    "parameter {i}"
                );
            }
        }
    }
}
