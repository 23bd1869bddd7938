//! PyTorch interop through safetensors files (feature `safetensors`, needs `std`).
//!
//! A PyTorch `nn.Sequential` of `nn.Linear` layers and activations stores layer i's
//! W^i as `"{k}.weight"` (shape `[M_i, M_{i−1}]`, row-major, exactly typenet's layout)
//! and b^i as `"{k}.bias"` (shape `[M_i]`), where k is the module's index in the
//! sequence. With an activation module after every linear layer, k = 2(i − 1):
//! `0.weight`, `0.bias`, `2.weight`, ... ([`pytorch_layer_names`]). Other layouts pass
//! their own prefixes to [`from_safetensors_named`] / [`to_safetensors_named`].
//!
//! The Python side, for a model `model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(),
//! nn.Linear(32, 10))`:
//!
//! ```python
//! from safetensors.torch import save_file
//! save_file(model.state_dict(), "digits.safetensors")
//! ```
//!
//! Tensors may be `F32` or `F64` (converted to the network's scalar). A missing
//! tensor, a tensor the network has no place for, a wrong shape, another dtype or a
//! non-finite value is an error naming the tensor.
//!
//! Activations are not tensors: a PyTorch file does not say that a module is
//! `nn.LeakyReLU(0.2)`, so the import takes the activations, and their parameters,
//! that the network type declares (`network!(f32; 4 -> 8 LeakyReLU(0.2) -> 2 Identity)`
//! for that module). Files written by typenet record each layer's activation
//! [`NAME`](crate::Activation::NAME), parameters included, in the safetensors metadata
//! (`"{prefix}.activation"`, e.g. `"0.activation": "leaky_relu(0x3fc999999999999a)"`);
//! reading such a file into a network whose activation differs is an
//! [`ActivationMismatch`](SafetensorsError::ActivationMismatch).

extern crate std;

use crate::io::format::Storable;
use crate::net::network::Network;
use core::fmt;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashSet;
use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

/// Why a safetensors file does not give the expected network.
#[derive(Debug)]
pub enum SafetensorsError {
    /// The bytes are not a valid safetensors file (the parser's message).
    Parse(String),
    /// A tensor the network needs is not in the file.
    MissingTensor {
        /// Its name, e.g. `"2.weight"`.
        name: String,
    },
    /// The file holds a tensor the network has no place for (another architecture?).
    UnexpectedTensor {
        /// Its name.
        name: String,
    },
    /// A tensor has another shape than the network's layer.
    ShapeMismatch {
        /// Its name.
        name: String,
        /// The shape the network needs.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// A tensor's dtype is neither `F32` nor `F64`.
    UnsupportedDtype {
        /// Its name.
        name: String,
        /// The dtype in the file.
        dtype: String,
    },
    /// A tensor holds NaN or an infinity.
    NonFinite {
        /// Its name.
        name: String,
    },
    /// The number of layer names given is not the network's depth.
    LayerNames {
        /// The network's depth N.
        expected: usize,
        /// The number of names given.
        found: usize,
    },
    /// The file's metadata records another activation (or activation parameter) for
    /// a layer than the network has: the file was written for another architecture.
    ActivationMismatch {
        /// The metadata key, e.g. `"2.activation"`.
        name: String,
        /// The network's activation name ([`NAME`](crate::Activation::NAME)).
        expected: &'static str,
        /// The name in the file.
        found: String,
    },
    /// Reading or writing the file failed.
    Io(std::io::Error),
}

impl fmt::Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SafetensorsError::Parse(m) => write!(f, "not a valid safetensors file: {m}"),
            SafetensorsError::MissingTensor { name } => write!(f, "tensor `{name}` is missing"),
            SafetensorsError::UnexpectedTensor { name } => {
                write!(
                    f,
                    "tensor `{name}` has no place in this network (another architecture?)"
                )
            }
            SafetensorsError::ShapeMismatch {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "tensor `{name}` has shape {found:?}, the network needs {expected:?}"
                )
            }
            SafetensorsError::UnsupportedDtype { name, dtype } => {
                write!(
                    f,
                    "tensor `{name}` has dtype {dtype}; F32 and F64 are supported"
                )
            }
            SafetensorsError::NonFinite { name } => {
                write!(f, "tensor `{name}` holds NaN or an infinity")
            }
            SafetensorsError::LayerNames { expected, found } => {
                write!(
                    f,
                    "{found} layer names given for a network of {expected} layers"
                )
            }
            SafetensorsError::ActivationMismatch {
                name,
                expected,
                found,
            } => write!(
                f,
                "the file was written for another architecture (activations differ): \
                 its metadata `{name}` is `{found}`, the network's activation is `{expected}`"
            ),
            SafetensorsError::Io(e) => write!(f, "safetensors file I/O failed: {e}"),
        }
    }
}

