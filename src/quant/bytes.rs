//! Little-endian cursors over the bytes of an int8 weight file; neither panics on any
//! input.

use super::params::{QParams, is_scale};
use crate::io::format::LoadError;

/// Writes values one after another into a buffer; bytes beyond its end are dropped.
pub(super) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub(super) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        let end = self.pos.saturating_add(b.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(b);
        }
        self.pos = end;
    }

    /// Hands the unwritten rest of the buffer to `f`, then skips `len` bytes.
    pub(super) fn nested(&mut self, len: usize, f: impl FnOnce(&mut [u8])) {
        if let Some(rest) = self.buf.get_mut(self.pos..) {
            f(rest);
        }
        self.pos = self.pos.saturating_add(len);
    }

    pub(super) fn params(&mut self, p: QParams) {
        self.bytes(&p.scale.to_le_bytes());
        self.bytes(&[p.zero_point as u8]);
    }
}

/// Reads values one after another, counting the `f32` fields for
/// [`LoadError::NonFinite`].
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    len: usize,
    /// The index, among the file's `f32` fields, of the next one.
    pub(super) scale_index: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8], scale_index: usize) -> Self {
        Reader {
            bytes,
            len: bytes.len(),
            scale_index,
        }
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], LoadError> {
        match self.bytes.split_at_checked(n) {
            Some((head, tail)) => {
                self.bytes = tail;
                Ok(head)
            }
            None => Err(LoadError::LengthMismatch {
                expected: self.len.saturating_add(n - self.bytes.len()),
                found: self.len,
            }),
        }
    }

    /// Everything not yet read.
    pub(super) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.bytes)
    }

    pub(super) fn i8(&mut self) -> Result<i8, LoadError> {
        Ok(self.take(1)?[0] as i8)
    }

    pub(super) fn i32(&mut self) -> Result<i32, LoadError> {
        let b = self.take(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A scale ([`scale_at`]).
    pub(super) fn scale(&mut self) -> Result<f32, LoadError> {
        let b = self.take(4)?;
        let index = self.scale_index;
        self.scale_index += 1;
        scale_at([b[0], b[1], b[2], b[3]], index)
    }

    pub(super) fn params(&mut self) -> Result<QParams, LoadError> {
        let scale = self.scale()?;
        let zero_point = self.i8()?;
        Ok(QParams { scale, zero_point })
    }
}

/// The scale number `index` of a file from its little-endian bytes: a finite `f32` > 0.
///
/// # Errors
/// [`LoadError::NonFinite`] for NaN or ±∞, [`LoadError::NonPositiveScale`] for ±0 or a
/// negative value.
pub(super) fn scale_at(bytes: [u8; 4], index: usize) -> Result<f32, LoadError> {
    let v = f32::from_le_bytes(bytes);
    if is_scale(v) {
        Ok(v)
    } else if v.is_finite() {
        Err(LoadError::NonPositiveScale { index })
    } else {
        Err(LoadError::NonFinite { index })
    }
}
