//! `ParallelTrainer`: the same bits whatever the number of threads, equal to a
//! sequential reference written here from the public API, and the error contract of
//! `Trainer::step` (a refused step changes nothing).
//!
//! The reference (`reference_step`) cuts the batch with the documented rule (chunks of
//! `B · ⌈⌈n / B⌉ / K⌉` samples), sums each chunk's gradient with `forward_trace` and
//! `backward` / `backward_from_xi` one sample at a time, adds the chunk sums in chunk
//! order, divides by n, clips, and calls the optimizer.

use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::loss::{Loss, MeanSquaredError, Seed, SoftmaxCrossEntropy};
use typenet::optim::{Adam, Optimizer, Sgd, clip_global_norm};
use typenet::train::{ParallelTrainer, Sample, Trainer};
use typenet::{Arr, Network, Scalar, Trace, TrainError, network};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

/// Regression, three layers, f64.
type Reg = network!(f64; 3 -> 5 Tanh -> 4 Sigmoid -> 2 Identity);
/// Classification, f32, wide enough for the vector paths of the kernels.
type Cls = network!(f32; 20 -> 24 ReLU -> 16 Tanh -> 5 Softmax);
/// An input of `Cls`.
type ClsInput = Arr<f32, <Cls as Network<f32>>::Input>;
/// One linear layer in Q16.16.
type Lin = network!(Q16; 1 -> 1 Identity);

/// Deterministic values in about ±`scale`.
fn values(seed: u64, n: usize, scale: f64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * scale
        })
        .collect()
}

fn net<T: Scalar, N: Network<T>>(seed: u64) -> N {
    let p: Vec<T> = values(seed, N::PARAMS, 0.6)
        .into_iter()
        .map(T::from_f64)
        .collect();
    N::from_params(&p).unwrap()
}

fn reg_data(
    n: usize,
    seed: u64,
) -> Vec<(
    Arr<f64, typenet::typenum::U3>,
    Arr<f64, typenet::typenum::U2>,
)> {
    let v = values(seed, 5 * n, 1.0);
    v.chunks_exact(5)
        .map(|s| {
            (
                *GenericArray::from_slice(&s[..3]),
                *GenericArray::from_slice(&s[3..]),
            )
        })
        .collect()
}

fn cls_data(n: usize, seed: u64) -> Vec<(ClsInput, usize)> {
    let v = values(seed, 21 * n, 1.0);
    v.chunks_exact(21)
        .map(|s| {
            let x: Vec<f32> = s[..20].iter().map(|&a| a as f32).collect();
            let class = ((s[20] + 1.0) * 2.5) as usize % 5;
            (*GenericArray::from_slice(&x), class)
        })
        .collect()
}

fn bits<T: Scalar, N: Network<T>>(net: &N) -> Vec<u64> {
    net.params().map(|p| p.to_f64().to_bits()).collect()
}

/// The chunks of a batch of `n` in blocks of `b` cut into at most `k` chunks, by the
/// rule `ParallelTrainer` documents.
fn chunks(n: usize, b: usize, k: usize) -> Vec<std::ops::Range<usize>> {
    let size = n.div_ceil(b).div_ceil(k) * b;
    (0..k)
        .map(|c| (c * size).min(n)..((c + 1) * size).min(n))
        .filter(|r| !r.is_empty())
        .collect()
}

/// The step `ParallelTrainer` documents, sequentially, from the public API. Returns the
/// mean loss; `net` and `opt` are updated.
fn reference_step<T, N, L, S, O>(
    net: &mut N,
    opt: &mut O,
    loss: &L,
    batch: &[S],
    b: usize,
    k: usize,
    clip: Option<T>,
) -> T
where
    T: Scalar,
    N: Network<T>,
    O: Optimizer<T, N>,
    S: Sample<T, N::Input>,
    L: Loss<T, N, S::Target>,
{
    let mut trace = Trace::<T, N>::new();
    let mut seed = Arr::<T, N::Output>::default();
    let mut sum: Option<(N, T)> = None;
    for range in chunks(batch.len(), b, k) {
        let mut g = N::zeroed();
        let mut e = T::zero();
        for sample in &batch[range] {
            net.forward_trace(sample.input(), &mut trace);
            e += loss
                .loss_and_seed(trace.output_z(), trace.output(), sample.target(), &mut seed)
                .unwrap();
            match L::SEED {
                Seed::GradOutput => net.backward(&mut trace, &seed, &mut g),
                Seed::Xi => net.backward_from_xi(&mut trace, &seed, &mut g),
            };
        }
        sum = Some(match sum {
            None => (g, e),
            Some((mut total, loss_total)) => {
                for (t, x) in total.params_mut().zip(g.params()) {
                    *t += *x;
                }
                (total, loss_total + e)
            }
        });
    }
    let (mut g, e) = sum.unwrap();
    let n = T::from_f64(batch.len() as f64);
    for x in g.params_mut() {
        *x *= T::one() / n;
    }
    if let Some(c) = clip {
        clip_global_norm(&mut g, c);
    }
    opt.step(net, &g).unwrap();
    e * (T::one() / n)
}