impl core::error::Error for SafetensorsError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SafetensorsError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// The module prefixes of the linear layers of an `nn.Sequential` that alternates
/// linear layers and activations: `"0"`, `"2"`, `"4"`, ... (`depth` of them).
pub fn pytorch_layer_names(depth: usize) -> Vec<String> {
    (0..depth).map(|i| (2 * i).to_string()).collect()
}

/// Reads a network from safetensors bytes with PyTorch's names
/// ([`pytorch_layer_names`]).
///
/// # Errors
/// See [`SafetensorsError`].
pub fn from_safetensors<T: Storable, N: Network<T>>(bytes: &[u8]) -> Result<N, SafetensorsError> {
    let names = pytorch_layer_names(N::DEPTH);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    from_safetensors_named(bytes, &names)
}

/// Reads a network from safetensors bytes, layer i's tensors being
/// `"{prefixes[i-1]}.weight"` and `"{prefixes[i-1]}.bias"`.
///
/// # Errors
/// See [`SafetensorsError`].
pub fn from_safetensors_named<T: Storable, N: Network<T>>(
    bytes: &[u8],
    prefixes: &[&str],
) -> Result<N, SafetensorsError> {
    if prefixes.len() != N::DEPTH {
        return Err(SafetensorsError::LayerNames {
            expected: N::DEPTH,
            found: prefixes.len(),
        });
    }
    let file =
        SafeTensors::deserialize(bytes).map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    // `deserialize` succeeded, so the header parses again.
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    let mut wanted = HashSet::new();
    let mut net = N::zeroed();
    let metadata = header.metadata().as_ref();
    for (i, prefix) in prefixes.iter().enumerate() {
        let layer = net.layer_mut(i + 1).expect("layers 1..=N exist");
        let (inputs, outputs) = (layer.inputs, layer.outputs);
        let key = activation_key(prefix);
        if let Some(found) = metadata.and_then(|m| m.get(&key))
            && found != layer.activation
        {
            return Err(SafetensorsError::ActivationMismatch {
                name: key,
                expected: layer.activation,
                found: found.clone(),
            });
        }
        let w_name = format!("{prefix}.weight");
        let b_name = format!("{prefix}.bias");
        read_tensor(&file, &w_name, &[outputs, inputs], layer.weights)?;
        read_tensor(&file, &b_name, &[outputs], layer.bias)?;
        wanted.insert(w_name);
        wanted.insert(b_name);
    }
    let mut names = file.names();
    names.sort_unstable();
    if let Some(extra) = names.into_iter().find(|n| !wanted.contains(*n)) {
        return Err(SafetensorsError::UnexpectedTensor {
            name: extra.to_string(),
        });
    }
    Ok(net)
}

/// The metadata key of the activation of the layer with module prefix `prefix`.
fn activation_key(prefix: &str) -> String {
    format!("{prefix}.activation")
}

