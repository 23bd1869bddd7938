//! Iris flowers, the whole life of a network: declare it, initialise it from a seed,
//! train it, evaluate it, save it in typenet's weight format and load it back.
//!
//! ```sh
//! cargo run --release --example iris
//! ```
//!
//! R. A. Fisher's 150 flowers (`examples/data/iris.csv`), split 80/20; measurements
//! standardised with the training part's statistics; softmax cross-entropy; Adam with a
//! cosine schedule. Every random choice comes from typenet's built-in generator and
//! [`SEED`]. Exits with status 1 if the test accuracy is below 93 % (28 of 30) or the
//! loaded network differs; `tests/training.rs` runs [`run`] and checks the same bar.

use std::process::ExitCode;
use typenet::fit::{Fit, train_test_split};
use typenet::init::initialize_seeded;
use typenet::loss::SoftmaxCrossEntropy;
use typenet::optim::{Adam, Cosine};
use typenet::train::{Evaluation, SplitMix64, Trainer, evaluate};
use typenet::{Input, Network, TrainError, format, network};

/// 4 measurements → 16 tanh → 3 species: the whole architecture is this type.
pub type IrisNet = network!(f32; 4 -> 16 Tanh -> 3 Softmax);

pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/iris.csv");
pub const SEED: u64 = 42;
pub const BAR: f64 = 0.93;
const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// One line of `iris.csv`, read by the csv crate through serde (columns by name).
#[derive(Clone, Copy, Debug, serde::Deserialize)]
pub struct Flower {
    sepal_length: f32,
    sepal_width: f32,
    petal_length: f32,
    petal_width: f32,
    species: usize, // an index into SPECIES
}

impl Flower {
    fn measurements(&self) -> [f32; 4] {
        [
            self.sepal_length,
            self.sepal_width,
            self.petal_length,
            self.petal_width,
        ]
    }
}

/// Reads the 150 flowers; an error names the line and the column.
pub fn load() -> Result<Vec<Flower>, csv::Error> {
    csv::Reader::from_path(DATA)?.deserialize().collect()
}

/// Per measurement, the (mean, standard deviation) of the training part.
pub type Scale = [(f32, f32); 4];

/// The network's input for a flower: each measurement standardised.
pub fn input(f: &Flower, scale: &Scale) -> Input<f32, IrisNet> {
    let x = f.measurements();
    let standardised: [f32; 4] = std::array::from_fn(|k| (x[k] - scale[k].0) / scale[k].1);
    IrisNet::input(standardised)
}

/// Splits 80/20, standardises, initialises and trains; returns the network, its input
/// scaling, and its loss and accuracy on the test part.
pub fn run(flowers: &[Flower], seed: u64) -> Result<(IrisNet, Scale, Evaluation<f32>), TrainError> {
    let (train, test) = train_test_split(flowers, 0.8, &mut SplitMix64::new(seed));
    let n = train.len().max(1) as f32;
    let scale: Scale = std::array::from_fn(|k| {
        let mean = train.iter().map(|f| f.measurements()[k]).sum::<f32>() / n;
        let var = train
            .iter()
            .map(|f| (f.measurements()[k] - mean).powi(2))
            .sum::<f32>()
            / n;
        (mean, var.sqrt().max(1e-6))
    });
    let samples = |part: &[Flower]| -> Vec<_> {
        part.iter().map(|f| (input(f, &scale), f.species)).collect()
    };
    let (train, test) = (samples(&train), samples(&test));

    let mut net = IrisNet::zeroed();
    initialize_seeded(&mut net, seed); // Glorot uniform for tanh, biases zero
    let mut trainer = Trainer::new(Adam::new(0.01));
    let cosine = Cosine {
        initial: 0.01,
        min: 1e-4,
        epochs: 99,
    };
    let history = Fit::new(SoftmaxCrossEntropy)
        .epochs(100)
        .batch_size(8)
        .seed(seed)
        .schedule(&cosine)
        .test(&test)
        .run(&mut net, &mut trainer, &train)?;
    for r in history.reports.iter().filter(|r| r.epoch % 20 == 0) {
        let accuracy = r.test.map_or(0.0, |t| 100.0 * t.accuracy);
        println!(
            "epoch {:>3}  train loss {:.4}  test accuracy {accuracy:6.2} %",
            r.epoch, r.train_loss
        );
    }
    let test = evaluate(&net, &SoftmaxCrossEntropy, &test)?;
    Ok((net, scale, test))
}

fn main() -> ExitCode {
    match train_save_load() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the data, trains, saves and loads back, prints; `Ok(passed)`.
fn train_save_load() -> Result<bool, Box<dyn std::error::Error>> {
    let flowers = load()?;
    println!(
        "iris: {} flowers, network 4 -> 16 Tanh -> 3 Softmax",
        flowers.len()
    );
    let (net, scale, test) = run(&flowers, SEED)?;

    // Save in typenet's weight format (a header with the architecture's fingerprint,
    // then the parameters) and load back into the same type.
    let file = std::env::temp_dir().join("typenet-iris.tnet");
    format::save(&net, &file)?;
    let loaded: IrisNet = format::load(&file)?;
    let same = loaded == net;
    println!(
        "saved and loaded {}: {}",
        file.display(),
        if same { "the same network" } else { "DIFFERS" }
    );

    println!("\nmeasurements (cm)     species     P(setosa, versicolor, virginica)");
    for f in flowers.iter().step_by(50) {
        let p = loaded.forward(&input(f, &scale));
        let [a, b, c, d] = f.measurements();
        let species = SPECIES.get(f.species).unwrap_or(&"?");
        println!(
            "{a:>4.1} {b:>4.1} {c:>4.1} {d:>4.1}   {species:<10}  ({:.3}, {:.3}, {:.3})",
            p[0], p[1], p[2]
        );
    }
    let reached = if test.accuracy >= BAR {
        "reached"
    } else {
        "MISSED"
    };
    println!(
        "\ntest accuracy {:.2} % ({} flowers) {reached} the bar of {:.0} %",
        100.0 * test.accuracy,
        test.samples,
        100.0 * BAR
    );
    Ok(same && test.accuracy >= BAR)
}