/// Several steps on `batches` with 1, 2 and 3 threads (and the reference): the same
/// parameters, optimizer state, gradient and losses, bit for bit.
macro_rules! same_bits_for_every_thread_count {
    ($t:ty, $n:ty, $b:literal, $chunks:expr, $make_opt:expr, $loss:expr, $clip:expr, $batches:expr, $state:expr) => {{
        let batches = $batches;
        let start: $n = net::<$t, $n>(7);
        // the reference
        let mut ref_net = start.clone();
        let mut ref_opt = $make_opt;
        let mut ref_losses = Vec::new();
        for batch in &batches {
            ref_losses.push(
                reference_step(
                    &mut ref_net,
                    &mut ref_opt,
                    &$loss,
                    batch,
                    $b,
                    $chunks,
                    $clip,
                )
                .to_f64()
                .to_bits(),
            );
        }
        for threads in [1, 2, 3] {
            let mut net = start.clone();
            let mut trainer = ParallelTrainer::<$t, $n, _, $b>::with_block_size($make_opt)
                .with_threads(threads)
                .with_chunks($chunks);
            if let Some(c) = $clip {
                trainer = trainer.with_clip_norm(c);
            }
            let mut losses = Vec::new();
            for batch in &batches {
                losses.push(
                    trainer
                        .step(&mut net, &$loss, batch)
                        .unwrap()
                        .to_f64()
                        .to_bits(),
                );
            }
            assert_eq!(losses, ref_losses, "losses, {threads} threads");
            assert_eq!(bits(&net), bits(&ref_net), "parameters, {threads} threads");
            let state = $state;
            assert_eq!(
                state(&trainer.optimizer),
                state(&ref_opt),
                "optimizer state, {threads} threads"
            );
        }
    }};
}

fn adam_state<T: Scalar, N: Network<T>>(opt: &Adam<T, N>) -> (Vec<u64>, Vec<u64>, u64) {
    (
        bits(opt.first_moment()),
        bits(opt.second_moment()),
        opt.steps(),
    )
}

fn sgd_state<T: Scalar, N: Network<T>>(opt: &Sgd<T, N>) -> Vec<u64> {
    bits(opt.velocity())
}

#[test]
fn regression_batches_not_divisible_by_the_chunk_size() {
    // n = 30, B = 4, K = 4: chunks of 8, 8, 8, 6; then 13 (4, 4, 4, 1), 5 (4, 1), 1
    same_bits_for_every_thread_count!(
        f64,
        Reg,
        4,
        4,
        Adam::new(0.01),
        MeanSquaredError,
        None::<f64>,
        [30, 13, 5, 1, 30, 30]
            .iter()
            .enumerate()
            .map(|(i, &n)| reg_data(n, i as u64 + 1))
            .collect::<Vec<_>>(),
        adam_state
    );
}

#[test]
fn classification_with_momentum_clipping_and_blocks_of_8() {
    // n = 37 in blocks of 8 cut into 3: chunks of 16, 16, 5.
    same_bits_for_every_thread_count!(
        f32,
        Cls,
        8,
        3,
        Sgd::new(0.1).with_momentum(0.9),
        SoftmaxCrossEntropy,
        Some(0.5f32),
        (0..5).map(|i| cls_data(37, 100 + i)).collect::<Vec<_>>(),
        sgd_state
    );
}

#[test]
fn batches_smaller_than_the_thread_count() {
    // 2 samples (one chunk), 1 sample; blocks of 1 so each sample is its own chunk.
    same_bits_for_every_thread_count!(
        f64,
        Reg,
        1,
        4,
        Adam::new(0.05),
        MeanSquaredError,
        None::<f64>,
        vec![
            reg_data(2, 11),
            reg_data(1, 12),
            reg_data(2, 13),
            reg_data(3, 14)
        ],
        adam_state
    );
    same_bits_for_every_thread_count!(
        f32,
        Cls,
        4,
        8,
        Sgd::new(0.05),
        SoftmaxCrossEntropy,
        None::<f32>,
        vec![cls_data(2, 21), cls_data(1, 22), cls_data(3, 23)],
        sgd_state
    );
}

