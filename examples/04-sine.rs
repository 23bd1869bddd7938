//! Regression: a 1 → 16 tanh → 16 tanh → 1 network learns y = sin(x) on [0, 2π] with
//! the mean squared error, and vector targets instead of class indices.
//!
//! ```sh
//! cargo run --release --example sine
//! ```
//!
//! 1000 evenly spaced x, each scaled to [−1, 1] for the network, split 80/20; Adam
//! (η = 0.01, cosine schedule), batches of 16, 200 epochs; every random choice from
//! typenet's built-in generator and [`SEED`]. Prints a few predictions next to sin(x)
//! and exits with status 1 if the test MSE is not below 1e-3; `tests/training.rs` runs
//! [`run`] and checks the same bar.

use indicatif::{ProgressBar, ProgressStyle};
use std::f64::consts::PI;
use std::ops::ControlFlow;
use std::process::ExitCode;
use typenet::fit::{EpochReport, Fit, train_test_split};
use typenet::init::initialize_seeded;
use typenet::loss::MeanSquaredError;
use typenet::optim::{Adam, Cosine};
use typenet::train::{Evaluation, SplitMix64, Trainer, evaluate};
use typenet::{Input, Network, Output, TrainError, network};

pub type SineNet = network!(f32; 1 -> 16 Tanh -> 16 Tanh -> 1 Identity);

pub const SEED: u64 = 42;
pub const EPOCHS: usize = 200;
/// The test mean squared error must stay below this.
pub const BAR: f32 = 1e-3;

/// x in [0, 2π] scaled to the network's input range [−1, 1].
pub fn input(x: f64) -> Input<f32, SineNet> {
    SineNet::input([(x / PI - 1.0) as f32])
}

/// Trains on an 80/20 split of 1000 points (x, sin x); returns the network and the
/// test part's evaluation (its `loss` is the test MSE).
pub fn run(
    mut on_epoch: impl FnMut(&EpochReport<f32>),
) -> Result<(SineNet, Evaluation<f32>), TrainError> {
    let points: Vec<_> = (0..1000)
        .map(|k| {
            let x = 2.0 * PI * f64::from(k) / 999.0;
            (input(x), Output::<f32, SineNet>::from([x.sin() as f32])) // a target vector
        })
        .collect();
    let (train, test) = train_test_split(&points, 0.8, &mut SplitMix64::new(SEED));

    let mut net = SineNet::zeroed();
    initialize_seeded(&mut net, SEED);
    let mut trainer = Trainer::new(Adam::new(0.01));
    let cosine = Cosine {
        initial: 0.01,
        min: 1e-4,
        epochs: EPOCHS - 1,
    };
    Fit::new(MeanSquaredError)
        .epochs(EPOCHS)
        .batch_size(16)
        .seed(SEED)
        .schedule(&cosine)
        .test(&test)
        .on_epoch(|report| {
            on_epoch(report);
            ControlFlow::Continue(())
        })
        .run(&mut net, &mut trainer, &train)?;
    let test = evaluate(&net, &MeanSquaredError, &test)?;
    Ok((net, test))
}

fn main() -> ExitCode {
    println!("sine: 1000 points, network 1 -> 16 Tanh -> 16 Tanh -> 1 Identity, MSE");
    // A progress bar on a terminal; indicatif hides it when stderr is not one (CI),
    // and then every 20th epoch is a plain line.
    let style = ProgressStyle::with_template("{bar:30} {msg}").expect("a valid template");
    let bar = ProgressBar::new(EPOCHS as u64).with_style(style);
    let result = run(|r| {
        let test = r.test.map_or(0.0, |t| t.loss);
        let line = format!(
            "epoch {:>3}  train MSE {:.3e}  test MSE {test:.3e}",
            r.epoch, r.train_loss
        );
        bar.inc(1);
        bar.set_message(line.clone());
        if bar.is_hidden() && r.epoch % 20 == 0 {
            println!("{line}");
        }
    });
    bar.finish_and_clear();
    let (net, test) = match result {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!("\n     x     sin(x)   network    error");
    for k in 0..=12 {
        let x = 2.0 * PI * f64::from(k) / 12.0;
        let y = f64::from(net.forward(&input(x))[0]);
        println!(
            "{x:>6.3}  {:>+8.5}  {y:>+8.5}  {:>+8.5}",
            x.sin(),
            y - x.sin()
        );
    }
    let passed = test.loss < BAR;
    let verdict = if passed { "below" } else { "NOT below" };
    println!(
        "\ntest MSE {:.3e} ({} points): {verdict} the bar of {BAR:e}",
        test.loss, test.samples
    );
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
