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
//! Tensors may be `F32` or `F64`, converted to the network's scalar by the rule every
//! loader applies ([`Scalar::param_from_f64`](crate::Scalar::param_from_f64)): NaN and
//! infinities are [`SafetensorsError::NonFinite`], a finite value beyond the scalar's
//! range (`1e300` for `f32`, `1e9` for `Q16`) is [`SafetensorsError::OutOfRange`], any
//! other is rounded to the nearest representable value (`1e-9` becomes 0 in `Q16`). A
//! missing tensor, a tensor the network has no place for, a wrong shape, another dtype,
//! or a layer name given twice is an error naming the tensor or name.
//!
//! Writing uses `F32` for `f32` networks and `F64` for `f64` and `Q16` ones (every `Q16`
//! value is exact in `f64`, so a `Q16` network reads back bit for bit).
//!
//! Activations are not tensors: a PyTorch file does not say that a module is
//! `nn.LeakyReLU(0.2)`, so the import takes the activations, and their parameters,
//! that the network type declares (`network!(f32; 4 -> 8 LeakyReLU(0.2) -> 2 Identity)`
//! for that module). Files written by typenet record each layer's activation
//! [`NAME`](crate::Activation::NAME), parameters included, in one safetensors metadata
//! entry, `"typenet.activations"`: `prefix=name` pairs joined by `;`, e.g.
//! `"0=leaky_relu(0x3fc999999999999a);2=sigmoid"` (one entry, so that the file's bytes
//! do not depend on the order of a hash map: the same network always writes the same
//! bytes). Reading such a file into a network whose activation differs is an
//! [`ActivationMismatch`](SafetensorsError::ActivationMismatch).

extern crate std;

