//! [`QLayerRef`]: a borrowed, type-erased view of one int8 layer.

use super::params::QParams;
use super::requant::Multiplier;

/// Everything layer i of an int8 network holds, without naming its nested type.
///
/// The layer computes, for each output k, the `i32` accumulator
/// `acc_k = bias[k] + Σ_j weights[k·inputs + j] · (x_j − input.zero_point)`, requantizes
/// it with `multipliers[k]` to the parameters [`requant_params`](QLayerRef::requant_params)
/// gives, adds their zero point, saturates to int8, and applies the activation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QLayerRef<'a> {
    /// The int8 weights row by row (`weights[k * inputs + j]`), symmetric: the real
    /// weight is `weight_scales[k] · q`.
    pub weights: &'a [i8],
    /// The `i32` biases, with scale `input.scale · weight_scales[k]` and zero point 0.
    pub bias: &'a [i32],
    /// The per-output-channel weight scales, max_j |w_kj| / 127.
    pub weight_scales: &'a [f32],
    /// The requantization multipliers M_k = input.scale · weight_scales\[k\] / s_t, with
    /// s_t the scale of [`requant_params`](QLayerRef::requant_params).
    pub multipliers: &'a [Multiplier],
    /// M_{i−1}.
    pub inputs: usize,
    /// M_i.
    pub outputs: usize,
    /// The activation's name ([`Activation::NAME`](crate::Activation::NAME)).
    pub activation: &'static str,
    /// Whether the activation is folded into the requantization (ReLU, identity).
    pub folded: bool,
    /// The parameters of the layer's input a^{i−1}.
    pub input: QParams,
    /// The parameters of the pre-activation z^i.
    pub pre_activation: QParams,
    /// The parameters of the activation a^i.
    pub output: QParams,
}

impl QLayerRef<'_> {
    /// The parameters the accumulators are requantized to: `output` when the
    /// activation is folded, `pre_activation` otherwise.
    pub fn requant_params(&self) -> QParams {
        if self.folded {
            self.output
        } else {
            self.pre_activation
        }
    }
}
