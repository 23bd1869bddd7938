//! The binary weight format: a fixed header, then every parameter in the canonical
//! order, little-endian.
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 4 | magic `b"TNET"` |
//! | 4 | 2 | format version, `u16` LE (currently 1) |
//! | 6 | 1 | scalar type code ([`Storable::CODE`]: 1 = `f32`, 2 = `f64`, 3 = [`Q16`](crate::fixed::Q16)) |
//! | 7 | 1 | flags, 0 (reserved; a reader rejects flags it does not know) |
//! | 8 | 8 | architecture fingerprint, `u64` LE ([`Fingerprint`]) |
//! | 16 | 4 | parameter count, `u32` LE |
//! | 20 | P·s | the P parameters in the canonical order, each `s` bytes LE |
//!
//! # The fingerprint
//!
//! The fingerprint is FNV-1a (64 bit) over each layer's description, from the **last**
//! layer to the first: its input size M_{i−1} as `u32` LE, its output size M_i as
//! `u32` LE, the activation's [`NAME`](crate::Activation::NAME) in UTF-8, then `;`.
//! An activation's parameters are part of its name (a [`LeakyReLU`](crate::LeakyReLU)
//! of slope 0.2 is `leaky_relu(0x3fc999999999999a)`, the slope's `f64` bits), so two
//! networks share a fingerprint exactly when they have the same sizes, activations and
//! activation parameters (up to FNV collisions): a file of another slope is an
//! [`ArchitectureMismatch`](LoadError::ArchitectureMismatch). The default slope 0.01
//! keeps the name `leaky_relu`, so files written before the slope was a parameter
//! still load.
//!
//! The length of a file is a type-level constant, [`EncodedLen`], so writing needs no
//! heap: [`to_bytes`] returns a `GenericArray<u8, EncodedLen<T, N>>`, and
//! [`write_to`] fills a caller's buffer. Reading never panics: any byte string gives
//! either a network or a [`LoadError`] naming what is wrong.
//!
//! ```
//! use typenet::{network, Network, format};
//!
//! type Net = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
//! let net = Net::from_params(&[0.5; Net::PARAMS]).unwrap();
//! let bytes = format::to_bytes(&net);
//! assert_eq!(bytes.len(), 20 + 4 * Net::PARAMS);
//! let back: Net = format::from_bytes(&bytes).unwrap();
//! assert_eq!(back, net);
//!
//! type Other = network!(f32; 2 -> 3 ReLU -> 1 Sigmoid);
//! assert!(matches!(format::from_bytes::<f32, Other>(&bytes),
//!                  Err(format::LoadError::ArchitectureMismatch { .. })));
//! ```

use crate::net::alias::ParamCount;
pub use crate::net::architecture::Architecture;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
/// The loaders' rule for a parameter value ([`Scalar::param_from_f64`]).
pub use crate::num::scalar::ValueError;
use core::fmt;
use core::ops::{Add, Mul};
use generic_array::{ArrayLength, GenericArray};
use typenum::{Prod, Sum, U4, U8, U20, Unsigned};

/// The first four bytes of every weight file.
pub const MAGIC: [u8; 4] = *b"TNET";
/// The format version this crate writes and reads.
pub const VERSION: u16 = 1;
/// The header length in bytes.
pub const HEADER_LEN: usize = 20;

/// A scalar type the format can store.
pub trait Storable: Scalar {
    /// The code in the header's scalar field.
    const CODE: u8;
    /// The type's name, for error messages.
    const TYPE_NAME: &'static str;
    /// The number of bytes of one value, as a typenum number.
    type Bytes: ArrayLength;
    /// Writes the value's little-endian bytes into `out` (exactly `Bytes` long).
    fn write_le(self, out: &mut [u8]);
    /// Reads a value from exactly `Bytes` little-endian bytes.
    fn read_le(bytes: &[u8]) -> Self;
}

macro_rules! storable {
    ($t:ty, $code:expr, $bytes:ty, $n:expr) => {
        impl Storable for $t {
            const CODE: u8 = $code;
            const TYPE_NAME: &'static str = stringify!($t);
            type Bytes = $bytes;
            fn write_le(self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            fn read_le(bytes: &[u8]) -> Self {
                let mut b = [0u8; $n];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
        }
    };
}

#[cfg(any(feature = "std", feature = "libm"))]
storable!(f32, 1, U4, 4);
#[cfg(any(feature = "std", feature = "libm"))]
storable!(f64, 2, U8, 8);

impl Storable for crate::num::fixed::Q16 {
    const CODE: u8 = 3;
    const TYPE_NAME: &'static str = "Q16.16";
    type Bytes = U4;
    fn write_le(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_bits().to_le_bytes());
    }
    fn read_le(bytes: &[u8]) -> Self {
        crate::num::fixed::Q16::from_bits(i32::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3],
        ]))
    }
}

