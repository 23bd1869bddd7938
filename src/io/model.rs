//! Networks whose shape is known only at run time (feature `alloc`): what a tool reads
//! from an ONNX or safetensors file before any type exists, and what it hands over to
//! a typed network once the type is named.
//!
//! A [`Shape`] is an architecture as data (`64 -> 64 ReLU -> 10 Softmax`, parsed from
//! and displayed in [`network!`](crate::network!) syntax); a [`Model`] is a shape with
//! its parameters, in `f64`, in the canonical order of
//! [`Network`](crate::Network) (W^1 row-major, b^1, W^2, b^2, …). The fingerprint,
//! the parameter count and the weight file are those of the typed network of the same
//! shape, computed by the same rules: a [`Model`] written with
//! [`Model::to_weight_file`] loads with [`format::from_bytes`](crate::format::from_bytes),
//! and [`Model::to_network`] applies the loaders' value rule
//! ([`Scalar::param_from_f64`]).
//!
//! ```
//! use typenet::model::{Model, Shape};
//! use typenet::{network, Network};
//!
//! let shape: Shape = "2 -> 3 Tanh -> 1 Sigmoid".parse().unwrap();
//! assert_eq!(shape.params(), Some(13));
//! let model = Model::new(shape, vec![0.25; 13]).unwrap();
//!
//! type Net = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
//! let net: Net = model.to_network().unwrap();
//! assert_eq!(net.params().next(), Some(&0.25));
//!
//! // The model's weight file is the typed network's, byte for byte.
//! let bytes = model.to_weight_file::<f32>().unwrap();
//! assert_eq!(bytes, typenet::format::to_bytes(&net).to_vec());
//!
//! // A network of another shape is refused, with both architectures in the message.
//! type Other = network!(f32; 2 -> 3 ReLU -> 1 Sigmoid);
//! let err = model.to_network::<f32, Other>().unwrap_err();
//! assert_eq!(err.to_string(), "layer 1 is 2 -> 3 Tanh in the model but 2 -> 3 ReLU in \
//!     the network type (model: 2 -> 3 Tanh -> 1 Sigmoid; type: 2 -> 3 ReLU -> 1 Sigmoid)");
//! ```

extern crate alloc;

use crate::io::format::{
    HEADER_LEN, HeaderMismatch, LoadError, Storable, check_fields, header_bytes,
};
use crate::net::activation::{
    Activation, DEFAULT_SLOPE_BITS, Identity, ReLU, Sigmoid, Softmax, Softplus, Tanh, leaky_relu,
    leaky_relu_name, leaky_relu_slope,
};
use crate::net::architecture::write_activation;
use crate::net::error::InputLengthError;
use crate::net::fingerprint::{FNV_OFFSET, fnv_layer};
use crate::net::network::Network;
use crate::num::scalar::{Scalar, ValueError};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;
use typenum::Unsigned;

/// An activation φ chosen at run time: the activations of
/// [`network!`](crate::network!), with their parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ActivationKind {
    /// [`Identity`](crate::Identity).
    Identity,
    /// [`Sigmoid`](crate::Sigmoid).
    Sigmoid,
    /// [`Tanh`](crate::Tanh).
    Tanh,
    /// [`ReLU`](crate::ReLU).
    ReLU,
    /// [`LeakyReLU`](crate::LeakyReLU) with this negative slope.
    LeakyReLU(f64),
    /// [`Softplus`](crate::Softplus).
    Softplus,
    /// [`Softmax`](crate::Softmax) (over the whole layer).
    Softmax,
}

impl ActivationKind {
    /// The activation's [`NAME`](crate::Activation::NAME), as the fingerprint uses it:
    /// `"relu"`, `"leaky_relu"` (slope 0.01), `"leaky_relu(0x3fc999999999999a)"`.
    pub fn name(&self) -> String {
        match *self {
            ActivationKind::Identity => "identity".into(),
            ActivationKind::Sigmoid => "sigmoid".into(),
            ActivationKind::Tanh => "tanh".into(),
            ActivationKind::ReLU => "relu".into(),
            ActivationKind::LeakyReLU(slope) => {
                if slope.to_bits() == DEFAULT_SLOPE_BITS {
                    "leaky_relu".into()
                } else {
                    String::from_utf8_lossy(&leaky_relu_name(slope.to_bits())).into_owned()
                }
            }
            ActivationKind::Softplus => "softplus".into(),
            ActivationKind::Softmax => "softmax".into(),
        }
    }

