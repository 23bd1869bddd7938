//! The MLPerf Tiny anomaly-detection autoencoder in int8: its shape, the synthetic
//! inputs it is run on and the lines its firmware prints. Shared, as this one file, by
//! the firmware (`src/bin/autoencoder_int8.rs`, through this crate's library) and its
//! host reference (`examples/firmware/autoencoder_int8.rs` at the repository root, which
//! includes this file with `#[path]`), so both compute the same inputs and print the
//! same lines by the same code; CI compares the two outputs byte for byte.
//!
//! The shape is the MLPerf Tiny AD model (the `anomaly_detection` reference of
//! mlcommons/tiny, trained on ToyADMOS): 640 inputs (5 frames × 128 log-mel bins),
//! four dense layers of 128, a bottleneck of 8, four of 128, 640 outputs; ReLU on the
//! nine hidden layers, a linear output; 264 192 multiply-accumulates per inference.
//!
//! The inputs are **synthetic**, not ToyADMOS data: [`synthetic_log_mel`] draws
//! log-mel-like frames (a spectral tilt, a loudness, a few harmonic peaks, noise) from
//! [`SplitMix64`]. The network's weights are random too (see the host reference), so the
//! reconstruction error printed is not an anomaly score of any real machine: the
//! program shows that the device computes exactly what the host computes, and what an
//! inference of this size costs.

use core::fmt;
use typenet::generic_array::GenericArray;
use typenet::quant::{QNetwork, QParams};
use typenet::rand_core::RngCore;
use typenet::train::SplitMix64;
use typenet::typenum::U640;

/// Log-mel bins per frame.
pub const MELS: usize = 128;
/// Frames per input (the MLPerf Tiny AD model sees 5 consecutive frames).
pub const FRAMES: usize = 5;
/// Multiply-accumulates per inference: Σ_i M_{i−1} M_i.
pub const MACS: usize = 640 * 128 + 3 * 128 * 128 + 128 * 8 + 8 * 128 + 3 * 128 * 128 + 128 * 640;
const _: () = assert!(MACS == 264_192 && FRAMES * MELS == 640);

/// The seeds of the calibration inputs (host only).
pub const CALIBRATION_SEEDS: core::ops::Range<u64> = 0..256;
/// The seeds of the inputs the firmware and the host run the int8 network on, none of
/// them a calibration seed: one inference each.
pub const TEST_SEEDS: [u64; 4] = [1_000, 1_001, 1_002, 1_003];

/// A uniform integer in `lo..=hi` (`hi − lo` small: the modulo bias is negligible and,
/// above all, the same on every machine).
fn between(rng: &mut SplitMix64, lo: i32, hi: i32) -> i32 {
    lo + (rng.next_u64() % (hi - lo + 1) as u64) as i32
}

/// A synthetic log-mel input (random, not ToyADMOS data), frame by frame: bin m of frame
/// f is, in dB, −25 − 24 m/128 (tilt) + a loudness in [−10, 0] + three triangular
/// harmonic peaks (height 6..18 dB, half-width 2..6 bins, the same in all frames) + noise
/// in [−2, 2] per bin and frame. Computed in sixteenths of a dB with integers and divided
/// by 16 at the end, so every value is an exact `f32` on every machine.
pub fn synthetic_log_mel(seed: u64) -> GenericArray<f32, U640> {
    let mut rng = SplitMix64::new(seed ^ 0x6c6f_675f_6d65_6c73);
    let loudness = between(&mut rng, -160, 0);
    let peaks: [(i32, i32, i32); 3] = core::array::from_fn(|_| {
        let centre = between(&mut rng, 0, MELS as i32 - 1);
        let height = between(&mut rng, 6 * 16, 18 * 16);
        let width = between(&mut rng, 2, 6);
        (centre, height, width)
    });
    GenericArray::from_array(core::array::from_fn::<f32, 640, _>(|k| {
        let m = (k % MELS) as i32;
        let mut v = -25 * 16 - 24 * 16 * m / MELS as i32 + loudness;
        for &(centre, height, width) in &peaks {
            v += height * (width - (m - centre).abs()).max(0) / width;
        }
        v += between(&mut rng, -32, 32);
        v as f32 / 16.0
    }))
}

/// FNV-1a 64 over bytes, the checksum the firmware programs print.
pub fn fnv1a(checksum: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(checksum, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// FNV-1a 64's starting value.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// One inference and what is printed about it.
pub struct Reconstruction {
    /// Which test input (0-based).
    pub index: usize,
    /// FNV-1a 64 of the 640 int8 outputs (as bytes).
    pub checksum: u64,
    /// Σ_k (y_k − t_k)², with y the int8 output and t the input quantized with the
    /// output's parameters: the squared reconstruction error in output steps.
    pub squared_error: u64,
}

impl Reconstruction {
    /// Runs `net` on test input `index` (quantized with the network's input parameters)
    /// and compares the output with the input on the output's int8 grid.
    pub fn of<Q: QNetwork<Input = U640, Output = U640>>(net: &Q, index: usize) -> Self {
        let x = synthetic_log_mel(TEST_SEEDS[index]);
        let y = net.forward(&net.quantize_input(&x));
        let out: QParams = net.output_params();
        let squared_error = y
            .iter()
            .zip(&x)
            .map(|(&y, &x)| {
                let d = i64::from(y) - i64::from(out.quantize(x));
                (d * d) as u64
            })
            .sum();
        Reconstruction {
            index,
            checksum: fnv1a(FNV_START, y.iter().map(|&q| q as u8)),
            squared_error,
        }
    }
}

impl fmt::Display for Reconstruction {
    /// `input I: outputs fnv1a=… squared_error=E mean=E/640` (the mean exact, 7 decimals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 1/640 = 0.0015625 exactly, so E/640 has at most 7 decimals.
        let (whole, rest) = (self.squared_error / 640, self.squared_error % 640);
        write!(
            f,
            "input {}: outputs fnv1a={:016x} squared_error={} mean={}.{:07}",
            self.index,
            self.checksum,
            self.squared_error,
            whole,
            rest * 15_625
        )
    }
}

/// The first line both programs print.
pub struct Header;

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "autoencoder int8 (MLPerf Tiny AD shape, random weights, synthetic inputs): \
             {} MACs, {} inputs",
            MACS,
            TEST_SEEDS.len()
        )
    }
}
