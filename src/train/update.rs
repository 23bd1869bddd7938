//! [`apply_mean`]: the second half of a training step, from the sums of a batch to the
//! update (the batch mean of E and of the gradient, their checks, clipping, the
//! optimizer), written once for [`Trainer`](crate::train::Trainer) and
//! [`ParallelTrainer`](crate::train::ParallelTrainer).

use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::optim::{Optimizer, clip_global_norm};

/// The sums of a batch, as [`apply_mean`] takes them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BatchSums<T> {
    /// Σ E over the samples.
    pub(crate) loss: T,
    /// The number of samples.
    pub(crate) count: usize,
    /// A partial sum of E overflowed on the way ([`Scalar::overflowed`]; a sum made of
    /// partial sums can come back into `Q16`'s range after one of them saturated).
    pub(crate) loss_overflowed: bool,
    /// A partial sum of a gradient entry overflowed on the way.
    pub(crate) grads_overflowed: bool,
}

impl<T> BatchSums<T> {
    /// Sums taken in one pass, whose overflow the final values show.
    #[inline]
    pub(crate) fn of(loss: T, count: usize) -> Self {
        BatchSums {
            loss,
            count,
            loss_overflowed: false,
            grads_overflowed: false,
        }
    }
}

/// The mean of `count` losses summing to `total` (a training step's, an evaluation's).
///
/// # Errors
/// [`TrainError::EmptyBatch`] for no loss, [`TrainError::NonFiniteLoss`] for a mean that
/// is not finite or a sum that overflowed (∞ in floats, stuck at the end of Q16's
/// range), which has no true mean: refused rather than reported wrong.
#[inline]
pub(crate) fn mean_loss<T: Scalar>(total: T, count: usize) -> Result<T, TrainError> {
    if count == 0 {
        return Err(TrainError::EmptyBatch);
    }
    // Exact for Q16, the historical `x · (1/count)` for floats (`Scalar::div_count`).
    let mean = total.div_count(count);
    if !mean.is_finite() || total.overflowed() {
        return Err(TrainError::NonFiniteLoss);
    }
    Ok(mean)
}

/// Divides the summed gradient `grads` by the batch's size, checks the mean loss and
/// gradient, clips the gradient to `clip_norm` if given, and applies `optimizer` to
/// `net`. Returns the batch's mean loss.
///
/// # Errors
/// [`TrainError::EmptyBatch`], [`TrainError::NonFiniteLoss`],
/// [`TrainError::NonFiniteGradient`], or the optimizer's
/// [`TrainError::NonFiniteUpdate`], in that order of precedence; `net` and `optimizer`
/// are then unchanged (`grads` is scratch).
#[inline]
pub(crate) fn apply_mean<T, N, O>(
    net: &mut N,
    optimizer: &mut O,
    grads: &mut N,
    sums: BatchSums<T>,
    clip_norm: Option<T>,
) -> Result<T, TrainError>
where
    T: Scalar,
    N: Network<T>,
    O: Optimizer<T, N>,
{
    let BatchSums {
        loss: total,
        count,
        loss_overflowed,
        grads_overflowed,
    } = sums;
    // A sample's loss that overflowed (none when the batch is empty, so EmptyBatch
    // still comes first).
    if loss_overflowed {
        return Err(TrainError::NonFiniteLoss);
    }
    let mean = mean_loss(total, count)?;
    if grads_overflowed {
        return Err(TrainError::NonFiniteGradient);
    }
    // One sample and no clipping: the gradient is the optimizer's input unchanged, and
    // an optimizer that refuses every overflowed gradient checks it in its own first
    // pass (which of the two errors it was is told after a refusal, below).
    let optimizer_checks = count == 1 && clip_norm.is_none() && O::REFUSES_OVERFLOWED_GRADIENTS;
    if !optimizer_checks && !mean_in_place(grads, count) {
        return Err(TrainError::NonFiniteGradient);
    }
    if let Some(max_norm) = clip_norm {
        clip_global_norm(grads, max_norm);
    }
    match optimizer.step(net, grads) {
        Ok(()) => Ok(mean),
        // The precedence of the errors: a gradient that overflowed is reported as such
        // (the count is 1 here, so the pass only checks).
        Err(_) if optimizer_checks && !mean_in_place(grads, count) => {
            Err(TrainError::NonFiniteGradient)
        }
        Err(e) => Err(e),
    }
}

/// Divides the summed gradient `grads` by `count` in place and returns whether no entry
/// had overflowed (for one sample the pass only checks: dividing by 1 changes no finite
/// value). Element-wise: the same bits at any vector width.
#[inline]
fn mean_in_place<T: Scalar, N: Network<T>>(grads: &mut N, count: usize) -> bool {
    crate::num::kernel::wide(
        N::PARAMS,
        #[inline(always)]
        || {
            let mut finite = true;
            N::for_each_run(grads, &mut |run: &mut [T]| {
                if count == 1 {
                    for g in run.iter() {
                        finite &= !g.overflowed();
                    }
                    return;
                }
                for g in run {
                    // A sum that did not overflow (finite, or inside Q16's range) stays
                    // so when divided by the count: one check suffices.
                    finite &= !g.overflowed();
                    *g = g.div_count(count);
                }
            });
            finite
        },
    )
}