/// The architecture fingerprint of a network type (see the module docs).
pub trait Fingerprint<T: Scalar> {
    /// FNV-1a 64 over the layer descriptions, last layer first.
    const FINGERPRINT: u64;
}

impl<T: Scalar, N: Network<T>> Fingerprint<T> for N {
    const FINGERPRINT: u64 = N::FINGERPRINT_STATE;
}

/// The byte length of the encoding of network `N` in scalar `T`:
/// 20 + PARAMS · `size_of::<T>()`, as a typenum number.
pub type EncodedLen<T, N> = Sum<U20, Prod<ParamCount<T, N>, <T as Storable>::Bytes>>;

/// The bounds that make [`EncodedLen`] an array length, bundled.
pub trait Encodable<T: Storable>: Network<T> {
    /// [`EncodedLen`] for this network.
    type Len: ArrayLength;
}

impl<T, N> Encodable<T> for N
where
    T: Storable,
    N: Network<T>,
    // PARAMS · bytes per value
    N::ParamCount: Mul<T::Bytes>,
    // + the header
    U20: Add<Prod<N::ParamCount, T::Bytes>>,
    EncodedLen<T, N>: ArrayLength,
{
    type Len = EncodedLen<T, N>;
}

/// The number of bytes [`to_bytes`] and [`write_to`] produce for `N`.
pub const fn encoded_len<T: Storable, N: Network<T>>() -> usize {
    HEADER_LEN + N::PARAMS * <T::Bytes as Unsigned>::USIZE
}

/// Why a byte string is not a weight file for the expected network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadError {
    /// Fewer bytes than a header.
    TooShort {
        /// The number of bytes given.
        found: usize,
    },
    /// The first four bytes are not [`MAGIC`].
    BadMagic,
    /// A format version this crate does not read.
    UnsupportedVersion {
        /// The version in the file.
        found: u16,
    },
    /// The flags byte holds flags this version does not know.
    UnknownFlags {
        /// The flags byte in the file.
        found: u8,
    },
    /// The file stores another scalar type than the network's.
    ScalarMismatch {
        /// The network's [`Storable::CODE`].
        expected: u8,
        /// The code in the file.
        found: u8,
    },
    /// The file was written for a network of other sizes or activations (or
    /// activation parameters).
    ArchitectureMismatch {
        /// The network's fingerprint.
        expected: u64,
        /// The fingerprint in the file.
        found: u64,
        /// The network's architecture, for the message (`64 -> 64 ReLU -> 10 Softmax`);
        /// the file's cannot be read back from its fingerprint.
        architecture: Architecture,
    },
    /// The header's parameter count is not the network's.
    ParamCountMismatch {
        /// The network's parameter count.
        expected: usize,
        /// The count in the file.
        found: usize,
    },
    /// The byte string's length is not header + parameters.
    LengthMismatch {
        /// The expected total length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A parameter is NaN or infinite.
    NonFinite {
        /// Its index in the canonical order.
        index: usize,
    },
    /// A scale of an int8 file is zero or negative (a scale maps int8 steps to real
    /// values and must be > 0).
    NonPositiveScale {
        /// Its index among the file's scales (as for [`NonFinite`](Self::NonFinite)).
        index: usize,
    },
}

