//! What the fuzz targets share: the networks they load, and the checks every accepted
//! network must pass.

use typenet::fixed::Q16;
use typenet::{Network, Scalar, network};

/// The f32 network of the format, safetensors and serde targets.
pub type F32Net = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
/// The f64 network.
pub type F64Net = network!(f64; 2 -> 3 ReLU -> 2 Identity);
/// The Q16 network.
pub type Q16Net = network!(Q16; 2 -> 3 Tanh -> 1 Sigmoid);
/// The int8 network of the int8 target (a table, a folded ReLU, a softmax).
pub type QNet = typenet::quant::Quantized<network!(f32; 3 -> 4 Tanh -> 3 ReLU -> 2 Softmax)>;

/// The bits of every parameter: equality that sees NaN payloads and signed zeros.
pub fn param_bits<T: Scalar, N: Network<T>>(net: &N) -> Vec<u64> {
    net.params()
        .map(|p| {
            let v = p.to_f64();
            if v.is_nan() { u64::MAX } else { v.to_bits() }
        })
        .collect()
}

/// An accepted network holds only values the loaders' rule accepts.
pub fn assert_params_finite<T: Scalar, N: Network<T>>(net: &N) {
    for (k, p) in net.params().enumerate() {
        assert!(p.is_finite(), "parameter {k} of an accepted network is {p}");
    }
}

/// A recognisable destination for `load_into`: parameters 0.5, 1.5, 2.5, ...
pub fn marker<T: Scalar, N: Network<T>>() -> N {
    let params: Vec<T> = (0..N::PARAMS)
        .map(|k| T::from_f64(k as f64 + 0.5))
        .collect();
    N::from_params(&params).expect("PARAMS values")
}
