//! The three training set-ups, shared by the examples (which print and plot) and by
//! `tests/training.rs` (which checks the bars): one function per task, taking its
//! configuration, so a test runs exactly what the example runs.
//!
//! Everything random (the split, the initial weights, the shuffling) comes from one
//! `Pcg64` seeded with the configuration's seed, so a run is reproducible.

use super::csv::{Columns, Dataset};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;
use std::fmt;
use std::ops::ControlFlow;
use std::time::Duration;
use typenet::fit::{EpochReport, Fit, train_test_split};
use typenet::generic_array::GenericArray;
use typenet::init::initialize;
use typenet::loss::{MeanSquaredError, SoftmaxCrossEntropy};
use typenet::optim::{Adam, Cosine};
use typenet::train::{Evaluation, Trainer, evaluate};
use typenet::{Input, Network, Output, Softmax, TrainError, network};

/// The bundled digits data, found wherever the program is started from.
pub const DIGITS_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/digits.csv");
/// The bundled iris data.
pub const IRIS_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/iris.csv");

/// 8x8 digit images: 64 pixels → 64 ReLU → 10 classes.
pub type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
/// Iris flowers: 4 measurements → 16 tanh → 3 species.
pub type IrisNet = network!(f32; 4 -> 16 Tanh -> 3 Softmax);
/// y = sin(x): 1 → 16 tanh → 16 tanh → 1.
pub type SineNet = network!(f32; 1 -> 16 Tanh -> 16 Tanh -> 1 Identity);

/// A sample of network `N`: an input and its target (a `typenet::train::Sample`).
pub type Labelled<N, Tg> = (Input<f32, N>, Tg);

/// How a task is trained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// The seed of the split, the initial weights and the shuffling.
    pub seed: u64,
    /// The number of passes over the training part.
    pub epochs: usize,
    /// Samples per Adam step.
    pub batch_size: usize,
    /// Adam's η at epoch 0; it follows a cosine down to 1 % of this at the last epoch.
    pub learning_rate: f64,
    /// The fraction of the samples trained on; the rest is the test part.
    pub train_fraction: f64,
}

/// The digits set-up: reaches the bar of [`DIGITS_BAR`].
pub const DIGITS: Config = Config {
    seed: 42,
    epochs: 40,
    batch_size: 32,
    learning_rate: 5e-3,
    train_fraction: 0.8,
};
/// The test accuracy the digits example must reach.
pub const DIGITS_BAR: f64 = 0.96;

/// The iris set-up: reaches the bar of [`IRIS_BAR`].
pub const IRIS: Config = Config {
    seed: 42,
    epochs: 100,
    batch_size: 8,
    learning_rate: 1e-2,
    train_fraction: 0.8,
};
/// The test accuracy the iris example must reach.
pub const IRIS_BAR: f64 = 0.93;

/// The sine set-up: reaches the bar of [`SINE_BAR`].
pub const SINE: Config = Config {
    seed: 42,
    epochs: 200,
    batch_size: 16,
    learning_rate: 1e-2,
    train_fraction: 0.8,
};
/// The test mean squared error the sine example must stay below.
pub const SINE_BAR: f32 = 1e-3;
/// The number of points x in [0, 2π] of the sine data (before the split).
pub const SINE_POINTS: usize = 1000;

/// The columns of `digits.csv`: `p0`..`p63`, then `digit` 0..9.
pub fn digits_columns() -> Columns {
    Columns {
        features: (0..DigitsNet::INPUTS).map(|k| format!("p{k}")).collect(),
        label: "digit".to_owned(),
        classes: DigitsNet::OUTPUTS,
    }
}

/// The columns of `iris.csv`: four measurements, then `species` 0..2.
pub fn iris_columns() -> Columns {
    Columns {
        features: ["sepal_length", "sepal_width", "petal_length", "petal_width"]
            .map(str::to_owned)
            .to_vec(),
        label: "species".to_owned(),
        classes: IrisNet::OUTPUTS,
    }
}

