//! [`ParallelTrainer`] (feature `std`): one mini-batch step spread over threads, with
//! the same bits whatever the number of threads.

extern crate std;

use crate::net::boxed::BoxedNetwork;
use crate::net::network::Network;
use crate::num::kernel::wide;
use crate::num::scalar::Scalar;
use crate::train::accumulate::Accumulator;
use crate::train::backoff::Backoff;
use crate::train::error::TrainError;
use crate::train::loss::Loss;
use crate::train::optim::{ClipNormError, Optimizer, check_clip_norm};
use crate::train::sample::Sample;
use crate::train::update::{BatchSums, apply_mean};
use core::fmt;
use core::ops::Range;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::boxed::Box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use std::vec::Vec;

/// What a [`ParallelTrainer`] with blocks of `B` samples needs of a network besides
/// [`Network`]: its buffers are built zeroed on the heap ([`BoxedNetwork`]), the network
/// is read by every thread (`Sync`), and each thread's gradient and training records
/// are handed to it (`Send`). Every network of `f32`, `f64` or
/// [`Q16`](crate::fixed::Q16) with the built-in activations has it.
pub trait ParallelNetwork<T: Scalar, const B: usize>:
    BoxedNetwork<T> + Send + Sync + Network<T, BlockTraces<1>: Send, BlockTraces<B>: Send>
{
}

impl<T, N, const B: usize> ParallelNetwork<T, B> for N
where
    T: Scalar,
    N: BoxedNetwork<T> + Send + Sync,
    N::BlockTraces<1>: Send,
    N::BlockTraces<B>: Send,
{
}

/// The chunk count of [`ParallelTrainer::new`]: a batch of 32 samples is cut into 2
/// chunks of 16, for 2 threads. Each chunk costs a gradient buffer that its thread
/// writes and the step then reads, so more chunks than threads only cost
/// (measured on a busy 2-core machine, W4 with 1.06 MB of weights, one thread: 2 chunks
/// +3 to 30 %, 4 chunks +7 to 56 % over one chunk); on more cores raise it with
/// [`with_chunks`](ParallelTrainer::with_chunks).
pub const DEFAULT_CHUNKS: usize = 2;

