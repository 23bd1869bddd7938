//! [`TrainError`]: why a training step, an evaluation or a training run was refused.

use crate::train::hyper::HyperParameterError;
use core::fmt;

/// Why a training step, an evaluation or a training run was refused. The network and
/// the optimizer state are left exactly as they were before the refused step (for
/// [`Fit::run`](crate::fit::Fit::run): as after the last successful step, learning
/// rate included; for a refused configuration: untouched).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrainError {
    /// The loss of the batch is NaN or infinite (a poisoned input or target, or a
    /// network that has already diverged).
    NonFiniteLoss,
    /// A gradient entry is NaN or infinite.
    NonFiniteGradient,
    /// The update would make a parameter or an optimizer state value NaN or infinite,
    /// or in `Q16` saturate it (typically a learning rate that diverges).
    NonFiniteUpdate,
    /// A target that cannot be scored (see [`TargetError`](crate::train::loss::TargetError)).
    Target(crate::train::loss::TargetError),
    /// A batch with no samples.
    EmptyBatch,
    /// An output a^N that [`evaluate`](crate::train::evaluate) cannot score: it has a
    /// NaN or an infinite entry (a NaN weight, or a network that has diverged).
    NonFiniteOutput,
    /// A learning-rate schedule gave a NaN, infinite or negative η (or one that is not
    /// finite in the network's scalar); refused before it reached the optimizer.
    NonFiniteLearningRate {
        /// The epoch (counted from 0) the schedule was asked about.
        epoch: usize,
    },
    /// [`Fit::run`](crate::fit::Fit::run) was given a training set with no samples.
    EmptyTrainingSet,
    /// [`Fit::test`](crate::fit::Fit::test) was given a test set with no samples.
    EmptyTestSet,
    /// [`Fit::batch_size`](crate::fit::Fit::batch_size) was 0.
    ZeroBatchSize,
    /// [`Fit::epochs`](crate::fit::Fit::epochs) was 0.
    ZeroEpochs,
    /// A hyper-parameter of the optimizer or the loss is outside its range (a negative
    /// learning rate, a momentum of 1 or more, a Huber δ that is not positive, …);
    /// refused before anything was changed.
    HyperParameter(HyperParameterError),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFiniteLoss => f.write_str("the loss is not finite (NaN or infinite)"),
            TrainError::NonFiniteGradient => {
                f.write_str("a gradient entry is not finite (NaN or infinite)")
            }
            TrainError::NonFiniteUpdate => f.write_str(
                "the update would make a parameter not finite, or saturate it in Q16 (is the \
                 learning rate too large?)",
            ),
            TrainError::Target(e) => write!(f, "bad target: {e}"),
            TrainError::EmptyBatch => f.write_str("the batch has no samples"),
            TrainError::NonFiniteOutput => f.write_str(
                "the network's output is not finite (NaN or infinite), so it cannot be scored",
            ),
            TrainError::NonFiniteLearningRate { epoch } => write!(
                f,
                "the learning-rate schedule gave a rate that is negative or not finite for \
                 epoch {epoch}"
            ),
            TrainError::EmptyTrainingSet => f.write_str("the training set has no samples"),
            TrainError::EmptyTestSet => f.write_str("the test set has no samples"),
            TrainError::ZeroBatchSize => f.write_str("the batch size is 0 (it must be at least 1)"),
            TrainError::ZeroEpochs => {
                f.write_str("the number of epochs is 0 (it must be at least 1)")
            }
            TrainError::HyperParameter(e) => write!(f, "bad hyper-parameter: {e}"),
        }
    }
}

impl core::error::Error for TrainError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TrainError::Target(e) => Some(e),
            TrainError::HyperParameter(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::train::loss::TargetError> for TrainError {
    fn from(e: crate::train::loss::TargetError) -> Self {
        TrainError::Target(e)
    }
}

impl From<HyperParameterError> for TrainError {
    fn from(e: HyperParameterError) -> Self {
        TrainError::HyperParameter(e)
    }
}
