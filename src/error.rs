//! Errors for data that comes from outside the type system.

use core::fmt;

/// A flat parameter slice whose length is not the network's parameter count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamCountError {
    /// The network's parameter count, [`Network::PARAMS`](crate::Network::PARAMS).
    pub expected: usize,
    /// The length of the slice that was passed.
    pub found: usize,
}

impl ParamCountError {
    pub(crate) fn check(expected: usize, found: usize) -> Result<(), Self> {
        if expected == found {
            Ok(())
        } else {
            Err(ParamCountError { expected, found })
        }
    }
}

impl fmt::Display for ParamCountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "parameter slice has {} values but the network has {} parameters",
            self.found, self.expected
        )
    }
}

impl core::error::Error for ParamCountError {}

/// A batch of inputs and a batch of outputs of different lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BatchLengthError {
    /// The number of inputs.
    pub inputs: usize,
    /// The number of output slots.
    pub outputs: usize,
}

impl fmt::Display for BatchLengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inputs but {} output slots",
            self.inputs, self.outputs
        )
    }
}

impl core::error::Error for BatchLengthError {}

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
    /// A target that cannot be scored (see [`TargetError`](crate::loss::TargetError)).
    Target(crate::loss::TargetError),
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

impl From<crate::loss::TargetError> for TrainError {
    fn from(e: crate::loss::TargetError) -> Self {
        TrainError::Target(e)
    }
}
