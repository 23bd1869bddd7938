//! Short names for the array types and type-level facts used throughout the crate.

use crate::network::Network;
use generic_array::GenericArray;

/// A stack-allocated vector of `N` scalars (`N` a typenum number).
pub type Arr<T, N> = GenericArray<T, N>;

/// A stack-allocated `Rows × Cols` matrix stored row by row: `m[k][j]` is row `k`,
/// column `j`. A layer's W^i is a `Matrix<T, M_i, M_{i-1}>`.
pub type Matrix<T, Rows, Cols> = GenericArray<GenericArray<T, Cols>, Rows>;

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
