//! Post-training int8 quantization, in the style of TensorFlow Lite for
//! Microcontrollers: a trained f32 network becomes an int8 network of the same nested
//! shape whose inference is integer-only.
//!
//! ```
//! use typenet::{network, Network};
//! use typenet::generic_array::GenericArray;
//! use typenet::quant::{self, QNetwork, Quantized};
//!
//! type Net = network!(f32; 2 -> 8 Tanh -> 3 Softmax);
//! let params: Vec<f32> = (0..Net::PARAMS).map(|k| ((k * 7 % 11) as f32 - 5.0) / 5.0).collect();
//! let net = Net::from_params(&params)?;
//!
//! // Calibrate on inputs like those the network will see (streamed, no heap).
//! let inputs: Vec<_> = (0..50)
//!     .map(|k| GenericArray::from_array([k as f32 / 49.0, 1.0 - k as f32 / 49.0]))
//!     .collect();
//! let q: Quantized<Net> = quant::quantize(&net, &inputs)?;
//!
//! // Integer-only inference: int8 in, int8 out.
//! let x = q.quantize_input(&inputs[10]);
//! let y = q.forward(&x);
//! let p = q.dequantize_output(&y);
//! let exact = net.forward(&inputs[10]);
//! for (p, e) in p.iter().zip(&exact) {
//!     assert!((p - e).abs() < 0.05);
//! }
//!
//! // The weight file: the 20-byte typenet header (scalar code 4), then int8 data.
//! let mut bytes = [0u8; quant::encoded_len::<Quantized<Net>>()];
//! q.write_to(&mut bytes)?;
//! assert_eq!(quant::from_bytes::<Quantized<Net>>(&bytes)?, q);
//! assert!(typenet::format::from_bytes::<f32, Net>(&bytes).is_err()); // ScalarMismatch
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Quantization
//! [`quantize`] (or a [`Calibration`] fed one input at a time) runs the f32 network on
//! the calibration inputs the caller provides and keeps, for the input and for each
//! layer's pre-activation z^i and activation a^i, the min and max seen, widened to
//! include 0. Then, with float arithmetic, once:
//!
//! - **Activations** are asymmetric int8: real = s · (q − zp), s = (max − min)/255,
//!   zp = round(−128 − min/s) ([`Range::params`]). 0 is exact.
//! - **Weights** are symmetric int8 per output channel: s_w\[k\] = max_j |w_kj| / 127,
//!   q_kj = round(w_kj / s_w\[k\]) in [−127, 127].
//! - **Biases** are `i32` with scale s_in · s_w\[k\] and zero point 0 (s_w\[k\] is widened
//!   in the rare case a bias would exceed ±2^30 at that scale).
//! - **Requantization multipliers** M_k = s_in · s_w\[k\] / s_t (t: the pre-activation,
//!   or the activation for ReLU and identity) become a Q31 `i32` and a shift
//!   ([`quantize_multiplier`], TensorFlow Lite's `QuantizeMultiplier`).
//! - **Activation tables** are built from the calibrated parameters ([`QActivation`]).
//!
//! # Inference
//! [`QNetwork::forward`] uses no float arithmetic. Layer by layer (see [`QDense`]):
//! the `i32` accumulator acc_k = b_k + Σ_j q_kj (x_j − zp_in);
//! [`requantize`] (`SaturatingRoundingDoublingHighMul` then `RoundingDivideByPOT`);
//! plus the target zero point, saturated to int8; then the activation:
//!
//! (How it runs: Σ_j q_kj · zp_in is folded into the bias when the layer is built, so
//! the kernel's inner loop is a pure Σ_j q_kj x_j over int8, four output rows per pass,
//! with `SXTB16`/`SMLAD` on Arm cores with the DSP extension; the requantization on
//! that path is branch-free and equal to [`requantize`]; ReLU and identity are its
//! final clamp. See [`QDense`].)
//!
//! | activation | int8 computation | error against φ of the int8 z |
//! | --- | --- | --- |
//! | `ReLU` | folded: requantized to a's parameters, max(q, zp_a) | exact |
//! | `Identity` | folded: requantized to a's parameters | exact |
//! | `LeakyReLU`, `Tanh`, `Sigmoid`, `Softplus` | 256-entry table z → a ([`lookup_table`]) | ≤ s_a/2 inside a's range |
//! | `Softmax` | exp table of z_max − z_k, integer sum and division ([`softmax`]) | ≤ 1/256 + (1 + n)/2^16 |
//!
//! The requantization itself is the exact product acc · M rounded down or up (within
//! 3/4 of a unit); `tests/quant.rs` checks it against `i128` arithmetic. End to end,
//! the error of each layer against the f32 network is bounded by the scales. With ε_j
//! the bound on input j of a layer, the accumulator's real value is off by at most
//! Σ_j |ŵ_kj| ε_j (input error) plus (s_w\[k\]/2) Σ_j |x_j| (weight rounding) plus
//! s_in s_w\[k\]/2 (bias rounding), and the requantized z_k by 1.5 s_t more (the
//! rounding, below one step, and the clamp to the calibrated range, half a step). A
//! table activation multiplies that by φ's Lipschitz constant (1, or 1/4 for the
//! sigmoid) and adds one output step s_a; ReLU and identity add nothing; softmax gives
//! at most half the largest logit error plus 1/256 + (1 + n)/2^16.
//! `tests/quant.rs` checks the outputs of random networks with every activation
//! against this bound.
//!
//! # Networks whose shape is data
//! A tool that reads the architecture from a file has no network type to name:
//! [`ModelCalibration`] and [`QModel`] (feature `alloc`) quantize and run a
//! [`Model`](crate::model::Model) by the same per-layer rules, and give the same
//! ranges, the same int8 network, the same outputs and the same weight file, byte for
//! byte, as the typed path for the network of the same shape.
//!
//! # Inputs and outputs on a device
//! The float helpers [`QNetwork::quantize_input`] and [`QNetwork::dequantize_output`]
//! are outside the integer path. Firmware can instead read the parameters once on the
//! host and apply them itself:
//!
//! - input: x_q = clamp(round(x / s_0) + zp_0, −128, 127) with
//!   ([`input_params`](QNetwork::input_params)) s_0 = `scale`, zp_0 = `zero_point`;
//! - output: y = s_N · (y_q − zp_N) ([`output_params`](QNetwork::output_params)); for a
//!   softmax output s_N = 1/256 and zp_N = −128, so y_q + 128 is the probability in
//!   256ths, and the arg-max of y_q ([`loss::argmax`](crate::loss::argmax), the crate's
//!   one arg-max, which takes `i8`s as well) is the predicted class.
//!
//! For the digits network calibrated on pixels p ∈ 0..=16 scaled to x = p/16, the input
//! range is [0, 1]: s_0 = 1/255 (as an `f32`, a hair above), zp_0 = −128, so a raw pixel
//! becomes x_q = round(255 p / 16) − 128, in integer arithmetic (255 p + 7) / 16 − 128
//! (the tie at p = 8 goes down, as the `f32` scale makes it; `tests/quant.rs` checks
//! the formula against [`QNetwork::quantize_input`] for every p).
//!
//! # The weight file
//! The header is that of [`format`](crate::format) with scalar code 4 ([`INT8_CODE`]);
//! the fingerprint and the parameter count are those of the f32 network of the same
//! shape, so reading an int8 file as an f32 network (or the reverse) is a
//! [`LoadError::ScalarMismatch`](crate::format::LoadError::ScalarMismatch). All values
//! little-endian:
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 4 | magic `b"TNET"` |
//! | 4 | 2 | format version, `u16` (1) |
//! | 6 | 1 | scalar type code: 4 = int8 |
//! | 7 | 1 | flags, 0 |
//! | 8 | 8 | architecture fingerprint, `u64` (the f32 network's) |
//! | 16 | 4 | parameter count P = Σ_i (M_{i−1} M_i + M_i), `u32` |
//! | 20 | 4 | input scale s_0, `f32` |
//! | 24 | 1 | input zero point zp_0, `i8` |
//! | 25 | … | one record per layer i = 1..N, below |
//!
//! A layer record, with I = M_{i−1} inputs, O = M_i outputs and a table of T bytes
//! (offsets from the record's start; [`QDense::RECORD_LEN`] = 10 + 13·O + O·I + T):
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 4 | pre-activation scale s_z, `f32` |
//! | 4 | 1 | pre-activation zero point zp_z, `i8` |
//! | 5 | 4 | activation scale s_a, `f32` |
//! | 9 | 1 | activation zero point zp_a, `i8` |
//! | 10 | 4·O | weight scales s_w\[k\], `f32` |
//! | 10 + 4·O | 4·O | requantization mantissas M_k, `i32` (Q31) |
//! | 10 + 8·O | O | requantization shifts, `i8` |
//! | 10 + 9·O | 4·O | biases, `i32` |
//! | 10 + 13·O | O·I | weights, `i8`, row by row (row k: the I weights of output k) |
//! | 10 + 13·O + O·I | T | the activation's table: none for `Identity` and `ReLU` (T = 0); for `LeakyReLU`, `Tanh`, `Sigmoid`, `Softplus` 256 `i8` (entry q + 128 is φ of z_q = q); for `Softmax` 256 `u16` (entry d is round(2^15 e^{−s_z d})), T = 512 |
//!
//! For firmware, [`static_qnetwork!`](crate::static_qnetwork!) builds the network at
//! compile time from `include_bytes!` of its file (a `static` in flash, checked while
//! compiling); [`from_bytes`] decodes it at run time.
//!
//! Reading ([`from_bytes`]) checks the header as [`format::from_bytes`](crate::format::from_bytes)
//! does (same errors in the same order) and the exact length, and rejects a NaN or
//! infinite scale with [`LoadError::NonFinite`](crate::format::LoadError::NonFinite)
//! and a scale of 0 or below with
//! [`LoadError::NonPositiveScale`](crate::format::LoadError::NonPositiveScale), whose
//! `index` counts the file's `f32` fields in order (0: the input scale; then per layer
//! s_z, s_a, s_w\[0..O\]). Every other byte string of the right length is a valid
//! network (any table, multiplier or shift computes without panicking), so reading
//! never panics; a proptest feeds it 120 000 random and mutated buffers.

