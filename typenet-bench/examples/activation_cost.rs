//! What W1's activations cost at batch 1: the 2-8-8-1 network of the benchmark's W1
//! (tanh, tanh, sigmoid) beside the same shape with cheaper activations — the sigmoid
//! replaced by the identity, then ReLU for both tanh, then the identity throughout —
//! each through `Packed::forward` as the benchmark's typenet row calls it: independent
//! calls (the `forward` row: the processor may overlap one call with the next) and
//! chained calls (the `chained` row: each input made from the last output). The
//! identity row is the floor of the layers alone; the differences are what the
//! activations add.
//!
//! ```text
//! cargo run --release -p typenet-bench --example activation_cost
//! ```
//!
//! Prints, per network, the median of `REPEATS` timed runs of `CALLS` calls, in ns per
//! call. The weights are the same values for every network (the activations differ, so
//! the outputs do).

use std::hint::black_box;
use std::time::Instant;
use typenet::{Arr, Network, Packed, network};

/// Calls per timed run.
const CALLS: u32 = 10_000_000;
/// Timed runs per network and pass (after one untimed run); the median counts.
const REPEATS: usize = 5;

/// The median ns per call of `REPEATS` runs of `run` (which makes `CALLS` calls).
fn median_ns(mut run: impl FnMut()) -> f64 {
    run();
    let mut times: Vec<f64> = (0..REPEATS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / f64::from(CALLS)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[REPEATS / 2]
}

/// Times one network: independent calls, then chained calls (the next input's first
/// entry plus 0 × the sum of the outputs, as `typenet-bench`'s chained pass).
fn row<N: Network<f32>>(name: &str, x: Arr<f32, N::Input>) {
    let params: Vec<f32> = (0..N::PARAMS)
        .map(|i| (i as f32 * 0.37).sin() * 0.5)
        .collect();
    let net = N::from_params(&params).expect("PARAMS parameters");
    let packed = Packed::new(net);
    let independent = median_ns(|| {
        for _ in 0..CALLS {
            black_box(packed.forward(black_box(&x)));
        }
    });
    let chained = median_ns(|| {
        let mut x = x.clone();
        for _ in 0..CALLS {
            let y = packed.forward(&x);
            x[0] += 0.0 * y.iter().sum::<f32>();
        }
        black_box(x);
    });
    println!("| {name} | {independent:.1} | {chained:.1} |");
}

/// The input of every call (the first entry moves in the chained pass).
fn x<S: From<[f32; 2]>>() -> S {
    [0.3, -0.2].into()
}

fn main() {
    println!("| 2-8-8-1 network | independent calls (ns) | chained calls (ns) |");
    println!("| --- | ---: | ---: |");
    row::<network!(f32; 2 -> 8 Tanh -> 8 Tanh -> 1 Sigmoid)>("tanh, tanh, sigmoid (W1)", x());
    row::<network!(f32; 2 -> 8 Tanh -> 8 Tanh -> 1 Identity)>("tanh, tanh, identity", x());
    row::<network!(f32; 2 -> 8 ReLU -> 8 ReLU -> 1 Identity)>("ReLU, ReLU, identity", x());
    row::<network!(f32; 2 -> 8 Identity -> 8 Identity -> 1 Identity)>("identity throughout", x());
}