#[test]
fn many_chunks_and_threads() {
    // K = 7 chunks of one block of 4 (n = 27), on 1, 2 and 3 threads.
    same_bits_for_every_thread_count!(
        f32,
        Cls,
        4,
        7,
        Adam::new(0.01),
        SoftmaxCrossEntropy,
        None::<f32>,
        (0..4).map(|i| cls_data(27, 30 + i)).collect::<Vec<_>>(),
        adam_state
    );
}

/// The documented chunk boundaries, and `chunk_ranges` giving them.
#[test]
fn chunk_ranges_follow_the_documented_rule() {
    for (b, k) in [(1, 1), (1, 3), (4, 4), (4, 3), (8, 2), (3, 5)] {
        for n in 0..70 {
            let ranges = match (b, k) {
                (1, _) => {
                    ParallelTrainer::<f64, Reg, Sgd<f64, Reg>, 1>::with_block_size(Sgd::new(0.1))
                        .with_chunks(k)
                        .chunk_ranges(n)
                        .collect::<Vec<_>>()
                }
                (3, _) => {
                    ParallelTrainer::<f64, Reg, Sgd<f64, Reg>, 3>::with_block_size(Sgd::new(0.1))
                        .with_chunks(k)
                        .chunk_ranges(n)
                        .collect()
                }
                (4, _) => {
                    ParallelTrainer::<f64, Reg, Sgd<f64, Reg>, 4>::with_block_size(Sgd::new(0.1))
                        .with_chunks(k)
                        .chunk_ranges(n)
                        .collect()
                }
                _ => ParallelTrainer::<f64, Reg, Sgd<f64, Reg>, 8>::with_block_size(Sgd::new(0.1))
                    .with_chunks(k)
                    .chunk_ranges(n)
                    .collect(),
            };
            assert_eq!(ranges, chunks(n, b, k), "n = {n}, B = {b}, K = {k}");
            // consecutive, covering the batch, at most K
            assert!(ranges.len() <= k);
            assert_eq!(ranges.first().map_or(0, |r| r.start), 0);
            assert_eq!(ranges.last().map_or(0, |r| r.end), n);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        }
    }
}

/// With one chunk the step is `Trainer::step`'s, bit for bit.
#[test]
fn one_chunk_is_the_sequential_trainer() {
    let start: Cls = net::<f32, Cls>(3);
    let (mut a, mut b) = (start.clone(), start);
    let mut seq = Trainer::new(Adam::new(0.01));
    let mut par = ParallelTrainer::new(Adam::new(0.01))
        .with_chunks(1)
        .with_threads(3);
    for i in 0..4 {
        let batch = cls_data(19, 40 + i);
        let la = seq.step(&mut a, &SoftmaxCrossEntropy, &batch).unwrap();
        let lb = par.step(&mut b, &SoftmaxCrossEntropy, &batch).unwrap();
        assert_eq!(la.to_bits(), lb.to_bits());
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(bits(seq.grads()), bits(par.grads().unwrap()));
    }
}

/// Any iterator of samples that can be cloned and sent: references, pairs of
/// references, owned pairs, all give the same step.
#[test]
fn every_form_of_batch_gives_the_same_step() {
    let data = reg_data(21, 50);
    let start: Reg = net::<f64, Reg>(5);
    type Step<'a> = &'a dyn Fn(&mut ParallelTrainer<f64, Reg, Sgd<f64, Reg>>, &mut Reg) -> f64;
    let run = |step: Step| {
        let mut n = start.clone();
        let mut t = ParallelTrainer::new(Sgd::new(0.1)).with_threads(2);
        let loss = step(&mut t, &mut n);
        (loss.to_bits(), bits(&n))
    };
    let want = run(&|t, n| t.step(n, &MeanSquaredError, &data).unwrap());
    let by_iter = run(&|t, n| t.step(n, &MeanSquaredError, data.iter()).unwrap());
    let by_pairs = run(&|t, n| {
        t.step(n, &MeanSquaredError, data.iter().map(|(x, y)| (x, y)))
            .unwrap()
    });
    let owned = run(&|t, n| t.step(n, &MeanSquaredError, data.clone()).unwrap());
    assert_eq!(by_iter, want);
    assert_eq!(by_pairs, want);
    assert_eq!(owned, want);
}

