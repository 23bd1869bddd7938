//! Regression: a 1 → 16 tanh → 16 tanh → 1 network learns y = sin(x) on [0, 2π].
//!
//! ```sh
//! cargo run --release --example sine
//! ```
//!
//! 1000 evenly spaced x in [0, 2π], each scaled to [−1, 1] for the network, split 80/20
//! with a seed; mean squared error; Adam (η = 0.01, cosine schedule), mini-batches of
//! 16, 200 epochs, seed 42 (`examples/common/tasks.rs`, the set-up `tests/training.rs`
//! checks). Prints a few predictions next to sin(x) and exits with status 1 if the
//! test MSE is not below 1e-3.

mod common;

use common::progress::{Metric, Progress};
use common::tasks::{self, SINE, SINE_BAR, SineNet};
use std::f64::consts::PI;
use std::process::ExitCode;
use typenet::Network;

fn main() -> ExitCode {
    if let Some(arg) = std::env::args().nth(1) {
        eprintln!("error: unexpected argument `{arg}`\nusage: cargo run --release --example sine");
        return ExitCode::from(2);
    }
    println!(
        "sine: {} points x in [0, 2π] scaled to [-1, 1], targets sin(x)",
        tasks::SINE_POINTS
    );
    println!(
        "network 1 -> 16 Tanh -> 16 Tanh -> 1 Identity ({} parameters), mean squared error",
        SineNet::PARAMS
    );
    println!(
        "Adam, η = {} (cosine), batches of {}, {} epochs, seed {}",
        SINE.learning_rate, SINE.batch_size, SINE.epochs, SINE.seed
    );

    let mut progress = Progress::new(SINE.epochs, Metric::Mse, 20);
    let result = tasks::train_sine(&SINE, |r| progress.epoch(r));
    progress.finish();
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!(
        "\ntrain MSE {:.3e} ({} points), test MSE {:.3e} ({} points), {} epochs in {:.2} s",
        run.train.loss,
        run.train.samples,
        run.test.loss,
        run.test.samples,
        run.reports.len(),
        run.elapsed.as_secs_f64()
    );
    println!("\n     x     sin(x)   network    error");
    let mut worst = 0.0_f64;
    for k in 0..=12 {
        let x = 2.0 * PI * f64::from(k) / 12.0;
        let y = f64::from(run.net.forward(&tasks::sine_input(x))[0]);
        worst = worst.max((y - x.sin()).abs());
        println!(
            "{x:>6.3}  {:>+8.5}  {y:>+8.5}  {:>+8.5}",
            x.sin(),
            y - x.sin()
        );
    }
    println!("largest error at these points: {worst:.2e}");
    if run.test.loss < SINE_BAR {
        println!("\ntest MSE below the bar of {SINE_BAR:e}");
        ExitCode::SUCCESS
    } else {
        println!("\ntest MSE MISSED the bar of {SINE_BAR:e}");
        ExitCode::FAILURE
    }
}
