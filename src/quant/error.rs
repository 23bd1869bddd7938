//! [`QuantizeError`]: why a network could not be quantized.

use core::fmt;

/// Why [`quantize`](super::quantize) or
/// [`Calibration::quantize`](super::Calibration::quantize) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantizeError {
    /// The calibration set was empty: there is no range to choose scales from.
    NoCalibrationData,
    /// The f32 network produced a NaN or infinite value on a calibration input.
    NonFiniteCalibration {
        /// The layer i whose z^i or a^i was not finite (0: the input itself).
        layer: usize,
    },
    /// A weight or bias of the f32 network is NaN or infinite.
    NonFiniteParameter {
        /// The layer i (1..=N) holding it.
        layer: usize,
    },
}

impl fmt::Display for QuantizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            QuantizeError::NoCalibrationData => {
                f.write_str("no calibration inputs: int8 scales need at least one sample")
            }
            QuantizeError::NonFiniteCalibration { layer: 0 } => {
                f.write_str("a calibration input holds a NaN or infinite value")
            }
            QuantizeError::NonFiniteCalibration { layer } => write!(
                f,
                "layer {layer} of the f32 network gave a NaN or infinite value on a calibration input"
            ),
            QuantizeError::NonFiniteParameter { layer } => {
                write!(
                    f,
                    "layer {layer} of the f32 network has a NaN or infinite weight or bias"
                )
            }
        }
    }
}

impl core::error::Error for QuantizeError {}
