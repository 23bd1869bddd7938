//! A small training loop for programs with `std`: the builder [`Fit`] runs epochs of
//! shuffled mini-batches with a learning-rate schedule, evaluates on a held-out set, and
//! calls back after each epoch; [`train_test_split`] splits a data set.

extern crate std;

use crate::net::network::Network;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
pub use crate::train::fit_trainer::FitTrainer;
use crate::train::hyper::{check, learning_rate};
use crate::train::loss::{Loss, Scored};
use crate::train::optim::{Optimizer, Schedule};
use crate::train::rng::{SplitMix64, shuffle};
use crate::train::sample::Sample;
use crate::train::trainer::{Evaluation, evaluate};
use core::ops::ControlFlow;
use rand_core::RngCore;
use std::boxed::Box;
use std::time::{Duration, Instant};
use std::vec::Vec;

/// What [`Fit::run`] reports after each epoch.
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

/// What [`Fit::run`] returns: one report per epoch run, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct History<T> {
    /// The reports of the epochs run, the first epoch first.
    pub reports: Vec<EpochReport<T>>,
    /// `true` when the [`on_epoch`](Fit::on_epoch) callback stopped training before the
    /// last epoch.
    pub stopped_early: bool,
}

impl<T> History<T> {
    /// The report of the last epoch run.
    pub fn last(&self) -> Option<&EpochReport<T>> {
        self.reports.last()
    }
}

/// Where [`Fit`] takes its shuffling from.
enum Shuffler<'a> {
    /// The built-in [`SplitMix64`] with this seed.
    Seed(u64),
    /// The caller's generator.
    Rng(&'a mut dyn RngCore),
}

/// The per-epoch callback.
type OnEpoch<'a, T> = Box<dyn FnMut(&EpochReport<T>) -> ControlFlow<()> + 'a>;

/// A training run, configured step by step and started by [`run`](Fit::run): epochs of
/// mini-batches in a fresh random order each epoch (an index list is shuffled; the data
/// is not moved), an optional learning-rate schedule, an optional held-out set evaluated
/// after each epoch, and an optional callback that sees each [`EpochReport`] and can
/// stop early.
///
/// | setting | default | refused at [`run`](Fit::run) with |
/// | --- | --- | --- |
/// | [`epochs`](Fit::epochs) | 1 | [`TrainError::ZeroEpochs`] for 0 |
/// | [`batch_size`](Fit::batch_size) | 32 | [`TrainError::ZeroBatchSize`] for 0 |
/// | [`seed`](Fit::seed) / [`rng`](Fit::rng) | seed 0 | — |
/// | [`schedule`](Fit::schedule) | the optimizer's η throughout | [`TrainError::NonFiniteLearningRate`] for a NaN, infinite or negative η |
/// | [`test`](Fit::test) | none | [`TrainError::EmptyTestSet`] for an empty set |
/// | [`on_epoch`](Fit::on_epoch) | none | — |
///
/// ```
/// use std::ops::ControlFlow;
/// use typenet::{network, Network, fit::Fit, init::initialize_seeded};
/// use typenet::{loss::SoftmaxCrossEntropy, optim::{Adam, Cosine}, train::Trainer};
/// use typenet::generic_array::GenericArray;
///
/// type Net = network!(f32; 2 -> 8 Tanh -> 2 Softmax);
/// // Class 1 when x0 > x1.
/// let data: Vec<_> = (0..64)
///     .map(|k| {
///         let (a, b) = ((k % 8) as f32 / 8.0, (k / 8) as f32 / 8.0);
///         (GenericArray::from_array([a, b]), usize::from(a > b))
///     })
///     .collect();
/// let mut net = Net::zeroed();
/// initialize_seeded(&mut net, 1);
/// let mut trainer = Trainer::new(Adam::new(0.05));
/// let cosine = Cosine { initial: 0.05, min: 0.005, epochs: 39 };
/// let history = Fit::new(SoftmaxCrossEntropy)
///     .epochs(40)
///     .batch_size(8)
///     .seed(42)
///     .schedule(&cosine)
///     .test(&data)
///     .on_epoch(|report| {
///         if report.test.is_some_and(|t| t.accuracy == 1.0) {
///             ControlFlow::Break(())
///         } else {
///             ControlFlow::Continue(())
///         }
///     })
///     .run(&mut net, &mut trainer, &data)?;
/// assert!(history.last().unwrap().test.unwrap().accuracy > 0.9);
/// # Ok::<(), typenet::TrainError>(())
/// ```
pub struct Fit<'a, T, L, S> {
    loss: L,
    epochs: usize,
    batch_size: usize,
    shuffler: Shuffler<'a>,
    schedule: Option<&'a dyn Schedule>,
    test: Option<&'a [S]>,
    on_epoch: Option<OnEpoch<'a, T>>,
}

