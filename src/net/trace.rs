//! [`DenseTrace`]: what the training forward pass records for one layer, for a block of
//! samples (one sample is the block of one).

use crate::net::arr::Arr;
use crate::num::scalar::Scalar;
use generic_array::ArrayLength;

/// The record of layer i for a block of `B` samples: z^i, a^i and, after the backward
/// pass, ξ^i of each sample; `rest` holds the records of layers i+1..N (`()` after the
/// last layer). A [`Trace`](crate::Trace) holds the block of one sample.
pub struct DenseTrace<T, O: ArrayLength, R, const B: usize> {
    /// z^i = W^i a^{i−1} + b^i of each sample.
    pub z: [Arr<T, O>; B],
    /// a^i = φ_i(z^i) of each sample.
    pub a: [Arr<T, O>; B],
    /// ξ^i = ∂E/∂z^i of each sample, written by the backward pass.
    pub xi: [Arr<T, O>; B],
    /// The records of the following layers.
    pub rest: R,
}

// Manual impls: a derive would demand the traits of the size type `O`.
impl<T: Scalar, O: ArrayLength, R: Default, const B: usize> Default for DenseTrace<T, O, R, B> {
    fn default() -> Self {
        DenseTrace {
            z: core::array::from_fn(|_| Arr::default()),
            a: core::array::from_fn(|_| Arr::default()),
            xi: core::array::from_fn(|_| Arr::default()),
            rest: R::default(),
        }
    }
}

impl<T: Scalar, O: ArrayLength, R: Clone, const B: usize> Clone for DenseTrace<T, O, R, B> {
    fn clone(&self) -> Self {
        DenseTrace {
            z: self.z.clone(),
            a: self.a.clone(),
            xi: self.xi.clone(),
            rest: self.rest.clone(),
        }
    }
}

impl<T: Scalar, O: ArrayLength, R: core::fmt::Debug, const B: usize> core::fmt::Debug
    for DenseTrace<T, O, R, B>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DenseTrace")
            .field("z", &self.z)
            .field("a", &self.a)
            .field("xi", &self.xi)
            .field("rest", &self.rest)
            .finish()
    }
}

impl<T: Scalar, O: ArrayLength, R: PartialEq, const B: usize> PartialEq for DenseTrace<T, O, R, B> {
    fn eq(&self, other: &Self) -> bool {
        self.z == other.z && self.a == other.a && self.xi == other.xi && self.rest == other.rest
    }
}
