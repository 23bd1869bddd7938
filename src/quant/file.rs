//! Reading and writing int8 weight files: free functions mirroring
//! [`format`](crate::format), over [`QNetwork`]'s methods.

use super::network::QNetwork;
use crate::io::format::{BufferTooSmall, LoadError};

/// The byte length of the weight file of the int8 network `Q`,
/// [`QNetwork::ENCODED_LEN`]; a constant, so a buffer can be a stack array
/// `[0u8; QNet::ENCODED_LEN]`.
pub const fn encoded_len<Q: QNetwork>() -> usize {
    Q::ENCODED_LEN
}

/// Writes the weight file of `net` into the start of `out`; see [`QNetwork::write_to`].
///
/// # Errors
/// [`BufferTooSmall`] if `out` is shorter than [`encoded_len`]; `out` is then untouched.
pub fn write_to<Q: QNetwork>(net: &Q, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
    net.write_to(out)
}

/// Reads an int8 network from its weight file; see [`QNetwork::from_bytes`].
///
/// # Errors
/// A [`LoadError`] naming the first problem; never panics.
pub fn from_bytes<Q: QNetwork>(bytes: &[u8]) -> Result<Q, LoadError> {
    Q::from_bytes(bytes)
}

/// Saving and loading int8 weight files (feature `std`).
#[cfg(feature = "std")]
mod std_file {
    extern crate std;

    use super::{QNetwork, from_bytes};
    use crate::io::format::{FileError, read_file, write_file};
    use std::path::Path;
    use std::vec;
    use std::vec::Vec;

    /// The weight file of `net` as a vector.
    pub fn to_vec<Q: QNetwork>(net: &Q) -> Vec<u8> {
        let mut bytes = vec![0u8; Q::ENCODED_LEN];
        // `bytes` has exactly the encoded length.
        let _ = net.write_to(&mut bytes);
        bytes
    }

    /// Writes `net` to the file at `path`.
    ///
    /// # Errors
    /// [`FileError::Write`] (with the path and the I/O error) if the file cannot be
    /// created or written.
    pub fn save<Q: QNetwork>(net: &Q, path: impl AsRef<Path>) -> Result<(), FileError> {
        write_file(path.as_ref(), &to_vec(net))
    }

    /// Reads an int8 network from the weight file at `path`.
    ///
    /// # Errors
    /// [`FileError::Read`] (with the path and the I/O error) if the file cannot be
    /// read, [`FileError::Format`] if its bytes are not an int8 weight file for `Q`.
    pub fn load<Q: QNetwork>(path: impl AsRef<Path>) -> Result<Q, FileError> {
        let bytes = read_file(path.as_ref())?;
        from_bytes(&bytes).map_err(FileError::Format)
    }
}

#[cfg(feature = "std")]
pub use std_file::{load, save, to_vec};
