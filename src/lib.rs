//! Fully-connected neural networks whose shape lives in the type system.
//!
//! ```
//! use typenet::{network, Network, Trace};
//! use typenet::generic_array::GenericArray;
//!
//! // 2 inputs -> 8 tanh -> 1 sigmoid, as one type. Sizes that do not connect,
//! // or an input array of the wrong length, do not compile.
//! type Net = network!(f64; 2 -> 8 Tanh -> 1 Sigmoid);
//!
//! // Parameters in the canonical order: W^1 row by row, b^1, W^2, b^2.
//! let params: Vec<f64> = (0..Net::PARAMS).map(|k| ((k * 7 % 11) as f64 - 5.0) / 5.0).collect();
//! let mut net = Net::from_params(&params)?;
//!
//! // Inference: stack arrays in, stack arrays out, no heap.
//! let x = GenericArray::from_array([1.0, 0.0]);
//! let y = net.forward(&x);
//! assert!(y[0] > 0.0 && y[0] < 1.0);
//!
//! // Training: record z^i and a^i, then run the ξ recurrence backwards.
//! let mut trace = Trace::<f64, Net>::new();
//! let mut grads = Net::zeroed();
//! let target = 1.0;
//! let before = (net.forward(&x)[0] - target).powi(2) / 2.0;
//! for _ in 0..20 {
//!     grads.set_zero();
//!     let a = net.forward_trace(&x, &mut trace)[0];
//!     // E = ½(a^N − t)², so ∂E/∂a^N = a^N − t.
//!     net.backward(&mut trace, &GenericArray::from_array([a - target]), &mut grads);
//!     for (w, g) in net.params_mut().zip(grads.params()) {
//!         *w -= 0.5 * g;
//!     }
//! }
//! let after = (net.forward(&x)[0] - target).powi(2) / 2.0;
//! assert!(after < before);
//! # Ok::<(), typenet::ParamCountError>(())
//! ```
//!
//! # The math
//! The notation is that of `docs/MATH.md` (the derivation this crate implements, in
//! the repository). Layer 0 is the input; layers i = 1..N compute
//!
//! ```text
//! z^i_k = Σ_j w^i_{kj} a^{i−1}_j + b^i_k        a^i_k = φ_i(z^i_k)
//! ```
//!
//! with W^i an M_i × M_{i−1} matrix. For a cost E(a^N) the error signal
//! ξ^i = ∂E/∂z^i obeys
//!
//! ```text
//! ξ^N = φ'_N(z^N) ⊙ ∂E/∂a^N           (a vector-Jacobian product for softmax)
//! ξ^i = φ'_i(z^i) ⊙ (W^{i+1})ᵀ ξ^{i+1}   for i = N−1, ..., 1
//! ∂E/∂W^i = ξ^i (a^{i−1})ᵀ     ∂E/∂b^i = ξ^i     ∂E/∂a^0 = (W^1)ᵀ ξ^1
//! ```
//!
//! which is what [`Network::backward`] computes.
//!
//! # Map of the crate
//! - [`Network`]: the whole-network API (forward, training pass, parameters, facts).
//! - [`Dense`] and [`End`]: the nested type a network is; [`network!`] writes it.
//! - [`Layers`]: the stack-of-layers machinery, and the rule that sizes connect.
//! - [`Activation`], [`ElementWise`] and the activations [`Identity`], [`Sigmoid`],
//!   [`Tanh`], [`ReLU`], [`LeakyReLU`], [`Softplus`], [`Softmax`].
//! - [`Scalar`]: the numeric bound (`f32`, `f64`, and [`fixed::Q16`], Q16.16 fixed point
//!   for chips without an FPU), with the three matrix kernels of a layer as overridable
//!   methods; `f32` overrides them with AVX-512F/AVX code chosen at run time (with `std`
//!   on x86-64; [`kernel_level`] names it) that gives the portable code's bits.
//! - [`Trace`]: what a training pass records (z^i, a^i, ξ^i).
//! - [`InputMatches`] and [`ShapeRule`]: the input-length rule.
//! - [`BoxedNetwork`] (feature `alloc`): networks built directly on the heap.
//! - [`loss`]: mean squared error, Huber, binary and softmax cross-entropy.
//! - [`optim`]: SGD (momentum, Nesterov, weight decay), Adam/AdamW, RMSprop,
//!   learning-rate schedules, gradient clipping.
//! - [`init`]: Glorot/He initialisation from any `rand_core::RngCore`.
//! - [`train`]: one mini-batch step with no heap ([`train::Trainer`]), evaluation,
//!   shuffling.
//! - [`format`]: the binary weight format (header, fingerprint, parameters), no heap.
//! - [`fixed`]: Q16.16 fixed point as a [`Scalar`]; [`quant`]: post-training int8
//!   quantization with integer-only inference (TensorFlow Lite style).
//! - [`fit`] (feature `std`): a training loop with epochs, a train/test split and a
//!   per-epoch callback.
//! - Aliases: [`Arr`], [`Matrix`], [`Input`], [`Output`], [`InputSize`], [`OutputSize`],
//!   [`Depth`], [`ParamCount`].
//!
//! # Features
//! - `std` (default): float functions from `std`, and the x86-64 SIMD kernels chosen at
//!   run time; implies `alloc`.
//! - `libm`: float functions from `libm`, for `no_std` targets.
//! - `alloc`: [`BoxedNetwork`], heap constructors for large networks.
//! - `safetensors`: read and write PyTorch safetensors files (module `safetensors`); needs
//!   `std`.
//! - `serde`: `Serialize`/`Deserialize` for networks (architecture + parameters,
//!   checked on reading, no heap).
//!
//! One of `std` and `libm` must be enabled. Nothing in the crate allocates except the
//! `BoxedNetwork` constructors.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!(
    "typenet needs float functions (exp, ln, tanh): enable the `std` feature (the default) \
     or, on no_std targets, the `libm` feature: \
     typenet = { version = \"...\", default-features = false, features = [\"libm\"] }"
);

