//! One mini-batch step: forward, loss, backward over the batch, averaged gradients,
//! optional clipping, optimizer update. No heap.

use crate::net::arr::Arr;
use crate::net::network::Network;
use crate::net::network::Trace;
use crate::num::scalar::Scalar;
use crate::train::accumulate::Accumulator;
use crate::train::error::TrainError;
use crate::train::loss::{Loss, Scored};
use crate::train::optim::{ClipNormError, Optimizer, check_clip_norm};
use crate::train::sample::Sample;
use crate::train::update::{BatchSums, apply_mean, mean_loss};

/// The buffers and the optimizer of a training run: the gradient (a value of the
/// network's type), the trace of one sample, and the optimizer state. All of it lives
/// inside this value, so a `Trainer` in a `static` or on the stack trains with no heap.
///
/// ```
/// use typenet::{network, Network, optim::Sgd, loss::MeanSquaredError, train::Trainer};
/// use typenet::generic_array::GenericArray;
///
/// type Net = network!(f64; 1 -> 1 Identity);
/// let mut net = Net::from_params(&[0.0, 0.0]).unwrap();
/// let mut trainer = Trainer::new(Sgd::new(0.1));
/// // Fit y = 2x + 1 from three samples.
/// let data = [(GenericArray::from_array([0.0]), GenericArray::from_array([1.0])),
///             (GenericArray::from_array([1.0]), GenericArray::from_array([3.0])),
///             (GenericArray::from_array([2.0]), GenericArray::from_array([5.0]))];
/// for _ in 0..2000 {
///     trainer.step(&mut net, &MeanSquaredError, &data).unwrap();
/// }
/// let p: Vec<f64> = net.params().copied().collect();
/// assert!((p[0] - 2.0).abs() < 1e-6 && (p[1] - 1.0).abs() < 1e-6);
/// ```
///
/// Samples are processed in blocks of `B` (default 4): the forward and backward passes
/// of a block read each weight row once for all its samples
/// ([`Network::forward_trace_block`]), which is faster once the weights outgrow the
/// first-level cache. The results are bit for bit those of one sample at a time. The
/// block's records cost `B` times a [`Trace`]; on a microcontroller with little RAM,
/// `Trainer::<_, _, _, 1>::with_block_size` keeps one. On x86-64 with AVX-512, batches
/// of 16 samples or more train faster in blocks of 16
/// (`Trainer::<_, _, _, 16>::with_block_size`): the `f32` kernels then put 16 samples
/// of a block in the lanes of a register, and read and write ∂E/∂W once per block; a
/// batch of 32 faster still in one block of 32 (`typenet-bench` trains its batches of 32
/// so: a 640-128-128-128-128-8-128-128-128-128-640 network 11 % faster than in blocks of
/// 16). A batch's samples past its last whole block go one at a time, so a block larger
/// than the batch is slower, not faster.
#[derive(Clone, Debug)]
pub struct Trainer<T: Scalar, N: Network<T>, O: Optimizer<T, N>, const B: usize = 4> {
    /// The optimizer, with its state.
    pub optimizer: O,
    clip_norm: Option<T>,
    grads: N,
    records: Accumulator<T, N, B>,
}

impl<T: Scalar, N: Network<T>, O: Optimizer<T, N>> Trainer<T, N, O> {
    /// A trainer around `optimizer`, without clipping, working in blocks of 4 samples.
    pub fn new(optimizer: O) -> Self {
        Self::with_block_size(optimizer)
    }
}

impl<T: Scalar, N: Network<T>, O: Optimizer<T, N>, const B: usize> Trainer<T, N, O, B> {
    /// Bytes of a trainer: the gradient, the training records of one sample and of a
    /// block of `B`, the seeds, and the optimizer with its state (see
    /// [`assert_fits!`](crate::assert_fits!)).
    pub const RAM_BYTES: usize = core::mem::size_of::<Self>();

    /// A trainer around `optimizer`, without clipping, working in blocks of `B`
    /// samples: `Trainer::<_, _, _, 1>::with_block_size(opt)` keeps a single record,
    /// for microcontrollers with little RAM.
    ///
    /// `B` must be at least 1: `Trainer::<_, _, _, 0>::with_block_size` does not
    /// compile (a block of no samples could never take one).
    pub fn with_block_size(optimizer: O) -> Self {
        const {
            assert!(
                B > 0,
                "a Trainer's block size B must be at least 1: a block of 0 samples can never take a sample"
            )
        };
        Trainer {
            optimizer,
            clip_norm: None,
            grads: N::zeroed(),
            records: Accumulator::new(),
        }
    }

    /// Clips the averaged gradient to global norm `max_norm` before each update.
    ///
    /// # Panics
    /// If `max_norm` is negative or NaN (it would flip the gradient's sign or turn
    /// clipping off); [`try_with_clip_norm`](Self::try_with_clip_norm) returns the
    /// error instead, for a value that comes from outside the program.
    pub fn with_clip_norm(self, max_norm: T) -> Self {
        match self.try_with_clip_norm(max_norm) {
            Ok(trainer) => trainer,
            Err(e) => panic!("{e}"),
        }
    }

