//! [`Architecture`]: a network type's sizes and activations, written in
//! [`network!`](crate::network!) syntax (`64 -> 64 ReLU -> 10 Softmax`), for messages.

use crate::net::activation::leaky_relu_slope;
use crate::net::view::LayerShape;
use core::fmt;
use core::hash::{Hash, Hasher};

/// The architecture of a network type, displayed as in [`network!`](crate::network!)
/// without the scalar: `64 -> 64 ReLU -> 10 Softmax`, activation parameters included
/// (`2 -> 8 LeakyReLU(0.2) -> 1 Identity`).
///
/// [`Network::architecture`](crate::Network::architecture) gives it. It holds only a
/// function pointer to the type's layer shapes
/// ([`Network::layer_shape`](crate::Network::layer_shape)), so it is `Copy`, needs no heap, and can sit in
/// `no_std` errors such as [`LoadError`](crate::format::LoadError). Two values are
/// equal when they describe the same layers.
///
/// ```
/// use typenet::{network, Network};
///
/// type Net = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
/// assert_eq!(Net::architecture().to_string(), "64 -> 64 ReLU -> 10 Softmax");
/// type Leaky = network!(f64; 2 -> 8 LeakyReLU(0.2) -> 1 Identity);
/// assert_eq!(Leaky::architecture().to_string(), "2 -> 8 LeakyReLU(0.2) -> 1 Identity");
/// ```
#[derive(Clone, Copy)]
pub struct Architecture {
    layer_shape: fn(usize) -> Option<LayerShape>,
}

impl Architecture {
    /// The architecture whose layer i (1-based, `None` past the last) has the shape
    /// `layer_shape(i)`, as [`Network::layer_shape`](crate::Network::layer_shape) gives
    /// it.
    pub const fn from_layer_shapes(layer_shape: fn(usize) -> Option<LayerShape>) -> Self {
        Architecture { layer_shape }
    }

    /// The layer shapes, layer 1 first.
    pub fn layers(&self) -> impl Iterator<Item = LayerShape> + use<> {
        (1..).map_while(self.layer_shape)
    }
}

/// Writes an activation [`NAME`](crate::Activation::NAME) as it is written in
/// [`network!`](crate::network!): `ReLU`, `LeakyReLU(0.2)`; a name the crate does not
/// define is written as it is.
fn write_activation(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let syntax = match name {
        "identity" => "Identity",
        "sigmoid" => "Sigmoid",
        "tanh" => "Tanh",
        "relu" => "ReLU",
        "leaky_relu" => "LeakyReLU",
        "softplus" => "Softplus",
        "softmax" => "Softmax",
        _ => match leaky_relu_slope(name) {
            Some(slope) => return write!(f, "LeakyReLU({slope:?})"),
            None => name,
        },
    };
    f.write_str(syntax)
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut layers = self.layers().peekable();
        match layers.peek() {
            Some(first) => write!(f, "{}", first.inputs)?,
            None => return f.write_str("(no layers)"),
        }
        for layer in layers {
            write!(f, " -> {} ", layer.outputs)?;
            write_activation(f, layer.activation)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Architecture({self})")
    }
}

impl PartialEq for Architecture {
    fn eq(&self, other: &Self) -> bool {
        self.layers().eq(other.layers())
    }
}

impl Eq for Architecture {}

impl Hash for Architecture {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for layer in self.layers() {
            layer.hash(state);
        }
    }
}
