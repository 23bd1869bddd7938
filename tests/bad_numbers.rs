//! `Trainer::step` on bad numbers and bad batches, and with no heap.
//!
//! The documented contract (`Trainer::step`, `Optimizer`): when a step returns an error,
//! nothing is changed in the network or in the optimizer. Every test here
//!
//! 1. takes two good steps first, so that the optimizer state is not trivially zero;
//! 2. records the parameters and the optimizer state bitwise (Adam: `first_moment()`,
//!    `second_moment()`, `steps()`; SGD: `velocity()`; RMSprop: `mean_square()`) and
//!    clones the network and the trainer;
//! 3. runs the bad step and checks the error variant;
//! 4. checks parameters and state are bitwise unchanged;
//! 5. runs a good step on both the survivor and the clone and checks that they agree
//!    bitwise (parameters, state and returned loss): the failed step left no trace, not
//!    even in state the accessors do not show (Adam's β₁ᵗ, β₂ᵗ), and training goes on.
//!
//! Cases: a NaN or an infinity in an input, a NaN in a target, a poisoned sample in the
//! middle of a batch, an update that overflows (learning rate 1e300 on a large gradient;
//! a finite gradient whose square overflows Adam's and RMSprop's second moment), a
//! one-sample gradient that overflows (which the optimizers check themselves), an empty
//! batch, a class index out of range. `Fit::run` with a schedule that gives a
//! non-finite rate (refused before the optimizer sees it, the state as after the last
//! good epoch), a step refused at the start of an epoch (the rate given back), an
//! empty training set; `evaluate` on non-finite outputs and a NaN loss. Finally a counting global allocator (the pattern
//! of tests/no_alloc.rs; one per test binary) shows that `Trainer::step` with Adam on a
//! 3-layer network allocates nothing, on success or on error.

use typenet::fit::Fit;
use typenet::generic_array::GenericArray;
use typenet::loss::{BinaryCrossEntropy, Loss, MeanSquaredError, SoftmaxCrossEntropy, TargetError};
use typenet::optim::{Adam, Constant, Optimizer, RmsProp, Schedule, Sgd};
use typenet::train::{Trainer, evaluate};
use typenet::{Arr, Network, TrainError, network};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

// ---------------------------------------------------------------------------------------
// Networks, data and snapshots.

/// Regression, three layers.
type Reg = network!(f64; 3 -> 5 Tanh -> 4 Sigmoid -> 2 Identity);
/// A ReLU first layer: ReLU(NaN) is 0, so a NaN input may vanish from the forward pass
/// and the loss; it still reaches ∂E/∂W^1 = ξ^1 (a^0)ᵀ.
type RegRelu = network!(f64; 3 -> 4 ReLU -> 2 Identity);
/// Classification over three classes.
type Cls = network!(f64; 3 -> 5 Tanh -> 3 Softmax);
/// Binary classification, two sigmoid outputs.
type Bin = network!(f64; 3 -> 4 Tanh -> 2 Sigmoid);
/// One linear layer: nothing saturates, so a large input and a large error give a
/// gradient ∂E/∂W = 2(a − t) xᵀ / M as large as their product (a tanh layer would
/// saturate and flatten it).
type Lin = network!(f64; 3 -> 2 Identity);

fn net_from_formula<N: Network<f64>>() -> N {
    let p: Vec<f64> = (0..N::PARAMS)
        .map(|k| ((k * 7 % 11) as f64 - 5.0) / 8.0)
        .collect();
    N::from_params(&p).unwrap()
}

type X = Arr<f64, typenet::typenum::U3>;
type Y2 = Arr<f64, typenet::typenum::U2>;

fn x(v: [f64; 3]) -> X {
    GenericArray::from_array(v)
}
fn y2(v: [f64; 2]) -> Y2 {
    GenericArray::from_array(v)
}

/// Four well-behaved regression samples.
fn reg_data() -> Vec<(X, Y2)> {
    vec![
        (x([0.5, -1.0, 0.25]), y2([1.0, -0.5])),
        (x([-0.3, 0.8, 1.1]), y2([0.2, 0.4])),
        (x([1.2, 0.1, -0.7]), y2([-1.0, 0.3])),
        (x([0.0, -0.4, 0.9]), y2([0.5, 0.0])),
    ]
}

