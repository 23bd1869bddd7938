//! Fully-connected neural networks whose shape lives in the type system.
//!
//! ```
//! use typenet::{network, Network, Trace};
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
//! let x = Net::input([1.0, 0.0]);
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
//!     net.backward(&mut trace, &[a - target].into(), &mut grads);
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
//! The source is in four folders, each importing only from the ones listed before it:
//!
//! - `num/`: [`Scalar`], the numeric bound (`f32`, `f64`, and [`fixed::Q16`], Q16.16
//!   fixed point for chips without an FPU), and the three matrix kernels of a layer;
//!   `f32` multiply-adds are fused (rounded once, [`Scalar::kernel_mul_add`]); it runs
//!   AVX-512F/AVX+FMA code chosen at run time (with `std` on x86-64), and its forward
//!   pass `VLDM`/`VFMA.F32` assembly on the Cortex-M4F/M7/M33 ([`kernel_level`] names
//!   either), each giving the portable code's bits.
//! - `net/`: the network. [`Network`] is the whole-network API; [`Dense`] and [`End`]
//!   are the nested type a network is, and [`network!`] writes it; the activations
//!   [`Identity`], [`Sigmoid`], [`Tanh`], [`ReLU`], [`LeakyReLU`], [`Softplus`],
//!   [`Softmax`] (and the [`Activation`] / [`ElementWise`] traits for your own);
//!   [`Trace`], what a training pass records (z^i, a^i, ξ^i); the layer views
//!   [`LayerRef`], [`LayerMut`], [`LayerShape`], [`LayerTrace`]; [`BoxedNetwork`]
//!   (feature `alloc`) for networks built directly on the heap, and [`Packed`]
//!   (feature `alloc`), a network whose weights are copied once into column tiles for
//!   faster single-sample inference, with the same bits.
//! - `train/` ([`train`]): [`loss`] (mean squared error, Huber, binary and softmax
//!   cross-entropy), [`optim`] (SGD with momentum, Nesterov and weight decay,
//!   Adam/AdamW, RMSprop, schedules, gradient clipping), [`init`] (Glorot/He, from
//!   any `rand_core` 0.9 generator or [`init::initialize_seeded`] with the built-in
//!   [`train::SplitMix64`]), [`train::Trainer`] (one mini-batch step over
//!   [`train::Sample`]s, no heap), [`train::evaluate`] and, with `std`,
//!   [`train::ParallelTrainer`] (the step spread over threads, the same bits on any
//!   number of them), [`fit::Fit`]
//!   (epochs, shuffling, a held-out set, a history) and [`assert_fits!`] (a memory
//!   budget checked by the compiler); [`TrainError`] says why a step was refused
//!   (nothing changed then), [`HyperParameterError`] which setting is out of range.
//! - `io/`: [`format`] (typenet's binary weight format, and [`static_network!`] for
//!   weights in flash), `model` (networks whose shape is data), `safetensors`
//!   (PyTorch), `onnx` (ONNX import), serde.
//! - [`quant`]: post-training int8 quantization with integer-only inference.
//!
//! Aliases: [`Arr`], [`Matrix`], [`Input`], [`Output`], [`InputSize`], [`OutputSize`],
//! [`Depth`], [`ParamCount`].
//!
//! # Features
//! - `std` (default): float functions from `std`, and the x86-64 SIMD kernels chosen at
//!   run time; implies `alloc`.
//! - `libm`: float functions from `libm`, for `no_std` targets.
//! - `alloc`: [`BoxedNetwork`], heap constructors for large networks, and [`Packed`].
//! - `safetensors`: read and write PyTorch safetensors files (module `safetensors`); needs
//!   `std`.
//! - `onnx`: read ONNX models of fully-connected networks (module `onnx`); needs `std`.
//! - `serde`: `Serialize`/`Deserialize` for networks (architecture + parameters,
//!   checked on reading, no heap).
//!
//! One of `std` and `libm` must be enabled. Nothing in the crate allocates except the
//! `BoxedNetwork` constructors, `Packed::new` (its copy, once), the run-time networks
//! of `model` (feature `alloc`)
//! and, with `std`, the training loop `fit::Fit` and `train::ParallelTrainer` (its
//! buffers, once, and its threads).
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!(
    "typenet needs float functions (exp, ln, tanh): enable the `std` feature (the default) \
     or, on no_std targets, the `libm` feature: \
     typenet = { version = \"...\", default-features = false, features = [\"libm\"] }"
);