    /// The activation of a [`NAME`](crate::Activation::NAME), `None` for a name the
    /// crate does not define.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "identity" => ActivationKind::Identity,
            "sigmoid" => ActivationKind::Sigmoid,
            "tanh" => ActivationKind::Tanh,
            "relu" => ActivationKind::ReLU,
            "softplus" => ActivationKind::Softplus,
            "softmax" => ActivationKind::Softmax,
            _ => ActivationKind::LeakyReLU(leaky_relu_slope(name)?),
        })
    }

    /// The activation as [`network!`](crate::network!) spells it (`ReLU`,
    /// `LeakyReLU(0.2)`, `LeakyReLU` for the default slope 0.01), `None` for any other
    /// word.
    pub fn from_syntax(word: &str) -> Option<Self> {
        Some(match word {
            "Identity" => ActivationKind::Identity,
            "Sigmoid" => ActivationKind::Sigmoid,
            "Tanh" => ActivationKind::Tanh,
            "ReLU" => ActivationKind::ReLU,
            "LeakyReLU" => ActivationKind::LeakyReLU(0.01),
            "Softplus" => ActivationKind::Softplus,
            "Softmax" => ActivationKind::Softmax,
            _ => {
                let slope = word.strip_prefix("LeakyReLU(")?.strip_suffix(')')?;
                // Rust's float parser, the one the compiler applies to the literal in
                // `network!(… LeakyReLU(0.2) …)`: the same text gives the same bits.
                let slope: f64 = slope.trim().parse().ok()?;
                if !slope.is_finite() {
                    return None;
                }
                ActivationKind::LeakyReLU(slope)
            }
        })
    }
}

impl ActivationKind {
    /// a = φ(z) in `f32`: the [`Activation::forward`] of the activation's type (for a
    /// [`LeakyReLU`](crate::LeakyReLU), [`leaky_relu`] with the slope, the body of the
    /// type's φ), so the same bits as the typed layer.
    pub(crate) fn forward_f32(&self, z: &[f32], a: &mut [f32]) {
        match *self {
            ActivationKind::Identity => Identity.forward(z, a),
            ActivationKind::Sigmoid => Sigmoid.forward(z, a),
            ActivationKind::Tanh => Tanh.forward(z, a),
            ActivationKind::ReLU => ReLU.forward(z, a),
            ActivationKind::LeakyReLU(slope) => {
                for (a, &z) in a.iter_mut().zip(z) {
                    *a = leaky_relu(z, slope);
                }
            }
            ActivationKind::Softplus => Softplus.forward(z, a),
            ActivationKind::Softmax => Softmax.forward(z, a),
        }
    }
}

impl fmt::Display for ActivationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_activation(f, &self.name())
    }
}

/// One layer of a [`Shape`]: M_i and φ_i (its input size is the previous layer's
/// output size, or the shape's input size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerSpec {
    /// M_i.
    pub outputs: usize,
    /// φ_i.
    pub activation: ActivationKind,
}

/// An architecture as data: the input size M_0 and each layer's M_i and φ_i. Parsed
/// from and displayed in [`network!`](crate::network!) syntax without the scalar
/// (`64 -> 64 ReLU -> 10 Softmax`).
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// M_0.
    pub inputs: usize,
    /// Layers 1 to N.
    pub layers: Vec<LayerSpec>,
}

impl Shape {
    /// The shape of the network type `N`.
    ///
    /// # Errors
    /// [`ModelError::UnknownActivation`] for a layer whose activation is the user's own
    /// (every activation of the crate has an [`ActivationKind`]).
    pub fn of<T: Scalar, N: Network<T>>() -> Result<Shape, ModelError> {
        let mut layers = Vec::new();
        let mut inputs = 0;
        for i in 1..=N::DEPTH {
            let Some(layer) = N::layer_shape(i) else {
                break;
            };
            if i == 1 {
                inputs = layer.inputs;
            }
            let activation = ActivationKind::from_name(layer.activation).ok_or(
                ModelError::UnknownActivation {
                    layer: i,
                    name: layer.activation,
                },
            )?;
            layers.push(LayerSpec {
                outputs: layer.outputs,
                activation,
            });
        }
        Ok(Shape { inputs, layers })
    }

