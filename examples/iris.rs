//! Iris flowers: a 4 → 16 tanh → 3 softmax network tells the three species apart from
//! four measurements (R. A. Fisher's 150 samples, in `examples/data/iris.csv`).
//!
//! ```sh
//! cargo run --release --example iris
//! ```
//!
//! A seeded 80/20 split (120 / 30 samples); each feature standardised with the mean and
//! standard deviation of the training part only; softmax cross-entropy on the class
//! index; Adam (η = 0.01, cosine schedule), mini-batches of 8, 100 epochs, seed 42
//! (`examples/common/tasks.rs`, the set-up `tests/training.rs` checks). Exits with
//! status 1 if the final test accuracy is below 93 % (28 of 30).
//!
//! With only 30 test flowers the accuracy depends mostly on which flowers the split
//! puts in the test part: across split seeds it ranges from about 87 % to 100 %.

mod common;

use common::csv;
use common::progress::{Metric, Progress};
use common::tasks::{self, IRIS, IRIS_BAR, IrisNet};
use std::process::ExitCode;
use typenet::Network;

const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

fn main() -> ExitCode {
    if let Some(arg) = std::env::args().nth(1) {
        eprintln!("error: unexpected argument `{arg}`\nusage: cargo run --release --example iris");
        return ExitCode::from(2);
    }
    let data = match csv::load(tasks::IRIS_CSV, &tasks::iris_columns()) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("iris: {} flowers from {}", data.len(), tasks::IRIS_CSV);
    println!(
        "network 4 -> 16 Tanh -> 3 Softmax ({} parameters); Adam, η = {} (cosine), \
         batches of {}, {} epochs, seed {}",
        IrisNet::PARAMS,
        IRIS.learning_rate,
        IRIS.batch_size,
        IRIS.epochs,
        IRIS.seed
    );

    let mut progress = Progress::new(IRIS.epochs, Metric::Accuracy, 10);
    let result = tasks::train_iris(&data, &IRIS, |r| progress.epoch(r));
    progress.finish();
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!(
        "\ntrain accuracy {:.2} % ({} flowers), test accuracy {:.2} % ({} flowers), \
         {} epochs in {:.3} s",
        100.0 * run.train.accuracy,
        run.train.samples,
        100.0 * run.test.accuracy,
        run.test.samples,
        run.reports.len(),
        run.elapsed.as_secs_f64()
    );
    // The network on one flower of each species, standardised as in training.
    let samples = [0, 50, 100].map(|i| (&data.features[i], data.labels[i]));
    let stats = run.scaling.as_slice();
    println!("\nmeasurements (cm)       species      P(setosa, versicolor, virginica)");
    for (x, label) in samples {
        let input = typenet::generic_array::GenericArray::from_array(
            [0, 1, 2, 3].map(|k| (x[k] - stats[k].0) / stats[k].1),
        );
        let p = run.net.forward(&input);
        println!(
            "{:>4.1} {:>4.1} {:>4.1} {:>4.1}     {:<11}  ({:.3}, {:.3}, {:.3})",
            x[0], x[1], x[2], x[3], SPECIES[label], p[0], p[1], p[2]
        );
    }
    if run.test.accuracy >= IRIS_BAR {
        println!("\nreached the bar of {:.0} %", 100.0 * IRIS_BAR);
        ExitCode::SUCCESS
    } else {
        println!("\nMISSED the bar of {:.0} %", 100.0 * IRIS_BAR);
        ExitCode::FAILURE
    }
}
