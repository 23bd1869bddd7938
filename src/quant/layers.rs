//! [`QLayers`]: a stack of int8 layers, the machinery behind
//! [`QNetwork`](super::QNetwork), and its implementation for [`End`].

use super::params::QParams;
use super::sealed::Sealed;
use super::view::QLayerRef;
use crate::io::format::LoadError;
use crate::net::arr::Arr;
use crate::net::layers::End;
use crate::net::view::LayerShape;
use core::fmt::Debug;
use generic_array::ArrayLength;

/// A stack of int8 layers that takes `In` inputs: the quantized counterpart of
/// [`Layers`](crate::Layers), implemented by [`QDense`](super::QDense) and [`End`]
/// (sealed).
///
/// Users work with [`QNetwork`](super::QNetwork); the items here are its building
/// blocks.
pub trait QLayers<In: ArrayLength>: Sealed + Sized + Clone + Debug + PartialEq {
    /// The width of the last layer (`In` for [`End`]).
    type Output: ArrayLength;
    /// The number of layers.
    const STACK_DEPTH: usize;
    /// The number of weights and biases, as in the f32 network of the same shape.
    const STACK_PARAMS: usize;
    /// The architecture fingerprint state, equal to the f32 network's
    /// ([`Layers::FINGERPRINT_STATE`](crate::Layers::FINGERPRINT_STATE)).
    const FINGERPRINT_STATE: u64;
    /// The byte length of the stack's layer records in the weight file.
    const RECORDS_LEN: usize;

    /// Integer-only inference from the int8 input `x`.
    fn run(&self, x: &Arr<i8, In>) -> Arr<i8, Self::Output>;

    /// The parameters of the stack's output, given those of its input (returned by
    /// [`End`]).
    fn output_params_after(&self, input: QParams) -> QParams;

    /// Layer `i` of the stack, counting its first layer as 1.
    fn layer_ref(&self, i: usize) -> Option<QLayerRef<'_>>;

    /// The shape of layer `i` (1-based), as in the f32 network
    /// ([`Network::layer_shape`](crate::Network::layer_shape)); `None` for 0 and past
    /// the last layer.
    fn layer_shape(i: usize) -> Option<LayerShape>;

    /// Writes the layer records into the first [`RECORDS_LEN`](QLayers::RECORDS_LEN)
    /// bytes of `out` (a shorter `out` receives a prefix).
    fn write_records(&self, out: &mut [u8]);

    /// Reads the layer records from `bytes` (exactly
    /// [`RECORDS_LEN`](QLayers::RECORDS_LEN) long); `input` are the parameters of the
    /// stack's input and `scale_index` the index, among the file's `f32` fields, of the
    /// first one in `bytes` (for [`LoadError::NonFinite`]).
    ///
    /// # Errors
    /// [`LoadError::NonFinite`] for a NaN or infinite scale,
    /// [`LoadError::NonPositiveScale`] for one of 0 or below,
    /// [`LoadError::LengthMismatch`] if `bytes` has the wrong length.
    fn read_records(bytes: &[u8], input: QParams, scale_index: usize) -> Result<Self, LoadError>;
}

impl Sealed for End {}

impl<In: ArrayLength> QLayers<In> for End {
    type Output = In;
    const STACK_DEPTH: usize = 0;
    const STACK_PARAMS: usize = 0;
    const FINGERPRINT_STATE: u64 = crate::net::fingerprint::FNV_OFFSET;
    const RECORDS_LEN: usize = 0;

    #[inline]
    fn run(&self, x: &Arr<i8, In>) -> Arr<i8, In> {
        x.clone()
    }

    fn output_params_after(&self, input: QParams) -> QParams {
        input
    }

    fn layer_ref(&self, _: usize) -> Option<QLayerRef<'_>> {
        None
    }

    fn layer_shape(_: usize) -> Option<LayerShape> {
        None
    }

    fn write_records(&self, _: &mut [u8]) {}

    fn read_records(bytes: &[u8], _: QParams, _: usize) -> Result<Self, LoadError> {
        if bytes.is_empty() {
            Ok(End)
        } else {
            Err(LoadError::LengthMismatch {
                expected: 0,
                found: bytes.len(),
            })
        }
    }
}
