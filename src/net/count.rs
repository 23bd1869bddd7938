//! Type-level arithmetic on layer sizes, with the typenum bounds bundled into named
//! helper traits so that impls need one line per fact.

use core::ops::{Add, Mul};
use typenum::{Add1, B1, Prod, Sum, Unsigned};

/// The number of parameters of a dense layer of `Self` inputs and `Out` outputs
/// (`Self·Out` weights and `Out` biases) plus `RestCount`, the parameters of the layers
/// after it: `Count = Self·Out + Out + RestCount`.
pub trait LayerParamCount<Out, RestCount> {
    /// `Self·Out + Out + RestCount`, as a typenum number.
    type Count: Unsigned;
}

impl<In, Out, RestCount> LayerParamCount<Out, RestCount> for In
where
    // I·O weights
    In: Mul<Out>,
    // + O biases
    Prod<In, Out>: Add<Out>,
    // + the rest of the network
    Sum<Prod<In, Out>, Out>: Add<RestCount>,
    Sum<Sum<Prod<In, Out>, Out>, RestCount>: Unsigned,
{
    type Count = Sum<Sum<Prod<In, Out>, Out>, RestCount>;
}

/// `Self + 1`: the depth of a network one layer deeper than `Self`.
pub trait Successor {
    /// `Self + 1`, as a typenum number.
    type Next: Unsigned;
}

impl<N> Successor for N
where
    N: Add<B1>,
    Add1<N>: Unsigned,
{
    type Next = Add1<N>;
}
