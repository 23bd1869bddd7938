//! Classifies the held-out handwritten digits with the network trained by
//! `examples/03-digits.rs`, on a Cortex-M core, and prints the accuracy and a checksum of
//! the predictions (FNV-1a 64 over the predicted class bytes), which CI compares with
//! the host's.
//!
//! The weights are used twice, to show both ways of putting them into firmware:
//! - `NET`, a `static` built at compile time by `static_network!`: the weights sit in
//!   flash, cost no RAM and need no code to load; a file that does not fit the network
//!   type is a compile error;
//! - a network decoded at run time from the same `include_bytes!` by
//!   `typenet::format::load_into` onto the stack (no heap), checked by `Result`.
//!
//! Both must predict the same classes.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use typenet::generic_array::GenericArray;
use typenet::{Network, format, loss::argmax, network, static_network};

type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);

/// The trained weights (typenet's weight format), as written by
/// `cargo run --release --example digits -- --save embedded/data/digits.tnet`.
const WEIGHTS: &[u8] = include_bytes!("../../data/digits.tnet");

/// The held-out images: 64 pixel bytes (0..16) and a label byte each.
const HELDOUT: &[u8] = include_bytes!("../../data/heldout.bin");
const _: () = assert!(
    HELDOUT.len().is_multiple_of(65),
    "heldout.bin must hold 65 bytes per image"
);

static NET: DigitsNet = static_network!(f32; 64 -> 64 ReLU -> 10 Softmax; WEIGHTS);

fn input(image: &[u8]) -> GenericArray<f32, typenet::typenum::U64> {
    GenericArray::from_array(core::array::from_fn::<f32, 64, _>(|k| {
        f32::from(image[k]) / 16.0
    }))
}

#[entry]
fn main() -> ! {
    // Decoded in place (`load_into`), so the network occupies the stack once; a
    // `from_bytes` returning it by value may be copied through the stack two or three
    // times (19 KiB each) before it lands.
    let mut runtime = DigitsNet::zeroed();
    if let Err(e) = format::load_into(&mut runtime, WEIGHTS) {
        hprintln!("cannot decode the weights: {}", e);
        typenet_firmware::exit(false)
    }
    let mut correct = 0usize;
    let mut checksum: u64 = 0xcbf2_9ce4_8422_2325;
    let mut disagreements = 0usize;
    let images = HELDOUT.chunks_exact(65);
    let count = images.len();
    for image in images {
        let x = input(image);
        let predicted = argmax(&NET.forward(&x));
        if argmax(&runtime.forward(&x)) != predicted {
            disagreements += 1;
        }
        if predicted == Some(usize::from(image[64])) {
            correct += 1;
        }
        // An output of NaNs predicts no class: u64::MAX in the checksum.
        checksum ^= predicted.map_or(u64::MAX, |p| p as u64);
        checksum = checksum.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hprintln!("digits: {} of {} held-out images correct", correct, count);
    hprintln!("predictions checksum: {:016x}", checksum);
    if disagreements != 0 {
        hprintln!(
            "static and run-time networks disagree on {} images",
            disagreements
        );
        typenet_firmware::exit(false)
    }
    typenet_firmware::exit(true)
}
