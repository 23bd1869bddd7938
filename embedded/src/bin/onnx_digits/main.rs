//! The end-to-end example's firmware: a digits classifier defined and trained in Python,
//! exported to ONNX (`examples/onnx/digits_mlp.py`), turned into `onnx_digits/model.rs`
//! and its weights by `typenet codegen`, classifying the held-out images on a Cortex-M
//! core. It prints each predicted class and the number correct, in the lines the Python
//! script writes for onnxruntime; `examples/onnx/e2e.sh` compares the two byte for byte.
#![no_std]
#![no_main]

/// Written by `typenet codegen digits.onnx -o embedded/src/bin/onnx_digits/model.rs`.
mod model;

use cortex_m_rt::entry;
use cortex_m_semihosting::{hprint, hprintln};
use typenet::Network;
use typenet::generic_array::GenericArray;
use typenet::loss::argmax;

/// The held-out images: 64 pixel bytes (0..16) and a label byte each.
const HELDOUT: &[u8] = include_bytes!("../../../data/heldout.bin");

#[entry]
fn main() -> ! {
    let mut correct = 0usize;
    let images = HELDOUT.chunks_exact(65);
    let count = images.len();
    hprint!("predictions: ");
    for image in images {
        let x = GenericArray::from_array(core::array::from_fn::<f32, 64, _>(|k| {
            f32::from(image[k]) / 16.0
        }));
        let Some(class) = argmax(&model::MODEL.forward(&x)) else {
            hprintln!("\nan output of NaN");
            typenet_firmware::exit(false)
        };
        hprint!("{}", class);
        if class == usize::from(image[64]) {
            correct += 1;
        }
    }
    hprintln!("\ncorrect: {}/{}", correct, count);
    typenet_firmware::exit(true)
}