fn scalar_name(code: u8) -> &'static str {
    match code {
        1 => "f32",
        2 => "f64",
        3 => "Q16.16",
        4 => "int8 (typenet::quant)",
        _ => "an unknown scalar type",
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LoadError::TooShort { found } => {
                write!(
                    f,
                    "weight file too short: {found} bytes, the header alone is {HEADER_LEN}"
                )
            }
            LoadError::BadMagic => f.write_str("not a typenet weight file (bad magic bytes)"),
            LoadError::UnsupportedVersion { found } => {
                write!(
                    f,
                    "weight file format version {found} is not supported (this build reads {VERSION})"
                )
            }
            LoadError::UnknownFlags { found } => {
                write!(
                    f,
                    "weight file has unknown flags {found:#04x} (written by a newer version?)"
                )
            }
            LoadError::ScalarMismatch { expected, found } => write!(
                f,
                "weight file stores {} (code {found}) but the network uses {}",
                scalar_name(found),
                scalar_name(expected)
            ),
            LoadError::ArchitectureMismatch {
                expected,
                found,
                architecture,
            } => write!(
                f,
                "the file was written for another architecture (sizes or activations differ): \
                 expected {architecture} (fingerprint {expected:#018x}), the file's fingerprint is {found:#018x}"
            ),
            LoadError::ParamCountMismatch { expected, found } => {
                write!(
                    f,
                    "weight file has {found} parameters but the network has {expected}"
                )
            }
            LoadError::LengthMismatch { expected, found } => {
                write!(f, "weight file is {found} bytes long, expected {expected}")
            }
            LoadError::NonFinite { index } => {
                write!(f, "parameter {index} in the weight file is NaN or infinite")
            }
            LoadError::NonPositiveScale { index } => write!(
                f,
                "scale {index} in the int8 weight file is zero or negative (it must be > 0)"
            ),
        }
    }
}

impl core::error::Error for LoadError {}

fn header<T: Storable, N: Network<T>>() -> [u8; HEADER_LEN] {
    header_bytes(T::CODE, <N as Fingerprint<T>>::FINGERPRINT, N::PARAMS)
}

/// Encodes `net` into a stack array whose length is the type-level [`EncodedLen`].
pub fn to_bytes<T: Storable, N: Encodable<T>>(net: &N) -> GenericArray<u8, N::Len> {
    let mut out = GenericArray::<u8, N::Len>::default();
    // The length is exactly `encoded_len`, so this cannot fail.
    let _ = write_to(net, &mut out);
    out
}

/// A buffer too small for [`write_to`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BufferTooSmall {
    /// The bytes needed.
    pub needed: usize,
    /// The buffer's length.
    pub found: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "buffer of {} bytes is too small for {} bytes of weights",
            self.found, self.needed
        )
    }
}

impl core::error::Error for BufferTooSmall {}

/// Encodes `net` into the start of `out`; returns the number of bytes written,
/// [`encoded_len`].
///
/// # Errors
/// [`BufferTooSmall`] if `out` is shorter than [`encoded_len`]; `out` is then untouched.
pub fn write_to<T: Storable, N: Network<T>>(
    net: &N,
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    let needed = encoded_len::<T, N>();
    if out.len() < needed {
        return Err(BufferTooSmall {
            needed,
            found: out.len(),
        });
    }
    out[..HEADER_LEN].copy_from_slice(&header::<T, N>());
    let size = <T::Bytes as Unsigned>::USIZE;
    for (chunk, &p) in out[HEADER_LEN..needed]
        .chunks_exact_mut(size)
        .zip(net.params())
    {
        p.write_le(chunk);
    }
    Ok(needed)
}

/// Checks the header and length of `bytes` for network `N`.
fn check<T: Storable, N: Network<T>>(bytes: &[u8]) -> Result<(), LoadError> {
    check_header(
        bytes,
        T::CODE,
        <N as Fingerprint<T>>::FINGERPRINT,
        <N as Network<T>>::architecture(),
        N::PARAMS,
        encoded_len::<T, N>(),
    )?;
    let size = <T::Bytes as Unsigned>::USIZE;
    if let Some(index) = bytes[HEADER_LEN..]
        .chunks_exact(size)
        .position(|c| T::read_le(c).check_param().is_err())
    {
        return Err(LoadError::NonFinite { index });
    }
    Ok(())
}

/// Overwrites the parameters of `net` from a weight file, in place (for a network in a
/// `static`, a `Box` or anywhere it already lives).
///
/// # Errors
/// A [`LoadError`] naming the first problem; `net` is then unchanged.
pub fn load_into<T: Storable, N: Network<T>>(net: &mut N, bytes: &[u8]) -> Result<(), LoadError> {
    check::<T, N>(bytes)?;
    fill(net, bytes);
    Ok(())
}

/// Copies the parameters of a file that [`check`] accepted into `net`.
fn fill<T: Storable, N: Network<T>>(net: &mut N, bytes: &[u8]) {
    let size = <T::Bytes as Unsigned>::USIZE;
    for (p, chunk) in net.params_mut().zip(bytes[HEADER_LEN..].chunks_exact(size)) {
        *p = T::read_le(chunk);
    }
}