    /// Clips the averaged gradient to global norm `max_norm` before each update, after
    /// checking it ([`check_clip_norm`]: zero or positive, +∞ never clips).
    ///
    /// # Errors
    /// [`ClipNormError`] for a negative or NaN `max_norm`; nothing is built.
    pub fn try_with_clip_norm(mut self, max_norm: T) -> Result<Self, ClipNormError<T>> {
        self.clip_norm = Some(check_clip_norm(max_norm)?);
        Ok(self)
    }

    /// The clip norm of [`with_clip_norm`](Self::with_clip_norm), if any.
    pub fn clip_norm(&self) -> Option<T> {
        self.clip_norm
    }

    /// The averaged (and clipped) gradient of the last step.
    pub fn grads(&self) -> &N {
        &self.grads
    }

    /// One step on a mini-batch of [`Sample`]s (`&data`, `data.iter()`,
    /// `data[a..b].iter()`, owned `(input, target)` pairs or pairs of references): for
    /// each sample runs the training forward pass, the loss and the backward pass,
    /// averages E and the gradients over the batch, clips them if asked, and applies the
    /// optimizer. Returns the batch's mean loss.
    ///
    /// # Errors
    /// Nothing is changed in `net` or in the optimizer when this returns an error:
    /// - [`TrainError::HyperParameter`] for a hyper-parameter of the loss (checked
    ///   first, [`Loss::check`]) or of the optimizer (checked by its
    ///   [`step`](crate::optim::Optimizer::step)) outside its range;
    /// - [`TrainError::EmptyBatch`] for a batch with no samples;
    /// - [`TrainError::Target`] for a target the loss cannot score;
    /// - [`TrainError::NonFiniteLoss`] / [`TrainError::NonFiniteGradient`] when the
    ///   loss or a gradient entry is NaN or infinite (e.g. a NaN in an input), or its
    ///   sum over the batch overflowed ([`Scalar::overflowed`]: in `Q16`, a sum that
    ///   reached the end of the range, such as 70 000 gradients of 1);
    /// - [`TrainError::NonFiniteUpdate`] when the update would make a parameter or
    ///   optimizer state non-finite (e.g. a learning rate that diverges).
    pub fn step<L, I>(&mut self, net: &mut N, loss: &L, batch: I) -> Result<T, TrainError>
    where
        I: IntoIterator,
        I::Item: Sample<T, N::Input>,
        L: Loss<T, N, <I::Item as Sample<T, N::Input>>::Target>,
    {
        loss.check()?;
        let (total, count) = self.records.sum(net, loss, batch, &mut self.grads)?;
        apply_mean(
            net,
            &mut self.optimizer,
            &mut self.grads,
            BatchSums::of(total, count),
            self.clip_norm,
        )
    }
}

/// Mean loss and accuracy of a network on a data set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation<T> {
    /// The mean of E over the samples.
    pub loss: T,
    /// The fraction of samples predicted correctly (see [`Scored`]), in [0, 1].
    pub accuracy: f64,
    /// The number of samples.
    pub samples: usize,
}

/// Evaluates `net` on a data set of [`Sample`]s (`&data`, `data.iter()`, owned pairs,
/// pairs of references): the mean loss and the accuracy.
///
/// # Errors
/// - [`TrainError::HyperParameter`] for a hyper-parameter of the loss outside its
///   range ([`Loss::check`]);
/// - [`TrainError::EmptyBatch`] for no samples;
/// - [`TrainError::Target`] for a target the loss cannot score;
/// - [`TrainError::NonFiniteOutput`] when an output a^N of a sample has a NaN or an
///   infinite entry (e.g. a NaN weight): such an output is neither a right nor a wrong
///   prediction, so it is not scored;
/// - [`TrainError::NonFiniteLoss`] when the mean loss is NaN or infinite (e.g. a NaN
///   in a target), or the sum of the losses overflowed ([`Scalar::overflowed`]: in
///   `Q16`, a sum that reached the end of the range).
pub fn evaluate<T, N, L, I>(net: &N, loss: &L, data: I) -> Result<Evaluation<T>, TrainError>
where
    T: Scalar,
    N: Network<T>,
    I: IntoIterator,
    I::Item: Sample<T, N::Input>,
    L: Loss<T, N, <I::Item as Sample<T, N::Input>>::Target>,
    <I::Item as Sample<T, N::Input>>::Target: Scored<T, N::Output>,
{
    loss.check()?;
    let mut trace = Trace::<T, N>::new();
    let mut seed = Arr::<T, N::Output>::default();
    let (mut total, mut correct, mut count) = (T::zero(), 0usize, 0usize);
    for sample in data {
        let target = sample.target();
        net.forward_trace(sample.input(), &mut trace);
        let z = N::trace_output_z(&trace);
        let a = trace.output();
        if !a.iter().all(|v| v.is_finite()) {
            return Err(TrainError::NonFiniteOutput);
        }
        total += loss.loss_and_seed(z, a, target, &mut seed)?;
        correct += usize::from(target.is_correct(a));
        count += 1;
    }
    // As a training step's mean: exact for Q16, an overflowed sum refused.
    let mean = mean_loss(total, count)?;
    Ok(Evaluation {
        loss: mean,
        accuracy: correct as f64 / count as f64,
        samples: count,
    })
}
