//! The array types every layer is made of: [`Arr`] (a vector) and [`Matrix`], and
//! `copy_of`, the copy the passes make of an `Arr`.

use generic_array::{ArrayLength, GenericArray};

/// A stack-allocated vector of `N` scalars (`N` a typenum number).
pub type Arr<T, N> = GenericArray<T, N>;

/// A stack-allocated `Rows × Cols` matrix stored row by row: `m[k][j]` is row `k`,
/// column `j`. A layer's W^i is a `Matrix<T, M_i, M_{i-1}>`.
pub type Matrix<T, Rows, Cols> = GenericArray<GenericArray<T, Cols>, Rows>;

/// A copy of `x` (one slice copy): what `x.clone()` gives, without generic-array's
/// `clone`, a `map` through an iterator that some builds left as a call on the forward
/// pass (fat LTO; BENCHMARKS.md, round ten).
#[inline(always)]
pub(crate) fn copy_of<T: Copy + Default, N: ArrayLength>(x: &Arr<T, N>) -> Arr<T, N> {
    let mut y = Arr::<T, N>::default();
    y.copy_from_slice(x);
    y
}