/// Decodes a network from a weight file.
///
/// # Errors
/// A [`LoadError`] naming the first problem: length, magic, version, scalar type,
/// architecture, parameter count, or a non-finite parameter.
pub fn from_bytes<T: Storable, N: Network<T>>(bytes: &[u8]) -> Result<N, LoadError> {
    // The file is checked once, before the network exists: with no error path after
    // it, the compiler builds the network in the caller's result (checking after
    // `zeroed` cost a second 19 KB copy of the digits network on a Cortex-M's stack).
    check::<T, N>(bytes)?;
    let mut net = N::zeroed();
    fill(&mut net, bytes);
    Ok(net)
}

/// Saving and loading weight files (feature `std`).
#[cfg(feature = "std")]
mod file {
    extern crate std;

    use super::{LoadError, Storable, encoded_len, from_bytes, write_to};
    use crate::net::network::Network;
    use core::fmt;
    use std::path::{Path, PathBuf};
    use std::vec;
    use std::vec::Vec;

    /// Why [`load`] or [`save`] failed: the file could not be read or written (the
    /// error names its path), or its bytes are not a weight file for the network.
    #[derive(Debug)]
    pub enum FileError {
        /// Reading the file failed.
        Read {
            /// The file's path.
            path: PathBuf,
            /// The I/O error (also the error's [`source`](core::error::Error::source)).
            source: std::io::Error,
        },
        /// Creating or writing the file failed.
        Write {
            /// The file's path.
            path: PathBuf,
            /// The I/O error (also the error's [`source`](core::error::Error::source)).
            source: std::io::Error,
        },
        /// The bytes were read but are not a valid weight file for the network.
        Format(LoadError),
    }

    impl fmt::Display for FileError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                FileError::Read { path, source } => {
                    write!(
                        f,
                        "cannot read the weight file {}: {source}",
                        path.display()
                    )
                }
                FileError::Write { path, source } => {
                    write!(
                        f,
                        "cannot write the weight file {}: {source}",
                        path.display()
                    )
                }
                FileError::Format(e) => e.fmt(f),
            }
        }
    }

    impl core::error::Error for FileError {
        fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
            match self {
                FileError::Read { source, .. } | FileError::Write { source, .. } => Some(source),
                FileError::Format(e) => Some(e),
            }
        }
    }

    /// The bytes of the file at `path`, or a [`FileError::Read`] naming it; shared
    /// with [`quant`](crate::quant).
    pub(crate) fn read(path: &Path) -> Result<Vec<u8>, FileError> {
        std::fs::read(path).map_err(|source| FileError::Read {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes `bytes` to the file at `path`, or gives a [`FileError::Write`] naming it;
    /// shared with [`quant`](crate::quant).
    pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
        std::fs::write(path, bytes).map_err(|source| FileError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes `net` to the file at `path` in the weight format.
    ///
    /// # Errors
    /// [`FileError::Write`] (with the path and the I/O error) if the file cannot be
    /// created or written.
    pub fn save<T: Storable, N: Network<T>>(
        net: &N,
        path: impl AsRef<Path>,
    ) -> Result<(), FileError> {
        let mut bytes = vec![0u8; encoded_len::<T, N>()];
        // `bytes` has exactly the encoded length.
        let _ = write_to(net, &mut bytes);
        write(path.as_ref(), &bytes)
    }

    /// Reads a network from the weight file at `path`.
    ///
    /// # Errors
    /// [`FileError::Read`] (with the path and the I/O error) if the file cannot be
    /// read, [`FileError::Format`] if its bytes are not a weight file for `N`.
    pub fn load<T: Storable, N: Network<T>>(path: impl AsRef<Path>) -> Result<N, FileError> {
        let bytes = read(path.as_ref())?;
        from_bytes(&bytes).map_err(FileError::Format)
    }
}

#[cfg(feature = "std")]
pub use file::{FileError, load, save};
#[cfg(feature = "std")]
pub(crate) use file::{read as read_file, write as write_file};

/// Compile-time check of a weight file for [`static_network!`](crate::static_network!):
/// panics (a compile error when evaluated in a constant) with a sentence naming the
/// problem. Not for direct use; its arguments come from the network type.
#[doc(hidden)]
pub const fn const_check(
    bytes: &[u8],
    code: u8,
    fingerprint: u64,
    params: usize,
    scalar_size: usize,
) {
    if bytes.len() != HEADER_LEN + params * scalar_size {
        panic!(
            "the weight file's length does not match the network (wrong file, or a network of other sizes)"
        );
    }
    const_check_header(bytes, code, fingerprint, params);
}

/// The header checks of [`const_check`], after the caller has checked the length;
/// shared with the int8 files of [`quant`](crate::quant).
pub(crate) const fn const_check_header(bytes: &[u8], code: u8, fingerprint: u64, params: usize) {
    if bytes.len() < HEADER_LEN {
        panic!("the weight file is shorter than a header");
    }
    if bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2] || bytes[3] != MAGIC[3]
    {
        panic!("the included file is not a typenet weight file (bad magic bytes)");
    }
    if u16::from_le_bytes([bytes[4], bytes[5]]) != VERSION {
        panic!("the weight file's format version is not supported");
    }
    if bytes[7] != 0 {
        panic!("the weight file has unknown flags");
    }
    if bytes[6] != code {
        panic!("the weight file stores another scalar type than the network's");
    }
    let fp = u64::from_le_bytes([
        bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15],
    ]);
    if fp != fingerprint {
        panic!(
            "the weight file was written for another architecture (sizes or activations differ)"
        );
    }
    let count = u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]) as usize;
    if count != params {
        panic!("the weight file's parameter count does not match the network");
    }
}