/// Four well-behaved classification samples.
fn cls_data() -> Vec<(X, usize)> {
    vec![
        (x([0.5, -1.0, 0.25]), 0),
        (x([-0.3, 0.8, 1.1]), 2),
        (x([1.2, 0.1, -0.7]), 1),
        (x([0.0, -0.4, 0.9]), 2),
    ]
}

fn bits<N: Network<f64>>(net: &N) -> Vec<u64> {
    net.params().map(|p| p.to_bits()).collect()
}

/// The optimizer state, bitwise, through the public accessors.
trait Snapshot {
    fn snapshot(&self) -> Vec<u64>;
}

impl<N: Network<f64>> Snapshot for Adam<f64, N> {
    fn snapshot(&self) -> Vec<u64> {
        let mut s = bits(self.first_moment());
        s.extend(bits(self.second_moment()));
        s.push(self.steps());
        s.push(self.learning_rate.to_bits());
        s
    }
}

impl<N: Network<f64>> Snapshot for Sgd<f64, N> {
    fn snapshot(&self) -> Vec<u64> {
        let mut s = bits(self.velocity());
        s.push(self.learning_rate.to_bits());
        s
    }
}

impl<N: Network<f64>> Snapshot for RmsProp<f64, N> {
    fn snapshot(&self) -> Vec<u64> {
        let mut s = bits(self.mean_square());
        s.push(self.learning_rate.to_bits());
        s
    }
}

/// Steps 1–5 of the module documentation: two good steps, the bad one (whose error must
/// satisfy `expected`), the unchanged checks, and a good step compared with a clone
/// that never saw the bad batch.
fn check_refused<N, O, L, Tg>(
    what: &str,
    mut net: N,
    mut trainer: Trainer<f64, N, O>,
    loss: &L,
    good: &[(Arr<f64, N::Input>, Tg)],
    bad: &[(Arr<f64, N::Input>, Tg)],
    expected: impl Fn(&TrainError) -> bool,
) where
    N: Network<f64>,
    O: Optimizer<f64, N> + Snapshot + Clone,
    L: Loss<f64, N, Tg>,
{
    for _ in 0..2 {
        trainer.step(&mut net, loss, good).unwrap();
    }
    let (net_before, state_before) = (bits(&net), trainer.optimizer.snapshot());
    assert!(
        state_before.iter().any(|&b| b != 0),
        "{what}: the optimizer state should be non-trivial before the bad step"
    );
    let (mut twin_net, mut twin) = (net.clone(), trainer.clone());

    let err = trainer
        .step(&mut net, loss, bad)
        .expect_err("the bad batch must be refused");
    assert!(expected(&err), "{what}: unexpected error {err:?}");
    assert_eq!(bits(&net), net_before, "{what}: the network changed");
    assert_eq!(
        trainer.optimizer.snapshot(),
        state_before,
        "{what}: the optimizer state changed"
    );

    let e1 = trainer.step(&mut net, loss, good).unwrap();
    let e2 = twin.step(&mut twin_net, loss, good).unwrap();
    assert!(e1.is_finite());
    assert_eq!(e1.to_bits(), e2.to_bits(), "{what}: loss after the error");
    assert_ne!(
        bits(&net),
        net_before,
        "{what}: the good step changed nothing"
    );
    assert_eq!(
        bits(&net),
        bits(&twin_net),
        "{what}: network after the error"
    );
    assert_eq!(
        trainer.optimizer.snapshot(),
        twin.optimizer.snapshot(),
        "{what}: optimizer state after the error"
    );
}

fn non_finite_loss_or_gradient(e: &TrainError) -> bool {
    matches!(e, TrainError::NonFiniteLoss | TrainError::NonFiniteGradient)
}

/// `good` with sample `k`'s input replaced by `poison`.
fn with_input<Tg: Clone>(good: &[(X, Tg)], k: usize, poison: [f64; 3]) -> Vec<(X, Tg)> {
    let mut d = good.to_vec();
    d[k].0 = x(poison);
    d
}

// ---------------------------------------------------------------------------------------
// Non-finite inputs and targets.

