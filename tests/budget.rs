//! The memory figures computed from the types, against sizes worked out by hand.

use typenet::optim::Adam;
use typenet::train::Trainer;
use typenet::{Network, Trace, assert_fits, network};

type Digits = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
type Deep = network!(f64; 3 -> 5 Tanh -> 40 ReLU -> 2 Identity);

#[test]
fn weight_and_working_set_bytes() {
    // 64·64 + 64 + 64·10 + 10 = 4 810 parameters of 4 bytes.
    assert_eq!(Digits::WEIGHT_BYTES, 4_810 * 4);
    // The largest M_{i−1} + M_i is 64 + 64.
    assert_eq!(Digits::INFERENCE_BYTES, 128 * 4);
    // 3+5, 5+40, 40+2: the middle layer, 45 values of 8 bytes.
    assert_eq!(Deep::INFERENCE_BYTES, 45 * 8);
    assert_eq!(
        Deep::WEIGHT_BYTES,
        (3 * 5 + 5 + 5 * 40 + 40 + 40 * 2 + 2) * 8
    );
}

#[test]
fn training_bytes() {
    // A gradient is a network: the parameters and nothing else.
    assert_eq!(Digits::GRADIENT_BYTES, Digits::WEIGHT_BYTES);
    // A trace holds a^0 and z^i, a^i, ξ^i of each layer.
    assert_eq!(Digits::TRACE_BYTES, (64 + 3 * (64 + 10)) * 4);
    assert_eq!(
        Digits::TRACE_BYTES,
        core::mem::size_of::<Trace<f32, Digits>>()
    );
    // Adam keeps two moments of the network's size, plus its hyper-parameters.
    let adam = <Adam<f32, Digits> as typenet::optim::Optimizer<f32, Digits>>::STATE_BYTES;
    assert!((2 * Digits::WEIGHT_BYTES..2 * Digits::WEIGHT_BYTES + 128).contains(&adam));
    // A trainer holds at least the gradient, one trace, the layer records (z^i, a^i,
    // ξ^i) of each sample of a block, and the optimizer.
    let records = 3 * (64 + 10) * 4;
    let one = Trainer::<f32, Digits, Adam<f32, Digits>, 1>::RAM_BYTES;
    let four = Trainer::<f32, Digits, Adam<f32, Digits>, 4>::RAM_BYTES;
    assert!(one >= Digits::GRADIENT_BYTES + Digits::TRACE_BYTES + records + adam);
    assert!(four >= one + 3 * records);
}

// Budgets that hold compile (the ones that do not are in tests/compile_fail/).
assert_fits!(Digits, flash = 20 * 1024, ram = 512);
assert_fits!(Digits, Sgd, block = 1, ram = 64 * 1024);
assert_fits!(Deep, Adam, ram = 64 * 1024);
