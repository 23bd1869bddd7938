//! [`FitTrainer`]: what [`Fit`](crate::fit::Fit) needs of a trainer, implemented by
//! [`Trainer`] and [`ParallelTrainer`].

use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::loss::Loss;
use crate::train::optim::Optimizer;
use crate::train::parallel::{ParallelNetwork, ParallelTrainer};
use crate::train::sample::Sample;
use crate::train::trainer::Trainer;

mod sealed {
    /// Only the crate's trainers are [`FitTrainer`](super::FitTrainer)s.
    pub trait Sealed {}
}

impl<T: Scalar, N: Network<T>, O: Optimizer<T, N>, const B: usize> sealed::Sealed
    for Trainer<T, N, O, B>
{
}
impl<T: Scalar, N: Network<T>, O: Optimizer<T, N>, const B: usize> sealed::Sealed
    for ParallelTrainer<T, N, O, B>
{
}

/// A trainer that [`Fit::run`](crate::fit::Fit::run) can drive on a training set of
/// samples `S` with loss `L`: [`Trainer`] (one thread) and [`ParallelTrainer`] (a
/// batch spread over threads; then the samples and the loss must be `Sync`). Sealed.
pub trait FitTrainer<T: Scalar, N: Network<T>, L, S>: sealed::Sealed {
    /// The optimizer, whose learning rate a schedule sets.
    type Optimizer: Optimizer<T, N>;

    /// The optimizer, with its state.
    fn optimizer_mut(&mut self) -> &mut Self::Optimizer;

    /// One step on the samples `train[i]` for `i` in `batch`, in that order (the
    /// trainer's `step`).
    ///
    /// # Errors
    /// The trainer's `step`'s; nothing is changed in `net` or in the optimizer then.
    fn step_on(
        &mut self,
        net: &mut N,
        loss: &L,
        train: &[S],
        batch: &[usize],
    ) -> Result<T, TrainError>;
}

impl<T, N, O, L, S, const B: usize> FitTrainer<T, N, L, S> for Trainer<T, N, O, B>
where
    T: Scalar,
    N: Network<T>,
    O: Optimizer<T, N>,
    S: Sample<T, N::Input>,
    L: Loss<T, N, S::Target>,
{
    type Optimizer = O;

    fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    fn step_on(
        &mut self,
        net: &mut N,
        loss: &L,
        train: &[S],
        batch: &[usize],
    ) -> Result<T, TrainError> {
        self.step(net, loss, batch.iter().filter_map(|&i| train.get(i)))
    }
}

impl<T, N, O, L, S, const B: usize> FitTrainer<T, N, L, S> for ParallelTrainer<T, N, O, B>
where
    T: Scalar + Send + Sync,
    N: ParallelNetwork<T, B>,
    O: Optimizer<T, N>,
    S: Sample<T, N::Input> + Sync,
    L: Loss<T, N, S::Target> + Sync,
{
    type Optimizer = O;

    fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    fn step_on(
        &mut self,
        net: &mut N,
        loss: &L,
        train: &[S],
        batch: &[usize],
    ) -> Result<T, TrainError> {
        self.step(net, loss, batch.iter().filter_map(|&i| train.get(i)))
    }
}
