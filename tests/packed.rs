//! `Packed` (weights in column tiles for single-sample inference) against
//! `Network::forward`: the same bits for random parameters and inputs, on layers that
//! are packed (at least 256 `f32` weights, on a CPU with AVX-512F or AVX) and layers
//! that are not (small, `f64`), with partial tiles (outputs not a multiple of 16),
//! inputs not a multiple of 8, every activation, and non-finite inputs.

use proptest::prelude::*;
use typenet::generic_array::ArrayLength;
use typenet::{Arr, BoxedNetwork, Network, Packed, network};

type Mixed = network!(f32; 3 -> 20 Tanh -> 17 ReLU -> 5 Sigmoid);
type Odd = network!(f32; 37 -> 40 LeakyReLU -> 18 Identity -> 33 Softplus -> 16 Softmax);
type Wide = network!(f32; 784 -> 128 ReLU -> 64 ReLU -> 10 Softmax);
type Double = network!(f64; 30 -> 24 Tanh -> 9 Identity);

/// Values of mixed magnitudes and signs from a small generator, so that a different
/// order of additions gives different bits.
fn values(seed: u32, n: usize) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let unit = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            unit * [1.0, 30.0, 1e-3][(state >> 4) as usize % 3]
        })
        .collect()
}

/// `count` inputs of `I` values, the sample s from seed `first + s`.
fn inputs<I: ArrayLength>(first: u32, count: u32) -> Vec<Arr<f32, I>> {
    (first..first + count)
        .map(|seed| Arr::try_from_iter(values(seed, I::USIZE)).unwrap())
        .collect()
}

fn bits<T: Copy + Into<f64>>(v: &[T]) -> Vec<u64> {
    v.iter().map(|&x| x.into().to_bits()).collect()
}

/// `Packed::new(net).forward(x)` = `net.forward(x)` bit for bit for every `x`.
fn same_bits<N: Network<f32> + Clone>(net: N, inputs: &[Vec<f32>]) -> Result<(), TestCaseError> {
    let expected: Vec<Arr<f32, N::Output>> = inputs
        .iter()
        .map(|x| net.forward(&Arr::<f32, N::Input>::try_from_iter(x.iter().copied()).unwrap()))
        .collect();
    let packed = Packed::new(net);
    for (x, y) in inputs.iter().zip(&expected) {
        let x = Arr::<f32, N::Input>::try_from_iter(x.iter().copied()).unwrap();
        prop_assert_eq!(bits(&packed.forward(&x)), bits(y));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn packed_forward_equals_forward(seed in any::<u32>()) {
        let inputs = |n: usize| (0..4u32).map(|s| values(seed ^ s.wrapping_mul(7919), n)).collect::<Vec<_>>();
        same_bits(Mixed::from_params(&values(seed, Mixed::PARAMS)).unwrap(), &inputs(3))?;
        same_bits(Odd::from_params(&values(seed, Odd::PARAMS)).unwrap(), &inputs(37))?;
    }
}

#[test]
fn a_large_boxed_network_packs_to_the_same_bits() {
    let net = Wide::boxed_from_params(&values(1, Wide::PARAMS)).unwrap();
    let xs = inputs(100, 8);
    let expected: Vec<_> = xs.iter().map(|x| net.forward(x)).collect();
    let packed = Packed::from_box(net);
    for (x, y) in xs.iter().zip(&expected) {
        assert_eq!(bits(&packed.forward(x)), bits(y));
    }
    // The network comes back unchanged.
    let back = packed.into_network();
    assert_eq!(
        bits(&back.params().copied().collect::<Vec<_>>()),
        bits(&values(1, Wide::PARAMS))
    );
}

#[test]
fn layers_of_at_least_256_f32_weights_are_packed_where_the_cpu_has_the_kernels() {
    let odd = Packed::new(Odd::from_params(&values(1, Odd::PARAMS)).unwrap());
    let mixed = Packed::new(Mixed::from_params(&values(2, Mixed::PARAMS)).unwrap());
    let params: Vec<f64> = values(3, Double::PARAMS)
        .into_iter()
        .map(f64::from)
        .collect();
    let double = Packed::new(Double::from_params(&params).unwrap());
    let vectors = ["avx512f", "avx"].contains(&typenet::kernel_level());
    // Odd: 37 × 40, 40 × 18, 18 × 33 and 33 × 16 weights; Mixed: only 20 × 17 of 3 × 20,
    // 20 × 17 and 17 × 5.
    assert_eq!(odd.packed_layers(), if vectors { 4 } else { 0 });
    assert_eq!(mixed.packed_layers(), if vectors { 1 } else { 0 });
    assert_eq!(double.packed_layers(), 0);
}

#[test]
fn non_finite_inputs_give_the_same_bits() {
    let net = Odd::from_params(&values(5, Odd::PARAMS)).unwrap();
    let mut x = values(6, 37);
    x[0] = f32::INFINITY;
    x[9] = f32::NEG_INFINITY;
    x[20] = f32::MAX;
    let mut y = values(7, 37);
    y[3] = f32::NAN;
    let z = vec![f32::MIN_POSITIVE / 8.0; 37];
    same_bits(net, &[x, y, z]).unwrap();
}

#[test]
fn f64_networks_are_not_copied_and_give_the_same_bits() {
    let params: Vec<f64> = values(3, Double::PARAMS)
        .into_iter()
        .map(f64::from)
        .collect();
    let net = Double::from_params(&params).unwrap();
    let x = Arr::<f64, _>::try_from_iter(values(4, 30).into_iter().map(f64::from)).unwrap();
    let expected = net.forward(&x);
    let packed = Packed::new(net);
    assert_eq!(bits(&packed.forward(&x)), bits(&expected));
    assert_eq!(
        bits(&packed.network().params().copied().collect::<Vec<_>>()),
        bits(&params)
    );
}

#[test]
fn packed_forward_batch_equals_forward_batch_at_every_length() {
    let net = Odd::from_params(&values(11, Odd::PARAMS)).unwrap();
    let xs = inputs(200, 40);
    let mut expected = vec![Arr::default(); xs.len()];
    net.forward_batch(&xs, &mut expected).unwrap();
    let packed = Packed::new(net);
    for len in 0..=xs.len() {
        let mut ys = vec![Arr::default(); len];
        packed.forward_batch(&xs[..len], &mut ys).unwrap();
        for (y, e) in ys.iter().zip(&expected) {
            assert_eq!(bits(y), bits(e), "batch of {len}");
        }
    }
    // Lengths that differ: an error, and the outputs untouched.
    let mut ys = vec![Arr::from_iter(core::iter::repeat_n(7.0f32, 16)); 3];
    let err = packed.forward_batch(&xs[..4], &mut ys).unwrap_err();
    assert_eq!((err.inputs, err.outputs), (4, 3));
    assert!(ys.iter().flatten().all(|&v| v == 7.0));
}
