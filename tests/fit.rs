//! The `Fit` builder (`typenet::fit`): the checks it makes before changing anything
//! (epochs 0, batch size 0, an empty training or test set), the history it returns
//! (one report per epoch, the schedule's rate, the test evaluation, an early stop), and
//! its shuffling (`seed(s)` is the built-in SplitMix64 seeded with s, and a `Fit` is
//! reproducible). The refusals of non-finite rates are in `tests/bad_numbers.rs`.

use std::ops::ControlFlow;
use typenet::fit::Fit;
use typenet::generic_array::GenericArray;
use typenet::loss::SoftmaxCrossEntropy;
use typenet::optim::{Adam, StepDecay};
use typenet::train::{SplitMix64, Trainer, evaluate};
use typenet::{Arr, Network, TrainError, network};

type Net = network!(f64; 2 -> 6 Tanh -> 2 Softmax);
type X = Arr<f64, typenet::typenum::U2>;

/// 20 points, class 1 when x0 > x1.
fn data() -> Vec<(X, usize)> {
    (0..20)
        .map(|k| {
            let (a, b) = ((k % 5) as f64 / 5.0, (k / 5) as f64 / 4.0 + 0.05);
            (GenericArray::from_array([a, b]), usize::from(a > b))
        })
        .collect()
}

fn start() -> Net {
    let p: Vec<f64> = (0..Net::PARAMS)
        .map(|k| ((k * 5 % 9) as f64 - 4.0) / 6.0)
        .collect();
    Net::from_params(&p).unwrap()
}

fn bits(net: &Net) -> Vec<u64> {
    net.params().map(|p| p.to_bits()).collect()
}

#[test]
fn bad_settings_are_refused_before_anything_changes() {
    let train = data();
    let empty: Vec<(X, usize)> = Vec::new();
    type Case<'a> = (
        &'a str,
        Fit<'a, f64, SoftmaxCrossEntropy, (X, usize)>,
        TrainError,
    );
    let cases: Vec<(Case<'_>, &[(X, usize)])> = vec![
        (
            (
                "epochs 0",
                Fit::new(SoftmaxCrossEntropy).epochs(0),
                TrainError::ZeroEpochs,
            ),
            &train,
        ),
        (
            (
                "batch size 0",
                Fit::new(SoftmaxCrossEntropy).batch_size(0),
                TrainError::ZeroBatchSize,
            ),
            &train,
        ),
        (
            (
                "empty training set",
                Fit::new(SoftmaxCrossEntropy),
                TrainError::EmptyTrainingSet,
            ),
            &empty,
        ),
        (
            (
                "empty test set",
                Fit::new(SoftmaxCrossEntropy).test(&empty),
                TrainError::EmptyTestSet,
            ),
            &train,
        ),
    ];
    for ((what, fit, expected), train) in cases {
        let mut net = start();
        let mut trainer = Trainer::new(Adam::new(0.05));
        assert_eq!(
            fit.run(&mut net, &mut trainer, train).unwrap_err(),
            expected,
            "{what}"
        );
        assert_eq!(bits(&net), bits(&start()), "{what}: the network changed");
        assert_eq!(
            trainer.optimizer.steps(),
            0,
            "{what}: the optimizer stepped"
        );
        assert_eq!(trainer.optimizer.learning_rate, 0.05, "{what}");
    }
}

#[test]
fn the_history_has_one_report_per_epoch() {
    let train = data();
    let test = &train[..8];
    let mut net = start();
    let mut trainer = Trainer::new(Adam::new(0.05));
    let schedule = StepDecay {
        initial: 0.04,
        gamma: 0.5,
        step: 2,
    };
    let mut seen = Vec::new();
    let history = Fit::new(SoftmaxCrossEntropy)
        .epochs(5)
        .batch_size(6)
        .seed(3)
        .schedule(&schedule)
        .test(test)
        .on_epoch(|report| {
            seen.push(report.epoch);
            ControlFlow::Continue(())
        })
        .run(&mut net, &mut trainer, &train)
        .unwrap();
    assert_eq!(seen, [1, 2, 3, 4, 5]);
    assert!(!history.stopped_early);
    let rates: Vec<f64> = history.reports.iter().map(|r| r.learning_rate).collect();
    assert_eq!(rates, [0.04, 0.04, 0.02, 0.02, 0.01]);
    // 20 samples in batches of 6: 4 steps per epoch.
    assert_eq!(trainer.optimizer.steps(), 20);
    // The last report's test evaluation is that of the trained network.
    let last = history.last().unwrap();
    assert_eq!(
        last.test,
        Some(evaluate(&net, &SoftmaxCrossEntropy, test).unwrap())
    );
    assert!(history.reports.iter().all(|r| r.train_loss.is_finite()));
    assert!(
        history
            .reports
            .windows(2)
            .all(|w| w[0].elapsed <= w[1].elapsed)
    );
}

#[test]
fn the_callback_stops_early() {
    let train = data();
    let mut net = start();
    let mut trainer = Trainer::new(Adam::new(0.05));
    let history = Fit::new(SoftmaxCrossEntropy)
        .epochs(10)
        .batch_size(5)
        .on_epoch(|report| {
            if report.epoch == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .run(&mut net, &mut trainer, &train)
        .unwrap();
    assert_eq!(history.reports.len(), 3);
    assert!(history.stopped_early);
    assert_eq!(trainer.optimizer.steps(), 12);
    assert_eq!(history.last().unwrap().test, None);
}

/// `seed(s)` shuffles with `SplitMix64::new(s)`: the same network as `rng` with that
/// generator; the same seed twice gives the same network, another seed another one.
#[test]
fn seed_is_splitmix64_and_reproducible() {
    let train = data();
    let run = |fit: Fit<'_, f64, SoftmaxCrossEntropy, (X, usize)>| {
        let mut net = start();
        let mut trainer = Trainer::new(Adam::new(0.05));
        fit.epochs(3)
            .batch_size(4)
            .run(&mut net, &mut trainer, &train)
            .unwrap();
        bits(&net)
    };
    let a = run(Fit::new(SoftmaxCrossEntropy).seed(9));
    let b = run(Fit::new(SoftmaxCrossEntropy).seed(9));
    let mut rng = SplitMix64::new(9);
    let c = run(Fit::new(SoftmaxCrossEntropy).rng(&mut rng));
    let d = run(Fit::new(SoftmaxCrossEntropy).seed(10));
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_ne!(a, d);
}
