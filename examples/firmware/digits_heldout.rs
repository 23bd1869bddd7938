//! The host's side of the firmware check: classifies the held-out digits in
//! `embedded/data/` exactly as `embedded/src/bin/digits.rs` does on the Cortex-M cores
//! and prints the same two lines, so `.ci/run` can compare them byte for byte.
//!
//! ```sh
//! cargo run --release --example digits_heldout
//! ```

mod heldout;

use heldout::Tally;
use std::process::ExitCode;
use typenet::generic_array::GenericArray;
use typenet::loss::argmax;
use typenet::{Network, format, network};

type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);

const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/digits.tnet");

fn main() -> ExitCode {
    let net: DigitsNet = match format::load(WEIGHTS) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("{WEIGHTS}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let images = match heldout::load() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut tally = Tally::new();
    for image in images.chunks_exact(65) {
        let x: GenericArray<f32, _> =
            GenericArray::from_array(std::array::from_fn::<f32, 64, _>(|k| {
                f32::from(image[k]) / 16.0
            }));
        tally.record(argmax(&net.forward(&x)), image[64]);
    }
    tally.print("digits");
    ExitCode::SUCCESS
}
