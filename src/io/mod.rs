//! Files and bytes: typenet's weight format (run time and compile time), PyTorch
//! safetensors, serde.
//!
//! Imports from [`net`](crate::net) and [`num`](crate::num).

pub mod format;
#[cfg(feature = "alloc")]
pub mod model;
#[cfg(feature = "safetensors")]
pub mod safetensors;
#[cfg(feature = "serde")]
mod serde;
mod static_network;
