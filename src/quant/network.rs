//! [`QNetwork`]: the public face of a whole int8 network.

use super::activation::QActivation;
use super::bytes::scale_at;
use super::dense::QDense;
use super::layers::QLayers;
use super::params::QParams;
use super::view::QLayerRef;
use crate::io::format::{BufferTooSmall, HEADER_LEN, LoadError};
use crate::net::arr::Arr;
use core::fmt::Debug;
use generic_array::ArrayLength;
use typenum::Unsigned;

/// The scalar code of int8 networks in the weight file header.
pub const INT8_CODE: u8 = 4;

/// The bytes after the header that hold the input's parameters (`f32` scale, `i8`
/// zero point).
pub(super) const INPUT_RECORD_LEN: usize = 5;

/// An int8 network, as [`quantize`](super::quantize) makes it from a trained f32
/// [`Network`](crate::Network) of the same nested shape.
///
/// [`forward`](QNetwork::forward) is integer-only: int8 input, `i32` accumulators,
/// fixed-point requantization, int8 output. The float helpers
/// [`quantize_input`](QNetwork::quantize_input) and
/// [`dequantize_output`](QNetwork::dequantize_output) sit outside that path; firmware
/// can instead apply [`input_params`](QNetwork::input_params) and
/// [`output_params`](QNetwork::output_params) itself (see the [module docs](super)).
pub trait QNetwork: Sized + Clone + Debug + PartialEq {
    /// M_0, the input size.
    type Input: ArrayLength;
    /// M_N, the output size.
    type Output: ArrayLength;

    /// M_0 as a `usize`.
    const INPUTS: usize = <Self::Input as Unsigned>::USIZE;
    /// M_N as a `usize`.
    const OUTPUTS: usize = <Self::Output as Unsigned>::USIZE;
    /// N, the number of layers.
    const DEPTH: usize;
    /// The number of weights and biases (as in the f32 network of the same shape).
    const PARAMS: usize;
    /// The architecture fingerprint, equal to the f32 network's
    /// ([`format::Fingerprint`](crate::format::Fingerprint)).
    const FINGERPRINT: u64;
    /// The byte length of the network's weight file.
    const ENCODED_LEN: usize;

    /// Integer-only inference: the int8 output for the int8 input `x`.
    fn forward(&self, x: &Arr<i8, Self::Input>) -> Arr<i8, Self::Output>;

    /// The parameters of the input a^0: `x_q = clamp(round(x / scale) + zero_point)`.
    fn input_params(&self) -> QParams;

    /// The parameters of the output a^N: `y = scale · (y_q − zero_point)`
    /// ([`QParams::SOFTMAX`] for a softmax output).
    fn output_params(&self) -> QParams;

    /// Layer `i` (1..=N), or `None` out of range.
    fn layer(&self, i: usize) -> Option<QLayerRef<'_>>;

    /// Quantizes an f32 input with [`input_params`](QNetwork::input_params).
    ///
    /// Float arithmetic, outside the integer inference path.
    fn quantize_input(&self, x: &Arr<f32, Self::Input>) -> Arr<i8, Self::Input> {
        let p = self.input_params();
        x.iter().map(|&v| p.quantize(v)).collect()
    }

    /// The real values of an int8 output, with
    /// [`output_params`](QNetwork::output_params).
    ///
    /// Float arithmetic, outside the integer inference path.
    fn dequantize_output(&self, y: &Arr<i8, Self::Output>) -> Arr<f32, Self::Output> {
        let p = self.output_params();
        y.iter().map(|&q| p.dequantize(q)).collect()
    }