// `typenet_dsp`: the opt-in cfg of `dsp.rs` (stable Rust does not report the Arm
// `dsp` target feature); the crate's manifest does not declare it.
#![allow(unexpected_cfgs)]

mod activation;
mod bytes;
mod calibrate;
mod dense;
#[cfg(all(target_arch = "arm", any(target_feature = "dsp", typenet_dsp)))]
mod dsp;
mod error;
mod file;
mod kernel;
mod konst;
mod layers;
mod macros;
#[cfg(feature = "alloc")]
mod model;
mod network;
mod params;
mod requant;
mod sealed;
mod stride;
mod view;

pub use activation::{
    QActivation, SOFTMAX_ONE, apply_lookup_table, lookup_table, softmax, softmax_table,
};
pub use calibrate::{Calibration, LayerRanges, Quantize, Quantized, quantize};
pub use dense::{MAX_INPUTS, QDense};
#[doc(hidden)]
pub use dense::{fast_multiplier, fold_row};
pub use error::{QuantizeError, ScaleKind};
pub use file::{encoded_len, from_bytes, write_to};
#[cfg(feature = "std")]
pub use file::{load, save, to_vec};
#[doc(hidden)]
pub use konst::{
    const_check, const_fold, const_i8s, const_i32s, const_multipliers, const_params,
    const_record_len, const_scales, const_u16_table,
};
pub use layers::QLayers;
#[cfg(feature = "alloc")]
pub use model::{ModelCalibration, ObserveError, QModel};
pub use network::{INT8_CODE, QNetwork};
pub use params::{QParams, Range};
pub use requant::{
    Multiplier, quantize_multiplier, requantize, rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
};
pub use view::QLayerRef;
