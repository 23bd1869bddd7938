//! The heap constructors of `BoxedNetwork` (with the x86 SIMD kernels, the crate's `unsafe` code). Run under
//! Miri by `.ci/run` (`cargo +nightly miri test --test boxed`), which checks that the
//! zeroed allocation is a valid network and that nothing reads uninitialised memory.

use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::{BoxedNetwork, Network, network};

type Small = network!(f64; 3 -> 4 Tanh -> 2 Softmax);
type Mixed = network!(f32; 5 -> 7 ReLU -> 6 LeakyReLU -> 3 Softplus -> 2 Sigmoid -> 2 Identity);

#[test]
fn boxed_zeroed_equals_stack_zeroed() {
    let boxed = Small::new_boxed_zeroed();
    assert_eq!(*boxed, Small::zeroed());
    let boxed = Mixed::new_boxed_zeroed();
    assert_eq!(*boxed, Mixed::zeroed());
    assert!(boxed.params().all(|&p| p == 0.0));
}

#[test]
fn boxed_from_params_equals_from_params() {
    let p: Vec<f32> = (0..Mixed::PARAMS).map(|k| k as f32 * 0.01 - 0.5).collect();
    let boxed = Mixed::boxed_from_params(&p).unwrap();
    let stack = Mixed::from_params(&p).unwrap();
    assert_eq!(*boxed, stack);
    let x = GenericArray::from_array([0.1_f32, 0.2, -0.3, 0.4, -0.5]);
    assert_eq!(boxed.forward(&x), stack.forward(&x));
}

#[test]
fn boxed_from_params_rejects_a_wrong_length() {
    let err = Small::boxed_from_params(&[0.0; 5]).unwrap_err();
    assert_eq!((err.expected, err.found), (Small::PARAMS, 5));
}

type SmallQ16 = network!(Q16; 3 -> 4 ReLU -> 2 Softmax);

#[test]
fn boxed_q16_network() {
    let boxed = SmallQ16::new_boxed_zeroed();
    assert_eq!(*boxed, SmallQ16::zeroed());
    assert!(boxed.params().all(|&p| p == Q16::ZERO));
    let p: Vec<Q16> = (0..SmallQ16::PARAMS as i32)
        .map(|k| Q16::from_bits(k * 3000 - 30_000))
        .collect();
    let boxed = SmallQ16::boxed_from_params(&p).unwrap();
    let stack = SmallQ16::from_params(&p).unwrap();
    assert_eq!(*boxed, stack);
    let x = GenericArray::from_array([Q16::ONE, Q16::from_bits(-20_000), Q16::from_bits(7)]);
    assert_eq!(boxed.forward(&x), stack.forward(&x));
}