fn read_tensor<T: Storable>(
    file: &SafeTensors<'_>,
    name: &str,
    shape: &[usize],
    out: &mut [T],
) -> Result<(), SafetensorsError> {
    let view = file
        .tensor(name)
        .map_err(|_| SafetensorsError::MissingTensor {
            name: name.to_string(),
        })?;
    if view.shape() != shape {
        return Err(SafetensorsError::ShapeMismatch {
            name: name.to_string(),
            expected: shape.to_vec(),
            found: view.shape().to_vec(),
        });
    }
    let data = view.data();
    match view.dtype() {
        Dtype::F32 => {
            for (o, c) in out.iter_mut().zip(data.chunks_exact(4)) {
                *o = T::from_f64(f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])));
            }
        }
        Dtype::F64 => {
            for (o, c) in out.iter_mut().zip(data.chunks_exact(8)) {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                *o = T::from_f64(f64::from_le_bytes(b));
            }
        }
        other => {
            return Err(SafetensorsError::UnsupportedDtype {
                name: name.to_string(),
                dtype: format!("{other:?}"),
            });
        }
    }
    if out.iter().any(|v| !v.is_finite()) {
        return Err(SafetensorsError::NonFinite {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Writes a network as safetensors bytes with PyTorch's names, in the network's own
/// dtype (`F32` for `f32`, `F64` for `f64`).
///
/// # Errors
/// [`SafetensorsError::Parse`] if the safetensors writer fails.
pub fn to_safetensors<T: Storable, N: Network<T>>(net: &N) -> Result<Vec<u8>, SafetensorsError> {
    let names = pytorch_layer_names(N::DEPTH);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    to_safetensors_named(net, &names)
}

/// Writes a network as safetensors bytes with the given layer prefixes.
///
/// # Errors
/// [`SafetensorsError::LayerNames`] for a wrong number of prefixes,
/// [`SafetensorsError::Parse`] if the safetensors writer fails.
pub fn to_safetensors_named<T: Storable, N: Network<T>>(
    net: &N,
    prefixes: &[&str],
) -> Result<Vec<u8>, SafetensorsError> {
    if prefixes.len() != N::DEPTH {
        return Err(SafetensorsError::LayerNames {
            expected: N::DEPTH,
            found: prefixes.len(),
        });
    }
    let dtype = match T::CODE {
        1 => Dtype::F32,
        _ => Dtype::F64,
    };
    let size = <T::Bytes as typenum::Unsigned>::USIZE;
    let encode = |values: &[T]| {
        let mut bytes = std::vec![0u8; values.len() * size];
        for (c, &v) in bytes.chunks_exact_mut(size).zip(values) {
            v.write_le(c);
        }
        bytes
    };
    let mut buffers = Vec::new();
    let mut metadata = std::collections::HashMap::new();
    for (i, prefix) in prefixes.iter().enumerate() {
        let layer = net.layer(i + 1).expect("layers 1..=N exist");
        metadata.insert(activation_key(prefix), layer.activation.to_string());
        buffers.push((
            format!("{prefix}.weight"),
            std::vec![layer.outputs, layer.inputs],
            encode(layer.weights),
        ));
        buffers.push((
            format!("{prefix}.bias"),
            std::vec![layer.outputs],
            encode(layer.bias),
        ));
    }
    let views = buffers
        .iter()
        .map(|(name, shape, data)| {
            TensorView::new(dtype, shape.clone(), data).map(|v| (name.clone(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    safetensors::serialize(views, Some(metadata))
        .map_err(|e| SafetensorsError::Parse(e.to_string()))
}

/// Reads a network from a safetensors file with PyTorch's names.
///
/// # Errors
/// [`SafetensorsError::Io`] if the file cannot be read, otherwise as
/// [`from_safetensors`].
pub fn load_safetensors<T: Storable, N: Network<T>>(
    path: impl AsRef<Path>,
) -> Result<N, SafetensorsError> {
    let bytes = std::fs::read(path).map_err(SafetensorsError::Io)?;
    from_safetensors(&bytes)
}

/// Writes a network to a safetensors file with PyTorch's names.
///
/// # Errors
/// [`SafetensorsError::Io`] if the file cannot be written.
pub fn save_safetensors<T: Storable, N: Network<T>>(
    net: &N,
    path: impl AsRef<Path>,
) -> Result<(), SafetensorsError> {
    let bytes = to_safetensors(net)?;
    std::fs::write(path, bytes).map_err(SafetensorsError::Io)
}