/// A mini-batch trainer that spreads each step over threads, data-parallel, and gives
/// the same bits whatever the number of threads.
///
/// A step cuts the batch into at most `chunks` chunks of consecutive samples whose
/// boundaries depend only on the batch's length n, the chunk count K and the block
/// size `B` (see [`chunk_ranges`](Self::chunk_ranges)): every chunk but the last holds
/// `B · ⌈⌈n / B⌉ / K⌉` samples. Each chunk's gradient and loss are summed in sample
/// order into a buffer of its own (as [`Trainer`](crate::train::Trainer) sums a whole
/// batch), the threads taking consecutive chunks; then the chunk sums are added in
/// chunk order, each entry as ((g₀ + g₁) + g₂) + …, and the rest of the step is
/// [`Trainer::step`](crate::train::Trainer::step)'s own code: the mean over the n
/// samples, the checks, clipping, the optimizer. So the result depends on the batch,
/// the chunk count and `B`, never on the thread count; with one chunk (`chunks(1)`, or
/// a batch of at most `B` samples) it is bit for bit `Trainer::step`'s.
///
/// ```
/// use typenet::{network, Network, loss::MeanSquaredError, optim::Sgd};
/// use typenet::train::ParallelTrainer;
/// use typenet::generic_array::GenericArray;
///
/// type Net = network!(f64; 2 -> 8 Tanh -> 1 Identity);
/// let data: Vec<_> = (0..40)
///     .map(|k| {
///         let (a, b) = ((k % 7) as f64 / 7.0, (k % 5) as f64 / 5.0);
///         (GenericArray::from_array([a, b]), GenericArray::from_array([a * b]))
///     })
///     .collect();
/// let start = Net::from_params(&[0.1; Net::PARAMS]).unwrap();
/// let mut nets = [start.clone(), start.clone(), start];
/// for (net, threads) in nets.iter_mut().zip([1, 2, 3]) {
///     let mut trainer = ParallelTrainer::new(Sgd::new(0.1)).with_threads(threads);
///     for _ in 0..10 {
///         trainer.step(net, &MeanSquaredError, &data).unwrap();
///     }
/// }
/// assert!(nets[0].params().eq(nets[1].params()) && nets[0].params().eq(nets[2].params()));
/// ```
///
/// # Memory and threads
/// The buffers live on the heap, built zeroed there ([`BoxedNetwork`]): one gradient
/// per chunk and one set of training records per thread, made by the first step that
/// needs them and reused by every later step. The network is shared by the threads,
/// never copied. The first step run on more than one thread (the first step that could
/// runs alone, see below) starts a pool of `min(threads, chunks) − 1` threads (rayon),
/// which every later step reuses: the step hands each its chunks and works on the first
/// share itself, and returns when all are done. Waiting costs CPU time, not latency: the calling thread
/// spins (up to 1 ms) while the pool's threads finish their chunks, and after a step
/// the pool's threads spin (up to 1 ms) for the next one before they sleep, since being
/// put to sleep and woken cost 40–50 µs per thread and step on a 2-vCPU virtual
/// machine (`BENCHMARKS.md`, round six). After [`with_threads`](Self::with_threads) or
/// [`with_chunks`](Self::with_chunks) change that number, the next step starts a new
/// pool; dropping the trainer tells its threads to end. If the system refuses the
/// threads, the calling thread does every chunk itself (and the next step on threads asks
/// again).
///
/// On a busy machine the threads can cost more than they bring: each share is fixed when
/// the step starts and the step waits for all of them, so a thread that the system sets
/// aside (another busy process on its core) holds up every step. Of the steps that could
/// use the threads, the trainer therefore runs one in 64 on the calling thread alone, for
/// its time per sample, and after a step on the threads that took more than a quarter
/// longer per sample runs the next 16 on the calling thread (twice as many if it happens
/// again, up to 1 024; a step on the threads that is not slow halves the next run); the
/// bits are the same either way. On the 2-vCPU machine of `BENCHMARKS.md` (round ten),
/// with another CPU-bound process running, this took the benchmark's W3 (784-128-64-10)
/// training on 2 threads from 9–11 times the time of one thread (`Trainer`) to about 1.2
/// times; on an idle machine the probes cost about 1 %. Where other work is expected,
/// [`with_threads`](Self::with_threads)`(1)` runs no probes.
pub struct ParallelTrainer<T: Scalar, N: Network<T>, O: Optimizer<T, N>, const B: usize = 4> {
    /// The optimizer, with its state.
    pub optimizer: O,
    clip_norm: Option<T>,
    threads: usize,
    chunks: usize,
    parts: Vec<Part<T, N>>,
    workers: Vec<Box<Accumulator<T, N, B>>>,
    /// The threads besides the calling one, started by the first step that needs them.
    pool: Option<rayon::ThreadPool>,
    /// Steps started so far; the pool's threads spin between steps until it moves
    /// (see [`SPIN`]).
    steps: Arc<AtomicU64>,
    /// Steps run on the calling thread alone after the pool's threads fell behind.
    backoff: Backoff,
}

/// How long the pool's threads and the calling thread wait for each other by spinning
/// before they block. Blocking and being woken cost 40–50 µs each on the 2-vCPU
/// machine of `BENCHMARKS.md` (round six), a fifth of a W3 step: after a step the pool
/// threads spin until the next step hands them work (or this long), and the calling
/// thread spins until they have finished their chunks (or this long).
const SPIN: Duration = Duration::from_millis(1);

/// Spins until `done()` or [`SPIN`] has passed.
fn spin_until(done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() && start.elapsed() < SPIN {
        for _ in 0..64 {
            core::hint::spin_loop();
        }
    }
}

/// One chunk's gradient sum and the outcome of its pass (`None`: not run).
struct Part<T, N> {
    grads: Box<N>,
    outcome: Option<Result<T, TrainError>>,
}

impl<T: Scalar, N: Network<T>, O: Optimizer<T, N>, const B: usize> fmt::Debug
    for ParallelTrainer<T, N, O, B>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParallelTrainer")
            .field("threads", &self.threads)
            .field("chunks", &self.chunks)
            .field("block", &B)
            .field("clip_norm", &self.clip_norm)
            .finish_non_exhaustive()
    }
}

