//! [`TrainError`]: why a training step was refused.

use core::fmt;

/// Why a training step was refused. The network and the optimizer state are left
/// exactly as they were before the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrainError {
    /// The loss of the batch is NaN or infinite (a poisoned input or target, or a
    /// network that has already diverged).
    NonFiniteLoss,
    /// A gradient entry is NaN or infinite.
    NonFiniteGradient,
    /// The update would make a parameter or an optimizer state value NaN or infinite
    /// (typically a learning rate that diverges).
    NonFiniteUpdate,
    /// A target that cannot be scored (see [`TargetError`](crate::train::loss::TargetError)).
    Target(crate::train::loss::TargetError),
    /// A batch with no samples.
    EmptyBatch,
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFiniteLoss => f.write_str("the loss is not finite (NaN or infinite)"),
            TrainError::NonFiniteGradient => {
                f.write_str("a gradient entry is not finite (NaN or infinite)")
            }
            TrainError::NonFiniteUpdate => f.write_str(
                "the update would make a parameter not finite (is the learning rate too large?)",
            ),
            TrainError::Target(e) => write!(f, "bad target: {e}"),
            TrainError::EmptyBatch => f.write_str("the batch has no samples"),
        }
    }
}

impl core::error::Error for TrainError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TrainError::Target(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::train::loss::TargetError> for TrainError {
    fn from(e: crate::train::loss::TargetError) -> Self {
        TrainError::Target(e)
    }
}
