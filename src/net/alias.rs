//! Short names for the array types and type-level facts used throughout the crate.

use crate::net::arr::Arr;
use crate::net::network::Network;

/// The input size M_0 of network `N`, as a typenum number.
pub type InputSize<T, N> = <N as Network<T>>::Input;

/// The output size M_N of network `N`, as a typenum number.
pub type OutputSize<T, N> = <N as Network<T>>::Output;

/// The number of layers N of network `N`, as a typenum number.
pub type Depth<T, N> = <N as Network<T>>::Depth;

/// The number of parameters of network `N`, as a typenum number.
pub type ParamCount<T, N> = <N as Network<T>>::ParamCount;

/// An input vector a^0 of network `N`.
pub type Input<T, N> = Arr<T, InputSize<T, N>>;

/// An output vector a^N of network `N`.
pub type Output<T, N> = Arr<T, OutputSize<T, N>>;