#[test]
fn nan_input_is_refused_by_every_optimizer() {
    let good = reg_data();
    let bad = with_input(&good, 0, [f64::NAN, 0.0, 1.0]);
    check_refused(
        "Adam",
        net_from_formula::<Reg>(),
        Trainer::new(Adam::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
    check_refused(
        "AdamW",
        net_from_formula::<Reg>(),
        Trainer::new(Adam::adamw(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
    check_refused(
        "SGD momentum",
        net_from_formula::<Reg>(),
        Trainer::new(Sgd::new(0.1).with_momentum(0.9)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
    check_refused(
        "SGD Nesterov + decay",
        net_from_formula::<Reg>(),
        Trainer::new(Sgd::new(0.1).with_nesterov(0.9).with_weight_decay(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
    check_refused(
        "RMSprop",
        net_from_formula::<Reg>(),
        Trainer::new(RmsProp::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
}

#[test]
fn nan_in_the_middle_of_a_batch_is_refused() {
    let good = reg_data();
    let bad = with_input(&good, 2, [0.0, f64::NAN, 0.0]);
    check_refused(
        "Adam, NaN in sample 3 of 4",
        net_from_formula::<Reg>(),
        Trainer::new(Adam::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
}

#[test]
fn infinite_input_is_refused() {
    let good = reg_data();
    for poison in [[f64::INFINITY, 0.0, 0.0], [0.0, f64::NEG_INFINITY, 0.0]] {
        check_refused(
            "Adam, ±inf input",
            net_from_formula::<Reg>(),
            Trainer::new(Adam::new(0.01)),
            &MeanSquaredError,
            &good,
            &with_input(&good, 1, poison),
            non_finite_loss_or_gradient,
        );
    }
}

/// Through a ReLU first layer, ReLU(NaN) = 0 may hide the NaN from the loss; the
/// gradient ∂E/∂W^1 = ξ^1 (a^0)ᵀ still carries it (0 · NaN = NaN).
#[test]
fn nan_input_through_a_relu_layer_is_refused() {
    let good = reg_data();
    let bad = with_input(&good, 0, [f64::NAN, f64::NAN, f64::NAN]);
    check_refused(
        "Adam, ReLU",
        net_from_formula::<RegRelu>(),
        Trainer::new(Adam::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
    check_refused(
        "SGD, ReLU",
        net_from_formula::<RegRelu>(),
        Trainer::new(Sgd::new(0.1).with_momentum(0.5)),
        &MeanSquaredError,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
}

#[test]
fn nan_target_is_refused() {
    let good = reg_data();
    let mut bad = good.clone();
    bad[3].1 = y2([0.0, f64::NAN]);
    check_refused(
        "Adam, NaN target",
        net_from_formula::<Reg>(),
        Trainer::new(Adam::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        |e| *e == TrainError::NonFiniteLoss,
    );
}

#[test]
fn nan_input_with_the_cross_entropies_is_refused() {
    let good = cls_data();
    let bad = with_input(&good, 0, [f64::NAN, 0.0, 0.0]);
    check_refused(
        "Adam, softmax cross-entropy",
        net_from_formula::<Cls>(),
        Trainer::new(Adam::new(0.01)),
        &SoftmaxCrossEntropy,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
    let good: Vec<(X, Y2)> = reg_data()
        .into_iter()
        .enumerate()
        .map(|(k, (x, _))| (x, y2([(k % 2) as f64, 0.25])))
        .collect();
    let bad = with_input(&good, 0, [f64::NAN, 0.0, 0.0]);
    check_refused(
        "Adam, binary cross-entropy",
        net_from_formula::<Bin>(),
        Trainer::new(Adam::new(0.01)),
        &BinaryCrossEntropy,
        &good,
        &bad,
        non_finite_loss_or_gradient,
    );
}

// ---------------------------------------------------------------------------------------
// Updates that overflow.

/// A regression batch whose inputs and targets are of size `scale`, so that on `Lin`
/// the error is of size ~scale and the gradient of the mean squared error of size
/// ~scale² (∂E/∂w = 2(a − t) x / M), while the loss ~scale² stays finite for
/// scale ≤ 1e150.
fn huge_batch(scale: f64) -> Vec<(X, Y2)> {
    vec![
        (x([scale, -scale, 0.5 * scale]), y2([scale, -scale])),
        (x([0.3, 0.2, 0.1]), y2([0.0, 0.0])),
    ]
}

/// η = 1e300 with SGD. The step w − η g overflows only if |g| > f64::MAX / 1e300
/// ≈ 1.8e8: with ordinary gradients (|g| ≤ 1) it gives finite parameters and is
/// rightly accepted. So the batch is scaled to make |g| ~ 1e10 on `Lin` (inputs and
/// errors of 1e5; the loss, ~1e10, and the gradient are finite, so only the update can
/// be refused).
#[test]
fn learning_rate_1e300_with_sgd_is_refused_as_non_finite_update() {
    let good = reg_data();
    let bad = huge_batch(1e5);
    for (what, opt) in [
        ("SGD", Sgd::new(1e300)),
        ("SGD momentum", Sgd::new(1e300).with_momentum(0.9)),
        ("SGD Nesterov", Sgd::new(1e300).with_nesterov(0.9)),
    ] {
        // The good steps must not overflow: they use a sane η, then η becomes 1e300.
        let mut net = net_from_formula::<Lin>();
        let mut trainer = Trainer::new(opt);
        trainer.optimizer.set_learning_rate(0.1);
        for _ in 0..2 {
            trainer.step(&mut net, &MeanSquaredError, &good).unwrap();
        }
        trainer.optimizer.set_learning_rate(1e300);
        let (net_before, state_before) = (bits(&net), trainer.optimizer.snapshot());
        let (mut twin_net, mut twin) = (net.clone(), trainer.clone());
        assert_eq!(
            trainer.step(&mut net, &MeanSquaredError, &bad),
            Err(TrainError::NonFiniteUpdate),
            "{what}"
        );
        assert_eq!(bits(&net), net_before, "{what}: the network changed");
        assert_eq!(
            trainer.optimizer.snapshot(),
            state_before,
            "{what}: state changed"
        );
        // Back to a sane η, training goes on exactly as if nothing had happened.
        trainer.optimizer.set_learning_rate(0.1);
        twin.optimizer.set_learning_rate(0.1);
        let e1 = trainer.step(&mut net, &MeanSquaredError, &good).unwrap();
        let e2 = twin.step(&mut twin_net, &MeanSquaredError, &good).unwrap();
        assert_eq!(e1.to_bits(), e2.to_bits());
        assert_eq!(bits(&net), bits(&twin_net), "{what}");
        assert_eq!(
            trainer.optimizer.snapshot(),
            twin.optimizer.snapshot(),
            "{what}"
        );
    }
}

/// The other side of the previous test: with ordinary gradients (|g| ≤ 1), η = 1e300
/// moves the parameters by up to ~1e300, which is finite, so the step is accepted —
/// the contract refuses non-finite values, not large ones.
#[test]
fn learning_rate_1e300_with_small_gradients_is_accepted() {
    let mut net = net_from_formula::<Lin>();
    let mut trainer = Trainer::new(Sgd::new(1e300));
    trainer
        .step(&mut net, &MeanSquaredError, reg_data())
        .unwrap();
    assert!(net.params().all(|p| p.is_finite()));
    assert!(net.params().any(|p| p.abs() > 1e298));
}

/// A one-sample batch whose gradient overflows while its loss stays finite: on
/// 1 → 1 Identity with w = `w`, b = 0 and the sample (x, 0), z = w·x (about 1e10 after
/// SGD's good step, 2e16 after Adam's or RMSprop's, whose first step moves w by about
/// η), so the loss (1e20 to 1e33) is finite and ∂E/∂w ~ z·x overflows. A `Trainer` stepping on one
/// sample without clipping leaves this check to the crate's optimizers in floats
/// (`Optimizer::REFUSES_OVERFLOWED_GRADIENTS`); the error and the untouched state must
/// be those of the check it skips, after a good step has made the state non-trivial.
fn one_sample_gradient_overflow<T, O>(what: &str, optimizer: O, w: f64, x: f64)
where
    T: typenet::Scalar,
    O: Optimizer<T, network!(T; 1 -> 1 Identity)> + Clone,
{
    type One<T> = network!(T; 1 -> 1 Identity);
    let sample = |x: f64| {
        (
            GenericArray::from_array([T::from_f64(x)]),
            GenericArray::from_array([T::zero()]),
        )
    };
    let mut net = One::<T>::from_params(&[T::from_f64(w), T::zero()]).unwrap();
    let mut trainer = Trainer::<T, One<T>, O, 1>::with_block_size(optimizer.clone());
    trainer
        .step(&mut net, &MeanSquaredError, [sample(1.0)])
        .unwrap();
    let before = net.clone();
    let state = trainer.clone();
    let r = trainer.step(&mut net, &MeanSquaredError, [sample(x)]);
    assert_eq!(r, Err(TrainError::NonFiniteGradient), "{what}");
    assert!(net == before, "{what}: the network changed");
    // The optimizer state is unchanged: the next good step gives the same bits as on
    // a clone that never saw the bad sample.
    let (mut twin, mut twin_net) = (state, before);
    let e1 = trainer
        .step(&mut net, &MeanSquaredError, [sample(1.0)])
        .unwrap();
    let e2 = twin
        .step(&mut twin_net, &MeanSquaredError, [sample(1.0)])
        .unwrap();
    assert!(e1 == e2 && net == twin_net, "{what}: state after the error");
}

#[test]
fn one_sample_gradient_that_overflows_is_refused_by_every_optimizer() {
    type N32 = network!(f32; 1 -> 1 Identity);
    type N64 = network!(f64; 1 -> 1 Identity);
    // f32: w = 1e-20, x = 1e30 (loss ~1e20 < f32::MAX, gradient ~1e40).
    let (w, x) = (1e-20, 1e30);
    one_sample_gradient_overflow::<f32, _>("SGD f32", Sgd::<f32, N32>::new(0.1), w, x);
    let sgd = Sgd::<f32, N32>::new(0.1).with_momentum(0.9);
    one_sample_gradient_overflow::<f32, _>("SGD momentum f32", sgd, w, x);
    let sgd = Sgd::<f32, N32>::new(0.1)
        .with_nesterov(0.9)
        .with_weight_decay(0.01);
    one_sample_gradient_overflow::<f32, _>("SGD Nesterov + decay f32", sgd, w, x);
    one_sample_gradient_overflow::<f32, _>("Adam f32", Adam::<f32, N32>::new(0.01), w, x);
    one_sample_gradient_overflow::<f32, _>("AdamW f32", Adam::<f32, N32>::adamw(0.01), w, x);
    one_sample_gradient_overflow::<f32, _>("RMSprop f32", RmsProp::<f32, N32>::new(0.01), w, x);
    // An optimizer of the user's that takes every gradient (the default
    // `REFUSES_OVERFLOWED_GRADIENTS = false`): the trainer checks the gradient itself.
    one_sample_gradient_overflow::<f32, _>("an optimizer that refuses nothing", Lax, w, x);
    // f64: w = 1e-290, x = 1e300 (loss ~1e20, gradient ~1e310).
    let (w, x) = (1e-290, 1e300);
    one_sample_gradient_overflow::<f64, _>("SGD f64", Sgd::<f64, N64>::new(0.1), w, x);
    let sgd = Sgd::<f64, N64>::new(0.1).with_momentum(0.9);
    one_sample_gradient_overflow::<f64, _>("SGD momentum f64", sgd, w, x);
    one_sample_gradient_overflow::<f64, _>("Adam f64", Adam::<f64, N64>::new(0.01), w, x);
    one_sample_gradient_overflow::<f64, _>("RMSprop f64", RmsProp::<f64, N64>::new(0.01), w, x);
}

/// An optimizer that moves every parameter by −g·1e-3 and refuses nothing (infinities
/// and NaN included): only the trainer's own check stands between it and a bad
/// gradient.
#[derive(Clone, Debug)]
struct Lax;

impl<N: Network<f32>> Optimizer<f32, N> for Lax {
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), TrainError> {
        for (p, g) in net.params_mut().zip(grads.params()) {
            *p -= 1e-3 * *g;
        }
        Ok(())
    }

    fn learning_rate(&self) -> f32 {
        1e-3
    }

    fn set_learning_rate(&mut self, _: f32) {}
}

/// The other side: a one-sample batch with a finite gradient whose update overflows
/// (η = 1e300, |g| ~ 1e10) is a refused update, not a refused gradient, now that the
/// optimizer's pass is the only check on a one-sample gradient.
#[test]
fn one_sample_update_that_overflows_is_a_non_finite_update() {
    let bad = &huge_batch(1e5)[..1];
    for (what, opt) in [
        ("SGD", Sgd::new(1e300)),
        ("SGD momentum", Sgd::new(1e300).with_momentum(0.9)),
    ] {
        let mut net = net_from_formula::<Lin>();
        let before = bits(&net);
        let mut trainer = Trainer::new(opt);
        assert_eq!(
            trainer.step(&mut net, &MeanSquaredError, bad),
            Err(TrainError::NonFiniteUpdate),
            "{what}"
        );
        assert_eq!(bits(&net), before, "{what}");
    }
}

/// Adam's step is normalised: |η m̂/(√v̂ + ε)| ≤ η at the first step, so η = 1e300 gives
/// finite parameters of size ≤ 1e300 and is accepted (the contract refuses only
/// non-finite values). What Adam must refuse is a *state* that overflows: a finite
/// gradient of ~1e160 (on `Lin`, inputs and errors of 1e80; the loss, ~1e160, is
/// finite) has g² = ∞, so v would become ∞. RMSprop likewise.
#[test]
fn adam_refuses_a_second_moment_that_overflows() {
    let good = reg_data();
    let bad = huge_batch(1e80);
    check_refused(
        "Adam, g² overflows",
        net_from_formula::<Lin>(),
        Trainer::new(Adam::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        |e| *e == TrainError::NonFiniteUpdate,
    );
    check_refused(
        "AdamW, g² overflows",
        net_from_formula::<Lin>(),
        Trainer::new(Adam::adamw(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        |e| *e == TrainError::NonFiniteUpdate,
    );
    check_refused(
        "RMSprop, g² overflows",
        net_from_formula::<Lin>(),
        Trainer::new(RmsProp::new(0.01)),
        &MeanSquaredError,
        &good,
        &bad,
        |e| *e == TrainError::NonFiniteUpdate,
    );
}

/// With η = 1e300 on ordinary data, Adam's first step is accepted and leaves finite
/// parameters (see above); the next step on the same data then has a non-finite loss
/// (outputs ~1e300 squared) and is refused with the usual guarantees.
#[test]
fn adam_with_learning_rate_1e300_diverges_then_is_refused() {
    let good = reg_data();
    let mut net = net_from_formula::<Reg>();
    let mut trainer = Trainer::new(Adam::new(1e300));
    trainer.step(&mut net, &MeanSquaredError, &good).unwrap();
    assert!(net.params().all(|p| p.is_finite()));
    assert!(net.params().any(|p| p.abs() > 1e299));
    let before = (bits(&net), trainer.optimizer.snapshot());
    let err = trainer
        .step(&mut net, &MeanSquaredError, &good)
        .unwrap_err();
    // The outputs are ~1e300 · O(1) summed over the 4 units of the last hidden
    // layer; their squares overflow, so the loss is the first thing found non-finite.
    assert_eq!(err, TrainError::NonFiniteLoss);
    assert_eq!((bits(&net), trainer.optimizer.snapshot()), before);
}

// ---------------------------------------------------------------------------------------
// Bad batches.

#[test]
fn empty_batch_is_refused() {
    let good = reg_data();
    check_refused(
        "Adam, empty batch",
        net_from_formula::<Reg>(),
        Trainer::new(Adam::new(0.01)),
        &MeanSquaredError,
        &good,
        &[],
        |e| *e == TrainError::EmptyBatch,
    );
    check_refused(
        "SGD, empty batch",
        net_from_formula::<Reg>(),
        Trainer::new(Sgd::new(0.1).with_momentum(0.9)),
        &MeanSquaredError,
        &good,
        &[],
        |e| *e == TrainError::EmptyBatch,
    );
}

/// The bad index comes last, after three valid samples have already been accumulated
/// into the trainer's gradient buffer: still nothing may change.
#[test]
fn class_index_out_of_range_is_refused() {
    let good = cls_data();
    for class in [3usize, 17] {
        let mut bad = good.clone();
        bad[3].1 = class;
        check_refused(
            "Adam, class out of range",
            net_from_formula::<Cls>(),
            Trainer::new(Adam::new(0.01)),
            &SoftmaxCrossEntropy,
            &good,
            &bad,
            |e| *e == TrainError::Target(TargetError::ClassOutOfRange { class, classes: 3 }),
        );
        check_refused(
            "SGD, class out of range",
            net_from_formula::<Cls>(),
            Trainer::new(Sgd::new(0.1).with_momentum(0.9)),
            &SoftmaxCrossEntropy,
            &good,
            &bad,
            |e| *e == TrainError::Target(TargetError::ClassOutOfRange { class, classes: 3 }),
        );
    }
}

// ---------------------------------------------------------------------------------------
// `Fit::run` with a schedule that gives a non-finite learning rate, and `evaluate` on a
// network whose output is not finite.

/// η = 0.01 for the epochs before `from`, then `rate`.
struct BadFrom {
    from: usize,
    rate: f64,
}

impl Schedule for BadFrom {
    fn learning_rate(&self, epoch: usize) -> f64 {
        if epoch < self.from { 0.01 } else { self.rate }
    }
}

/// The state after `epochs` epochs of the schedule, from a run that stops there by
/// itself, to compare a refused run with.
fn fit_epochs(epochs: usize, schedule: &BadFrom) -> (Vec<u64>, Vec<u64>) {
    let mut net = net_from_formula::<Reg>();
    let mut trainer = Trainer::new(Adam::new(0.05));
    if epochs > 0 {
        Fit::new(MeanSquaredError)
            .epochs(epochs)
            .batch_size(3)
            .seed(5)
            .schedule(schedule)
            .run(&mut net, &mut trainer, &reg_data())
            .unwrap();
    }
    (bits(&net), trainer.optimizer.snapshot())
}

#[test]
fn fit_refuses_a_non_finite_scheduled_rate_before_it_changes_anything() {
    for rate in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for from in [0, 2] {
            let schedule = BadFrom { from, rate };
            let mut net = net_from_formula::<Reg>();
            let mut trainer = Trainer::new(Adam::new(0.05));
            let err = Fit::new(MeanSquaredError)
                .epochs(4)
                .batch_size(3)
                .seed(5)
                .schedule(&schedule)
                .run(&mut net, &mut trainer, &reg_data())
                .expect_err("a non-finite rate must be refused");
            assert_eq!(err, TrainError::NonFiniteLearningRate { epoch: from });
            // Network and optimizer (moments, step count, learning rate) bit for bit as
            // after the last good epoch: 0.05 untouched when the first epoch is refused.
            let (net_want, state_want) = fit_epochs(from, &schedule);
            assert_eq!(
                bits(&net),
                net_want,
                "rate {rate} from epoch {from}: network"
            );
            assert_eq!(
                trainer.optimizer.snapshot(),
                state_want,
                "rate {rate} from epoch {from}: optimizer"
            );
            assert!(trainer.optimizer.learning_rate.is_finite());
        }
    }
}

#[test]
fn fit_refuses_a_rate_that_is_finite_in_f64_but_not_in_f32() {
    type Lin32 = network!(f32; 3 -> 2 Identity);
    let data = vec![(
        GenericArray::from_array([1.0_f32, 0.5, -0.5]),
        GenericArray::from_array([0.0_f32, 1.0]),
    )];
    let mut net = Lin32::from_params(&[0.25; 8]).unwrap();
    let before: Vec<u32> = net.params().map(|p| p.to_bits()).collect();
    let mut trainer = Trainer::new(Sgd::new(0.1_f32));
    let err = Fit::new(MeanSquaredError)
        .schedule(&Constant(1e300))
        .run(&mut net, &mut trainer, &data)
        .unwrap_err();
    assert_eq!(err, TrainError::NonFiniteLearningRate { epoch: 0 });
    assert_eq!(
        net.params().map(|p| p.to_bits()).collect::<Vec<_>>(),
        before
    );
    assert_eq!(trainer.optimizer.learning_rate, 0.1);
}

/// A step refused in the first batch of an epoch also gives the epoch's scheduled rate
/// back: the optimizer is as before the epoch (here: as built).
#[test]
fn fit_gives_the_rate_back_when_the_first_step_of_an_epoch_is_refused() {
    let bad = with_input(&reg_data(), 1, [f64::NAN, 0.0, 0.0]);
    let mut net = net_from_formula::<Reg>();
    let mut trainer = Trainer::new(Adam::new(0.05));
    let (net_before, state_before) = (bits(&net), trainer.optimizer.snapshot());
    let err = Fit::new(MeanSquaredError)
        .epochs(3)
        .batch_size(4)
        .schedule(&Constant(0.001))
        .run(&mut net, &mut trainer, &bad)
        .unwrap_err();
    assert!(non_finite_loss_or_gradient(&err), "{err:?}");
    assert_eq!(bits(&net), net_before);
    assert_eq!(trainer.optimizer.snapshot(), state_before);
    assert_eq!(trainer.optimizer.learning_rate, 0.05);
}

#[test]
fn fit_refuses_an_empty_training_set() {
    let mut net = net_from_formula::<Reg>();
    let mut trainer = Trainer::new(Adam::new(0.05));
    let (net_before, state_before) = (bits(&net), trainer.optimizer.snapshot());
    let empty: Vec<(X, Y2)> = Vec::new();
    let err = Fit::new(MeanSquaredError)
        .epochs(3)
        .schedule(&Constant(0.5))
        .run(&mut net, &mut trainer, &empty)
        .unwrap_err();
    assert_eq!(err, TrainError::EmptyTrainingSet);
    assert_eq!(bits(&net), net_before);
    assert_eq!(trainer.optimizer.snapshot(), state_before);
}

#[test]
fn evaluate_refuses_an_output_with_a_nan() {
    let data = cls_data();
    let good = net_from_formula::<Cls>();
    let e = evaluate(&good, &SoftmaxCrossEntropy, &data).unwrap();
    assert!(e.loss.is_finite() && e.samples == 4);
    // A NaN weight in either layer makes every output entry NaN.
    for k in [0, Cls::PARAMS - 1] {
        let mut net = good.clone();
        *net.params_mut().nth(k).unwrap() = f64::NAN;
        assert_eq!(
            evaluate(&net, &SoftmaxCrossEntropy, &data),
            Err(TrainError::NonFiniteOutput),
            "NaN parameter {k}"
        );
    }
    // A NaN in an input poisons that sample's output only: still refused.
    let poisoned = with_input(&data, 2, [f64::NAN, 0.0, 0.0]);
    assert_eq!(
        evaluate(&good, &SoftmaxCrossEntropy, &poisoned),
        Err(TrainError::NonFiniteOutput)
    );
    // An infinite output of a regression network.
    let lin = Lin::from_params(&[1.0; 8]).unwrap();
    let far = vec![(x([f64::MAX, f64::MAX, 0.0]), y2([0.0, 0.0]))];
    assert_eq!(
        evaluate(&lin, &MeanSquaredError, &far),
        Err(TrainError::NonFiniteOutput)
    );
}

#[test]
fn evaluate_refuses_a_nan_loss() {
    let mut data = reg_data();
    data[1].1[0] = f64::NAN;
    assert_eq!(
        evaluate(&net_from_formula::<Reg>(), &MeanSquaredError, &data),
        Err(TrainError::NonFiniteLoss)
    );
}

// ---------------------------------------------------------------------------------------
// No heap.

type Deep = network!(f64; 6 -> 16 ReLU -> 12 Tanh -> 4 Softmax);

#[test]
fn the_counter_sees_allocations() {
    // The checks below are only meaningful if a heap allocation is counted.
    let n = allocations_during(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(n, 1);
}

#[test]
fn trainer_step_with_adam_allocates_nothing() {
    let data: Vec<(Arr<f64, typenet::typenum::U6>, usize)> = (0..8)
        .map(|k| {
            let v: [f64; 6] = std::array::from_fn(|j| ((k * 6 + j) % 7) as f64 / 3.5 - 1.0);
            (GenericArray::from_array(v), k % 4)
        })
        .collect();
    let mut bad = data.clone();
    bad[5].0[2] = f64::NAN;
    let mut net = net_from_formula::<Deep>();
    let mut trainer = Trainer::new(Adam::new(0.01)).with_clip_norm(1.0);
    let before = bits(&net);
    let mut losses = [0.0; 10];
    let mut errors = [None; 2];

    let n = allocations_during(|| {
        for l in losses.iter_mut() {
            *l = trainer.step(&mut net, &SoftmaxCrossEntropy, &data).unwrap();
        }
        // The refusals allocate nothing either.
        errors[0] = trainer.step(&mut net, &SoftmaxCrossEntropy, &bad).err();
        errors[1] = trainer
            .step(&mut net, &SoftmaxCrossEntropy, &data[..0])
            .err();
    });
    assert_eq!(n, 0, "Trainer::step allocated {n} times");
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(losses[9] < losses[0], "training really ran: {losses:?}");
    assert_ne!(bits(&net), before);
    assert_eq!(trainer.optimizer.steps(), 10);
    assert!(errors[0].is_some_and(|e| non_finite_loss_or_gradient(&e)));
    assert_eq!(errors[1], Some(TrainError::EmptyBatch));
}
