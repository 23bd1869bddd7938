//! What the training forward pass records, for the backward pass and for inspection.

use crate::net::arr::Arr;
use crate::num::scalar::Scalar;
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