    /// `Ok` for a shape a network can have: at least one layer and no size of 0 (the
    /// rule [`FromStr`] and the readers apply).
    pub(crate) fn check(&self) -> Result<(), ModelError> {
        if self.layers.is_empty() {
            return Err(ModelError::InvalidShape("it has no layer"));
        }
        if self.inputs == 0 || self.layers.iter().any(|l| l.outputs == 0) {
            return Err(ModelError::InvalidShape("a layer size is 0"));
        }
        Ok(())
    }

    /// Layer i's (M_{i−1}, M_i, φ_i), layer 1 first.
    pub fn layer_sizes(&self) -> impl Iterator<Item = (usize, usize, ActivationKind)> + '_ {
        let ins = core::iter::once(self.inputs).chain(self.layers.iter().map(|l| l.outputs));
        ins.zip(&self.layers)
            .map(|(i, l)| (i, l.outputs, l.activation))
    }

    /// N, the number of layers.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// M_N, the output size (M_0 for a shape without layers).
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(self.inputs, |l| l.outputs)
    }

    /// P = Σ (M_{i−1} + 1) M_i, or `None` if it overflows `usize`.
    pub fn params(&self) -> Option<usize> {
        self.layer_sizes().try_fold(0usize, |p, (i, o, _)| {
            i.checked_add(1)?.checked_mul(o)?.checked_add(p)
        })
    }

    /// P if a weight file can hold it (its header counts parameters in a `u32`).
    pub(crate) fn file_params(&self) -> Option<usize> {
        self.params().filter(|&p| p <= u32::MAX as usize)
    }

    /// The fingerprint a weight file of this shape carries
    /// ([`format::Fingerprint`](crate::format::Fingerprint)).
    pub fn fingerprint(&self) -> u64 {
        let sizes: Vec<_> = self.layer_sizes().collect();
        sizes.iter().rev().fold(FNV_OFFSET, |state, &(i, o, a)| {
            fnv_layer(state, i, o, &a.name())
        })
    }

    /// The memory a network of this shape needs, with values of `scalar_bytes` bytes
    /// each and no alignment padding (as on a Cortex-M; see [`Footprint`]), or `None`
    /// if a figure overflows `usize`.
    pub fn footprint(&self, scalar_bytes: usize) -> Option<Footprint> {
        let params = self.params()?.checked_mul(scalar_bytes)?;
        let largest = self
            .layer_sizes()
            .try_fold(0usize, |m, (i, o, _)| Some(m.max(i.checked_add(o)?)))?;
        let outputs = self
            .layers
            .iter()
            .try_fold(0usize, |s, l| s.checked_add(l.outputs))?;
        Some(Footprint {
            weights: params,
            inference: largest.checked_mul(scalar_bytes)?,
            trace: outputs.checked_mul(3)?.checked_mul(scalar_bytes)?,
            gradient: params,
        })
    }
}

/// Bytes of memory a network needs, as the types compute them
/// ([`Network::WEIGHT_BYTES`](crate::Network::WEIGHT_BYTES),
/// [`INFERENCE_BYTES`](crate::Network::INFERENCE_BYTES),
/// [`TRACE_BYTES`](crate::Network::TRACE_BYTES),
/// [`GRADIENT_BYTES`](crate::Network::GRADIENT_BYTES)) on a target where the
/// layers need no alignment padding (a Cortex-M; on x86-64 each layer's parameters
/// start on a 64-byte boundary, which adds up to 60 bytes a layer). An optimizer's state
/// is a multiple of `gradient`: none for SGD, one for SGD with momentum and RMSprop,
/// two for Adam.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// The parameters (flash, for a network in a `static`).
    pub weights: usize,
    /// The inference working set: the largest M_{i−1} + M_i values.
    pub inference: usize,
    /// One sample's training records: z^i, a^i and ξ^i of every layer.
    pub trace: usize,
    /// The gradient, one value per parameter.
    pub gradient: usize,
}