#[cfg(feature = "std")]
extern crate std;

mod activation;
mod alias;
#[path = "num/approx.rs"]
#[doc(hidden)]
pub mod approx;
#[cfg(feature = "alloc")]
mod boxed;
mod compose;
mod count;
mod dense;
mod error;
#[cfg(feature = "std")]
pub mod fit;
pub mod fixed;
pub mod format;
pub mod init;
mod kernel;
mod layers;
pub mod loss;
mod macros;
mod network;
pub mod optim;
pub mod quant;
#[cfg(feature = "safetensors")]
pub mod safetensors;
mod scalar;
#[cfg(feature = "serde")]
mod serde_impl;
mod shape;
mod trace;
pub mod train;
mod view;

pub use activation::{
    Activation, ElementWise, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh,
};
pub use alias::{Arr, Depth, Input, InputSize, Matrix, Output, OutputSize, ParamCount};
#[cfg(feature = "alloc")]
pub use boxed::{BoxedNetwork, Zeroable};
pub use compose::Append;
pub use count::{LayerParamCount, Successor};
pub use dense::Dense;
pub use error::{BatchLengthError, ParamCountError, TrainError};
pub use kernel::kernel_level;
pub use layers::{End, Layers, Seed};
pub use network::Network;
pub use scalar::Scalar;
pub use shape::{InputMatches, ShapeRule};
pub use trace::{DenseBlockTrace, DenseTrace, Trace};
pub use view::{LayerMut, LayerRef, LayerShape, LayerTrace};

/// The generic-array crate this one is built on, re-exported so that users name the
/// same version.
pub use generic_array;
/// The rand_core crate whose `RngCore` the initialisation and shuffling take,
/// re-exported so that users implement or name the same version.
pub use rand_core;
/// The typenum crate this one is built on, re-exported so that users name the same
/// version.
pub use typenum;

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
