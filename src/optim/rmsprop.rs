//! RMSprop.

use super::Optimizer;
use crate::error::TrainError;
use crate::kernel::wide;
use crate::network::Network;
use crate::scalar::Scalar;

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
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), TrainError> {
        let (lr, alpha, eps) = (self.learning_rate, self.alpha, self.epsilon);
        let update = move |w: T, g: T, v: T| {
            let v = alpha * v + (T::one() - alpha) * g * g;
            (w - lr * g / (v.sqrt() + eps), v)
        };
        // Pass 1: would every new value be finite? (no early exit, so it vectorises)
        let finite = net
            .param_slices()
            .zip(grads.param_slices())
            .zip(self.v.param_slices())
            .all(|((w, g), v)| {
                wide(
                    w.len(),
                    #[inline(always)]
                    move || {
                        w.iter().zip(g).zip(v).fold(true, |ok, ((&w, &g), &v)| {
                            let (w, v) = update(w, g, v);
                            ok & w.is_finite() & v.is_finite()
                        })
                    },
                )
            });
        if !finite {
            return Err(TrainError::NonFiniteUpdate);
        }
        // Pass 2: write them.
        for ((w, g), v) in net
            .param_slices_mut()
            .zip(grads.param_slices())
            .zip(self.v.param_slices_mut())
        {
            wide(
                w.len(),
                #[inline(always)]
                move || {
                    for ((w, &g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                        (*w, *v) = update(*w, g, *v);
                    }
                },
            );
        }
        Ok(())
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
