//! The digits network in Q16.16 fixed point, for chips without an FPU: converts the
//! trained f32 network `embedded/data/digits.tnet` to `typenet::fixed::Q16`
//! (`--save FILE` writes it in the weight format, scalar code 3), and classifies the
//! held-out images in `embedded/data/heldout.bin` the way `embedded/src/bin/digits_q16.rs`
//! does on the Cortex-M cores, printing the same two lines so `.ci/run` can compare them.
//!
//! ```sh
//! cargo run --release --example digits_q16
//! cargo run --release --example digits_q16 -- --save embedded/data/digits_q16.tnet
//! ```

mod heldout;

use heldout::Tally;
use std::process::ExitCode;
use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::{Network, format, loss::argmax, network};

type DigitsF32 = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
type DigitsQ16 = network!(Q16; 64 -> 64 ReLU -> 10 Softmax);

const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/digits.tnet");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let save = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--save" => Some(file.clone()),
        _ => {
            eprintln!("usage: cargo run --release --example digits_q16 [-- --save FILE]");
            return ExitCode::from(2);
        }
    };
    let f32_net: DigitsF32 = match format::load(WEIGHTS) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("{WEIGHTS}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The conversion rounds each weight to the nearest multiple of 2^-16.
    let params: Vec<Q16> = f32_net
        .params()
        .map(|&p| Q16::from_f64(f64::from(p)))
        .collect();
    let net = DigitsQ16::from_params(&params).expect("same architecture, same count");
    if let Some(file) = save {
        if let Err(e) = format::save(&net, &file) {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
        println!("Q16.16 digits network written to {file}");
        return ExitCode::SUCCESS;
    }
    let images = match heldout::load() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut tally = Tally::new();
    for image in images.chunks_exact(65) {
        // pixel / 16, exactly, with integers only: p · 2^16 / 16 = p << 12
        let x = GenericArray::from_array(std::array::from_fn::<Q16, 64, _>(|k| {
            Q16::from_bits(i32::from(image[k]) << 12)
        }));
        tally.record(argmax(&net.forward(&x)), image[64]);
    }
    tally.print("digits Q16.16");
    ExitCode::SUCCESS
}