/// The parameters and Adam state of a network and its trainer.
fn snapshot(
    net: &Reg,
    t: &ParallelTrainer<f64, Reg, Adam<f64, Reg>>,
) -> (Vec<u64>, (Vec<u64>, Vec<u64>, u64)) {
    (bits(net), adam_state(&t.optimizer))
}

/// A refused step changes nothing: the error is the one `Trainer::step` gives on the
/// same batch, the network and the optimizer are bitwise unchanged, and the next good
/// step gives what it gives on a trainer that never saw the bad batch.
#[test]
fn a_refused_step_changes_nothing() {
    let good = reg_data(30, 60);
    let mut nan_late = reg_data(30, 61);
    nan_late[27].0[1] = f64::NAN; // in the last chunk
    let mut inf_early = reg_data(30, 62);
    inf_early[2].0[0] = f64::INFINITY; // in the first chunk
    let mut nan_target = reg_data(30, 63);
    nan_target[12].1[0] = f64::NAN;
    let huge = {
        let mut d = reg_data(30, 64);
        for (x, y) in &mut d {
            x[0] *= 1e200;
            y[0] = 1e200;
        }
        d
    };
    let bad_batches: Vec<(&str, Vec<_>)> = vec![
        ("NaN input in the last chunk", nan_late),
        ("infinite input in the first chunk", inf_early),
        ("NaN target", nan_target),
        ("values beyond the range", huge),
        ("empty batch", Vec::new()),
    ];
    for (what, bad) in &bad_batches {
        let start: Reg = net::<f64, Reg>(9);
        // what the sequential trainer says about this batch
        let mut seq_net = start.clone();
        let mut seq = Trainer::new(Adam::new(0.01));
        seq.step(&mut seq_net, &MeanSquaredError, &good).unwrap();
        let want = seq.step(&mut seq_net, &MeanSquaredError, bad).unwrap_err();
        for threads in [1, 2, 3] {
            let (mut net, mut clean_net) = (start.clone(), start.clone());
            let mut t = ParallelTrainer::new(Adam::new(0.01)).with_threads(threads);
            let mut clean = ParallelTrainer::new(Adam::new(0.01)).with_threads(threads);
            t.step(&mut net, &MeanSquaredError, &good).unwrap();
            clean
                .step(&mut clean_net, &MeanSquaredError, &good)
                .unwrap();
            let before = snapshot(&net, &t);
            let err = t.step(&mut net, &MeanSquaredError, bad).unwrap_err();
            assert_eq!(err, want, "{what}, {threads} threads");
            assert_eq!(snapshot(&net, &t), before, "{what}, {threads} threads");
            let l1 = t.step(&mut net, &MeanSquaredError, &good).unwrap();
            let l2 = clean
                .step(&mut clean_net, &MeanSquaredError, &good)
                .unwrap();
            assert_eq!(l1.to_bits(), l2.to_bits(), "{what}, {threads} threads");
            assert_eq!(snapshot(&net, &t), snapshot(&clean_net, &clean));
        }
    }
}

/// A class index out of range in the third chunk: `TrainError::Target`, nothing
/// changed; an infinite learning rate: `HyperParameter`, nothing changed; an update
/// that diverges: `NonFiniteUpdate`, nothing changed.
#[test]
fn bad_targets_and_diverging_updates_change_nothing() {
    let mut bad = cls_data(30, 70);
    bad[20].1 = 5;
    bad[29].1 = 9;
    for threads in [1, 2, 3] {
        let mut net: Cls = net::<f32, Cls>(1);
        let mut t = ParallelTrainer::new(Sgd::new(0.1).with_momentum(0.9)).with_threads(threads);
        t.step(&mut net, &SoftmaxCrossEntropy, cls_data(30, 71))
            .unwrap();
        let before = (bits(&net), sgd_state(&t.optimizer));
        let err = t.step(&mut net, &SoftmaxCrossEntropy, &bad).unwrap_err();
        assert_eq!(
            err,
            TrainError::Target(typenet::loss::TargetError::ClassOutOfRange {
                class: 5,
                classes: 5
            })
        );
        assert_eq!((bits(&net), sgd_state(&t.optimizer)), before);
        // An infinite rate is not a setting (refused before the update is computed);
        // the largest finite rate and weight decay make it diverge: η·(g + λ·w) is
        // infinite for every weight w with |λ·w| > 1/η.
        t.optimizer.learning_rate = f32::INFINITY;
        let err = t
            .step(&mut net, &SoftmaxCrossEntropy, cls_data(30, 72))
            .unwrap_err();
        assert!(matches!(err, TrainError::HyperParameter(_)), "{err:?}");
        assert_eq!((bits(&net), sgd_state(&t.optimizer)), before);
        t.optimizer.learning_rate = f32::MAX;
        t.optimizer.weight_decay = f32::MAX;
        let err = t
            .step(&mut net, &SoftmaxCrossEntropy, cls_data(30, 72))
            .unwrap_err();
        assert_eq!(err, TrainError::NonFiniteUpdate);
        assert_eq!((bits(&net), sgd_state(&t.optimizer)), before);
    }
}