/// A training run that did not complete.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// A data set whose rows do not have the network's input size M_0.
    InputWidth {
        /// M_0.
        expected: usize,
        /// The length of the first row that differs.
        found: usize,
    },
    /// A data set with too few samples for a training part and a test part.
    TooFewSamples(usize),
    /// A training step or an evaluation failed.
    Train(TrainError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::InputWidth { expected, found } => write!(
                f,
                "a sample has {found} features but the network takes {expected} inputs"
            ),
            RunError::TooFewSamples(n) => write!(
                f,
                "{n} samples are too few for a training part and a test part"
            ),
            RunError::Train(e) => write!(f, "training failed: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<TrainError> for RunError {
    fn from(e: TrainError) -> Self {
        RunError::Train(e)
    }
}

/// The outcome of a run.
#[derive(Clone, Debug)]
pub struct Run<N> {
    /// The trained network.
    pub net: N,
    /// One report per epoch.
    pub reports: Vec<EpochReport<f32>>,
    /// Loss and accuracy on the training part after the last epoch.
    pub train: Evaluation<f32>,
    /// Loss and accuracy on the test part after the last epoch.
    pub test: Evaluation<f32>,
    /// The wall-clock time of the training loop (with the per-epoch evaluations).
    pub elapsed: Duration,
    /// For each feature, the (offset, divisor) applied before the network:
    /// x' = (x − offset) / divisor. Empty for sine, whose inputs come from
    /// [`sine_input`].
    pub scaling: Vec<(f32, f32)>,
    /// The held-out samples as read from the file, before scaling, with their labels
    /// (empty for sine).
    pub test_set: Vec<(Vec<f32>, usize)>,
}

/// How the features of a classification task are scaled before training.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scaling {
    /// x / d (a fixed range, e.g. pixels 0..16).
    Divide(f32),
    /// (x − mean) / std per feature, with mean and std from the training part only.
    Standardise,
}

/// Digits: pixels 0..16 scaled to [0, 1], softmax cross-entropy on class indices,
/// Adam with a cosine schedule.
pub fn train_digits(
    data: &Dataset,
    config: &Config,
    on_epoch: impl FnMut(&EpochReport<f32>),
) -> Result<Run<DigitsNet>, RunError> {
    classify(data, config, Scaling::Divide(16.0), on_epoch)
}

/// Iris: features standardised with the training part's mean and standard deviation,
/// softmax cross-entropy on class indices, Adam with a cosine schedule.
pub fn train_iris(
    data: &Dataset,
    config: &Config,
    on_epoch: impl FnMut(&EpochReport<f32>),
) -> Result<Run<IrisNet>, RunError> {
    classify(data, config, Scaling::Standardise, on_epoch)
}

/// The per-feature mean and standard deviation of `rows` (a constant feature gets 1).
pub fn mean_std(rows: &[Vec<f32>]) -> Vec<(f32, f32)> {
    let width = rows.first().map_or(0, Vec::len);
    let n = rows.len().max(1) as f64;
    (0..width)
        .map(|k| {
            let mean = rows.iter().map(|r| f64::from(r[k])).sum::<f64>() / n;
            let var = rows
                .iter()
                .map(|r| (f64::from(r[k]) - mean).powi(2))
                .sum::<f64>()
                / n;
            let std = var.sqrt();
            (mean as f32, if std > 1e-12 { std as f32 } else { 1.0 })
        })
        .collect()
}

fn classify<N>(
    data: &Dataset,
    config: &Config,
    scaling: Scaling,
    mut on_epoch: impl FnMut(&EpochReport<f32>),
) -> Result<Run<N>, RunError>
where
    N: Network<f32, OutputActivation = Softmax>,
{
    if let Some(row) = data.features.iter().find(|r| r.len() != N::INPUTS) {
        return Err(RunError::InputWidth {
            expected: N::INPUTS,
            found: row.len(),
        });
    }
    let mut rng = Pcg64::seed_from_u64(config.seed);
    let pairs: Vec<(Vec<f32>, usize)> = data
        .features
        .iter()
        .cloned()
        .zip(data.labels.iter().copied())
        .collect();
    let (mut train, mut test) = train_test_split(&pairs, config.train_fraction, &mut rng);
    if train.is_empty() || test.is_empty() {
        return Err(RunError::TooFewSamples(pairs.len()));
    }
    let test_set = test.clone();
    let scale: Vec<(f32, f32)> = match scaling {
        Scaling::Divide(d) => vec![(0.0, d); N::INPUTS],
        Scaling::Standardise => {
            let rows: Vec<Vec<f32>> = train.iter().map(|(x, _)| x.clone()).collect();
            mean_std(&rows)
        }
    };
    for (x, _) in train.iter_mut().chain(test.iter_mut()) {
        for (v, &(mean, std)) in x.iter_mut().zip(&scale) {
            *v = (*v - mean) / std;
        }
    }
    let train = to_samples::<N>(&train)?;
    let test = to_samples::<N>(&test)?;

    let mut net = N::zeroed();
    initialize(&mut net, &mut rng);
    run(
        net,
        SoftmaxCrossEntropy,
        &train,
        &test,
        config,
        &mut rng,
        &mut on_epoch,
    )
    .map(|run| Run {
        scaling: scale,
        test_set,
        ..run
    })
}

