//! The entry points: bytes or a file to a [`Model`] or to a typed network.

extern crate std;

use super::error::OnnxError;
use super::graph;
use super::proto::ModelProto;
use crate::io::model::Model;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use prost::Message;
use std::path::Path;
use std::string::ToString;

/// Reads an ONNX model of a fully-connected network into a [`Model`]: its shape in
/// [`network!`](crate::network!) syntax and its parameters in the canonical order.
/// See the [module docs](super) for what is accepted.
///
/// # Errors
/// An [`OnnxError`] naming the node (name and `op_type`) and saying what is
/// supported; any byte string gives a model or an error, never a panic.
pub fn read_model(bytes: &[u8]) -> Result<Model, OnnxError> {
    let proto = ModelProto::decode(bytes).map_err(|e| OnnxError::Decode {
        message: e.to_string(),
    })?;
    graph::model(&proto)
}

/// [`read_model`] of a file's bytes.
///
/// # Errors
/// [`OnnxError::Io`] if the file cannot be read, otherwise as [`read_model`].
pub fn read_model_file(path: impl AsRef<Path>) -> Result<Model, OnnxError> {
    let bytes = std::fs::read(path).map_err(OnnxError::Io)?;
    read_model(&bytes)
}

/// Reads an ONNX model into the typed network `N`: [`read_model`], then
/// [`Model::to_network`], which checks every layer's sizes and activation against the
/// type and converts each value by the loaders' rule
/// ([`Scalar::param_from_f64`]).
///
/// # Errors
/// As [`read_model`]; [`OnnxError::Model`] when the graph is another architecture
/// than `N` (the message gives both) or holds a value `T` cannot hold.
pub fn from_bytes<T: Scalar, N: Network<T>>(bytes: &[u8]) -> Result<N, OnnxError> {
    Ok(read_model(bytes)?.to_network()?)
}

/// [`from_bytes`] of a file's bytes.
///
/// # Errors
/// [`OnnxError::Io`] if the file cannot be read, otherwise as [`from_bytes`].
pub fn load<T: Scalar, N: Network<T>>(path: impl AsRef<Path>) -> Result<N, OnnxError> {
    Ok(read_model_file(path)?.to_network()?)
}
