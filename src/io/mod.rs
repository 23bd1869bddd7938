//! Files and bytes: typenet's weight format (run time and compile time), PyTorch
//! safetensors, serde.
//!
//! Imports from [`net`](crate::net) and [`num`](crate::num).

pub mod format;
#[cfg(feature = "safetensors")]
pub mod safetensors;
#[cfg(feature = "serde")]
mod serde;
mod static_network;
