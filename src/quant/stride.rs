//! [`Stride`]: the length of an int8 layer's weight rows, known when compiling or at
//! run time, over which the kernel (`kernel.rs`, `dsp.rs`) is written once.

use core::marker::PhantomData;
use generic_array::ArrayLength;
#[cfg(feature = "alloc")]
use generic_array::typenum::U0;

/// The length of a weight row (the layer's input count): a typenum size for the layers
/// of a typed network ([`Typed`]), known when compiling, which the DSP loop's load
/// offsets need; or a value ([`Dynamic`]) for the layers of a network whose shape is
/// data. The kernel is one body for both.
pub(crate) trait Stride: Copy {
    // The two constants serve the DSP loop only (dead code on other targets).
    /// Whether [`STRIDE`](Stride::STRIDE) is the stride (else it is 0 and the stride
    /// is known at run time only).
    #[allow(dead_code)]
    const KNOWN: bool;
    /// The stride when known when compiling, 0 otherwise.
    #[allow(dead_code)]
    const STRIDE: usize;
    /// The stride as a typenum size when known when compiling (`U0` otherwise): the
    /// length of the input's 16-bit lanes the DSP loop of four rows prepares once per
    /// layer (`dsp.rs`'s `Lanes`), none for a stride known at run time only.
    type Size: ArrayLength;
    /// The stride.
    fn get(self) -> usize;
}

/// The stride `I` of a typed layer.
pub(crate) struct Typed<I>(PhantomData<fn() -> I>);

impl<I> Typed<I> {
    pub(crate) const fn new() -> Self {
        Typed(PhantomData)
    }
}

impl<I> Clone for Typed<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Typed<I> {}

impl<I: ArrayLength> Stride for Typed<I> {
    const KNOWN: bool = true;
    const STRIDE: usize = I::USIZE;
    type Size = I;
    #[inline(always)]
    fn get(self) -> usize {
        I::USIZE
    }
}

/// A stride known at run time.
#[cfg(feature = "alloc")]
#[derive(Clone, Copy)]
pub(crate) struct Dynamic(pub(crate) usize);

#[cfg(feature = "alloc")]
impl Stride for Dynamic {
    const KNOWN: bool = false;
    const STRIDE: usize = 0;
    type Size = U0;
    #[inline(always)]
    fn get(self) -> usize {
        self.0
    }
}
