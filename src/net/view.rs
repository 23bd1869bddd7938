//! Borrowed, type-erased views of one layer: its parameters, or what a training pass
//! recorded for it. They let code walk a network layer by layer without naming its
//! nested type.

use crate::net::activation::leaky_relu_slope;
use crate::net::scheme::Init;

/// The parameters of layer i: W^i and b^i.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerRef<'a, T> {
    /// W^i row by row: `weights[k * inputs + j]` is w^i_{kj}, the weight from neuron j of
    /// layer i−1 to neuron k of layer i.
    pub weights: &'a [T],
    /// b^i, one bias per neuron.
    pub bias: &'a [T],
    /// M_{i−1}, the number of columns of W^i.
    pub inputs: usize,
    /// M_i, the number of rows of W^i.
    pub outputs: usize,
    /// The name of φ_i ([`Activation::NAME`](crate::Activation::NAME)), parameters
    /// included (`"leaky_relu(0x3fc999999999999a)"` for slope 0.2; see [`slope`](Self::slope)).
    pub activation: &'static str,
    /// φ_i's default initialisation ([`Activation::INIT`](crate::Activation::INIT)).
    pub init: Init,
}

impl<T> LayerRef<'_, T> {
    /// The negative slope of φ_i if it is a [`LeakyReLU`](crate::LeakyReLU) (read from
    /// its [`NAME`](crate::Activation::NAME), which carries it), `None` otherwise.
    pub fn slope(&self) -> Option<f64> {
        leaky_relu_slope(self.activation)
    }
}

/// The parameters of layer i, mutable. Same layout as [`LayerRef`].
#[derive(Debug, PartialEq)]
pub struct LayerMut<'a, T> {
    /// W^i row by row, as in [`LayerRef::weights`].
    pub weights: &'a mut [T],
    /// b^i.
    pub bias: &'a mut [T],
    /// M_{i−1}.
    pub inputs: usize,
    /// M_i.
    pub outputs: usize,
    /// The name of φ_i.
    pub activation: &'static str,
    /// φ_i's default initialisation.
    pub init: Init,
}

/// What a training pass recorded for layer i.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerTrace<'a, T> {
    /// z^i = W^i a^{i−1} + b^i.
    pub z: &'a [T],
    /// a^i = φ_i(z^i).
    pub a: &'a [T],
    /// ξ^i = ∂E/∂z^i, the error signal (valid after [`Network::backward`](crate::Network::backward)).
    pub xi: &'a [T],
}

/// The shape of layer i, known from the network type alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerShape {
    /// M_{i−1}.
    pub inputs: usize,
    /// M_i.
    pub outputs: usize,
    /// The name of φ_i, parameters included (see [`LayerRef::activation`]).
    pub activation: &'static str,
}

impl LayerShape {
    /// The negative slope of φ_i if it is a [`LeakyReLU`](crate::LeakyReLU), `None`
    /// otherwise; see [`LayerRef::slope`].
    ///
    /// ```
    /// use typenet::{network, Network};
    /// type Net = network!(f32; 2 -> 8 LeakyReLU(0.2) -> 4 LeakyReLU -> 1 Identity);
    /// assert_eq!(Net::layer_shape(1).unwrap().slope(), Some(0.2));
    /// assert_eq!(Net::layer_shape(2).unwrap().slope(), Some(0.01));
    /// assert_eq!(Net::layer_shape(3).unwrap().slope(), None);
    /// ```
    pub fn slope(&self) -> Option<f64> {
        leaky_relu_slope(self.activation)
    }
}