/// Panics (a compile error in a constant) unless `bytes` holds `end` bytes: the one
/// length rule of the compile-time readers below.
const fn const_need(bytes: &[u8], end: usize) {
    if end > bytes.len() {
        panic!(
            "the weight file's length does not match the network (wrong file, or a network of other sizes)"
        );
    }
}

/// The `W` bytes at `bytes[at..]` (checked by [`const_need`] first).
const fn const_word<const W: usize>(bytes: &[u8], at: usize) -> [u8; W] {
    let mut word = [0u8; W];
    let mut i = 0;
    while i < W {
        word[i] = bytes[at + i];
        i += 1;
    }
    word
}

/// Writes one compile-time reader of `N` consecutive little-endian values of a scalar
/// type, for [`static_network!`](crate::static_network!).
macro_rules! const_reader {
    ($(#[$doc:meta])* $name:ident, $t:ty, $size:literal, $zero:expr, |$w:ident| $decode:expr) => {
        $(#[$doc])*
        #[doc(hidden)]
        pub const fn $name<const N: usize>(bytes: &[u8], offset: usize) -> [$t; N] {
            const_need(bytes, offset + $size * N);
            let mut out = [$zero; N];
            let mut k = 0;
            while k < N {
                let $w = const_word::<$size>(bytes, offset + $size * k);
                out[k] = $decode;
                k += 1;
            }
            out
        }
    };
}

/// Panics (a compile error in a constant) on NaN or infinity.
const fn finite_f32(v: f32) -> f32 {
    if !v.is_finite() {
        panic!("the weight file holds a NaN or infinite parameter");
    }
    v
}

/// Panics (a compile error in a constant) on NaN or infinity.
const fn finite_f64(v: f64) -> f64 {
    if !v.is_finite() {
        panic!("the weight file holds a NaN or infinite parameter");
    }
    v
}

const_reader!(
    /// `N` consecutive `f32` values read at compile time from `bytes[offset..]`; panics
    /// (a compile error in a constant) on NaN or infinity.
    const_f32s, f32, 4, 0.0f32, |w| finite_f32(f32::from_le_bytes(w))
);
const_reader!(
    /// `N` consecutive `f64` values read at compile time; see [`const_f32s`].
    const_f64s, f64, 8, 0.0f64, |w| finite_f64(f64::from_le_bytes(w))
);
const_reader!(
    /// `N` consecutive Q16.16 values (raw `i32` bits) read at compile time; every bit
    /// pattern is a value.
    const_q16s,
    crate::num::fixed::Q16,
    4,
    crate::num::fixed::Q16::ZERO,
    |w| crate::num::fixed::Q16::from_bits(i32::from_le_bytes(w))
);

/// The 20-byte header of a file of scalar `code` for a network with `fingerprint` and
/// `count` parameters; shared with [`quant`](crate::quant), whose int8 files use the
/// same header.
pub(crate) fn header_bytes(code: u8, fingerprint: u64, count: usize) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..4].copy_from_slice(&MAGIC);
    h[4..6].copy_from_slice(&VERSION.to_le_bytes());
    h[6] = code;
    h[8..16].copy_from_slice(&fingerprint.to_le_bytes());
    h[16..20].copy_from_slice(&(count as u32).to_le_bytes());
    h
}