use crate::io::format::Storable;
use crate::io::model::{ActivationKind, LayerSpec, Model, Shape};
use crate::net::network::Network;
use crate::num::scalar::ValueError;
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
    /// A tensor holds a finite value beyond the range of the network's scalar type
    /// (`1e300` for `f32`, `1e9` for `Q16`; see [`Scalar::param_from_f64`](crate::Scalar::param_from_f64)).
    OutOfRange {
        /// Its name.
        name: String,
        /// The value's index in the tensor (row-major).
        index: usize,
        /// The network's scalar type.
        scalar: &'static str,
    },
    /// Two layers were given the same name prefix.
    DuplicateName {
        /// The prefix given twice.
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
        /// The layer's entry, `"{prefix}.activation"`, e.g. `"2.activation"`.
        name: String,
        /// The network's activation name ([`NAME`](crate::Activation::NAME)).
        expected: &'static str,
        /// The name in the file.
        found: String,
    },
    /// Reading or writing the file failed.
    Io(std::io::Error),
    /// [`read_model`] cannot tell the architecture: the layers' sizes do not chain, the
    /// activations are neither recorded nor given, or the given shape differs.
    Architecture(String),
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
            SafetensorsError::OutOfRange {
                name,
                index,
                scalar,
            } => write!(
                f,
                "tensor `{name}` holds a value out of range for {scalar} at index {index}"
            ),
            SafetensorsError::DuplicateName { name } => {
                write!(f, "layer name `{name}` is given to more than one layer")
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
            SafetensorsError::Architecture(m) => f.write_str(m),
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
    check_prefixes(prefixes, N::DEPTH)?;
    let file =
        SafeTensors::deserialize(bytes).map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    // `deserialize` succeeded, so the header parses again.
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    let mut wanted = HashSet::new();
    let mut net = N::zeroed();
    let recorded = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(ACTIVATIONS_KEY))
        .map(String::as_str);
    for (i, prefix) in prefixes.iter().enumerate() {
        let layer = net.layer_mut(i + 1).expect("layers 1..=N exist");
        let (inputs, outputs) = (layer.inputs, layer.outputs);
        if let Some(found) = recorded_activation(recorded, prefix)
            && found != layer.activation
        {
            return Err(SafetensorsError::ActivationMismatch {
                name: format!("{prefix}.activation"),
                expected: layer.activation,
                found: found.to_string(),
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

/// The metadata entry that records every layer's activation.
const ACTIVATIONS_KEY: &str = "typenet.activations";

/// The activation name `recorded` (the value of [`ACTIVATIONS_KEY`]) gives the layer
/// with module prefix `prefix`, if it names one.
fn recorded_activation<'a>(recorded: Option<&'a str>, prefix: &str) -> Option<&'a str> {
    recorded?
        .split(';')
        .find_map(|pair| pair.strip_prefix(prefix)?.strip_prefix('='))
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
    // Every value through the loaders' rule (`Scalar::param_from_f64`).
    let put = |index: usize, o: &mut T, x: f64| match T::param_from_f64(x) {
        Ok(v) => {
            *o = v;
            Ok(())
        }
        Err(ValueError::NotFinite) => Err(SafetensorsError::NonFinite {
            name: name.to_string(),
        }),
        Err(ValueError::OutOfRange) => Err(SafetensorsError::OutOfRange {
            name: name.to_string(),
            index,
            scalar: T::NAME,
        }),
    };
    match view.dtype() {
        Dtype::F32 => {
            for (k, (o, c)) in out.iter_mut().zip(data.chunks_exact(4)).enumerate() {
                put(
                    k,
                    o,
                    f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                )?;
            }
        }
        Dtype::F64 => {
            for (k, (o, c)) in out.iter_mut().zip(data.chunks_exact(8)).enumerate() {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                put(k, o, f64::from_le_bytes(b))?;
            }
        }
        other => {
            return Err(SafetensorsError::UnsupportedDtype {
                name: name.to_string(),
                dtype: format!("{other:?}"),
            });
        }
    }
    Ok(())
}

/// The layer prefixes must be one per layer and pairwise different (equal prefixes
/// would give two layers the same tensor names).
fn check_prefixes(prefixes: &[&str], depth: usize) -> Result<(), SafetensorsError> {
    if prefixes.len() != depth {
        return Err(SafetensorsError::LayerNames {
            expected: depth,
            found: prefixes.len(),
        });
    }
    no_duplicates(prefixes)
}

/// [`SafetensorsError::DuplicateName`] for the first prefix given twice.
fn no_duplicates(prefixes: &[&str]) -> Result<(), SafetensorsError> {
    for (k, p) in prefixes.iter().enumerate() {
        if prefixes[..k].contains(p) {
            return Err(SafetensorsError::DuplicateName {
                name: p.to_string(),
            });
        }
    }
    Ok(())
}

/// Writes a network as safetensors bytes with PyTorch's names: `F32` for `f32`, `F64`
/// for `f64` and `Q16` (exact).
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
/// [`SafetensorsError::DuplicateName`] for a prefix given twice,
/// [`SafetensorsError::Parse`] if the safetensors writer fails.
pub fn to_safetensors_named<T: Storable, N: Network<T>>(
    net: &N,
    prefixes: &[&str],
) -> Result<Vec<u8>, SafetensorsError> {
    check_prefixes(prefixes, N::DEPTH)?;
    // f32 as F32; f64 and Q16 (whose values are exact in f64) as F64.
    let f32 = T::CODE == 1;
    let dtype = if f32 { Dtype::F32 } else { Dtype::F64 };
    let encode = |values: &[T]| {
        let mut bytes = Vec::with_capacity(values.len() * 8);
        for &v in values {
            if f32 {
                bytes.extend_from_slice(&(v.to_f64() as f32).to_le_bytes());
            } else {
                bytes.extend_from_slice(&v.to_f64().to_le_bytes());
            }
        }
        bytes
    };
    let mut buffers = Vec::new();
    let mut activations = Vec::new();
    for (i, prefix) in prefixes.iter().enumerate() {
        let layer = net.layer(i + 1).expect("layers 1..=N exist");
        activations.push(format!("{prefix}={}", layer.activation));
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
    let metadata =
        std::collections::HashMap::from([(ACTIVATIONS_KEY.to_string(), activations.join(";"))]);
    safetensors::serialize(views, Some(metadata))
        .map_err(|e| SafetensorsError::Parse(e.to_string()))
}

/// Reads a network of a run-time shape (a [`Model`]) from a safetensors file, for tools
/// that have no network type: the layers are the `{prefix}.weight` / `{prefix}.bias`
/// pairs, in the order of the file's `typenet.activations` record or, without one, of
/// their prefixes read as numbers (PyTorch's module indices `0`, `2`, …); W^i's shape
/// `[M_i, M_{i−1}]` gives the sizes. The activations come from the record, or else
/// from `shape`, whose sizes must then be the file's.
///
/// # Errors
/// [`SafetensorsError::Architecture`] when the sizes do not chain (or a size is 0), a
/// prefix is not a number without a record, or neither the file nor `shape` gives the
/// activations (or `shape` differs from the file); [`SafetensorsError::DuplicateName`]
/// for a record that names a prefix twice; [`SafetensorsError::MissingTensor`],
/// [`SafetensorsError::UnexpectedTensor`], [`SafetensorsError::UnsupportedDtype`],
/// [`SafetensorsError::NonFinite`] as for the typed readers.
pub fn read_model(bytes: &[u8], shape: Option<&Shape>) -> Result<Model, SafetensorsError> {
    let arch = |m: String| SafetensorsError::Architecture(m);
    let file =
        SafeTensors::deserialize(bytes).map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| SafetensorsError::Parse(e.to_string()))?;
    let recorded = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(ACTIVATIONS_KEY))
        .map(String::as_str);
    // The layer prefixes, in order, with the recorded activation names if any.
    let layers: Vec<(String, Option<String>)> = match recorded {
        Some(r) => r
            .split(';')
            .map(|pair| match pair.split_once('=') {
                Some((p, a)) => Ok((p.to_string(), Some(a.to_string()))),
                None => Err(arch(format!(
                    "the file's `{ACTIVATIONS_KEY}` record `{r}` is not `prefix=name` pairs"
                ))),
            })
            .collect::<Result<_, _>>()?,
        None => {
            let mut prefixes = Vec::new();
            for name in file.names() {
                let Some(p) = name.strip_suffix(".weight") else {
                    continue;
                };
                let Ok(k) = p.parse::<u64>() else {
                    return Err(arch(format!(
                        "tensor `{name}`: without a `{ACTIVATIONS_KEY}` record the layer \
                         prefixes must be PyTorch's module indices (0.weight, 2.weight, …)"
                    )));
                };
                prefixes.push((k, p.to_string()));
            }
            prefixes.sort_unstable();
            prefixes.into_iter().map(|(_, p)| (p, None)).collect()
        }
    };
    if layers.is_empty() {
        return Err(arch("the file holds no `{prefix}.weight` tensor".into()));
    }
    // A prefix named twice would read the same tensors for two layers.
    no_duplicates(&layers.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>())?;
    let mut specs = Vec::new();
    let mut params = Vec::new();
    let mut wanted = HashSet::new();
    let mut inputs = None;
    for (i, (prefix, activation)) in layers.iter().enumerate() {
        let w_name = format!("{prefix}.weight");
        let b_name = format!("{prefix}.bias");
        let view = file
            .tensor(&w_name)
            .map_err(|_| SafetensorsError::MissingTensor {
                name: w_name.clone(),
            })?;
        let &[outputs, fan_in] = view.shape() else {
            return Err(arch(format!(
                "tensor `{w_name}` has shape {:?}; a layer's weight is [outputs, inputs]",
                view.shape()
            )));
        };
        match inputs {
            None => inputs = Some(fan_in),
            Some(_) if fan_in == specs.last().map_or(0, |l: &LayerSpec| l.outputs) => {}
            Some(_) => {
                return Err(arch(format!(
                    "tensor `{w_name}` takes {fan_in} inputs, but the layer before gives {}",
                    specs.last().map_or(0, |l: &LayerSpec| l.outputs)
                )));
            }
        }
        let activation = match (activation, shape) {
            (Some(name), _) => ActivationKind::from_name(name).ok_or_else(|| {
                arch(format!("the file records activation `{name}` for `{prefix}`, which typenet does not define"))
            })?,
            (None, Some(s)) => s.layers.get(i).map(|l| l.activation).ok_or_else(|| {
                arch(format!("the file has more layers than the given architecture {s}"))
            })?,
            (None, None) => {
                return Err(arch(
                    "the file does not record the activations (it was not written by typenet): \
                     give the architecture, e.g. --arch \"64 -> 64 ReLU -> 10 Softmax\""
                        .into(),
                ));
            }
        };
        let start = params.len();
        params.resize(start + outputs * fan_in, 0.0);
        read_tensor::<f64>(&file, &w_name, &[outputs, fan_in], &mut params[start..])?;
        let start = params.len();
        params.resize(start + outputs, 0.0);
        read_tensor::<f64>(&file, &b_name, &[outputs], &mut params[start..])?;
        wanted.insert(w_name);
        wanted.insert(b_name);
        specs.push(LayerSpec {
            outputs,
            activation,
        });
    }
    let mut names = file.names();
    names.sort_unstable();
    if let Some(extra) = names.into_iter().find(|n| !wanted.contains(*n)) {
        return Err(SafetensorsError::UnexpectedTensor {
            name: extra.to_string(),
        });
    }
    let found = Shape {
        inputs: inputs.unwrap_or(0),
        layers: specs,
    };
    if let Some(s) = shape
        && *s != found
    {
        // Without a record the activations are the given shape's: only the sizes are
        // the file's own, so only they are named.
        let held = match recorded {
            Some(_) => found.to_string(),
            None => found
                .layer_sizes()
                .fold(found.inputs.to_string(), |t, (_, o, _)| {
                    format!("{t} -> {o}")
                }),
        };
        return Err(arch(format!(
            "the file holds {held}, not the given architecture {s}"
        )));
    }
    Model::new(found, params).map_err(|e| arch(e.to_string()))
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
