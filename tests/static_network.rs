//! Networks built at compile time from weight files (`static_network!`), checked
//! against the run-time decoder. The three files in `tests/data/` were written by a
//! short Python script from the format's definition (see `tests/data/README.md`), not
//! by this crate's encoder.

use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::{Network, format, network, static_network};

type Small = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
type Small64 = network!(f64; 4 -> 5 ReLU -> 3 Softmax);

static SMALL: Small =
    static_network!(f32; 2 -> 3 Tanh -> 1 Sigmoid; include_bytes!("data/small_f32.tnet"));
const SMALL64: Small64 =
    static_network!(f64; 4 -> 5 ReLU -> 3 Softmax; include_bytes!("data/small_f64.tnet"));
type SmallQ16 = network!(Q16; 2 -> 3 ReLU -> 2 Softmax);
static SMALL_Q16: SmallQ16 =
    static_network!(Q16; 2 -> 3 ReLU -> 2 Softmax; include_bytes!("data/small_q16.tnet"));

#[test]
fn static_network_equals_the_runtime_decoder() {
    let runtime: Small = format::from_bytes(include_bytes!("data/small_f32.tnet")).unwrap();
    assert_eq!(SMALL, runtime);
    let expected: Vec<f32> = (0..13).map(|k| k as f32 / 8.0 - 0.75).collect();
    assert_eq!(SMALL.params().copied().collect::<Vec<_>>(), expected);

    let runtime64: Small64 = format::from_bytes(include_bytes!("data/small_f64.tnet")).unwrap();
    assert_eq!(SMALL64, runtime64);
    let expected64: Vec<f64> = (0..Small64::PARAMS)
        .map(|k| ((k * 7) % 11) as f64 / 10.0 - 0.5)
        .collect();
    assert_eq!(SMALL64.params().copied().collect::<Vec<_>>(), expected64);
}

#[test]
fn static_network_runs() {
    let y = SMALL.forward(&GenericArray::from_array([0.5_f32, -0.5]));
    assert!(y[0] > 0.0 && y[0] < 1.0);
    let p = SMALL64.forward(&GenericArray::from_array([1.0, 0.0, -1.0, 0.5]));
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn static_q16_network_equals_the_runtime_decoder() {
    let runtime: SmallQ16 = format::from_bytes(include_bytes!("data/small_q16.tnet")).unwrap();
    assert_eq!(SMALL_Q16, runtime);
    let expected: Vec<Q16> = (0..17).map(|k| Q16::from_bits(k * 6000 - 40_000)).collect();
    assert_eq!(SMALL_Q16.params().copied().collect::<Vec<_>>(), expected);
    let x = GenericArray::from_array([Q16::ONE, Q16::from_bits(-30_000)]);
    assert_eq!(SMALL_Q16.forward(&x), runtime.forward(&x));
}
