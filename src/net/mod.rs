//! The network: the nested [`Dense`] type, its activations, the shape rules, the
//! forward pass and the ξ recurrence, the training record, views of layers,
//! composition, the architecture fingerprint and the `network!` macro.
//!
//! Imports only from [`num`](crate::num).

#[macro_use]
mod macros;

pub(crate) mod activation;
pub(crate) mod alias;
pub(crate) mod architecture;
pub(crate) mod arr;
#[cfg(feature = "alloc")]
pub(crate) mod boxed;
pub(crate) mod compose;
pub(crate) mod count;
pub(crate) mod dense;
pub(crate) mod error;
pub(crate) mod fingerprint;
pub(crate) mod layers;
pub(crate) mod network;
#[cfg(feature = "alloc")]
pub(crate) mod packed;
pub(crate) mod scheme;
pub(crate) mod trace;
pub(crate) mod view;