/// In Q16.16 a chunk whose gradient sum saturated is refused even when the sum of the
/// chunks comes back into range (chunk 0 at the top of the range, chunk 1 at the
/// bottom): the saturated sum is not the true one.
#[test]
fn a_saturated_chunk_is_refused_in_q16() {
    // w = 0, b = 0, t = −1: a − t = 1 and ∂E/∂w = 2 (a − t) x = 2x, which saturates for
    // |x| = 30 000; the loss stays 1 per sample.
    let x = |v: f64| GenericArray::from_array([Q16::from_f64(v)]);
    let t = GenericArray::from_array([Q16::from_f64(-1.0)]);
    let batch: Vec<_> = (0..8)
        .map(|i| (x(if i < 4 { 30_000.0 } else { -30_000.0 }), t))
        .collect();
    for threads in [1, 2, 3] {
        let mut net = Lin::zeroed();
        let mut trainer = ParallelTrainer::new(Sgd::new(Q16::from_f64(0.01)))
            .with_threads(threads)
            .with_chunks(2);
        let err = trainer
            .step(&mut net, &MeanSquaredError, &batch)
            .unwrap_err();
        assert_eq!(err, TrainError::NonFiniteGradient);
        assert!(net.params().all(|p| *p == Q16::ZERO));
        // a good batch trains
        let good: Vec<_> = (0..8).map(|i| (x(f64::from(i) / 8.0), t)).collect();
        trainer.step(&mut net, &MeanSquaredError, &good).unwrap();
        assert!(net.params().any(|p| *p != Q16::ZERO));
    }
}

/// On one thread, a step after the first allocates nothing (the buffers are reused),
/// on success and on error.
#[test]
fn one_thread_allocates_nothing_after_the_first_step() {
    let data = cls_data(32, 80);
    let mut bad = data.clone();
    bad[9].0[3] = f32::NAN;
    let mut net: Cls = net::<f32, Cls>(2);
    let mut t = ParallelTrainer::new(Adam::new(0.01)).with_threads(1);
    t.step(&mut net, &SoftmaxCrossEntropy, &data).unwrap();
    let n = allocations_during(|| {
        t.step(&mut net, &SoftmaxCrossEntropy, &data).unwrap();
        t.step(&mut net, &SoftmaxCrossEntropy, &bad).unwrap_err();
        t.step(&mut net, &SoftmaxCrossEntropy, &data[..5]).unwrap();
    });
    assert_eq!(n, 0);
}

/// `Fit` runs a `ParallelTrainer` as it runs a `Trainer`: the same history and network
/// on 1, 2 and 3 threads, and with one chunk the sequential trainer's.
#[test]
fn fit_runs_the_parallel_trainer() {
    use typenet::fit::Fit;
    let data = cls_data(70, 90);
    let test = cls_data(20, 91);
    let start: Cls = net::<f32, Cls>(4);
    let fit = || {
        Fit::new(SoftmaxCrossEntropy)
            .epochs(3)
            .batch_size(16)
            .seed(5)
            .test(&test)
    };
    let history_bits = |h: &typenet::fit::History<f32>| -> Vec<(u32, u64)> {
        h.reports
            .iter()
            .map(|r| {
                (
                    r.train_loss.to_bits(),
                    r.test.unwrap().loss.to_f64().to_bits(),
                )
            })
            .collect()
    };
    let mut runs = Vec::new();
    for threads in [1, 2, 3] {
        let mut net = start.clone();
        let mut t = ParallelTrainer::new(Adam::new(0.01)).with_threads(threads);
        let h = fit().run(&mut net, &mut t, &data).unwrap();
        runs.push((history_bits(&h), bits(&net)));
    }
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);

    let mut a = start.clone();
    let mut seq = Trainer::new(Adam::new(0.01));
    let ha = fit().run(&mut a, &mut seq, &data).unwrap();
    let mut b = start;
    let mut one = ParallelTrainer::new(Adam::new(0.01)).with_chunks(1);
    let hb = fit().run(&mut b, &mut one, &data).unwrap();
    assert_eq!(history_bits(&ha), history_bits(&hb));
    assert_eq!(bits(&a), bits(&b));
}
