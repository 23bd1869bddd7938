//! What the training forward pass records, for the backward pass and for inspection.

use crate::alias::Arr;
use crate::network::Network;
use crate::scalar::Scalar;
use crate::view::LayerTrace;
use generic_array::ArrayLength;

/// The record of one layer i in a training pass: z^i, a^i and, after the backward
/// pass, ξ^i; `rest` holds the records of layers i+1..N (`()` after the last layer).
pub struct DenseTrace<T, O: ArrayLength, R> {
    /// z^i = W^i a^{i−1} + b^i.
    pub z: Arr<T, O>,
    /// a^i = φ_i(z^i).
    pub a: Arr<T, O>,
    /// ξ^i = ∂E/∂z^i, written by [`Network::backward`].
    pub xi: Arr<T, O>,
    /// The records of the following layers.
    pub rest: R,
}

// Manual impls: a derive would demand the traits of the size type `O`.
impl<T: Scalar, O: ArrayLength, R: Clone> Clone for DenseTrace<T, O, R> {
    fn clone(&self) -> Self {
        DenseTrace {
            z: self.z.clone(),
            a: self.a.clone(),
            xi: self.xi.clone(),
            rest: self.rest.clone(),
        }
    }
}

impl<T: Scalar, O: ArrayLength, R: Default> Default for DenseTrace<T, O, R> {
    fn default() -> Self {
        DenseTrace {
            z: Arr::default(),
            a: Arr::default(),
            xi: Arr::default(),
            rest: R::default(),
        }
    }
}

impl<T: Scalar, O: ArrayLength, R: core::fmt::Debug> core::fmt::Debug for DenseTrace<T, O, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DenseTrace")
            .field("z", &self.z)
            .field("a", &self.a)
            .field("xi", &self.xi)
            .field("rest", &self.rest)
            .finish()
    }
}

impl<T: Scalar, O: ArrayLength, R: PartialEq> PartialEq for DenseTrace<T, O, R> {
    fn eq(&self, other: &Self) -> bool {
        self.z == other.z && self.a == other.a && self.xi == other.xi && self.rest == other.rest
    }
}

/// The record of layer i for a block of `B` samples (see
/// [`Layers::run_traced_block`](crate::Layers::run_traced_block)): z^i, a^i and ξ^i of
/// each sample, and the records of layers i+1..N.
pub struct DenseBlockTrace<T, O: ArrayLength, R, const B: usize> {
    /// z^i of each sample.
    pub z: [Arr<T, O>; B],
    /// a^i of each sample.
    pub a: [Arr<T, O>; B],
    /// ξ^i of each sample.
    pub xi: [Arr<T, O>; B],
    /// The records of the following layers.
    pub rest: R,
}

impl<T: Scalar, O: ArrayLength, R, const B: usize> DenseBlockTrace<T, O, R, B> {
    /// All-zero records around `rest`.
    pub fn new(rest: R) -> Self {
        DenseBlockTrace {
            z: core::array::from_fn(|_| Arr::default()),
            a: core::array::from_fn(|_| Arr::default()),
            xi: core::array::from_fn(|_| Arr::default()),
            rest,
        }
    }
}

impl<T: Scalar, O: ArrayLength, R: core::fmt::Debug, const B: usize> core::fmt::Debug
    for DenseBlockTrace<T, O, R, B>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DenseBlockTrace")
            .field("z", &self.z)
            .field("a", &self.a)
            .field("xi", &self.xi)
            .field("rest", &self.rest)
            .finish()
    }
}

impl<T: Scalar, O: ArrayLength, R: Clone, const B: usize> Clone for DenseBlockTrace<T, O, R, B> {
    fn clone(&self) -> Self {
        DenseBlockTrace {
            z: self.z.clone(),
            a: self.a.clone(),
            xi: self.xi.clone(),
            rest: self.rest.clone(),
        }
    }
}

/// Everything a training forward pass of network `N` records: the input a^0 and, for
/// each layer i = 1..N, z^i, a^i and (after [`Network::backward`]) ξ^i.
///
/// Its type is derived from the network's type and it lives wherever you put it (the
/// stack, a `static`, a `Box`); it is reused from one sample to the next.
///
/// ```
/// use typenet::{network, Network, Trace};
/// use typenet::generic_array::GenericArray;
///
/// type Net = network!(f64; 2 -> 3 Tanh -> 1 Identity);
/// let net = Net::from_params(&[0.1; 13]).unwrap();
/// let mut trace = Trace::<f64, Net>::new();
/// let x = GenericArray::from_array([1.0, -1.0]);
/// let y = *net.forward_trace(&x, &mut trace);
/// assert_eq!(trace.a(2).unwrap(), &y[..]);
/// assert_eq!(trace.a(0).unwrap(), &x[..]);
/// ```
pub struct Trace<T: Scalar, N: Network<T>> {
    /// a^0, the input of the pass.
    pub input: Arr<T, N::Input>,
    /// The records of layers 1..N, nested like the network.
    pub layers: N::Traces,
}

impl<T: Scalar, N: Network<T>> Trace<T, N> {
    /// An all-zero record, ready for [`Network::forward_trace`].
    pub fn new() -> Self {
        Trace {
            input: Arr::default(),
            layers: N::Traces::default(),
        }
    }

    /// z^i, a^i and ξ^i of layer `i` (1..=N, as in MATH.md), or `None` out of range.
    pub fn layer(&self, i: usize) -> Option<LayerTrace<'_, T>> {
        N::trace_layer(&self.layers, i)
    }

    /// a^i for i in 0..=N (a^0 is the input), or `None` out of range.
    pub fn a(&self, i: usize) -> Option<&[T]> {
        if i == 0 {
            Some(&self.input)
        } else {
            self.layer(i).map(|l| l.a)
        }
    }

    /// z^i for i in 1..=N, or `None` out of range.
    pub fn z(&self, i: usize) -> Option<&[T]> {
        self.layer(i).map(|l| l.z)
    }

    /// ξ^i for i in 1..=N, or `None` out of range.
    pub fn xi(&self, i: usize) -> Option<&[T]> {
        self.layer(i).map(|l| l.xi)
    }

    /// a^N, the output of the recorded pass.
    pub fn output(&self) -> &Arr<T, N::Output> {
        N::trace_output(self)
    }
}

impl<T: Scalar, N: Network<T>> Default for Trace<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Scalar, N: Network<T>> Clone for Trace<T, N> {
    fn clone(&self) -> Self {
        Trace {
            input: self.input.clone(),
            layers: self.layers.clone(),
        }
    }
}

impl<T: Scalar, N: Network<T>> core::fmt::Debug for Trace<T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Trace")
            .field("input", &self.input)
            .field("layers", &self.layers)
            .finish()
    }
}

impl<T: Scalar, N: Network<T>> PartialEq for Trace<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input && self.layers == other.layers
    }
}