impl<T, N, O> ParallelTrainer<T, N, O>
where
    T: Scalar + Send + Sync,
    N: ParallelNetwork<T, 4>,
    O: Optimizer<T, N>,
{
    /// A trainer around `optimizer`, without clipping, working in blocks of 4 samples,
    /// cutting each batch into [`DEFAULT_CHUNKS`] chunks, on as many threads as
    /// [`std::thread::available_parallelism`] reports (1 if it cannot tell).
    pub fn new(optimizer: O) -> Self {
        Self::with_block_size(optimizer)
    }
}

impl<T, N, O, const B: usize> ParallelTrainer<T, N, O, B>
where
    T: Scalar + Send + Sync,
    N: ParallelNetwork<T, B>,
    O: Optimizer<T, N>,
{
    /// As [`new`](Self::new), working in blocks of `B` samples (at least 1; a block
    /// of 0 samples does not compile).
    pub fn with_block_size(optimizer: O) -> Self {
        const {
            assert!(
                B > 0,
                "a ParallelTrainer's block size B must be at least 1: a block of 0 samples can never take a sample"
            )
        };
        ParallelTrainer {
            optimizer,
            clip_norm: None,
            threads: available_threads(),
            chunks: DEFAULT_CHUNKS,
            parts: Vec::new(),
            workers: Vec::new(),
            pool: None,
            steps: Arc::new(AtomicU64::new(0)),
            backoff: Backoff::default(),
        }
    }

    /// Works on `threads` threads, the calling one included; 0 means as many as
    /// [`std::thread::available_parallelism`] reports. No step uses more threads than
    /// it has chunks ([`with_chunks`](Self::with_chunks)). The thread count changes the
    /// speed, never the result.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = if threads == 0 {
            available_threads()
        } else {
            threads
        };
        self
    }

    /// Cuts each batch into at most `chunks` chunks (0 counts as 1; the default is
    /// [`DEFAULT_CHUNKS`]): the most threads a step can use. The result depends on it
    /// (through the order of the sums), and each chunk costs a gradient buffer and
    /// the memory traffic of filling and adding it.
    pub fn with_chunks(mut self, chunks: usize) -> Self {
        self.chunks = chunks.max(1);
        self
    }

    /// Clips the averaged gradient to global norm `max_norm` before each update.
    ///
    /// # Panics
    /// If `max_norm` is negative or NaN;
    /// [`try_with_clip_norm`](Self::try_with_clip_norm) returns the error instead.
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

    /// The clip norm, if any.
    pub fn clip_norm(&self) -> Option<T> {
        self.clip_norm
    }

    /// The number of threads a step may use.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The number of chunks a batch is cut into at most.
    pub fn chunks(&self) -> usize {
        self.chunks
    }

    /// The averaged (and clipped) gradient of the last step that reached the update,
    /// or `None` before the first step.
    pub fn grads(&self) -> Option<&N> {
        self.parts.first().map(|p| &*p.grads)
    }

    /// The samples of each chunk of a batch of `len` samples, in order: consecutive
    /// ranges of `B · ⌈⌈len / B⌉ / chunks⌉` samples, the last one shorter if need be,
    /// no empty range (none at all for `len` = 0).
    ///
    /// ```
    /// use typenet::{network, optim::Sgd, train::ParallelTrainer};
    /// type Net = network!(f32; 2 -> 1 Identity);
    /// let trainer = ParallelTrainer::<f32, Net, Sgd<f32, Net>>::new(Sgd::new(0.1));
    /// let ranges: Vec<_> = trainer.chunk_ranges(30).collect();
    /// assert_eq!(ranges, [0..16, 16..30]);
    /// let ranges: Vec<_> = trainer.with_chunks(4).chunk_ranges(30).collect();
    /// assert_eq!(ranges, [0..8, 8..16, 16..24, 24..30]);
    /// ```
    pub fn chunk_ranges(&self, len: usize) -> impl Iterator<Item = Range<usize>> + use<T, N, O, B> {
        let size = chunk_size(len, B, self.chunks);
        (0..self.chunks)
            .map(move |k| chunk_range(k, size, len))
            .filter(|r| !r.is_empty())
    }

    /// One step on a mini-batch of [`Sample`]s (`&data`, `data.iter()`, any iterator
    /// that can be cloned and sent to another thread): the loss and gradient sums of
    /// each chunk on the threads, their sum in chunk order, then the mean, the checks,
    /// clipping and the optimizer as in
    /// [`Trainer::step`](crate::train::Trainer::step). Returns the batch's mean loss.
    ///
    /// The batch is walked once to count it, then each chunk's thread walks it to its
    /// chunk (a clone of the iterator, `skip`, `take`).
    ///
    /// # Errors
    /// As [`Trainer::step`](crate::train::Trainer::step), and nothing is changed in
    /// `net` or in the optimizer: [`TrainError::HyperParameter`],
    /// [`TrainError::EmptyBatch`], [`TrainError::Target`]
    /// (the first bad target in sample order), [`TrainError::NonFiniteLoss`],
    /// [`TrainError::NonFiniteGradient`] (also when a chunk's sum, or a sum of chunks
    /// on the way, overflowed), [`TrainError::NonFiniteUpdate`].
    pub fn step<L, I>(&mut self, net: &mut N, loss: &L, batch: I) -> Result<T, TrainError>
    where
        I: IntoIterator,
        I::IntoIter: Clone + Send,
        I::Item: Sample<T, N::Input>,
        L: Loss<T, N, <I::Item as Sample<T, N::Input>>::Target> + Sync,
    {
        loss.check()?;
        let samples = batch.into_iter();
        let len = samples.clone().count();
        if len == 0 {
            return Err(TrainError::EmptyBatch);
        }
        let size = chunk_size(len, B, self.chunks);
        let used = len.div_ceil(size);
        let threads = self.threads.clamp(1, used);
        // Steps that could use the threads are the backoff's to judge (`train::backoff`).
        let judged = threads > 1;
        let solo = judged && self.backoff.solo_step();
        let threads = if solo { 1 } else { threads };
        let start = judged.then(Instant::now);
        self.reserve(used, threads);
        let parts = &mut self.parts[..used];
        for part in parts.iter_mut() {
            part.outcome = None;
        }
        let range = move |k: usize| chunk_range(k, size, len);
        // Sized for the most threads a step can use, not this batch's, so that the
        // short last batch of an epoch does not start a new pool.
        let pool_threads = self.threads.clamp(1, self.chunks.max(1)) - 1;
        if threads > 1 && self.pool.as_ref().map(|p| p.current_num_threads()) != Some(pool_threads)
        {
            // A pool the system refuses leaves `None`: the calling thread then runs
            // every chunk below.
            self.pool = rayon::ThreadPoolBuilder::new()
                .num_threads(pool_threads)
                .thread_name(|t| std::format!("typenet-train-{t}"))
                .build()
                .ok();
        }
        {
            let net: &N = net;
            let (first_worker, other_workers) = self.workers[..threads]
                .split_first_mut()
                .ok_or(TrainError::EmptyBatch)?;
            match &self.pool {
                Some(pool) if threads > 1 => {
                    let finished = AtomicUsize::new(0);
                    let finished = &finished;
                    pool.in_place_scope(|scope| {
                        // Thread t takes chunks used·t/threads .. used·(t+1)/threads; the
                        // calling thread takes the first share, after handing out the
                        // others.
                        let share = |t: usize| used * t / threads;
                        let (mine, mut rest) = parts.split_at_mut(share(1));
                        for (t, worker) in (1..threads).zip(other_workers.iter_mut()) {
                            let (theirs, tail) = rest.split_at_mut(share(t + 1) - share(t));
                            rest = tail;
                            let samples = samples.clone();
                            let first = share(t);
                            scope.spawn(move |_| {
                                run_chunks(worker, net, loss, &samples, theirs, first, range);
                                finished.fetch_add(1, Ordering::Release);
                            });
                        }
                        // The pool's threads spinning since the last step take them now.
                        self.steps.fetch_add(1, Ordering::Release);
                        run_chunks(first_worker, net, loss, &samples, mine, 0, range);
                        spin_until(|| finished.load(Ordering::Acquire) == threads - 1);
                    });
                    // Keep the pool's threads spinning until the next step (or SPIN).
                    for _ in 0..pool.current_num_threads() {
                        let steps = Arc::clone(&self.steps);
                        let now = steps.load(Ordering::Acquire);
                        pool.spawn(move || spin_until(|| steps.load(Ordering::Acquire) != now));
                    }
                }
                // One thread, or no pool: every chunk on the calling thread.
                _ => run_chunks(first_worker, net, loss, &samples, parts, 0, range),
            }
            for (k, part) in parts.iter_mut().enumerate() {
                match part.outcome {
                    Some(Err(e)) => return Err(e),
                    Some(Ok(_)) => {}
                    // Not reached: a chunk is unrun only after an earlier chunk's error,
                    // returned above. Kept so that no chunk can go unsummed.
                    None => {
                        let r = range(k);
                        let chunk = samples.clone().skip(r.start).take(r.len());
                        let outcome = first_worker.sum(net, loss, chunk, &mut part.grads);
                        part.outcome = Some(outcome.map(|(total, _)| total));
                        if let Some(Err(e)) = part.outcome {
                            return Err(e);
                        }
                    }
                }
            }
        }
        // Every chunk ran to its end: the step's time per sample is a fair measure.
        if let Some(start) = start {
            self.backoff.record(solo, start.elapsed(), len);
        }
        // The loss and the gradient summed over the chunks, in chunk order.
        let (first, others) = parts.split_first_mut().ok_or(TrainError::EmptyBatch)?;
        let mut sums = BatchSums::of(first.loss(), len);
        for part in others.iter() {
            sums.loss_overflowed |= sums.loss.overflowed() | part.loss().overflowed();
            sums.loss += part.loss();
        }
        sums.grads_overflowed = !add_parts::<T, N>(&mut first.grads, others);
        apply_mean(
            net,
            &mut self.optimizer,
            &mut first.grads,
            sums,
            self.clip_norm,
        )
    }

    /// Makes sure there are `parts` chunk buffers and `workers` sets of records.
    fn reserve(&mut self, parts: usize, workers: usize) {
        while self.parts.len() < parts {
            self.parts.push(Part {
                grads: N::new_boxed_zeroed(),
                outcome: None,
            });
        }
        while self.workers.len() < workers {
            self.workers.push(Box::new(Accumulator::new()));
        }
    }
}