fn to_samples<N: Network<f32>>(
    rows: &[(Vec<f32>, usize)],
) -> Result<Vec<Labelled<N, usize>>, RunError> {
    rows.iter()
        .map(|(x, label)| {
            let input = GenericArray::try_from_iter(x.iter().copied()).map_err(|_| {
                RunError::InputWidth {
                    expected: N::INPUTS,
                    found: x.len(),
                }
            })?;
            Ok((input, *label))
        })
        .collect()
}

/// Shared by the three tasks: Adam with a cosine schedule through `typenet::fit::Fit`,
/// then a last evaluation of both parts. The caller fills in `scaling`.
fn run<N, L, Tg>(
    mut net: N,
    loss: L,
    train: &[Labelled<N, Tg>],
    test: &[Labelled<N, Tg>],
    config: &Config,
    rng: &mut Pcg64,
    on_epoch: &mut dyn FnMut(&EpochReport<f32>),
) -> Result<Run<N>, RunError>
where
    N: Network<f32>,
    L: typenet::loss::Loss<f32, N, Tg> + Copy,
    Tg: typenet::loss::Scored<f32, N::Output>,
{
    let schedule = Cosine {
        initial: config.learning_rate,
        min: config.learning_rate / 100.0,
        epochs: config.epochs.saturating_sub(1),
    };
    let mut trainer = Trainer::new(Adam::new(config.learning_rate as f32));
    let history = Fit::new(loss)
        .epochs(config.epochs)
        .batch_size(config.batch_size)
        .rng(rng)
        .schedule(&schedule)
        .test(test)
        .on_epoch(|report| {
            on_epoch(report);
            ControlFlow::Continue(())
        })
        .run(&mut net, &mut trainer, train)?;
    let elapsed = history.last().map_or(Duration::ZERO, |r| r.elapsed);
    let train = evaluate(&net, &loss, train)?;
    let test = evaluate(&net, &loss, test)?;
    Ok(Run {
        net,
        reports: history.reports,
        train,
        test,
        elapsed,
        scaling: Vec::new(),
        test_set: Vec::new(),
    })
}

/// x in [0, 2π] scaled to the network's input range [−1, 1].
pub fn sine_input(x: f64) -> Input<f32, SineNet> {
    GenericArray::from_array([(x / std::f64::consts::PI - 1.0) as f32])
}

/// The sine data: [`SINE_POINTS`] evenly spaced x in [0, 2π] with targets sin(x).
pub fn sine_data() -> Vec<Labelled<SineNet, Output<f32, SineNet>>> {
    (0..SINE_POINTS)
        .map(|k| {
            let x = 2.0 * std::f64::consts::PI * k as f64 / (SINE_POINTS - 1) as f64;
            (sine_input(x), GenericArray::from_array([x.sin() as f32]))
        })
        .collect()
}

/// Sine regression: a seeded 80/20 split of [`sine_data`], mean squared error, Adam
/// with a cosine schedule. The run's `test.loss` is the test MSE.
pub fn train_sine(
    config: &Config,
    mut on_epoch: impl FnMut(&EpochReport<f32>),
) -> Result<Run<SineNet>, RunError> {
    let mut rng = Pcg64::seed_from_u64(config.seed);
    let data = sine_data();
    let (train, test) = train_test_split(&data, config.train_fraction, &mut rng);
    if train.is_empty() || test.is_empty() {
        return Err(RunError::TooFewSamples(data.len()));
    }
    let mut net = SineNet::zeroed();
    initialize(&mut net, &mut rng);
    run(
        net,
        MeanSquaredError,
        &train,
        &test,
        config,
        &mut rng,
        &mut on_epoch,
    )
}