/// Why a text is not an architecture in [`network!`](crate::network!) syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// The text.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an architecture ({}); write it as in network!, e.g. \
             `64 -> 64 ReLU -> 10 Softmax` (activations: Identity, Sigmoid, Tanh, ReLU, \
             LeakyReLU, LeakyReLU(0.2), Softplus, Softmax)",
            self.text, self.reason
        )
    }
}

impl core::error::Error for ShapeError {}

impl FromStr for Shape {
    type Err = ShapeError;

    /// Parses `64 -> 64 ReLU -> 10 Softmax`; a leading scalar (`f32;`, `f64;`, `Q16;`
    /// or `typenet::fixed::Q16;`) is allowed and ignored.
    fn from_str(text: &str) -> Result<Shape, ShapeError> {
        let err = |reason| ShapeError {
            text: text.to_string(),
            reason,
        };
        let body = match text.split_once(';') {
            Some((scalar, body))
                if ["f32", "f64", "Q16", "typenet::fixed::Q16"].contains(&scalar.trim()) =>
            {
                body
            }
            Some(_) => return Err(err("the scalar before `;` is not f32, f64 or Q16")),
            None => text,
        };
        let mut parts = body.split("->");
        let size = |s: &str| -> Result<usize, ShapeError> {
            s.trim()
                .parse::<usize>()
                .map_err(|_| err("a layer size is not a positive integer"))
        };
        let inputs = size(parts.next().unwrap_or(""))?;
        let mut layers = Vec::new();
        for part in parts {
            let part = part.trim();
            let (n, act) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| err("a layer is not `size Activation`"))?;
            let activation =
                ActivationKind::from_syntax(&act.split_whitespace().collect::<String>())
                    .ok_or_else(|| err("an activation is not one typenet defines"))?;
            layers.push(LayerSpec {
                outputs: size(n)?,
                activation,
            });
        }
        let shape = Shape { inputs, layers };
        if let Err(ModelError::InvalidShape(reason)) = shape.check() {
            return Err(err(reason));
        }
        if shape.file_params().is_none() {
            return Err(err(
                "its parameter count does not fit the weight format's u32",
            ));
        }
        Ok(shape)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inputs)?;
        for l in &self.layers {
            write!(f, " -> {} {}", l.outputs, l.activation)?;
        }
        Ok(())
    }
}

/// Why a [`Model`] cannot be built, converted or read.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// The number of parameters given is not the shape's.
    ParamCount {
        /// The shape's P.
        expected: usize,
        /// The number given.
        found: usize,
    },
    /// The shape's parameter count overflows, or exceeds the weight format's `u32`.
    TooLarge,
    /// A parameter is not a value of the scalar type ([`Scalar::param_from_f64`]).
    Value {
        /// Its index in the canonical order.
        index: usize,
        /// What is wrong with it.
        error: ValueError,
    },
    /// A layer of the model is not the network type's layer.
    LayerMismatch {
        /// The layer (1-based).
        layer: usize,
        /// The model's layer, `M_{i−1} -> M_i φ_i`, or "no layer".
        model: String,
        /// The type's layer, or "no layer".
        network: String,
        /// The model's whole architecture.
        model_shape: String,
        /// The type's whole architecture.
        network_shape: String,
    },
    /// A weight file was written for another architecture than the shape given.
    FingerprintMismatch {
        /// The file's fingerprint.
        found: u64,
        /// The given shape's fingerprint.
        expected: u64,
        /// The given shape.
        shape: String,
    },
    /// A weight file is not a valid file of the model's scalar and size.
    Load(LoadError),
    /// A layer of a network type has an activation of the user's own (an
    /// [`ElementWise`](crate::ElementWise) that typenet does not define), which a
    /// model, whose activations are [`ActivationKind`]s, cannot hold.
    UnknownActivation {
        /// The layer (1-based).
        layer: usize,
        /// The activation's [`NAME`](crate::ElementWise::NAME).
        name: &'static str,
    },
    /// A shape no network has: a size of 0, no layer, or (for an int8 model) a layer of
    /// more inputs than an int8 layer takes.
    InvalidShape(&'static str),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::ParamCount { expected, found } => write!(
                f,
                "{found} parameters given, but the architecture has {expected}"
            ),
            ModelError::TooLarge => f.write_str(
                "the architecture has more parameters than a weight file holds (2^32 − 1)",
            ),
            ModelError::Value { index, error } => write!(f, "parameter {index}: {error}"),
            ModelError::LayerMismatch {
                layer,
                model,
                network,
                model_shape,
                network_shape,
            } => write!(
                f,
                "layer {layer} is {model} in the model but {network} in the network type \
                 (model: {model_shape}; type: {network_shape})"
            ),
            ModelError::FingerprintMismatch {
                found,
                expected,
                shape,
            } => write!(
                f,
                "the file was written for another architecture than {shape} (fingerprint \
                 {expected:#018x}); the file's fingerprint is {found:#018x}"
            ),
            ModelError::Load(e) => e.fmt(f),
            ModelError::UnknownActivation { layer, name } => write!(
                f,
                "layer {layer}'s activation `{name}` is not one typenet defines, so a model \
                 (an architecture read at run time) cannot hold it"
            ),
            ModelError::InvalidShape(reason) => write!(f, "not an architecture: {reason}"),
        }
    }
}