impl<T: Scalar, N> Part<T, N> {
    /// The chunk's loss sum (zero if it did not run).
    fn loss(&self) -> T {
        match self.outcome {
            Some(Ok(total)) => total,
            _ => T::zero(),
        }
    }
}

/// Runs the chunks `first..first + parts.len()` of `samples` with `worker`'s records,
/// each into its own part, in order; stops at the first error (the later parts stay
/// unrun, and the error, earlier in sample order, is the one reported).
fn run_chunks<T, N, L, I, const B: usize>(
    worker: &mut Accumulator<T, N, B>,
    net: &N,
    loss: &L,
    samples: &I,
    parts: &mut [Part<T, N>],
    first: usize,
    range: impl Fn(usize) -> Range<usize>,
) where
    T: Scalar,
    N: Network<T>,
    I: Iterator + Clone,
    I::Item: Sample<T, N::Input>,
    L: Loss<T, N, <I::Item as Sample<T, N::Input>>::Target>,
{
    for (k, part) in (first..).zip(parts) {
        let r = range(k);
        let chunk = samples.clone().skip(r.start).take(r.len());
        let outcome = worker.sum(net, loss, chunk, &mut part.grads);
        let failed = outcome.is_err();
        part.outcome = Some(outcome.map(|(total, _)| total));
        if failed {
            return;
        }
    }
}

