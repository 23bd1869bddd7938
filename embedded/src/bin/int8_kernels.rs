//! The int8 layer's fast path against its general path, on the device: random
//! one-layer int8 networks of shapes covering every tail of the kernel (inputs not a
//! multiple of 4 or 8, 0–3 rows after the groups of four), every weight and input in
//! the whole int8 range, random zero points, multipliers with shifts in [−31, 0] (the
//! fast path's domain); each layer's outputs with `fast` set by `refold` must equal
//! those with `fast` cleared (the general path: Σ_j w_kj (x_j − zp) saturated, then
//! `quant::requantize`). On the M4F the fast path is the SXTB16/SMLAD assembly of
//! `typenet`'s `src/quant/dsp.rs`, which the host's `tests/quant_kernel.rs` cannot
//! run. Prints one line and exits with status 0 when every output agreed.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg32;
use typenet::End;
use typenet::generic_array::sequence::GenericSequence;
use typenet::generic_array::{ArrayLength, GenericArray};
use typenet::quant::{Multiplier, QActivation, QDense, QNetwork, QParams};
use typenet::typenum::{U1, U2, U3, U4, U5, U7, U8, U9, U13, U16, U17, U64, U65};
use typenet::{Identity, ReLU, Softmax, Tanh};

/// Random layers per shape and activation, and inputs per layer.
const LAYERS: usize = 6;
const INPUTS: usize = 4;

fn layer<I, O, A>(rng: &mut Pcg32) -> QDense<I, O, A, End>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
{
    let mut byte = || rng.next_u32() as i8;
    let weights = GenericArray::generate(|_| GenericArray::generate(|_| byte()));
    let mut params = |scale| QParams {
        scale,
        zero_point: rng.next_u32() as i8,
    };
    let (input, pre_activation, output) = (params(0.01), params(0.02), params(0.02));
    let bias = GenericArray::generate(|_| (rng.next_u32() as i32) >> 12);
    let multipliers = GenericArray::generate(|_| Multiplier {
        multiplier: match rng.next_u32() % 8 {
            0 => rng.next_u32() as i32,
            1 => i32::MAX,
            _ => (1 << 30) + (rng.next_u32() >> 2) as i32,
        },
        shift: -((rng.next_u32() % 32) as i8),
    });
    let mut layer = QDense {
        weights,
        bias,
        weight_scales: GenericArray::generate(|_| 0.01),
        multipliers,
        input,
        pre_activation,
        output,
        table: A::build_table(pre_activation, output),
        activation: A::default(),
        rest: End,
        folded_bias: GenericArray::default(),
        fast: false,
    };
    layer.refold();
    layer
}

/// (fast layers, outputs compared, outputs that differ). Out of line, so that only one
/// shape's layers are on the stack at a time (the M0 has 16 KiB of RAM).
#[inline(never)]
fn compare<I, O, A>(rng: &mut Pcg32) -> (usize, usize, usize)
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
{
    let (mut fast, mut compared, mut differ) = (0, 0, 0);
    for _ in 0..LAYERS {
        let net = layer::<I, O, A>(rng);
        let mut general = net.clone();
        general.fast = false;
        fast += usize::from(net.fast);
        for _ in 0..INPUTS {
            let x = GenericArray::generate(|_| rng.next_u32() as i8);
            let (a, b) = (net.forward(&x), general.forward(&x));
            compared += a.len();
            differ += a.iter().zip(b.iter()).filter(|(a, b)| a != b).count();
        }
    }
    if differ > 0 {
        hprintln!(
            "differ: I={} O={} {}: {} of {}",
            I::USIZE,
            O::USIZE,
            <A as typenet::Activation<f32>>::NAME,
            differ,
            compared
        );
    }
    (fast, compared, differ)
}

macro_rules! shapes {
    ($rng:expr; $($i:ty, $o:ty);*) => {{
        let mut total = (0, 0, 0, 0);
        $(
            for (f, c, d) in [
                compare::<$i, $o, ReLU>($rng),
                compare::<$i, $o, Identity>($rng),
                compare::<$i, $o, Tanh>($rng),
                compare::<$i, $o, Softmax>($rng),
            ] {
                total = (total.0 + LAYERS, total.1 + f, total.2 + c, total.3 + d);
            }
        )*
        total
    }};
}

#[entry]
fn main() -> ! {
    let mut rng = Pcg32::seed_from_u64(12);
    // The 64 × 64 layer and its copy (8 KB and more in one frame) do not fit the M0's
    // 16 KiB of RAM (`small_ram`).
    #[cfg(not(small_ram))]
    let (layers, fast, compared, differ) = shapes!(&mut rng;
        U1, U1; U2, U3; U3, U4; U4, U5; U5, U7; U7, U2; U8, U9; U9, U8; U13, U1;
        U16, U13; U17, U16; U64, U64; U64, U17; U65, U3);
    #[cfg(small_ram)]
    let (layers, fast, compared, differ) = shapes!(&mut rng;
        U1, U1; U2, U3; U3, U4; U4, U5; U5, U7; U7, U2; U8, U9; U9, U8; U13, U1;
        U16, U13; U17, U16; U64, U17; U65, U3);
    hprintln!(
        "int8 kernels: {} layers ({} fast), {} outputs compared, {} differ",
        layers,
        fast,
        compared,
        differ
    );
    typenet_firmware::exit(differ == 0 && fast == layers)
}