/// Applies `#[cfg(any(feature = "std", feature = "libm"))]` to every item, so that without
/// a float backend the `compile_error!` above is the only error.
macro_rules! with_float_backend {
    ($($item:item)*) => { $( #[cfg(any(feature = "std", feature = "libm"))] $item )* };
}

#[cfg(feature = "std")]
extern crate std;

// The parts, bottom to top; each imports only from the ones above it. (Written out,
// not through the macro below: `macro_export` macros must not come from a macro.)
#[cfg(any(feature = "std", feature = "libm"))]
mod num;
#[cfg(any(feature = "std", feature = "libm"))]
#[macro_use]
mod net;
#[cfg(any(feature = "std", feature = "libm"))]
mod io;
#[cfg(any(feature = "std", feature = "libm"))]
pub mod quant;
#[cfg(any(feature = "std", feature = "libm"))]
pub mod train;

/// The size macro `network!` expands to (any integer literal as a typenum type); not
/// part of the API, which is `network!` itself.
#[doc(hidden)]
pub use typenet_macros::uint as __uint;

with_float_backend! {
    pub use io::format;
    #[cfg(feature = "alloc")]
    pub use io::model;
    #[cfg(feature = "onnx")]
    pub use io::onnx;
    #[cfg(feature = "safetensors")]
    pub use io::safetensors;
    pub use num::{Scalar, fixed, kernel_level};
    #[doc(hidden)]
    pub use num::approx;
    #[cfg(feature = "std")]
    pub use train::fit;
    pub use train::{HyperParameterError, TrainError, init, loss, optim};

    pub use net::activation::{
        Activation, ElementWise, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh,
    };
    pub use net::alias::{Depth, Input, InputSize, Output, OutputSize, ParamCount};
    pub use net::architecture::Architecture;
    pub use net::arr::{Arr, Matrix};
    #[cfg(feature = "alloc")]
    pub use net::boxed::{BoxedNetwork, Zeroable};
    pub use net::dense::Dense;
    pub use net::error::{BatchLengthError, InputLengthError, ParamCountError};
    pub use net::layers::End;
    pub use net::network::{Network, Trace};
    #[cfg(feature = "alloc")]
    pub use net::packed::Packed;
    pub use net::view::{LayerMut, LayerRef, LayerShape, LayerTrace};

    // Machinery that public bounds mention but users never name.
    #[doc(hidden)]
    pub use net::compose::Append;
    #[doc(hidden)]
    pub use net::dense::ScalarOf as __ScalarOf;
    #[doc(hidden)]
    pub use net::count::{LayerParamCount, Successor};
    #[doc(hidden)]
    pub use net::layers::{Grads, Layers, Seed};
    #[doc(hidden)]
    pub use net::trace::DenseTrace;
    // The portable `f32` forward kernel, for the firmware's kernel test.
    #[doc(hidden)]
    pub use num::kernel::portable_affine_f32 as __portable_affine_f32;

    /// The generic-array crate this one is built on, re-exported so that users name the
    /// same version.
    pub use generic_array;
    /// The rand_core crate (version 0.9) whose `RngCore` the initialisation and shuffling
    /// take, re-exported so that users implement or name the same version.
    pub use rand_core;
    /// The typenum crate this one is built on, re-exported so that users name the same
    /// version.
    pub use typenum;
}

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
