//! Gradient clipping by global norm.

use crate::net::network::Network;
use crate::num::scalar::Scalar;
use core::fmt;

/// ‖g‖₂ over every entry of a gradient.
///
/// The sums never overflow or underflow ([`Scalar::norm_parts`]: when the plain sum of
/// squares would, the entries are scaled by max |g_i| first, as a robust `hypot` does;
/// `Q16` sums exact integer squares). So finite entries give their norm whenever it fits
/// the scalar's range; a norm beyond it is +∞ in floats (`[3e38, 3e38]` in `f32`:
/// √2 · 3e38 > `f32::MAX`) and `Q16::MAX` in `Q16`. [`clip_global_norm`] clips those
/// too. A NaN entry gives NaN.
pub fn global_norm<T: Scalar, N: Network<T>>(grads: &N) -> T {
    let (m, r) = T::norm_parts(|| grads.param_slices());
    m * r
}

/// A clip norm that is negative or NaN (clipping to it would flip the gradient's sign
/// or turn clipping off).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClipNormError<T> {
    /// The value given.
    pub max_norm: T,
}

impl<T: Scalar> fmt::Display for ClipNormError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "clip norm {} is not a norm: it must be zero or positive (not NaN)",
            self.max_norm
        )
    }
}

impl<T: Scalar> core::error::Error for ClipNormError<T> {}

/// The rule for a clip norm, checked where one is given: `max_norm` ≥ 0 (+∞ allowed,
/// it never clips); negative or NaN is a [`ClipNormError`].
///
/// # Errors
/// [`ClipNormError`] for a negative or NaN `max_norm`.
pub fn check_clip_norm<T: Scalar>(max_norm: T) -> Result<T, ClipNormError<T>> {
    if max_norm >= T::zero() {
        Ok(max_norm)
    } else {
        Err(ClipNormError { max_norm })
    }
}

/// Scales `grads` so that its global L2 norm is at most `max_norm` (PyTorch's
/// `clip_grad_norm_`): when ‖g‖ > max_norm every entry is multiplied by
/// max_norm / ‖g‖ (computed as (g_i / m) · (max_norm / r) when ‖g‖ = m·r exceeds the
/// scalar's range, see [`global_norm`]). Returns ‖g‖ before clipping, as
/// [`global_norm`] gives it. A gradient with a NaN or infinite entry is left as it is.
///
/// # Panics
/// If `max_norm` is negative or NaN ([`check_clip_norm`]); `Trainer::try_with_clip_norm`
/// checks it without panicking.
pub fn clip_global_norm<T: Scalar, N: Network<T>>(grads: &mut N, max_norm: T) -> T {
    if let Err(e) = check_clip_norm(max_norm) {
        panic!("{e}");
    }
    let (m, r) = T::norm_parts(|| grads.param_slices());
    let norm = m * r;
    if !(m.is_finite() && r.is_finite()) {
        return norm;
    }
    if r == T::one() {
        // the norm m fits the scalar's range
        if m > max_norm {
            for run in grads.param_slices_mut() {
                for g in run {
                    *g = g.mul_ratio(max_norm, m);
                }
            }
        }
    } else {
        // ‖g‖ = m·r is beyond the range, so beyond any finite max_norm
        let scale = max_norm / r;
        if scale.is_finite() {
            for run in grads.param_slices_mut() {
                for g in run {
                    *g = *g / m * scale;
                }
            }
        }
    }
    norm
}
