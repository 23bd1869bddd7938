//! Learns XOR with a 2 → 4 tanh → 1 sigmoid network and plain full-batch gradient
//! descent, written out here step by step: forward_trace, backward, w ← w − η ∂E/∂w.
//!
//! Run with `cargo run --release --example xor`. Exits with status 1 if the network did
//! not learn XOR (every prediction within 0.1 of its target).

use std::process::ExitCode;
use typenet::{Network, Trace, network};

type Net = network!(f64; 2 -> 4 Tanh -> 1 Sigmoid);

/// A small deterministic generator for the initial weights (xorshift64*), so the
/// example needs no other crate and prints the same run every time.
struct XorShift(u64);

impl XorShift {
    /// A value uniform in [−1, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 52) as f64 - 1.0
    }
}

const DATA: [([f64; 2], f64); 4] = [
    ([0.0, 0.0], 0.0),
    ([0.0, 1.0], 1.0),
    ([1.0, 0.0], 1.0),
    ([1.0, 1.0], 0.0),
];

/// Mean over the four samples of E = ½(a^N − t)².
fn loss(net: &Net) -> f64 {
    DATA.iter()
        .map(|(x, t)| {
            let y = net.forward(&Net::input(*x))[0];
            0.5 * (y - t) * (y - t)
        })
        .sum::<f64>()
        / DATA.len() as f64
}

fn main() -> ExitCode {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Uniform in [−1, 1): enough to break the symmetry between hidden neurons.
    let init: Vec<f64> = (0..Net::PARAMS).map(|_| rng.next()).collect();
    let mut net = Net::from_params(&init).expect("init has Net::PARAMS values");

    let mut trace = Trace::<f64, Net>::new();
    let mut grads = Net::zeroed();
    let learning_rate = 2.0;
    let epochs = 3000;

    println!("epoch        loss");
    for epoch in 0..=epochs {
        if epoch % 300 == 0 {
            println!("{epoch:>5}  {:.8}", loss(&net));
        }
        if epoch == epochs {
            break;
        }
        grads.set_zero();
        for (x, t) in DATA {
            let a = net.forward_trace(&Net::input(x), &mut trace)[0];
            // ∂E/∂a^N for E = ½(a^N − t)², averaged over the batch.
            let grad = [(a - t) / DATA.len() as f64].into();
            net.backward(&mut trace, &grad, &mut grads);
        }
        for (w, g) in net.params_mut().zip(grads.params()) {
            *w -= learning_rate * g;
        }
    }

    println!("\n x1  x2  target  prediction");
    let mut learned = true;
    for (x, t) in DATA {
        let y = net.forward(&Net::input(x))[0];
        let ok = (y - t).abs() < 0.1;
        learned &= ok;
        println!(
            " {:.0}   {:.0}   {t:.0}       {y:.4} {}",
            x[0],
            x[1],
            if ok { "ok" } else { "WRONG" }
        );
    }
    if learned {
        println!("\nlearned XOR");
        ExitCode::SUCCESS
    } else {
        println!("\ndid NOT learn XOR");
        ExitCode::FAILURE
    }
}