impl<'a, T, L, S> Fit<'a, T, L, S> {
    /// A run that minimises `loss`, with the defaults of the table above.
    pub fn new(loss: L) -> Self {
        Fit {
            loss,
            epochs: 1,
            batch_size: 32,
            shuffler: Shuffler::Seed(0),
            schedule: None,
            test: None,
            on_epoch: None,
        }
    }

    /// The number of passes over the training set (at least 1, checked at
    /// [`run`](Fit::run)).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// The number of samples per optimizer step (at least 1, checked at
    /// [`run`](Fit::run)); the last batch of an epoch holds the rest and may be smaller.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Shuffles with the built-in [`SplitMix64`] seeded with `seed` (the same order on
    /// every platform). Replaces a generator given with [`rng`](Fit::rng).
    pub fn seed(mut self, seed: u64) -> Self {
        self.shuffler = Shuffler::Seed(seed);
        self
    }

    /// Shuffles with `rng`, a `rand_core` **0.9** [`RngCore`] (the version re-exported
    /// as `typenet::rand_core`), e.g. one that also made the split and the initial
    /// weights. Replaces a [`seed`](Fit::seed).
    pub fn rng(mut self, rng: &'a mut dyn RngCore) -> Self {
        self.shuffler = Shuffler::Rng(rng);
        self
    }