/// Entries added per part while they stay in the first-level cache.
const TILE: usize = 1024;

/// `sum += part` for each part in order, entry by entry (((g₀ + g₁) + g₂) + …), a tile
/// of [`TILE`] entries at a time so that the partial sums stay in the fastest cache and
/// each buffer is read once; `false` if an entry of a part or a partial sum had
/// overflowed ([`Scalar::overflowed`]) before an addition.
fn add_parts<T: Scalar, N: Network<T>>(sum: &mut N, parts: &[Part<T, N>]) -> bool {
    if parts.is_empty() {
        return true;
    }
    // Element-wise: the same bits at any vector width.
    wide(
        N::PARAMS,
        #[inline(always)]
        || {
            let mut ok = true;
            for (r, run) in sum.param_slices_mut().enumerate() {
                for (t, tile) in run.chunks_mut(TILE).enumerate() {
                    for part in parts {
                        let theirs = part.grads.param_slices().nth(r).unwrap_or(&[]);
                        let theirs = theirs.get(t * TILE..).unwrap_or(&[]);
                        for (s, &p) in tile.iter_mut().zip(theirs) {
                            ok &= !s.overflowed() & !p.overflowed();
                            *s += p;
                        }
                    }
                }
            }
            ok
        },
    )
}

/// The samples of every chunk but the last, for a batch of `len` in blocks of `block`
/// cut into at most `chunks` chunks: whole blocks, as evenly as they go (at least 1).
fn chunk_size(len: usize, block: usize, chunks: usize) -> usize {
    let blocks = len.div_ceil(block.max(1));
    blocks.div_ceil(chunks.max(1)).saturating_mul(block).max(1)
}

