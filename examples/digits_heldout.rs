//! The host's side of the firmware check: classifies the held-out digits in
//! `embedded/data/` exactly as `embedded/src/bin/digits.rs` does on the Cortex-M cores
//! and prints the same two lines, so `.ci/run` can compare them byte for byte.
//!
//! ```sh
//! cargo run --release --example digits_heldout
//! ```

use std::process::ExitCode;
use typenet::generic_array::GenericArray;
use typenet::loss::argmax;
use typenet::{Network, format, network};

type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);

const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/digits.tnet");
const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/heldout.bin");

fn main() -> ExitCode {
    let net: DigitsNet = match format::load(WEIGHTS) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("{WEIGHTS}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let heldout = match std::fs::read(HELDOUT) {
        Ok(b) if b.len() % 65 == 0 => b,
        Ok(b) => {
            eprintln!(
                "{HELDOUT}: {} bytes is not a whole number of 65-byte images",
                b.len()
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{HELDOUT}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut correct = 0usize;
    let mut checksum: u64 = 0xcbf2_9ce4_8422_2325;
    for image in heldout.chunks_exact(65) {
        let x: GenericArray<f32, _> =
            GenericArray::from_array(std::array::from_fn::<f32, 64, _>(|k| {
                f32::from(image[k]) / 16.0
            }));
        let predicted = argmax(&net.forward(&x));
        if predicted == usize::from(image[64]) {
            correct += 1;
        }
        checksum ^= predicted as u64;
        checksum = checksum.wrapping_mul(0x0000_0100_0000_01b3);
    }
    println!(
        "digits: {} of {} held-out images correct",
        correct,
        heldout.len() / 65
    );
    println!("predictions checksum: {checksum:016x}");
    ExitCode::SUCCESS
}