/// The fields of a weight file's header (of an f32, f64, Q16 or int8 file alike), as
/// [`read_header`] finds them; what a reader that does not know the network type can
/// learn from a file (the architecture itself is only there as its fingerprint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// The scalar code ([`Storable::CODE`]; 4 for an int8 file of [`quant`](crate::quant)).
    pub code: u8,
    /// The architecture fingerprint ([`Fingerprint`]).
    pub fingerprint: u64,
    /// The parameter count P.
    pub params: usize,
}

impl Header {
    /// The name of the header's scalar type (`"f32"`, `"f64"`, `"Q16.16"`,
    /// `"int8 (typenet::quant)"`, or `"an unknown scalar type"`).
    pub fn scalar_name(&self) -> &'static str {
        scalar_name(self.code)
    }
}

/// Reads the header of a weight file: the magic bytes, the version and the flags are
/// checked (with the errors of [`from_bytes`]), the scalar code, fingerprint and
/// parameter count returned as they are, for a caller to compare with what it expects.
///
/// # Errors
/// [`LoadError::TooShort`], [`LoadError::BadMagic`], [`LoadError::UnsupportedVersion`]
/// or [`LoadError::UnknownFlags`]; never panics.
pub fn read_header(bytes: &[u8]) -> Result<Header, LoadError> {
    let Some(h) = bytes.first_chunk::<HEADER_LEN>() else {
        return Err(LoadError::TooShort { found: bytes.len() });
    };
    if h[0..4] != MAGIC {
        return Err(LoadError::BadMagic);
    }
    let version = u16::from_le_bytes([h[4], h[5]]);
    if version != VERSION {
        return Err(LoadError::UnsupportedVersion { found: version });
    }
    if h[7] != 0 {
        return Err(LoadError::UnknownFlags { found: h[7] });
    }
    Ok(Header {
        code: h[6],
        fingerprint: u64::from_le_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]]),
        params: u32::from_le_bytes([h[16], h[17], h[18], h[19]]) as usize,
    })
}

/// How a header differs from the expected one: a [`LoadError`], or the file's other
/// fingerprint, which each caller turns into its own error (the typed readers name the
/// type's [`Architecture`], the readers of [`model`](crate::model) a shape).
pub(crate) enum HeaderMismatch {
    /// Magic, version, flags, scalar code, parameter count or length.
    Load(LoadError),
    /// The file's fingerprint, not the expected one.
    Fingerprint(u64),
}

/// The one check of a weight file's header and total length `len`, in the order of
/// [`from_bytes`]: magic, version, flags, scalar code, fingerprint, parameter count,
/// length.
pub(crate) fn check_fields(
    bytes: &[u8],
    code: u8,
    fingerprint: u64,
    count: usize,
    len: usize,
) -> Result<(), HeaderMismatch> {
    let h = read_header(bytes).map_err(HeaderMismatch::Load)?;
    if h.code != code {
        return Err(HeaderMismatch::Load(LoadError::ScalarMismatch {
            expected: code,
            found: h.code,
        }));
    }
    if h.fingerprint != fingerprint {
        return Err(HeaderMismatch::Fingerprint(h.fingerprint));
    }
    if h.params != count {
        return Err(HeaderMismatch::Load(LoadError::ParamCountMismatch {
            expected: count,
            found: h.params,
        }));
    }
    if bytes.len() != len {
        return Err(HeaderMismatch::Load(LoadError::LengthMismatch {
            expected: len,
            found: bytes.len(),
        }));
    }
    Ok(())
}

/// [`check_fields`] for a typed network, with the errors of [`from_bytes`]; shared with
/// [`quant`](crate::quant).
pub(crate) fn check_header(
    bytes: &[u8],
    code: u8,
    fingerprint: u64,
    architecture: Architecture,
    count: usize,
    len: usize,
) -> Result<(), LoadError> {
    check_fields(bytes, code, fingerprint, count, len).map_err(|m| match m {
        HeaderMismatch::Load(e) => e,
        HeaderMismatch::Fingerprint(found) => LoadError::ArchitectureMismatch {
            expected: fingerprint,
            found,
            architecture,
        },
    })
}