impl core::error::Error for ModelError {}

/// A network whose shape is data: a [`Shape`] and its P parameters in the canonical
/// order, as `f64` (every `f32` and `Q16` value exactly). See the [module docs](self).
#[derive(Clone, PartialEq)]
pub struct Model {
    shape: Shape,
    params: Vec<f64>,
    /// `params` rounded to `f32` as [`Scalar::param_from_f64`] rounds (a value beyond
    /// `f32`'s range becomes an infinity, which the int8 quantization refuses as the
    /// typed one does): made once, for [`Model::forward`] and the int8 quantization.
    params_f32: Vec<f32>,
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("shape", &self.shape)
            .field("params", &self.params)
            .finish()
    }
}

/// Layer i of a [`Model`]: W^i (row-major, M_i rows of M_{i−1}) and b^i.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelLayer<'a> {
    /// M_{i−1}.
    pub inputs: usize,
    /// M_i.
    pub outputs: usize,
    /// φ_i.
    pub activation: ActivationKind,
    /// W^i, row-major: `weights[k * inputs + j]` = w_kj.
    pub weights: &'a [f64],
    /// b^i.
    pub bias: &'a [f64],
}

/// Checks the header of a weight file of scalar `code` for a network of `shape` (P =
/// `count` parameters) and the file's total length `len`, in the order of
/// [`format::from_bytes`](crate::format::from_bytes): magic, version, flags, scalar
/// code, fingerprint (a [`ModelError::FingerprintMismatch`] naming the shape),
/// parameter count, length. Shared by [`Model::from_weight_file`] and the int8
/// networks of [`quant`](crate::quant).
pub(crate) fn check_file(
    bytes: &[u8],
    code: u8,
    shape: &Shape,
    count: usize,
    len: usize,
) -> Result<(), ModelError> {
    let expected = shape.fingerprint();
    check_fields(bytes, code, expected, count, len).map_err(|m| match m {
        HeaderMismatch::Load(e) => ModelError::Load(e),
        HeaderMismatch::Fingerprint(found) => ModelError::FingerprintMismatch {
            found,
            expected,
            shape: shape.to_string(),
        },
    })
}

impl Model {
    /// A model of `shape` with `params` in the canonical order.
    ///
    /// # Errors
    /// [`ModelError::InvalidShape`] for a shape without layers or with a size of 0,
    /// [`ModelError::TooLarge`] for a shape beyond the weight format,
    /// [`ModelError::ParamCount`] if `params` is not P long. Values are not checked
    /// here; the conversions check them for their scalar type.
    pub fn new(shape: Shape, params: Vec<f64>) -> Result<Model, ModelError> {
        shape.check()?;
        let expected = shape.file_params().ok_or(ModelError::TooLarge)?;
        if params.len() != expected {
            return Err(ModelError::ParamCount {
                expected,
                found: params.len(),
            });
        }
        Ok(Model::from_parts(shape, params))
    }

