//! The MLPerf Tiny anomaly-detection autoencoder in int8 (issue 12, item 4): the host
//! reference of `embedded/src/bin/autoencoder_int8.rs`, printing the lines that firmware
//! prints so that `.ci/run` can compare them byte for byte.
//!
//! ```sh
//! cargo run --release --example autoencoder_int8
//! cargo run --release --example autoencoder_int8 -- --save embedded/data/autoencoder_int8.tnet
//! ```
//!
//! The network is the MLPerf Tiny AD model's shape, 640-128-128-128-128-8-128-128-128-128-640
//! with ReLU on the nine hidden layers and a linear output (264 192 MACs), its f32 weights
//! **randomly initialised** (`init::initialize_seeded`, seed [`SEED`]; not trained), then
//! quantized with `typenet::quant`, calibrated on 256 **synthetic** log-mel-like inputs
//! (`embedded/src/autoencoder.rs`, drawn from SplitMix64; random, not the ToyADMOS data).
//!
//! Without options the program runs the int8 network stored in
//! `embedded/data/autoencoder_int8.tnet` (what the firmware includes) on the four test
//! inputs, after checking that the file is exactly what the quantization makes now
//! (otherwise: regenerate it with `--save`) and that the outputs differ between the
//! inputs (a network whose bottleneck were dead for every input would print one output
//! four times and test little). With `--save FILE` it writes the int8 network to FILE
//! (`typenet::quant::save`) and runs nothing.
//!
//! Exit status: 0 on success, 1 when a step fails, 2 for bad arguments.

// The inputs and the printed lines, shared with the firmware (one file, no copy).
#[path = "../../embedded/src/autoencoder.rs"]
mod autoencoder;

use autoencoder::{CALIBRATION_SEEDS, Header, Reconstruction, TEST_SEEDS, synthetic_log_mel};
use std::process::ExitCode;
use typenet::init::initialize_seeded;
use typenet::quant::{self, Quantized};
use typenet::{BoxedNetwork, network};

type Autoencoder = network!(f32; 640 -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 8 ReLU
    -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 640 Identity);
type QAutoencoder = Quantized<Autoencoder>;

/// The seed of the f32 weights (He uniform, biases zero).
const SEED: u64 = 12;

const INT8_WEIGHTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/embedded/data/autoencoder_int8.tnet"
);

/// The int8 network as the quantization makes it now, on the heap (about 270 KB).
fn quantized() -> Result<Box<QAutoencoder>, String> {
    // 264 k f32 parameters (about 1 MB): built on the heap, never on the stack.
    let mut net = Autoencoder::new_boxed_zeroed();
    initialize_seeded(&mut *net, SEED);
    let calibration = CALIBRATION_SEEDS.map(synthetic_log_mel);
    quant::quantize(&*net, calibration)
        .map(Box::new)
        .map_err(|e| format!("quantization failed: {e}"))
}

fn run(save: Option<&str>) -> Result<(), String> {
    let calibrated = quantized()?;
    if let Some(path) = save {
        return quant::save(&*calibrated, path).map_err(|e| format!("{path}: {e}"));
    }
    let q: Box<QAutoencoder> = quant::load(INT8_WEIGHTS)
        .map(Box::new)
        .map_err(|e| format!("{INT8_WEIGHTS}: {e}"))?;
    if q != calibrated {
        return Err(format!(
            "{INT8_WEIGHTS} is not what the quantization makes now; regenerate it with \
             `cargo run --release --example autoencoder_int8 -- --save {INT8_WEIGHTS}`"
        ));
    }
    let runs: Vec<Reconstruction> = (0..TEST_SEEDS.len())
        .map(|i| Reconstruction::of(&*q, i))
        .collect();
    if runs.iter().all(|r| r.checksum == runs[0].checksum) {
        return Err("the int8 outputs are the same for every test input".into());
    }
    println!("{Header}");
    for r in &runs {
        println!("{r}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let save = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--save" => Some(file.as_str()),
        _ => {
            eprintln!("usage: autoencoder_int8 [--save FILE]");
            return ExitCode::from(2);
        }
    };
    match run(save) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
