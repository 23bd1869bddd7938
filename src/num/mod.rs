//! Numbers: the [`Scalar`] bound, Q16.16 fixed point, and the matrix kernels of a
//! layer (portable, and the x86-64 SIMD levels that give the same bits).
//!
//! The bottom of the crate: nothing here imports from the other folders.

/// Polynomial `exp`, `ln_1p`, `tanh`, `sigmoid` and `softplus` with the same bits on
/// every target (issue 13's activations; not yet used by the activations).
#[doc(hidden)]
// Formatted once, then skipped: rustfmt spends 33 s of CPU on its nested Horner
// polynomials on every `cargo fmt` (the other files take well under a second).
#[rustfmt::skip]
pub mod approx;
pub mod fixed;
pub(crate) mod kernel;
pub(crate) mod scalar;

pub use kernel::kernel_level;
pub use scalar::Scalar;