    /// The model of `shape` and `params` (of the right length), with its `f32` copy.
    fn from_parts(shape: Shape, params: Vec<f64>) -> Model {
        let params_f32 = params.iter().map(|&v| f32::from_f64(v)).collect();
        Model {
            shape,
            params,
            params_f32,
        }
    }

    /// The model of a typed network: its shape and parameters.
    ///
    /// # Errors
    /// [`ModelError::UnknownActivation`] for a layer whose activation is the user's
    /// own ([`Shape::of`]).
    pub fn from_network<T: Scalar, N: Network<T>>(net: &N) -> Result<Model, ModelError> {
        Ok(Model::from_parts(
            Shape::of::<T, N>()?,
            net.params().map(|p| p.to_f64()).collect(),
        ))
    }

    /// The shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Every parameter, in the canonical order.
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// Layer i's W^i and b^i rounded to `f32` (see `params_f32`), layer 1 first.
    pub(crate) fn layers_f32(&self) -> impl Iterator<Item = (&[f32], &[f32])> + '_ {
        let mut rest = &self.params_f32[..];
        self.shape.layer_sizes().map(move |(inputs, outputs, _)| {
            let (weights, tail) = rest.split_at(inputs * outputs);
            let (bias, tail) = tail.split_at(outputs);
            rest = tail;
            (weights, bias)
        })
    }

    /// Layer i's weights, bias and sizes, layer 1 first.
    pub fn layers(&self) -> impl Iterator<Item = ModelLayer<'_>> + '_ {
        let mut rest = &self.params[..];
        self.shape
            .layer_sizes()
            .map(move |(inputs, outputs, activation)| {
                let (weights, tail) = rest.split_at(inputs * outputs);
                let (bias, tail) = tail.split_at(outputs);
                rest = tail;
                ModelLayer {
                    inputs,
                    outputs,
                    activation,
                    weights,
                    bias,
                }
            })
    }

    /// f32 inference: a^N for the input `x` (M_0 values), bit for bit what
    /// [`Network::forward`] gives for the typed `f32` network of the same shape and
    /// parameters ([`to_network`](Model::to_network)): the parameters are rounded to
    /// `f32` as the loaders round them, z^i = W^i a^{i−1} + b^i is the crate's kernel
    /// ([`Scalar::affine_kernel`]) and φ_i the activation's own forward map.
    ///
    /// ```
    /// use typenet::model::Model;
    /// use typenet::{network, Network};
    ///
    /// type Net = network!(f32; 3 -> 4 Tanh -> 2 Softmax);
    /// let params: Vec<f32> = (0..Net::PARAMS).map(|k| (k % 7) as f32 / 7.0 - 0.4).collect();
    /// let net = Net::from_params(&params).unwrap();
    /// let model = Model::from_network(&net).unwrap();
    /// let x = [0.5, -1.0, 2.0];
    /// assert_eq!(model.forward(&x).unwrap(), net.forward(&Net::input(x)).to_vec());
    /// assert!(model.forward(&[1.0]).is_err()); // 1 value, 3 expected
    /// ```
    ///
    /// # Errors
    /// [`InputLengthError`] if `x` does not have M_0 values.
    pub fn forward(&self, x: &[f32]) -> Result<Vec<f32>, InputLengthError> {
        self.forward_traced(x, |_, _, _| {})
    }

    /// [`forward`](Model::forward), calling `each(i, z^i, a^i)` for every layer i
    /// (1-based) as it is computed: what [`Network::forward_trace`] records.
    pub(crate) fn forward_traced(
        &self,
        x: &[f32],
        mut each: impl FnMut(usize, &[f32], &[f32]),
    ) -> Result<Vec<f32>, InputLengthError> {
        if x.len() != self.shape.inputs {
            return Err(InputLengthError {
                expected: self.shape.inputs,
                found: x.len(),
            });
        }
        let mut a = x.to_vec();
        for (i, (layer, (weights, bias))) in self.layers().zip(self.layers_f32()).enumerate() {
            let mut z = vec![0.0f32; layer.outputs];
            f32::affine_kernel(weights, bias, [&a], [&mut z]);
            let mut next = vec![0.0f32; layer.outputs];
            layer.activation.forward_f32(&z, &mut next);
            each(i + 1, &z, &next);
            a = next;
        }
        Ok(a)
    }

    /// The typed network `N` with the model's parameters, each converted by the
    /// loaders' rule ([`Scalar::param_from_f64`]).
    ///
    /// # Errors
    /// [`ModelError::LayerMismatch`] naming the first layer whose sizes or activation
    /// differ from the type's (with both architectures), [`ModelError::Value`] for a
    /// parameter the scalar cannot hold.
    pub fn to_network<T: Scalar, N: Network<T>>(&self) -> Result<N, ModelError> {
        self.check_shape::<T, N>()?;
        let mut net = N::zeroed();
        for (index, (p, &v)) in net.params_mut().zip(&self.params).enumerate() {
            *p = T::param_from_f64(v).map_err(|error| ModelError::Value { index, error })?;
        }
        Ok(net)
    }

    fn check_shape<T: Scalar, N: Network<T>>(&self) -> Result<(), ModelError> {
        let theirs = Shape::of::<T, N>()?;
        let describe = |s: &Shape, i: usize| {
            s.layer_sizes()
                .nth(i)
                .map_or("no layer".to_string(), |(a, b, act)| {
                    alloc::format!("{a} -> {b} {act}")
                })
        };
        let fingerprints_differ = self.shape.fingerprint() != N::FINGERPRINT_STATE;
        if theirs == self.shape && !fingerprints_differ {
            return Ok(());
        }
        let layer = (0..self.shape.depth().max(theirs.depth()))
            .find(|&i| describe(&self.shape, i) != describe(&theirs, i))
            .unwrap_or(0);
        Err(ModelError::LayerMismatch {
            layer: layer + 1,
            model: describe(&self.shape, layer),
            network: describe(&theirs, layer),
            model_shape: self.shape.to_string(),
            network_shape: theirs.to_string(),
        })
    }

    /// The weight file of the model in scalar `T`, byte for byte what
    /// [`format::to_bytes`](crate::format::to_bytes) writes for the typed network of
    /// the same shape and values.
    ///
    /// # Errors
    /// [`ModelError::Value`] for a parameter `T` cannot hold.
    pub fn to_weight_file<T: Storable>(&self) -> Result<Vec<u8>, ModelError> {
        let size = <T::Bytes as Unsigned>::USIZE;
        let mut out = Vec::with_capacity(HEADER_LEN + self.params.len() * size);
        out.extend_from_slice(&header_bytes(
            T::CODE,
            self.shape.fingerprint(),
            self.params.len(),
        ));
        let mut buf = [0u8; 8];
        for (index, &v) in self.params.iter().enumerate() {
            let p = T::param_from_f64(v).map_err(|error| ModelError::Value { index, error })?;
            p.write_le(&mut buf[..size]);
            out.extend_from_slice(&buf[..size]);
        }
        Ok(out)
    }

    /// Reads a weight file of scalar `T` holding a network of `shape` (the file stores
    /// only the shape's fingerprint, so the shape comes from the caller).
    ///
    /// # Errors
    /// [`ModelError::Load`] with the [`LoadError`] of
    /// [`format::from_bytes`](crate::format::from_bytes) (magic, version, scalar
    /// type, fingerprint, count, length, a non-finite value); [`ModelError::TooLarge`]
    /// for a shape beyond the format, [`ModelError::InvalidShape`] for one no network
    /// has.
    pub fn from_weight_file<T: Storable>(bytes: &[u8], shape: Shape) -> Result<Model, ModelError> {
        shape.check()?;
        let count = shape.file_params().ok_or(ModelError::TooLarge)?;
        let size = <T::Bytes as Unsigned>::USIZE;
        let len = count
            .checked_mul(size)
            .and_then(|b| b.checked_add(HEADER_LEN))
            .ok_or(ModelError::TooLarge)?;
        check_file(bytes, T::CODE, &shape, count, len)?;
        let mut params = Vec::with_capacity(count);
        for (index, chunk) in bytes[HEADER_LEN..].chunks_exact(size).enumerate() {
            let v = T::read_le(chunk)
                .check_param()
                .map_err(|_| ModelError::Load(LoadError::NonFinite { index }))?;
            params.push(v.to_f64());
        }
        Ok(Model::from_parts(shape, params))
    }
}
