//! Gradient clipping by global norm.

use crate::network::Network;
use crate::scalar::Scalar;

/// ‖g‖₂ over every entry of a gradient.
pub fn global_norm<T: Scalar, N: Network<T>>(grads: &N) -> T {
    grads.params().fold(T::zero(), |s, &g| s + g * g).sqrt()
}

/// Scales `grads` so that its global L2 norm is at most `max_norm` (PyTorch's
/// `clip_grad_norm_`): when ‖g‖ > max_norm every entry is multiplied by
/// max_norm / ‖g‖. Returns ‖g‖ before clipping.
pub fn clip_global_norm<T: Scalar, N: Network<T>>(grads: &mut N, max_norm: T) -> T {
    let norm = global_norm(grads);
    if norm > max_norm && norm.is_finite() {
        let scale = max_norm / norm;
        for g in grads.params_mut() {
            *g *= scale;
        }
    }
    norm
}
