//! The array types every layer is made of: [`Arr`] (a vector) and [`Matrix`].

use generic_array::GenericArray;

/// A stack-allocated vector of `N` scalars (`N` a typenum number).
pub type Arr<T, N> = GenericArray<T, N>;

/// A stack-allocated `Rows × Cols` matrix stored row by row: `m[k][j]` is row `k`,
/// column `j`. A layer's W^i is a `Matrix<T, M_i, M_{i-1}>`.
pub type Matrix<T, Rows, Cols> = GenericArray<GenericArray<T, Cols>, Rows>;
