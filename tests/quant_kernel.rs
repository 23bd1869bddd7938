//! The int8 layer's fast path (the input zero point folded into the bias, the
//! multi-row dot products, the branch-free requantization with the activation's clamp)
//! against the general path it replaces (Σ_j w_kj (x_j − zp) saturated, then
//! `quant::requantize`), on random layers of many shapes: every weight and input in
//! the whole int8 range, random zero points, multipliers with shifts in [−31, 0] (the
//! fast path's domain) and outside it, biases up to and beyond the fast path's bound.
//!
//! The general path is the layer with `fast` cleared by hand (a hidden field); `refold`
//! sets it from the layer's values. On the host this tests the portable loops; the
//! firmware binary `int8_kernels` (embedded/) runs the same comparison on the Cortex-M
//! cores, where the M4F takes the SXTB16/SMLAD loop.

use proptest::prelude::*;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;
use typenet::End;
use typenet::generic_array::sequence::GenericSequence;
use typenet::generic_array::{ArrayLength, GenericArray};
use typenet::quant::{Multiplier, QActivation, QDense, QNetwork, QParams};
use typenet::typenum::{U1, U2, U3, U4, U5, U7, U8, U9, U13, U16, U17, U64, U65};
use typenet::{Identity, ReLU, Softmax, Tanh};

/// A random one-layer int8 network; `wide` draws biases that may exceed the fast
/// path's bound, `any_shift` shifts outside [−31, 0] too.
fn layer<I, O, A>(rng: &mut Pcg64, wide: bool, any_shift: bool) -> QDense<I, O, A, End>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
{
    let mut byte = || rng.next_u32() as i8;
    let weights = GenericArray::generate(|_| GenericArray::generate(|_| byte()));
    let input = QParams {
        scale: 0.01,
        zero_point: rng.next_u32() as i8,
    };
    let pre_activation = QParams {
        scale: 0.02,
        zero_point: rng.next_u32() as i8,
    };
    let output = QParams {
        scale: 0.02,
        zero_point: rng.next_u32() as i8,
    };
    let bias = GenericArray::generate(|_| {
        let b = rng.next_u32() as i32;
        if wide { b } else { b >> 12 }
    });
    let multipliers = GenericArray::generate(|_| {
        let shift = if any_shift {
            rng.next_u32() as i8
        } else {
            -((rng.next_u32() % 32) as i8)
        };
        let multiplier = match rng.next_u32() % 8 {
            0 => rng.next_u32() as i32,
            1 => i32::MAX,
            _ => (1 << 30) + (rng.next_u32() >> 2) as i32,
        };
        Multiplier { multiplier, shift }
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

/// Runs `cases` random layers and inputs through both paths; returns how many layers
/// took the fast path.
fn compare<I, O, A>(seed: u64, cases: usize, wide: bool, any_shift: bool) -> usize
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
{
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut fast = 0;
    for _ in 0..cases {
        let net = layer::<I, O, A>(&mut rng, wide, any_shift);
        let mut general = net.clone();
        general.fast = false;
        fast += usize::from(net.fast);
        for _ in 0..4 {
            let x = GenericArray::generate(|_| rng.next_u32() as i8);
            assert_eq!(
                net.forward(&x),
                general.forward(&x),
                "I={} O={} {} x={x:?} net={net:?}",
                I::USIZE,
                O::USIZE,
                <A as typenet::Activation<f32>>::NAME
            );
        }
    }
    fast
}

macro_rules! shapes {
    ($seed:expr, $cases:expr, $wide:expr, $any:expr; $($i:ty, $o:ty);*) => {{
        let mut fast = 0;
        let mut total = 0;
        $(
            fast += compare::<$i, $o, ReLU>($seed, $cases, $wide, $any);
            fast += compare::<$i, $o, Identity>($seed + 1, $cases, $wide, $any);
            fast += compare::<$i, $o, Tanh>($seed + 2, $cases, $wide, $any);
            fast += compare::<$i, $o, Softmax>($seed + 3, $cases, $wide, $any);
            total += 4 * $cases;
        )*
        (fast, total)
    }};
}

/// Shapes covering every tail: inputs not a multiple of 4 (and of 8: the M4F loop does
/// two words per pass when it can), outputs leaving 0–3 rows after the groups of four.
fn all_shapes(seed: u64, cases: usize, wide: bool, any_shift: bool) -> (usize, usize) {
    shapes!(seed, cases, wide, any_shift;
        U1, U1; U2, U3; U3, U4; U4, U5; U5, U7; U7, U2; U8, U9; U9, U8; U13, U1;
        U16, U13; U17, U16; U64, U64; U64, U17; U65, U3)
}

#[test]
fn fast_path_equals_the_general_path() {
    let (fast, total) = all_shapes(1, 8, false, false);
    // the bias bound and the shifts hold by construction: every layer is fast
    assert_eq!(fast, total);
}

#[test]
fn layers_outside_the_bound_take_the_general_path_and_agree() {
    let (fast, total) = all_shapes(100, 8, true, true);
    // some layers (small ones with small biases, shifts ≤ 0) are fast, most are not
    assert!(fast < total, "{fast} of {total} fast");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn fast_path_random_seeds(seed in any::<u64>()) {
        let (fast, total) = all_shapes(seed, 1, false, false);
        prop_assert_eq!(fast, total);
    }
}

/// The bound of the fast path, at its edge: a row whose worst accumulator is just
/// below 2^30 is fast, one at 2^30 is not.
#[test]
fn the_bound_is_strict() {
    type L = QDense<U1, U1, Identity, End>;
    let mut rng = Pcg64::seed_from_u64(7);
    let mut l: L = layer(&mut rng, false, false);
    l.weights[0][0] = 1;
    l.input.zero_point = 0;
    l.bias[0] = (1 << 30) - 129;
    l.refold();
    assert!(l.fast);
    l.bias[0] = (1 << 30) - 128;
    l.refold();
    assert!(!l.fast);
}
