//! [`QuantizeError`]: why a network could not be quantized.

use core::fmt;

/// Why [`quantize`](super::quantize),
/// [`Calibration::quantize`](super::Calibration::quantize) or
/// [`ModelCalibration::quantize`](super::ModelCalibration::quantize) failed.
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
    /// A scale or requantization multiplier the int8 network needs cannot be
    /// represented (it overflows `f32`, falls below its normal numbers, or the
    /// multiplier exceeds 2^30): quantizing would give wrong outputs.
    ScaleOutOfRange {
        /// The layer i (1..=N) it belongs to; 0 for the input.
        layer: usize,
        /// Which scale.
        scale: ScaleKind,
    },
    /// The model is not of the architecture the calibration was made for (only
    /// [`ModelCalibration`](super::ModelCalibration): a typed network's is its type).
    ShapeMismatch,
    /// A layer has more inputs than an int8 layer takes, [`MAX_INPUTS`](super::MAX_INPUTS)
    /// (only [`ModelCalibration`](super::ModelCalibration): for a typed network it is a
    /// compile error).
    TooManyInputs {
        /// The layer i (1..=N).
        layer: usize,
    },
}

/// Which scale of a layer [`QuantizeError::ScaleOutOfRange`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScaleKind {
    /// The scale of the network's input (its calibrated range / 255).
    Input,
    /// The scale of the layer's pre-activation z^i (its calibrated range / 255).
    PreActivation,
    /// The scale of the layer's activation a^i (its calibrated range / 255).
    Output,
    /// A per-row weight scale (max |w| / 127, widened for the bias).
    Weight,
    /// A requantization multiplier s_in · s_w / s_out.
    Multiplier,
}

impl fmt::Display for ScaleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScaleKind::Input => "input scale",
            ScaleKind::PreActivation => "pre-activation scale",
            ScaleKind::Output => "activation scale",
            ScaleKind::Weight => "weight scale",
            ScaleKind::Multiplier => "requantization multiplier",
        })
    }
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
            QuantizeError::ScaleOutOfRange { layer: 0, scale } => write!(
                f,
                "the network's {scale} cannot be represented (the calibrated input range is too narrow or too wide for f32)"
            ),
            QuantizeError::ScaleOutOfRange { layer, scale } => write!(
                f,
                "the {scale} of layer {layer} cannot be represented (a range, weight or bias too small or too large for int8 with f32 scales)"
            ),
            QuantizeError::ShapeMismatch => {
                f.write_str("the model's architecture is not the one the calibration was made for")
            }
            QuantizeError::TooManyInputs { layer } => write!(
                f,
                "layer {layer} has more than 65 536 inputs, which an int8 layer cannot take \
                 (its i32 accumulator could overflow)"
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
