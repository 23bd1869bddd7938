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

/// An input slice whose length is not the network's input size M_0
/// (see [`Network::forward_slice`](crate::Network::forward_slice)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InputLengthError {
    /// M_0, [`Network::INPUTS`](crate::Network::INPUTS).
    pub expected: usize,
    /// The length of the slice that was passed.
    pub found: usize,
}

impl fmt::Display for InputLengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the input has {} values but the network takes {} (M_0)",
            self.found, self.expected
        )
    }
}

impl core::error::Error for InputLengthError {}
