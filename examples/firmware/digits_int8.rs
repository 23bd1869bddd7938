//! The digits network in int8: quantizes the f32 network of `embedded/data/digits.tnet`
//! (`typenet::quant`), calibrated on the training part of `examples/data/digits.csv`,
//! and classifies the held-out images of `embedded/data/heldout.bin` exactly as
//! `embedded/src/bin/digits_int8.rs` does on the Cortex-M cores, printing the same two
//! lines so that `.ci/run` can compare them byte for byte.
//!
//! ```sh
//! cargo run --release --example digits_int8
//! cargo run --release --example digits_int8 -- --save embedded/data/digits_int8.tnet
//! ```
//!
//! Calibration: the training part of the seeded 80/20 split that `examples/03-digits.rs`
//! trained on (its `load`, `split` and `input`; 1438 images, pixels scaled to [0, 1]),
//! as `tests/quant.rs` does; the other part of the split must be `heldout.bin`, so no
//! held-out image is used.
//!
//! Without options the program classifies with the int8 network stored in
//! `embedded/data/digits_int8.tnet` (what the firmware includes), after checking that
//! it is exactly what the calibration makes now (otherwise: regenerate it with
//! `--save`). With `--save FILE` it writes the int8 network to FILE
//! (`typenet::quant::save`) and classifies nothing.
//!
//! Input quantization, as the firmware does it with integers only: a raw pixel
//! p ∈ 0..=16 becomes x_q = (255 p + 7) / 16 − 128 (integer division), which is
//! `quantize_input` of p/16 for the calibrated input parameters (scale 1/255, zero
//! point −128; see the `typenet::quant` docs). The program checks that formula against
//! the network's `QParams::quantize` for all 17 pixel values and stops if they differ.
//!
//! Exit status: 0 on success, 1 when a step fails, 2 for bad arguments.

// The digits example's data loading and split (its `main` and training are not used).
#[allow(dead_code)]
#[path = "../03-digits.rs"]
mod digits;
mod heldout;

use heldout::{HELDOUT, Tally};
use std::process::ExitCode;
use typenet::generic_array::GenericArray;
use typenet::loss::argmax;
use typenet::quant::{self, QNetwork, Quantized};
use typenet::{Arr, format, network};

type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
type QDigits = Quantized<DigitsNet>;

const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/digits.tnet");
const INT8_WEIGHTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/embedded/data/digits_int8.tnet"
);

/// The int8 input of a raw pixel 0..=16, integer arithmetic only: the firmware's
/// formula, round(255 p / 16) − 128 with the tie at p = 8 rounded down.
fn pixel_to_int8(p: u8) -> i8 {
    ((255 * i32::from(p) + 7) / 16 - 128) as i8
}

/// The training part of `digits.csv`, split as `examples/03-digits.rs` split it, scaled
/// to [0, 1]; checks that the other part is `heldout`.
fn training_inputs(heldout: &[u8]) -> Result<Vec<Arr<f32, typenet::typenum::U64>>, String> {
    let images = digits::load(digits::DATA).map_err(|e| e.to_string())?;
    let (train, test, _) = digits::split(&images);
    let same = test.len() * 65 == heldout.len()
        && test
            .iter()
            .zip(heldout.chunks_exact(65))
            .all(|((pixels, digit), image)| pixels[..] == image[..64] && *digit == image[64]);
    if !same {
        return Err(format!(
            "{HELDOUT} is not the test part of the split of {}",
            digits::DATA
        ));
    }
    Ok(train
        .iter()
        .map(|(pixels, _)| digits::input(pixels))
        .collect())
}

fn run(save: Option<&str>) -> Result<(), String> {
    let net: DigitsNet = format::load(WEIGHTS).map_err(|e| format!("{WEIGHTS}: {e}"))?;
    let heldout = heldout::load()?;
    let calibration = training_inputs(&heldout)?;
    let calibrated: QDigits =
        quant::quantize(&net, &calibration).map_err(|e| format!("quantization failed: {e}"))?;
    if let Some(path) = save {
        // The error names the path itself.
        return quant::save(&calibrated, path).map_err(|e| e.to_string());
    }

    let q: QDigits = quant::load(INT8_WEIGHTS).map_err(|e| format!("{INT8_WEIGHTS}: {e}"))?;
    if q != calibrated {
        return Err(format!(
            "{INT8_WEIGHTS} is not what the calibration makes now; regenerate it with \
             `cargo run --release --example digits_int8 -- --save {INT8_WEIGHTS}`"
        ));
    }
    let input = q.input_params();
    for p in 0u8..=16 {
        if input.quantize(f32::from(p) / 16.0) != pixel_to_int8(p) {
            return Err(format!(
                "the integer input formula differs from the input parameters {input:?} \
                 at pixel {p}"
            ));
        }
    }

    let mut tally = Tally::new();
    for image in heldout.chunks_exact(65) {
        let x = GenericArray::from_array(std::array::from_fn::<i8, 64, _>(|k| {
            pixel_to_int8(image[k])
        }));
        tally.record(argmax(&q.forward(&x)), image[64]);
    }
    tally.print("digits int8");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let save = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--save" => Some(file.as_str()),
        _ => {
            eprintln!("usage: digits_int8 [--save FILE]");
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