/// The samples of chunk `k` of a batch of `len` cut into chunks of `size`.
fn chunk_range(k: usize, size: usize, len: usize) -> Range<usize> {
    k.saturating_mul(size).min(len)..k.saturating_add(1).saturating_mul(size).min(len)
}

/// What [`std::thread::available_parallelism`] reports, 1 if it cannot tell.
fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::arr::Arr;
    use crate::train::loss::MeanSquaredError;
    use crate::train::optim::Sgd;
    use typenum::{U2, U3};

    /// Steps on the calling thread alone (probes, or after slow steps on the threads),
    /// between steps on two threads, give the bits of the same chunks on one thread; the
    /// backoff decides which path a step takes.
    #[test]
    fn solo_steps_give_the_same_bits() {
        type Net = crate::network!(f64; 3 -> 5 Tanh -> 2 Identity);
        let params: Vec<f64> = (0..Net::PARAMS)
            .map(|k| ((k * 7 % 11) as f64 - 5.0) / 9.0)
            .collect();
        // 24 samples in blocks of 4 cut into 3 chunks of 8: the calling thread takes
        // chunk 0, the pool's thread chunks 1 and 2.
        let data: Vec<(Arr<f64, U3>, Arr<f64, U2>)> = (0..24)
            .map(|i| {
                let v = |j: usize| (((i * 5 + j * 3) % 7) as f64 - 3.0) / 4.0;
                ([v(0), v(1), v(2)].into(), [v(3), v(4)].into())
            })
            .collect();
        let batch = || data.iter().map(|(x, t)| (x, t));
        let (mut a, mut b) = (
            Net::from_params(&params).unwrap(),
            Net::from_params(&params).unwrap(),
        );
        // The reference: the same chunks, on one thread.
        let mut one = ParallelTrainer::<f64, Net, _>::new(Sgd::new(0.1).with_momentum(0.9))
            .with_threads(1)
            .with_chunks(3);
        let mut two = ParallelTrainer::<f64, Net, _>::new(Sgd::new(0.1).with_momentum(0.9))
            .with_threads(2)
            .with_chunks(3);
        let bits = |n: &Net| n.params().map(|p| p.to_bits()).collect::<Vec<_>>();
        for step in 0..8 {
            // Step 0 is the first probe; steps 2, 3 and 6 are made solo (which also
            // overrides a run the timing of step 5, the only judged one, could start).
            if step == 2 {
                two.backoff.force_solo(2);
            }
            if step == 6 {
                two.backoff.force_solo(1);
            }
            let want = one.step(&mut a, &MeanSquaredError, batch()).unwrap();
            let got = two.step(&mut b, &MeanSquaredError, batch()).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "loss, step {step}");
            assert_eq!(bits(&b), bits(&a), "parameters, step {step}");
            let on_threads = matches!(step, 1 | 4 | 5 | 7);
            assert_eq!(
                two.backoff.last_on_threads(),
                on_threads,
                "path, step {step}"
            );
            assert_eq!(two.pool.is_some(), step >= 1, "pool, step {step}");
        }
    }
}
