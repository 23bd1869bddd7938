//! The MLPerf Tiny anomaly-detection autoencoder in int8 (640-128-128-128-128-8-128-128-
//! 128-128-640, ReLU on the nine hidden layers, linear output; 264 192 MACs) on a
//! Cortex-M4F: runs the four synthetic test inputs of `typenet_firmware::autoencoder`
//! through the int8 network, one inference each, and prints, per input, a checksum of
//! the int8 outputs and the squared reconstruction error in output steps; CI compares
//! the lines with the host's `examples/firmware/autoencoder_int8.rs` byte for byte.
//!
//! The network is a `static` built at compile time by `static_qnetwork!` from
//! `data/autoencoder_int8.tnet` (written by
//! `cargo run --release --example autoencoder_int8 -- --save embedded/data/autoencoder_int8.tnet`
//! at the repository root; random weights, calibrated on synthetic inputs): 286 KB of
//! int8 weights and parameters in flash, nothing copied to RAM, a wrong file is a
//! compile error. RAM holds only the stack: the activations of one inference (at most
//! 640 + 128 `i8` live at once, plus `i32` accumulators) and the input.
//!
//! Only for boards with the flash for it (`big_flash`, set by `build.rs` for
//! `thumbv7em`: the mps2-an386's 4 MiB). On `thumbv7m-none-eabi` (the lm3s6965evb's
//! 256 KiB of flash) the binary builds without the network and only says so, exiting
//! with status 1.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;

#[cfg(big_flash)]
mod net {
    use typenet::quant::Quantized;
    use typenet::{network, static_qnetwork};

    /// The int8 autoencoder's type.
    pub type QAutoencoder = Quantized<
        network!(f32; 640 -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 8 ReLU
            -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 640 Identity),
    >;

    /// The int8 network, checked and built while compiling; in flash.
    pub static NET: QAutoencoder = static_qnetwork!(
        640 -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 8 ReLU
            -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 640 Identity;
        include_bytes!("../../data/autoencoder_int8.tnet")
    );
}

#[cfg(big_flash)]
#[entry]
fn main() -> ! {
    use typenet_firmware::autoencoder::{Header, Reconstruction, TEST_SEEDS};
    hprintln!("{}", Header);
    for i in 0..TEST_SEEDS.len() {
        hprintln!("{}", Reconstruction::of(&net::NET, i));
    }
    typenet_firmware::exit(true)
}

#[cfg(not(big_flash))]
#[entry]
fn main() -> ! {
    hprintln!("autoencoder_int8: its 286 KB of weights do not fit this board's flash");
    typenet_firmware::exit(false)
}
