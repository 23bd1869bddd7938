//! Networks built directly on the heap (feature `alloc`), for networks too large for
//! the stack: a 784 → 128 → 64 → 10 network holds 109 386 parameters, 427 KiB in `f32`
//! and 855 KiB in `f64`, while a test thread's stack is 2 MiB and a microcontroller's
//! a few KiB.
//!
//! `Box::new(Net::zeroed())` builds the value on the stack and then moves it; the
//! constructors here ask the allocator for zeroed memory instead and never hold the
//! network on the stack. This needs `unsafe` (the crate's other `unsafe` is the x86 SIMD
//! code in `src/num/kernel/x86.rs`); `cargo +nightly miri test --test boxed` checks it in
//! CI.

extern crate alloc;

use crate::net::activation::Activation;
use crate::net::activation::{Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh};
use crate::net::dense::Dense;
use crate::net::error::ParamCountError;
use crate::net::layers::{End, Layers};
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use alloc::boxed::Box;
use generic_array::{ArrayLength, GenericArray};

/// Types for which the all-zero bit pattern is a valid value, and the value
/// [`Network::zeroed`] would build.
///
/// # Safety
/// Implement it only for types where every byte being zero is a valid, safe-to-use
/// value: numbers whose zero is all-zero bits, and structs and arrays made only of such
/// types. The built-in activations (zero-sized) implement it; a custom zero-sized
/// activation with no invariants may implement it too.
pub unsafe trait Zeroable {}

// SAFETY: 0.0 is the all-zero bit pattern of IEEE 754 binary32 and binary64.
unsafe impl Zeroable for f32 {}
// SAFETY: as above.
unsafe impl Zeroable for f64 {}
// SAFETY: `Q16` is `#[repr(transparent)]` over one `i32`, so its bytes are exactly
// those of the `i32`; every `i32` bit pattern is a valid Q16.16 number (there is no
// invariant), and all-zero bits are `Q16::ZERO`, the value `Q16::zero()` gives.
unsafe impl Zeroable for crate::num::fixed::Q16 {}
// SAFETY: zero-sized unit structs have no bytes, so there is no invalid pattern.
unsafe impl Zeroable for End {}
// SAFETY: a `GenericArray<T, N>` is `N` consecutive `T`s with no other bytes; all-zero
// bytes are then `N` all-zero `T`s, valid because `T: Zeroable`.
unsafe impl<T: Zeroable, N: ArrayLength> Zeroable for GenericArray<T, N> {}
// SAFETY: every field of `Dense` is `Zeroable` (arrays of `T`, `A`, `R`), and the
// padding between fields may hold any bytes.
unsafe impl<T, I, O, A, R> Zeroable for Dense<T, I, O, A, R>
where
    T: Scalar + Zeroable,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T> + Zeroable,
    R: Layers<T, O> + Zeroable,
{
}

macro_rules! zeroable_unit {
    ($($t:ty),*) => {$(
        // SAFETY: a fieldless unit struct is zero-sized: no bytes, no invalid pattern.
        unsafe impl Zeroable for $t {}
    )*};
}
zeroable_unit!(Identity, Sigmoid, Tanh, ReLU, Softplus, Softmax);
// SAFETY: `LeakyReLU<S>` is a fieldless unit struct for every slope: zero-sized, no
// bytes, no invalid pattern (its slope lives in the type, not in the value).
unsafe impl<const SLOPE_BITS: u64> Zeroable for LeakyReLU<SLOPE_BITS> {}

/// Heap constructors that never place the network on the stack.
///
/// ```
/// use typenet::{network, BoxedNetwork, Network};
///
/// type Mnist = network!(f32; 784 -> 128 ReLU -> 64 ReLU -> 10 Softmax);
/// let net: Box<Mnist> = Mnist::new_boxed_zeroed();
/// assert!(net.params().all(|&p| p == 0.0));
/// let short = Mnist::boxed_from_params(&[0.0; 3]);
/// assert!(short.is_err());
/// ```
pub trait BoxedNetwork<T: Scalar>: Network<T> + Zeroable {
    /// A network with every parameter zero, allocated zeroed on the heap.
    fn new_boxed_zeroed() -> Box<Self> {
        let uninit = Box::<Self>::new_zeroed();
        // SAFETY: `Self: Zeroable`, so the all-zero bytes `new_zeroed` allocated are a
        // valid `Self` (the same value as `Self::zeroed()`).
        unsafe { uninit.assume_init() }
    }

    /// A network built on the heap from its parameters in the canonical order.
    ///
    /// # Errors
    /// [`ParamCountError`] unless `params.len()` is [`Network::PARAMS`].
    fn boxed_from_params(params: &[T]) -> Result<Box<Self>, ParamCountError> {
        ParamCountError::check(Self::PARAMS, params.len())?;
        let mut net = Self::new_boxed_zeroed();
        net.set_params(params)?;
        Ok(net)
    }
}

impl<T: Scalar, N: Network<T> + Zeroable> BoxedNetwork<T> for N {}
