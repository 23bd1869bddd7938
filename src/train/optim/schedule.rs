//! Learning-rate schedules: η as a function of the epoch.

/// A learning rate η for each epoch (counted from 0).
///
/// Schedules compute in `f64`; an optimizer takes the value with
/// [`Optimizer::set_learning_rate`](crate::optim::Optimizer::set_learning_rate).
pub trait Schedule {
    /// η for `epoch`.
    fn learning_rate(&self, epoch: usize) -> f64;
}

/// The same η every epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Constant(pub f64);

impl Schedule for Constant {
    fn learning_rate(&self, _: usize) -> f64 {
        self.0
    }
}

/// η = initial · γ^⌊epoch / step⌋: multiplied by `gamma` every `step` epochs
/// (PyTorch's `StepLR`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    /// η at epoch 0.
    pub initial: f64,
    /// γ, the factor applied every `step` epochs.
    pub gamma: f64,
    /// The number of epochs between decays (0 is treated as 1).
    pub step: usize,
}

impl Schedule for StepDecay {
    fn learning_rate(&self, epoch: usize) -> f64 {
        let k = epoch / self.step.max(1);
        self.initial * libm::pow(self.gamma, k as f64)
    }
}

/// Cosine annealing from `initial` at epoch 0 to `min` at epoch `epochs`, then `min`
/// (PyTorch's `CosineAnnealingLR` without restarts):
/// η = min + ½(initial − min)(1 + cos(π · epoch / epochs)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cosine {
    /// η at epoch 0.
    pub initial: f64,
    /// η at and after epoch `epochs`.
    pub min: f64,
    /// The length of the annealing (0 gives `min` from the start).
    pub epochs: usize,
}

impl Schedule for Cosine {
    fn learning_rate(&self, epoch: usize) -> f64 {
        if epoch >= self.epochs {
            return self.min;
        }
        let progress = epoch as f64 / self.epochs as f64;
        self.min
            + 0.5 * (self.initial - self.min) * (1.0 + libm::cos(core::f64::consts::PI * progress))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_follow_their_formulas() {
        assert_eq!(Constant(0.1).learning_rate(7), 0.1);
        let s = StepDecay {
            initial: 1.0,
            gamma: 0.5,
            step: 10,
        };
        assert_eq!(
            [0, 9, 10, 25].map(|e| s.learning_rate(e)),
            [1.0, 1.0, 0.5, 0.25]
        );
        let c = Cosine {
            initial: 1.0,
            min: 0.0,
            epochs: 10,
        };
        assert_eq!(c.learning_rate(0), 1.0);
        assert!((c.learning_rate(5) - 0.5).abs() < 1e-15);
        assert_eq!(c.learning_rate(10), 0.0);
        assert_eq!(c.learning_rate(20), 0.0);
    }
}
