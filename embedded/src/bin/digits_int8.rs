//! Classifies the held-out handwritten digits with the int8 version of the digits
//! network (`typenet::quant`), on a Cortex-M core, with integer arithmetic only, and
//! prints the accuracy and a checksum of the predictions (FNV-1a 64 over the predicted
//! class bytes), which CI compares with the host's `examples/firmware/digits_int8.rs`.
//!
//! The network is a `static` built at compile time by `static_qnetwork!` from
//! `data/digits_int8.tnet` (written by
//! `cargo run --release --example digits_int8 -- --save embedded/data/digits_int8.tnet`
//! at the repository root): int8 weights in flash, no RAM, a wrong file is a compile
//! error.
//!
//! Inputs: a raw pixel p ∈ 0..=16 becomes x_q = (255 p + 7) / 16 − 128 (integer
//! division), which is the network's input quantization for its calibrated input
//! parameters (scale 1/255, zero point −128; the host example checks the formula
//! against `QParams::quantize` for every p, and this file checks the parameters while
//! compiling). No float arithmetic runs: the inference is `QNetwork::forward` and the
//! prediction `loss::argmax` of the int8 outputs.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use typenet::generic_array::GenericArray;
use typenet::loss::argmax;
use typenet::quant::{QNetwork, Quantized};
use typenet::{network, static_qnetwork};

type QDigits = Quantized<network!(f32; 64 -> 64 ReLU -> 10 Softmax)>;

/// The int8 network, checked and built while compiling.
const QNET: QDigits = static_qnetwork!(
    64 -> 64 ReLU -> 10 Softmax;
    include_bytes!("../../data/digits_int8.tnet")
);
static NET: QDigits = QNET;

// The integer input formula below holds for these input parameters only.
const _: () = assert!(
    QNET.input.zero_point == -128 && QNET.input.scale.to_bits() == (1.0f32 / 255.0).to_bits(),
    "digits_int8.tnet's input parameters are not scale 1/255, zero point -128"
);

/// The held-out images: 64 pixel bytes (0..16) and a label byte each.
const HELDOUT: &[u8] = include_bytes!("../../data/heldout.bin");
const _: () = assert!(
    HELDOUT.len().is_multiple_of(65),
    "heldout.bin must hold 65 bytes per image"
);

/// The int8 input of an image: round(255 p / 16) − 128 per pixel, integers only.
fn input(image: &[u8]) -> GenericArray<i8, typenet::typenum::U64> {
    GenericArray::from_array(core::array::from_fn::<i8, 64, _>(|k| {
        ((255 * i32::from(image[k]) + 7) / 16 - 128) as i8
    }))
}

#[entry]
fn main() -> ! {
    let mut correct = 0usize;
    let mut checksum: u64 = 0xcbf2_9ce4_8422_2325;
    let images = HELDOUT.chunks_exact(65);
    let count = images.len();
    for image in images {
        let predicted = argmax(&NET.forward(&input(image)));
        if predicted == Some(usize::from(image[64])) {
            correct += 1;
        }
        // An output of NaNs predicts no class: u64::MAX in the checksum.
        checksum ^= predicted.map_or(u64::MAX, |p| p as u64);
        checksum = checksum.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hprintln!(
        "digits int8: {} of {} held-out images correct",
        correct,
        count
    );
    hprintln!("predictions checksum: {:016x}", checksum);
    typenet_firmware::exit(true)
}
