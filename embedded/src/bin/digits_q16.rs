//! The held-out digits classified in Q16.16 fixed point (integer arithmetic only, for
//! cores without an FPU): the network of `examples/03-digits.rs` converted by
//! `cargo run --release --example digits_q16 -- --save embedded/data/digits_q16.tnet`,
//! decoded at compile time by `typenet::static_network!` into a `static` that stays in
//! flash (no copy into RAM, no decoding at run time). Prints the lines
//! `cargo run --release --example digits_q16` prints; CI compares them.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::{Network, loss::argmax, network, static_network};

type DigitsQ16 = network!(Q16; 64 -> 64 ReLU -> 10 Softmax);

/// The network, its Q16.16 weights (weight format, scalar code 3) checked and decoded
/// while compiling: a wrong file is a compile error.
static NET: DigitsQ16 = static_network!(Q16; 64 -> 64 ReLU -> 10 Softmax;
    include_bytes!("../../data/digits_q16.tnet"));

/// The held-out images: 64 pixel bytes (0..16) and a label byte each.
const HELDOUT: &[u8] = include_bytes!("../../data/heldout.bin");
const _: () = assert!(
    HELDOUT.len().is_multiple_of(65),
    "heldout.bin must hold 65 bytes per image"
);

#[entry]
fn main() -> ! {
    let net = &NET;
    let (mut correct, mut checksum) = (0usize, 0xcbf2_9ce4_8422_2325_u64);
    let images = HELDOUT.chunks_exact(65);
    let count = images.len();
    for image in images {
        // pixel / 16, exactly: p · 2^16 / 16 = p << 12
        let x = GenericArray::from_array(core::array::from_fn::<Q16, 64, _>(|k| {
            Q16::from_bits(i32::from(image[k]) << 12)
        }));
        let predicted = argmax(&net.forward(&x));
        if predicted == Some(usize::from(image[64])) {
            correct += 1;
        }
        // An output of NaNs predicts no class: u64::MAX in the checksum.
        checksum ^= predicted.map_or(u64::MAX, |p| p as u64);
        checksum = checksum.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hprintln!(
        "digits Q16.16: {} of {} held-out images correct",
        correct,
        count
    );
    hprintln!("predictions checksum: {:016x}", checksum);
    typenet_firmware::exit(true)
}
