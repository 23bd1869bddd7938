//! Shape rules: the compile-time checks on sizes.
//!
//! The rule that consecutive layers connect is the trait [`Layers`](crate::Layers)
//! itself. This module holds the rule for input arrays. Each rule is a trait implemented on the dummy type [`ShapeRule`] only where the rule
//! holds, and annotated with `#[diagnostic::on_unimplemented]` so that a violation reads
//! as a sentence naming the rule instead of a mismatch between two typenum types.
//!
//! The rule trait also has a second impl, for a private placeholder size that no real
//! size can ever equal. Without it rustc, seeing a single impl, would infer the array
//! length from the rule and report a bare "mismatched types" between two typenum
//! types; with it, the length comes from the array and rustc reports the unmet rule.

use generic_array::{ArrayLength, GenericArray};

/// The dummy type on which the shape rules are implemented.
///
/// Users never name it except in `where` clauses copied from this crate's signatures.
#[derive(Clone, Copy, Debug)]
pub struct ShapeRule;

/// Rule: an input array has exactly as many entries as the network's input layer M_0.
///
/// `Given` is the length of the array passed in, `Expected` is the network's input
/// size. Holds only when they are equal, and then [`InputMatches::cast`] is the
/// identity.
#[diagnostic::on_unimplemented(
    message = "the input array's length is not the network's input size M_0",
    label = "this array has a different length than the network's first layer takes",
    note = "`forward` takes an array of exactly `Network::INPUTS` values"
)]
pub trait InputMatches<Given, Expected> {
    /// Views an array of length `Given` as one of length `Expected` (they are equal).
    fn cast<T>(x: &GenericArray<T, Given>) -> &GenericArray<T, Expected>
    where
        Given: ArrayLength,
        Expected: ArrayLength;
}

impl<N> InputMatches<N, N> for ShapeRule {
    #[inline(always)]
    fn cast<T>(x: &GenericArray<T, N>) -> &GenericArray<T, N>
    where
        N: ArrayLength,
    {
        x
    }
}

impl<E> InputMatches<private::Unmatched<E>, E> for ShapeRule {
    fn cast<T>(_: &GenericArray<T, private::Unmatched<E>>) -> &GenericArray<T, E>
    where
        private::Unmatched<E>: ArrayLength,
        E: ArrayLength,
    {
        // `Unmatched<E>: ArrayLength` never holds (typenum seals `Unsigned`), so this
        // method can never be called.
        unreachable!()
    }
}

#[doc(hidden)]
pub mod private {
    use core::marker::PhantomData;

    /// A placeholder size no typenum number equals; see the module docs.
    pub struct Unmatched<X>(PhantomData<X>);
}