    /// Sets the optimizer's learning rate to `schedule`'s η at the start of each epoch.
    /// A NaN, infinite or negative η (or one that is not finite in the network's
    /// scalar) stops the run with [`TrainError::NonFiniteLearningRate`] before it
    /// reaches the optimizer (the optimizer's own rule for η).
    pub fn schedule(mut self, schedule: &'a dyn Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Evaluates on `test` after each epoch (non-empty, checked at [`run`](Fit::run)).
    pub fn test(mut self, test: &'a [S]) -> Self {
        self.test = Some(test);
        self
    }

    /// Calls `on_epoch` with each epoch's report; `ControlFlow::Break(())` stops the
    /// run after that epoch (then [`History::stopped_early`] is `true`).
    pub fn on_epoch(
        mut self,
        on_epoch: impl FnMut(&EpochReport<T>) -> ControlFlow<()> + 'a,
    ) -> Self {
        self.on_epoch = Some(Box::new(on_epoch));
        self
    }

    /// Trains `net` on `train` with `trainer` (a [`Trainer`](crate::train::Trainer), with its optimizer,
    /// clipping and block size, or a [`ParallelTrainer`](crate::train::ParallelTrainer),
    /// which spreads each batch over threads), and returns the history of the epochs
    /// run.
    ///
    /// # Errors
    /// Before anything is changed:
    /// [`TrainError::ZeroEpochs`], [`TrainError::ZeroBatchSize`],
    /// [`TrainError::EmptyTrainingSet`], [`TrainError::EmptyTestSet`].
    ///
    /// During the run, the first error of a schedule, a step or an evaluation:
    /// [`TrainError::NonFiniteLearningRate`] (refused before the optimizer sees it), a
    /// step's errors (see [`Trainer::step`](crate::train::Trainer::step)) or an evaluation's (see [`evaluate`]).
    /// The network and the optimizer are then as after the last successful step; the
    /// learning rate too (an epoch whose first step fails gets the rate of the epoch
    /// before it back).
    pub fn run<N, Tr>(
        mut self,
        net: &mut N,
        trainer: &mut Tr,
        train: &[S],
    ) -> Result<History<T>, TrainError>
    where
        T: Scalar,
        N: Network<T>,
        Tr: FitTrainer<T, N, L, S>,
        S: Sample<T, N::Input>,
        L: Loss<T, N, S::Target>,
        S::Target: Scored<T, N::Output>,
    {
        if self.epochs == 0 {
            return Err(TrainError::ZeroEpochs);
        }
        if self.batch_size == 0 {
            return Err(TrainError::ZeroBatchSize);
        }
        if train.is_empty() {
            return Err(TrainError::EmptyTrainingSet);
        }
        if self.test.is_some_and(<[S]>::is_empty) {
            return Err(TrainError::EmptyTestSet);
        }
        let mut seeded;
        let rng: &mut dyn RngCore = match self.shuffler {
            Shuffler::Seed(seed) => {
                seeded = SplitMix64::new(seed);
                &mut seeded
            }
            Shuffler::Rng(rng) => rng,
        };
        let start = Instant::now();
        let mut order: Vec<usize> = (0..train.len()).collect();
        let mut history = History {
            // Grown epoch by epoch: `epochs` may be any count (`usize::MAX` runs until
            // `on_epoch` stops it), so it is not a size to reserve.
            reports: Vec::new(),
            stopped_early: false,
        };
        for epoch in 0..self.epochs {
            let previous = trainer.optimizer_mut().learning_rate();
            if let Some(schedule) = self.schedule {
                let rate = schedule.learning_rate(epoch);
                let scalar = T::from_f64(rate);
                // The optimizers' rule for η (finite, ≥ 0), told with the epoch; `rate`
                // is tested too, as an infinite f64 rounds to a finite Q16.
                if !rate.is_finite() || check!([learning_rate(scalar)]).is_err() {
                    return Err(TrainError::NonFiniteLearningRate { epoch });
                }
                trainer.optimizer_mut().set_learning_rate(scalar);
            }
            shuffle(&mut order, rng);
            // In f64 whatever T is: a sum of batch losses times batch sizes can leave
            // Q16's range (and a batch size past 32 767 is not a Q16) where the mean
            // does not.
            let mut total = 0.0f64;
            for (k, chunk) in order.chunks(self.batch_size).enumerate() {
                match trainer.step_on(net, &self.loss, train, chunk) {
                    // Weighted by the batch's size, so a short last batch counts for its
                    // samples.
                    Ok(mean) => total += mean.to_f64() * chunk.len() as f64,
                    Err(e) => {
                        if k == 0 {
                            trainer.optimizer_mut().set_learning_rate(previous);
                        }
                        return Err(e);
                    }
                }
            }
            let test = match self.test {
                Some(data) => Some(evaluate(net, &self.loss, data)?),
                None => None,
            };
            let report = EpochReport {
                epoch: epoch + 1,
                learning_rate: trainer.optimizer_mut().learning_rate().to_f64(),
                train_loss: T::from_f64(total / train.len() as f64),
                test,
                elapsed: start.elapsed(),
            };
            history.reports.push(report);
            if let Some(on_epoch) = self.on_epoch.as_mut()
                && on_epoch(&report).is_break()
            {
                history.stopped_early = epoch + 1 < self.epochs;
                break;
            }
        }
        Ok(history)
    }
}

/// Shuffles a copy of `data` with `rng` (a `rand_core` **0.9** [`RngCore`], the version
/// re-exported as `typenet::rand_core`) and splits it into a training part of
/// `round(train_fraction · len)` samples and a test part of the rest.
/// `train_fraction` is clamped to [0, 1] (NaN counts as 0).
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
