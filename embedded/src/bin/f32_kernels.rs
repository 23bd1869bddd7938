//! The `f32` forward kernel against the portable one, bit for bit, on the device:
//! random layers of shapes covering every path of the kernel (inputs a multiple of 8
//! and not, an odd and an even number of chunks of eight, fewer than eight inputs, an
//! odd and an even number of rows, one row), one to three samples at a time, values of
//! similar size (whose sums round differently in another order), of every magnitude
//! with zeros of both signs, subnormals, and products and sums that overflow, and all
//! zeros (the sign of a zero sum). `<f32 as Scalar>::affine_kernel` (on the M4F the `VLDM`/`VFMA.F32`
//! assembly of `typenet`'s `src/num/kernel/vfp.rs`, which the host cannot run) must
//! give the bits of `typenet::__portable_affine_f32` (the portable code, the crate's
//! summation order) for every output; two NaNs count as equal (the compiler may swap
//! the operands of an addition, which changes only which NaN's payload comes out).
//! Prints one line and exits with status 0 when every output agreed (and, on a core
//! with an FPU, the kernel level is `vfp`, so the assembly is what was tested).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg32;
use typenet::Scalar;

/// Random layers per shape and sample count.
const LAYERS: usize = 4;
/// The largest shape below, for the buffers.
const MAX_INPUTS: usize = 65;
const MAX_ROWS: usize = 64;
const MAX_SAMPLES: usize = 3;

/// (inputs, rows): under 8 inputs (the portable fallback), 8 and 16 (one and two
/// chunks, no leftovers), 9, 15, 17, 23, 65 (leftovers after 1, 1, 2, 2, 8 chunks), 24
/// (three chunks: the odd count), 64 (the digits network's layers); 1, 2, 3, 5, 10 and
/// 64 rows.
const SHAPES: [(usize, usize); 14] = [
    (1, 1),
    (7, 3),
    (8, 1),
    (8, 2),
    (9, 3),
    (15, 5),
    (16, 4),
    (17, 1),
    (23, 2),
    (24, 3),
    (24, 10),
    (64, 64),
    (64, 10),
    (65, 5),
];

/// How a layer's weights, biases and inputs are drawn.
#[derive(Clone, Copy, Debug)]
enum Values {
    /// Uniform in (−1, 1), 2^23 steps: terms of similar size, whose sum rounds
    /// differently in almost any other order (what catches a wrong summation order).
    Uniform,
    /// Mostly 2^−16 … 2^8 with a random exponent; now and then ±0, a subnormal, or a
    /// value so large that products and sums overflow.
    Wide,
    /// All weights +0 or all −0, all inputs +0 or all −0, every bias −0: the sign of a
    /// zero sum (the running sums must start at +0, as the portable code's, or a sum
    /// of −0 products comes out −0).
    Zeros,
}

/// A random `f32` drawn as `values` says.
fn value(rng: &mut Pcg32, values: Values) -> f32 {
    let bits = rng.next_u32();
    let sign = bits & 0x8000_0000;
    match values {
        Values::Uniform => (bits as i32 >> 8) as f32 / (1 << 23) as f32,
        Values::Zeros => f32::from_bits(sign),
        Values::Wide => match rng.next_u32() % 32 {
            0 => f32::from_bits(sign),
            1 => f32::from_bits(sign | (bits & 0x007f_ffff)),
            2 => f32::from_bits(sign | (254 << 23) | (bits & 0x007f_ffff)),
            _ => {
                let exponent = 111 + rng.next_u32() % 24;
                f32::from_bits(sign | (exponent << 23) | (bits & 0x007f_ffff))
            }
        },
    }
}

/// Equal bits, or both NaN.
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// (outputs compared, outputs that differ) over `LAYERS` random layers of one shape,
/// `B` samples per call.
fn compare<const B: usize>(
    rng: &mut Pcg32,
    inputs: usize,
    rows: usize,
    values: Values,
) -> (usize, usize) {
    let (mut compared, mut differ) = (0, 0);
    let mut w = [0.0f32; MAX_INPUTS * MAX_ROWS];
    let mut bias = [0.0f32; MAX_ROWS];
    let mut x = [[0.0f32; MAX_INPUTS]; MAX_SAMPLES];
    let fill = |v: &mut [f32], rng: &mut Pcg32| {
        for v in v {
            *v = value(rng, values);
        }
    };
    for _ in 0..LAYERS {
        let w = &mut w[..inputs * rows];
        let bias = &mut bias[..rows];
        fill(w, rng);
        fill(bias, rng);
        for x in x.iter_mut() {
            fill(&mut x[..inputs], rng);
        }
        if let Values::Zeros = values {
            // One sign for all weights and one for all inputs, so that in half the
            // layers every product is −0.
            w.fill(value(rng, values));
            let x_zero = value(rng, values);
            for x in x.iter_mut() {
                x.fill(x_zero);
            }
            bias.fill(-0.0);
        }
        let mut fast = [[0.0f32; MAX_ROWS]; B];
        let mut portable = [[0.0f32; MAX_ROWS]; B];
        let xs: [&[f32]; B] = core::array::from_fn(|s| &x[s][..inputs]);
        f32::affine_kernel(w, bias, xs, fast.each_mut().map(|z| &mut z[..rows]));
        typenet::__portable_affine_f32(w, bias, xs, portable.each_mut().map(|z| &mut z[..rows]));
        for (f, p) in fast.iter().zip(&portable) {
            compared += rows;
            differ += f[..rows]
                .iter()
                .zip(&p[..rows])
                .filter(|&(&f, &p)| !same(f, p))
                .count();
        }
    }
    if differ > 0 {
        hprintln!(
            "differ: inputs={} rows={} samples={} values={:?}: {} of {}",
            inputs,
            rows,
            B,
            values,
            differ,
            compared
        );
    }
    (compared, differ)
}

#[entry]
fn main() -> ! {
    let mut rng = Pcg32::seed_from_u64(32);
    let (mut layers, mut compared, mut differ) = (0, 0, 0);
    for (inputs, rows) in SHAPES {
        for values in [Values::Uniform, Values::Wide, Values::Zeros] {
            for (c, d) in [
                compare::<1>(&mut rng, inputs, rows, values),
                compare::<2>(&mut rng, inputs, rows, values),
                compare::<3>(&mut rng, inputs, rows, values),
            ] {
                layers += LAYERS;
                compared += c;
                differ += d;
            }
        }
    }
    let level = typenet::kernel_level();
    // On a core with an FPU (hard-float ABI) the assembly kernel must be the one tested.
    let expected = if cfg!(target_abi = "eabihf") {
        "vfp"
    } else {
        "portable"
    };
    hprintln!(
        "f32 kernels ({}): {} layers, {} outputs compared, {} differ",
        level,
        layers,
        compared,
        differ
    );
    typenet_firmware::exit(differ == 0 && level == expected)
}
