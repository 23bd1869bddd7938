//! Integer networks, for chips without a floating-point unit: a small f32 network is
//! trained, then run in Q16.16 fixed point (`typenet::fixed::Q16`, the same type with
//! another scalar) and as an int8 network after post-training quantization
//! (`typenet::quant`, calibrated on the training inputs), and the three accuracies are
//! compared on the same test points.
//!
//! ```sh
//! cargo run --release --example integer
//! ```
//!
//! The task: points in the square [−1, 1]² classified by ring (radius below 0.4, below
//! 0.75, or beyond), 2 → 32 ReLU → 3 softmax. Exits with status 1 if f32 is below 90 %
//! or Q16.16 or int8 is more than 2 points below f32.

use std::process::ExitCode;
use typenet::fit::{Fit, train_test_split};
use typenet::fixed::Q16;
use typenet::init::initialize_seeded;
use typenet::loss::{SoftmaxCrossEntropy, argmax};
use typenet::optim::Adam;
use typenet::quant::{self, QNetwork, Quantized};
use typenet::rand_core::RngCore;
use typenet::train::{SplitMix64, Trainer};
use typenet::{Network, network};

/// The same architecture with three scalars: f32 for training, Q16.16, and int8.
type RingsF32 = network!(f32; 2 -> 32 ReLU -> 3 Softmax);
type RingsQ16 = network!(Q16; 2 -> 32 ReLU -> 3 Softmax);
type RingsInt8 = Quantized<RingsF32>;

/// The share of `points` whose predicted class (the arg-max of `predict`) is right.
fn accuracy<O: PartialOrd>(
    points: &[([f32; 2], usize)],
    predict: impl Fn([f32; 2]) -> Vec<O>,
) -> f64 {
    let right = points
        .iter()
        .filter(|(x, class)| argmax(&predict(*x)) == Some(*class));
    right.count() as f64 / points.len() as f64
}

fn main() -> ExitCode {
    // 2000 points, uniform in the square, from typenet's built-in generator.
    let mut rng = SplitMix64::new(7);
    let mut uniform = || (rng.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
    let points: Vec<([f32; 2], usize)> = (0..2000)
        .map(|_| {
            let x = [uniform(), uniform()];
            let r = x[0].hypot(x[1]);
            (x, usize::from(r >= 0.4) + usize::from(r >= 0.75))
        })
        .collect();
    let (train, test) = train_test_split(&points, 0.8, &mut SplitMix64::new(7));
    let samples: Vec<_> = train
        .iter()
        .map(|&(x, c)| (RingsF32::input(x), c))
        .collect();

    // Train in f32.
    let mut net = RingsF32::zeroed();
    initialize_seeded(&mut net, 7);
    let mut trainer = Trainer::new(Adam::new(0.01));
    let fit = Fit::new(SoftmaxCrossEntropy)
        .epochs(60)
        .batch_size(32)
        .seed(7);
    if let Err(e) = fit.run(&mut net, &mut trainer, &samples) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }

    // Q16.16: each parameter rounded to the nearest multiple of 2^-16.
    let params: Vec<Q16> = net.params().map(|&p| Q16::from_f64(f64::from(p))).collect();
    let fixed = RingsQ16::from_params(&params).expect("the same architecture, the same count");

    // int8: per-layer ranges from the training inputs, then integer-only inference.
    let inputs: Vec<_> = samples.iter().map(|(x, _)| *x).collect();
    let int8: RingsInt8 = match quant::quantize(&net, &inputs) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("error: quantization failed: {e}");
            return ExitCode::FAILURE;
        }
    };

    let f32_acc = accuracy(&test, |x| net.forward(&RingsF32::input(x)).to_vec());
    let q16_acc = accuracy(&test, |x| {
        let x = RingsQ16::input(x.map(|v| Q16::from_f64(f64::from(v))));
        fixed.forward(&x).to_vec()
    });
    let int8_acc = accuracy(&test, |x| {
        int8.forward(&int8.quantize_input(&RingsF32::input(x)))
            .to_vec()
    });
    println!("{} test points, 2 -> 32 ReLU -> 3 Softmax\n", test.len());
    println!("scalar   test accuracy");
    for (name, acc) in [("f32", f32_acc), ("Q16.16", q16_acc), ("int8", int8_acc)] {
        println!("{name:<8} {:>11.2} %", 100.0 * acc);
    }
    let close = |acc: f64| acc >= f32_acc - 0.02;
    if f32_acc >= 0.9 && close(q16_acc) && close(int8_acc) {
        println!("\nQ16.16 and int8 are within 2 points of f32");
        ExitCode::SUCCESS
    } else {
        println!("\nMISSED: f32 below 90 % or an integer network more than 2 points below it");
        ExitCode::FAILURE
    }
}
