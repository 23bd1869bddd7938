//! Chaining two networks into one: [`Append`], behind [`Network::then`](crate::Network::then).

use crate::net::activation::Activation;
use crate::net::dense::Dense;
use crate::net::layers::{End, Layers};
use crate::num::scalar::Scalar;
use generic_array::ArrayLength;

/// Appends the layers `B` after the last layer of `Self`, giving one nested network.
///
/// `End.append(b)` is `b`; `Dense { rest, .. }.append(b)` is the same layer with
/// `rest.append(b)` as its rest. The size check at the seam is the usual
/// [`Layers`] rule on the result.
pub trait Append<T: Scalar, B> {
    /// The nested type of `Self` followed by `B`.
    type Output;
    /// `Self` followed by `next`.
    fn append(self, next: B) -> Self::Output;
}

impl<T: Scalar, B> Append<T, B> for End {
    type Output = B;
    #[inline]
    fn append(self, next: B) -> B {
        next
    }
}

impl<T, I, O, A, R, B> Append<T, B> for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O> + Append<T, B>,
    // the appended rest must still take this layer's outputs
    <R as Append<T, B>>::Output: Layers<T, O>,
{
    type Output = Dense<T, I, O, A, <R as Append<T, B>>::Output>;

    fn append(self, next: B) -> Self::Output {
        Dense::from_parts(
            self.weights,
            self.bias,
            self.activation,
            self.rest.append(next),
        )
    }
}
