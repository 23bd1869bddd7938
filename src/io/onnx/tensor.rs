//! Constant tensors (initializers and `Constant` values) decoded into values: float32
//! and float64 as `f64` (exactly), int64 for a Reshape's target shape. Every check is
//! made before anything is allocated from a count the file states, so a file cannot
//! ask for more memory than its own size.

extern crate std;

use super::proto::TensorProto;
use super::proto::tensor_proto::{DataLocation, DataType};
use std::format;
use std::string::String;
use std::vec::Vec;

/// A decoded constant: its dims and its values in row-major order.
pub(super) struct Tensor<V> {
    /// The dims (a scalar has none).
    pub dims: Vec<usize>,
    /// The values, as many as the product of the dims.
    pub values: Vec<V>,
}

/// The dims of `t` as sizes and the number of values they give.
fn dims(t: &TensorProto) -> Result<(Vec<usize>, usize), String> {
    let mut out = Vec::with_capacity(t.dims.len().min(8));
    let mut count = 1usize;
    for &d in &t.dims {
        let d = usize::try_from(d).map_err(|_| format!("a dimension is negative ({d})"))?;
        count = count
            .checked_mul(d)
            .ok_or_else(|| String::from("its dimensions overflow"))?;
        out.push(d);
    }
    Ok((out, count))
}

/// Refuses what no decoder below reads: external data and segments.
fn check_storage(t: &TensorProto) -> Result<(), String> {
    if t.data_location == Some(DataLocation::External as i32) || !t.external_data.is_empty() {
        return Err(String::from(
            "its data is in an external file, which is not supported; save the model with \
             the weights inside (onnx.save(model, path, save_as_external_data=False))",
        ));
    }
    if t.segment.is_some() {
        return Err(String::from("it is segmented, which is not supported"));
    }
    Ok(())
}

/// The name of an ONNX data type code, for messages.
fn type_name(code: i32) -> String {
    DataType::try_from(code).map_or_else(
        |_| format!("an unknown data type ({code})"),
        |d| format!("data type {}", d.as_str_name()),
    )
}

/// Values `count` long from `raw_data` (little-endian, `size` bytes each, decoded by
/// `read`) or from the typed field `typed`.
fn values<V: Copy>(
    raw: Option<&[u8]>,
    typed: &[V],
    count: usize,
    size: usize,
    read: impl Fn(&[u8]) -> V,
) -> Result<Vec<V>, String> {
    match raw {
        Some(raw) => {
            if !typed.is_empty() {
                return Err(String::from(
                    "it holds both raw_data and typed data; ONNX allows one of them",
                ));
            }
            if Some(raw.len()) != count.checked_mul(size) {
                return Err(format!(
                    "its dims give {count} values but raw_data holds {} bytes ({size} per value)",
                    raw.len()
                ));
            }
            Ok(raw.chunks_exact(size).map(read).collect())
        }
        None => {
            if typed.len() != count {
                return Err(format!(
                    "its dims give {count} values but it holds {}",
                    typed.len()
                ));
            }
            Ok(typed.to_vec())
        }
    }
}

/// A float32 or float64 tensor, every value as `f64` (exactly) and finite.
pub(super) fn floats(t: &TensorProto) -> Result<Tensor<f64>, String> {
    check_storage(t)?;
    let (dims, count) = dims(t)?;
    let raw = t.raw_data.as_deref();
    let data_type = t.data_type.unwrap_or(0);
    let values = if data_type == DataType::Float as i32 {
        let v = values(raw, &t.float_data, count, 4, |c| {
            f32::from_le_bytes([c[0], c[1], c[2], c[3]])
        })?;
        v.into_iter().map(f64::from).collect()
    } else if data_type == DataType::Double as i32 {
        values(raw, &t.double_data, count, 8, |c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            f64::from_le_bytes(b)
        })?
    } else {
        return Err(format!(
            "it has {}; FLOAT (float32) and DOUBLE (float64) are supported",
            type_name(data_type)
        ));
    };
    if let Some(index) = values.iter().position(|v: &f64| !v.is_finite()) {
        return Err(format!("it holds NaN or an infinity (value {index})"));
    }
    Ok(Tensor { dims, values })
}

/// An int64 tensor (a Reshape's target shape).
pub(super) fn ints(t: &TensorProto) -> Result<Tensor<i64>, String> {
    check_storage(t)?;
    let (dims, count) = dims(t)?;
    let data_type = t.data_type.unwrap_or(0);
    if data_type != DataType::Int64 as i32 {
        return Err(format!(
            "it has {}; a shape is an INT64 tensor",
            type_name(data_type)
        ));
    }
    let values = values(t.raw_data.as_deref(), &t.int64_data, count, 8, |c| {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        i64::from_le_bytes(b)
    })?;
    Ok(Tensor { dims, values })
}
