//! Learns XOR with a 2 → 4 tanh → 1 sigmoid network and plain full-batch gradient
//! descent, written out here step by step: forward_trace, backward, w ← w − η ∂E/∂w.
//!
//! Run with `cargo run --release --example xor`. Exits with status 1 if the network did
//! not learn XOR (every prediction within 0.1 of its target).

use std::process::ExitCode;
use typenet::init::initialize_seeded;
use typenet::{Network, Trace, network};

type Net = network!(f64; 2 -> 4 Tanh -> 1 Sigmoid);

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
    // Random weights (Glorot uniform, from typenet's built-in generator and a seed)
    // break the symmetry between the hidden neurons; biases start at zero.
    let mut net = Net::zeroed();
    initialize_seeded(&mut net, 42);

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
