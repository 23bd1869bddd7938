//! The block (batched) paths against the per-sample paths: `forward_batch` gives bit
//! for bit what `forward` gives, and a `Trainer` that works in blocks of 4 or 8 ends
//! with bit for bit the parameters, the gradient and the loss of one working sample by
//! sample, over random networks, batches of every length, both seeds (∂E/∂a^N and ξ^N).

use proptest::prelude::*;
use typenet::generic_array::GenericArray;
use typenet::loss::{MeanSquaredError, SoftmaxCrossEntropy};
use typenet::optim::Sgd;
use typenet::train::{Trainer, evaluate};
use typenet::{Arr, Network, network};

type Reg =
    network!(f64; 5 -> 7 Tanh -> 6 ReLU -> 4 LeakyReLU -> 3 Softplus -> 2 Sigmoid -> 2 Identity);
type Cls = network!(f32; 6 -> 9 ReLU -> 5 Tanh -> 3 Softmax);

fn bits64(n: &Reg) -> Vec<u64> {
    n.params().map(|p| p.to_bits()).collect()
}

fn bits32(n: &Cls) -> Vec<u32> {
    n.params().map(|p| p.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn forward_batch_equals_forward(
        params in proptest::collection::vec(-1.5f64..1.5, Reg::PARAMS),
        xs in proptest::collection::vec(proptest::collection::vec(-2.0f64..2.0, 5), 0..21),
    ) {
        let net = Reg::from_params(&params).unwrap();
        let xs: Vec<Arr<f64, _>> = xs.iter().map(|x| *GenericArray::from_slice(x)).collect();
        let mut ys = vec![Arr::default(); xs.len()];
        net.forward_batch(&xs, &mut ys).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            let single = net.forward(x);
            prop_assert_eq!(
                single.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                y.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn block_training_equals_sample_training_mse(
        params in proptest::collection::vec(-1.5f64..1.5, Reg::PARAMS),
        data in proptest::collection::vec(
            (proptest::collection::vec(-2.0f64..2.0, 5), proptest::collection::vec(-1.0f64..1.0, 2)),
            1..19,
        ),
    ) {
        let data: Vec<(Arr<f64, _>, Arr<f64, _>)> = data
            .iter()
            .map(|(x, t)| (*GenericArray::from_slice(x), *GenericArray::from_slice(t)))
            .collect();
        let start = Reg::from_params(&params).unwrap();
        let (mut one, mut four, mut eight) = (start.clone(), start.clone(), start);
        let mut t1: Trainer<f64, Reg, Sgd<f64, Reg>, 1> = Trainer::with_block_size(Sgd::new(0.05).with_momentum(0.9));
        let mut t4: Trainer<f64, Reg, Sgd<f64, Reg>, 4> = Trainer::with_block_size(Sgd::new(0.05).with_momentum(0.9));
        let mut t8: Trainer<f64, Reg, Sgd<f64, Reg>, 8> = Trainer::with_block_size(Sgd::new(0.05).with_momentum(0.9));
        for _ in 0..2 {
            let batch = || data.iter();
            let e1 = t1.step(&mut one, &MeanSquaredError, batch()).unwrap();
            let e4 = t4.step(&mut four, &MeanSquaredError, batch()).unwrap();
            let e8 = t8.step(&mut eight, &MeanSquaredError, batch()).unwrap();
            prop_assert_eq!(e1.to_bits(), e4.to_bits());
            prop_assert_eq!(e1.to_bits(), e8.to_bits());
            prop_assert_eq!(bits64(t1.grads()), bits64(t4.grads()));
            prop_assert_eq!(bits64(t1.grads()), bits64(t8.grads()));
            prop_assert_eq!(bits64(&one), bits64(&four));
            prop_assert_eq!(bits64(&one), bits64(&eight));
        }
    }

    #[test]
    fn block_training_equals_sample_training_softmax(
        params in proptest::collection::vec(-1.5f32..1.5, Cls::PARAMS),
        data in proptest::collection::vec((proptest::collection::vec(-2.0f32..2.0, 6), 0usize..3), 1..19),
    ) {
        let data: Vec<(Arr<f32, _>, usize)> =
            data.iter().map(|(x, t)| (*GenericArray::from_slice(x), *t)).collect();
        let start = Cls::from_params(&params).unwrap();
        let (mut one, mut four) = (start.clone(), start);
        let mut t1: Trainer<f32, Cls, Sgd<f32, Cls>, 1> = Trainer::with_block_size(Sgd::new(0.1));
        let mut t4: Trainer<f32, Cls, Sgd<f32, Cls>, 4> = Trainer::with_block_size(Sgd::new(0.1));
        for _ in 0..2 {
            let batch = || data.iter();
            let e1 = t1.step(&mut one, &SoftmaxCrossEntropy, batch()).unwrap();
            let e4 = t4.step(&mut four, &SoftmaxCrossEntropy, batch()).unwrap();
            prop_assert_eq!(e1.to_bits(), e4.to_bits());
            prop_assert_eq!(bits32(t1.grads()), bits32(t4.grads()));
            prop_assert_eq!(bits32(&one), bits32(&four));
        }
    }
}

#[test]
fn forward_batch_rejects_mismatched_lengths() {
    let net = Reg::zeroed();
    let xs = vec![Arr::default(); 3];
    let mut ys = vec![Arr::default(); 2];
    let err = net.forward_batch(&xs, &mut ys).unwrap_err();
    assert_eq!((err.inputs, err.outputs), (3, 2));
}

#[test]
fn a_bad_target_in_a_block_is_an_error() {
    let net = Cls::zeroed();
    let mut n = net.clone();
    let mut t: Trainer<f32, Cls, Sgd<f32, Cls>, 4> = Trainer::with_block_size(Sgd::new(0.1));
    let x: Arr<f32, _> = Arr::default();
    let data = [(x, 0usize), (x, 1), (x, 7), (x, 2)];
    let r = t.step(&mut n, &SoftmaxCrossEntropy, data);
    assert!(matches!(r, Err(typenet::TrainError::Target(_))));
    assert_eq!(n, net, "the network is unchanged");
}

/// Every form of sample `Trainer::step` and `evaluate` take gives the same result, bit
/// for bit, as the pairs of references `(&x, &t)` (the only form before `Sample`): a
/// reference to the data (`&data`, items `&(x, t)`), `data.iter()`, owned pairs, two
/// zipped slices, a sub-slice; with blocks of 4 (one block and a rest of 2) and of 1.
#[test]
fn every_sample_form_gives_the_same_step_and_evaluation() {
    let data: Vec<(Arr<f64, _>, Arr<f64, _>)> = (0..6)
        .map(|k| {
            let f = k as f64;
            (
                GenericArray::from_array([f / 6.0, -0.5, 0.25 * f, 1.0 - f / 3.0, 0.1]),
                GenericArray::from_array([(f * 0.7).sin(), 0.5 - f / 10.0]),
            )
        })
        .collect();
    let (xs, ts): (Vec<_>, Vec<_>) = data.iter().copied().unzip();
    let start = Reg::from_params(
        &(0..Reg::PARAMS)
            .map(|k| ((k * 7 % 13) as f64 - 6.0) / 9.0)
            .collect::<Vec<_>>(),
    )
    .unwrap();

    fn run<const B: usize>(
        start: &Reg,
        step: impl Fn(&mut Trainer<f64, Reg, Sgd<f64, Reg>, B>, &mut Reg) -> f64,
    ) -> (u64, Vec<u64>) {
        let mut net = start.clone();
        let mut t: Trainer<f64, Reg, Sgd<f64, Reg>, B> =
            Trainer::with_block_size(Sgd::new(0.05).with_momentum(0.9));
        let mut e = 0.0;
        for _ in 0..3 {
            e = step(&mut t, &mut net);
        }
        (e.to_bits(), bits64(&net))
    }
    let l = MeanSquaredError;
    let reference = run::<4>(&start, |t, n| {
        t.step(n, &l, data.iter().map(|(x, t)| (x, t))).unwrap()
    });
    let forms: [(&str, (u64, Vec<u64>)); 5] = [
        (
            "&data",
            run::<4>(&start, |t, n| t.step(n, &l, &data).unwrap()),
        ),
        (
            "data.iter()",
            run::<4>(&start, |t, n| t.step(n, &l, data.iter()).unwrap()),
        ),
        (
            "owned pairs",
            run::<4>(&start, |t, n| t.step(n, &l, data.clone()).unwrap()),
        ),
        (
            "zipped slices",
            run::<4>(&start, |t, n| t.step(n, &l, xs.iter().zip(&ts)).unwrap()),
        ),
        (
            "&data[..], blocks of 1",
            run::<1>(&start, |t, n| t.step(n, &l, &data[..]).unwrap()),
        ),
    ];
    for (what, got) in forms {
        assert_eq!(got, reference, "{what}");
    }

    let reference = evaluate(&start, &l, data.iter().map(|(x, t)| (x, t))).unwrap();
    assert_eq!(evaluate(&start, &l, &data).unwrap(), reference);
    assert_eq!(evaluate(&start, &l, data.clone()).unwrap(), reference);
    assert_eq!(evaluate(&start, &l, xs.iter().zip(&ts)).unwrap(), reference);
    assert_eq!(reference.samples, 6);
}
