//! Files and bytes: typenet's weight format (run time and compile time), PyTorch
//! safetensors, ONNX import, serde.
//!
//! Imports from [`net`](crate::net) and [`num`](crate::num).

pub mod format;
#[cfg(feature = "alloc")]
pub mod model;
#[cfg(feature = "onnx")]
pub mod onnx;
#[cfg(feature = "safetensors")]
pub mod safetensors;
#[cfg(feature = "serde")]
mod serde;
mod static_network;
