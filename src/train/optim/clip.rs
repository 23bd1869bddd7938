//! Gradient clipping by global norm.

use crate::net::network::Network;
use crate::num::scalar::Scalar;

/// ‖g‖₂ over every entry of a gradient.
///
/// Finite entries always give a finite norm: if the plain sum of squares overflows
/// (|g| beyond ~1.3e154 in f64, ~1.8e19 in f32) it is recomputed with every entry
/// divided by max |g_i| first.
pub fn global_norm<T: Scalar, N: Network<T>>(grads: &N) -> T {
    let plain = grads
        .param_slices()
        .map(|run| run.iter().fold(T::zero(), |s, &g| s + g * g))
        .fold(T::zero(), |s, r| s + r)
        .sqrt();
    if plain.is_finite() || !grads.params().all(|g| g.is_finite()) {
        return plain;
    }
    let scale = grads.params().fold(T::zero(), |m, &g| m.max(g.abs()));
    let sum = grads.params().fold(T::zero(), |s, &g| {
        let r = g / scale;
        s + r * r
    });
    scale * sum.sqrt()
}

/// Scales `grads` so that its global L2 norm is at most `max_norm` (PyTorch's
/// `clip_grad_norm_`): when ‖g‖ > max_norm every entry is multiplied by
/// max_norm / ‖g‖. Returns ‖g‖ before clipping.
pub fn clip_global_norm<T: Scalar, N: Network<T>>(grads: &mut N, max_norm: T) -> T {
    let norm = global_norm(grads);
    if norm > max_norm && norm.is_finite() {
        let scale = max_norm / norm;
        for run in grads.param_slices_mut() {
            for g in run {
                *g *= scale;
            }
        }
    }
    norm
}