    /// Writes the network's weight file into the start of `out` and returns its length,
    /// [`ENCODED_LEN`](QNetwork::ENCODED_LEN).
    ///
    /// # Errors
    /// [`BufferTooSmall`] if `out` is shorter; `out` is then untouched.
    fn write_to(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall>;

    /// Reads a network from its weight file.
    ///
    /// # Errors
    /// A [`LoadError`] naming the first problem (see the [module docs](super)); never
    /// panics.
    fn from_bytes(bytes: &[u8]) -> Result<Self, LoadError>;
}

impl<I, O, A, R> QNetwork for QDense<I, O, A, R>
where
    I: ArrayLength,
    O: ArrayLength,
    A: QActivation,
    R: QLayers<O>,
{
    type Input = I;
    type Output = R::Output;
    const DEPTH: usize = <Self as QLayers<I>>::STACK_DEPTH;
    const PARAMS: usize = <Self as QLayers<I>>::STACK_PARAMS;
    const FINGERPRINT: u64 = <Self as QLayers<I>>::FINGERPRINT_STATE;
    const ENCODED_LEN: usize = HEADER_LEN + INPUT_RECORD_LEN + <Self as QLayers<I>>::RECORDS_LEN;

    #[inline]
    fn forward(&self, x: &Arr<i8, I>) -> Arr<i8, R::Output> {
        self.run(x)
    }

    fn input_params(&self) -> QParams {
        self.input
    }

    fn output_params(&self) -> QParams {
        self.output_params_after(self.input)
    }

    fn layer(&self, i: usize) -> Option<QLayerRef<'_>> {
        self.layer_ref(i)
    }

    fn write_to(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let needed = Self::ENCODED_LEN;
        let Some(out) = out.get_mut(..needed) else {
            return Err(BufferTooSmall {
                needed,
                found: out.len(),
            });
        };
        write_head(
            out,
            Self::FINGERPRINT,
            <Self as QNetwork>::PARAMS,
            self.input,
        );
        self.write_records(&mut out[HEADER_LEN + INPUT_RECORD_LEN..]);
        Ok(needed)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, LoadError> {
        crate::io::format::check_header(
            bytes,
            INT8_CODE,
            Self::FINGERPRINT,
            crate::io::format::Architecture::from_layer_shapes(<Self as QLayers<I>>::layer_shape),
            <Self as QNetwork>::PARAMS,
            Self::ENCODED_LEN,
        )?;
        let (params, records) = read_input(bytes, Self::ENCODED_LEN)?;
        <Self as QLayers<I>>::read_records(records, params, 1)
    }
}

/// The input's parameters after the header of an int8 file of `len` bytes (checked),
/// and the layer records after them.
///
/// # Errors
/// [`LoadError::NonFinite`] (index 0) for a NaN or infinite input scale,
/// [`LoadError::LengthMismatch`] if the file is shorter than a header and the input's
/// parameters.
pub(super) fn read_input(bytes: &[u8], len: usize) -> Result<(QParams, &[u8]), LoadError> {
    let body = bytes.get(HEADER_LEN..).unwrap_or_default();
    let Some((input, records)) = body.split_at_checked(INPUT_RECORD_LEN) else {
        return Err(LoadError::LengthMismatch {
            expected: len,
            found: bytes.len(),
        });
    };
    let scale = scale_at([input[0], input[1], input[2], input[3]], 0)?;
    let params = QParams {
        scale,
        zero_point: input[4] as i8,
    };
    Ok((params, records))
}

/// The header and the input's parameters of the int8 file of a network of
/// `fingerprint` and `params`, into the first [`HEADER_LEN`] + 5 bytes of `out`.
pub(super) fn write_head(out: &mut [u8], fingerprint: u64, params: usize, input: QParams) {
    let (header, body) = out.split_at_mut(HEADER_LEN.min(out.len()));
    header.copy_from_slice(
        &crate::io::format::header_bytes(INT8_CODE, fingerprint, params)[..header.len()],
    );
    if let Some(body) = body.get_mut(..INPUT_RECORD_LEN) {
        body[..4].copy_from_slice(&input.scale.to_le_bytes());
        body[4] = input.zero_point as u8;
    }
}
