//! A small training loop for programs with `std`: epochs of shuffled mini-batches, a
//! learning-rate schedule, evaluation on a held-out set, and a per-epoch callback.

extern crate std;

use crate::net::arr::Arr;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::loss::{Loss, Scored};
use crate::train::optim::{Optimizer, Schedule};
use crate::train::trainer::{Evaluation, Trainer, evaluate, shuffle};
use core::ops::ControlFlow;
use rand_core::RngCore;
use std::time::{Duration, Instant};
use std::vec::Vec;

/// A labelled sample: an input a^0 and its target.
pub type Sample<T, N, Tg> = (Arr<T, <N as Network<T>>::Input>, Tg);

/// How [`fit`] trains.
#[derive(Clone, Copy)]
pub struct FitConfig<'s> {
    /// The number of passes over the training set.
    pub epochs: usize,
    /// The number of samples per optimizer step (the last batch of an epoch may be
    /// smaller); 0 is treated as 1.
    pub batch_size: usize,
    /// η per epoch; `None` keeps the optimizer's learning rate.
    pub schedule: Option<&'s dyn Schedule>,
}

/// What [`fit`] reports after each epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochReport<T> {
    /// The epoch just finished, counted from 1.
    pub epoch: usize,
    /// The learning rate used in this epoch.
    pub learning_rate: f64,
    /// The mean loss per sample over the epoch's steps (each measured before its
    /// update).
    pub train_loss: T,
    /// Loss and accuracy on the held-out set, if one was given.
    pub test: Option<Evaluation<T>>,
    /// Wall-clock time since training started.
    pub elapsed: Duration,
}

/// Trains `net` for `config.epochs` epochs on `train`, reshuffling it (through an index
/// list; the data is not moved) with `rng` before each epoch, and evaluating on `test`
/// after each. `on_epoch` sees each report and can stop early with
/// `ControlFlow::Break(())`. Returns the reports.
///
/// # Errors
/// The first [`TrainError`] of a step or an evaluation; the network is then as it was
/// after the last successful step.
// Eight arguments, each a different role; a config struct holding borrowed data and a
// closure would only move them one level down.
#[allow(clippy::too_many_arguments)]
pub fn fit<T, N, O, L, Tg, R>(
    net: &mut N,
    trainer: &mut Trainer<T, N, O>,
    loss: &L,
    train: &[Sample<T, N, Tg>],
    test: Option<&[Sample<T, N, Tg>]>,
    config: &FitConfig<'_>,
    rng: &mut R,
    mut on_epoch: impl FnMut(&EpochReport<T>) -> ControlFlow<()>,
) -> Result<Vec<EpochReport<T>>, TrainError>
where
    T: Scalar,
    N: Network<T>,
    O: Optimizer<T, N>,
    L: Loss<T, N, Tg>,
    Tg: Scored<T, N::Output>,
    R: RngCore + ?Sized,
{
    let start = Instant::now();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut reports = Vec::with_capacity(config.epochs);
    for epoch in 0..config.epochs {
        if let Some(schedule) = config.schedule {
            trainer
                .optimizer
                .set_learning_rate(T::from_f64(schedule.learning_rate(epoch)));
        }
        shuffle(&mut order, rng);
        let (mut total, mut samples) = (T::zero(), 0usize);
        for chunk in order.chunks(config.batch_size.max(1)) {
            let batch = chunk.iter().map(|&i| (&train[i].0, &train[i].1));
            // Weighted by the batch's size, so a short last batch counts for its samples.
            total += trainer.step(net, loss, batch)? * T::from_f64(chunk.len() as f64);
            samples += chunk.len();
        }
        let test = match test {
            Some(data) => Some(evaluate(net, loss, data.iter().map(|(x, t)| (x, t)))?),
            None => None,
        };
        let report = EpochReport {
            epoch: epoch + 1,
            learning_rate: trainer.optimizer.learning_rate().to_f64(),
            train_loss: if samples == 0 {
                T::zero()
            } else {
                total / T::from_f64(samples as f64)
            },
            test,
            elapsed: start.elapsed(),
        };
        reports.push(report);
        if on_epoch(&report).is_break() {
            break;
        }
    }
    Ok(reports)
}

/// Shuffles a copy of `data` with `rng` and splits it into a training part of
/// `round(train_fraction · len)` samples and a test part of the rest.
/// `train_fraction` is clamped to [0, 1].
pub fn train_test_split<S: Clone, R: RngCore + ?Sized>(
    data: &[S],
    train_fraction: f64,
    rng: &mut R,
) -> (Vec<S>, Vec<S>) {
    let mut all = data.to_vec();
    shuffle(&mut all, rng);
    let fraction = if train_fraction.is_nan() {
        0.0
    } else {
        train_fraction.clamp(0.0, 1.0)
    };
    let n_train = libm::round(fraction * all.len() as f64) as usize;
    let test = all.split_off(n_train.min(all.len()));
    (all, test)
}
