//! The seal on [`QLayers`](super::QLayers) and [`Quantize`](super::Quantize): the crate
//! implements them for its nested types only.

/// Implemented by [`Dense`](crate::Dense), [`QDense`](super::QDense) and
/// [`End`](crate::End) only.
pub trait Sealed {}
