//! The [`Layers`] trait: a stack of layers that takes `In` inputs. It is both the
//! machinery behind [`Network`](crate::Network) and the rule that consecutive layers
//! connect, and [`End`], the empty stack that closes every network.

use crate::net::activation::Activation;
use crate::net::arr::{Arr, copy_of};
use crate::net::view::{LayerMut, LayerRef, LayerShape, LayerTrace};
use crate::num::scalar::Scalar;
use core::fmt::Debug;
use generic_array::ArrayLength;
use typenum::{U0, Unsigned};

/// Where the forward pass computes z^i = W^i a^{i−1} + b^i for a block of samples:
/// [`Layers::run_with`] asks `affine` first and runs the layer's own kernel when it
/// returns `false`.
pub trait AffineKernels<T> {
    /// Fills `zs[s]` with z^i of layer `i` for the inputs `xs[s]` (b^i is `bias`) and
    /// returns `true`, or returns `false` to leave layer `i` to its own kernel.
    fn affine<const B: usize>(
        &self,
        i: usize,
        bias: &[T],
        xs: [&[T]; B],
        zs: [&mut [T]; B],
    ) -> bool;
}

/// Every layer on its own (row by row) kernel: the forward pass of
/// [`Network::forward`](crate::Network::forward).
pub struct RowKernels;

impl<T> AffineKernels<T> for RowKernels {
    #[inline(always)]
    fn affine<const B: usize>(&self, _: usize, _: &[T], _: [&[T]; B], _: [&mut [T]; B]) -> bool {
        false
    }
}

/// A stack of layers that accepts `In` inputs: the rest of a network after some layer.
///
/// Implemented by [`Dense`](crate::Dense) (for `In` equal to its declared input size)
/// and by [`End`] (for every `In`), and sealed: no other type can implement it. A
/// `Dense<T, I, O, A, R>` requires `R: Layers<T, O>`, so a network whose sizes do not
/// connect is rejected where its type is used, with the message below.
///
/// This is the machinery behind [`Network`](crate::Network); users never call it. Every
/// pass is written for a block of `B` samples (each weight row read once for all of
/// them); one sample is the block `B = 1`, so the forward pass and the ξ recurrence
/// exist once. Methods carry the layer index `i` of MATH.md where they need one.
#[diagnostic::on_unimplemented(
    message = "layer sizes do not connect: a layer's input size must equal the output size of the layer before it",
    label = "the input size of this layer differs from the output size of the layer before it",
    note = "in `Dense<T, In, Out, Act, Rest>`, `Rest` must be `End` or a layer whose `In` is this layer's `Out`"
)]
pub trait Layers<T: Scalar, In: ArrayLength>: Sized + Clone + Debug + Sealed {
    /// The width of the last layer, M_N (or `In` for [`End`]).
    type Output: ArrayLength;
    /// The number of layers in the stack.
    type Depth: Unsigned;
    /// The number of parameters (weights and biases) in the stack.
    type ParamCount: Unsigned;
    /// φ_N, the activation of the last layer; `Prev` for [`End`] (the activation of
    /// the layer before it).
    type OutputActivation<Prev: Activation<T>>: Activation<T>;
    /// What a training forward pass over a block of `B` samples records: z^i, a^i and
    /// ξ^i of every layer for every sample.
    type Trace<const B: usize>: Clone + Debug + Default + PartialEq;

    /// FNV-1a over the descriptions of this stack's layers, last layer first (see
    /// [`format`](crate::format)); the offset basis for [`End`].
    const FINGERPRINT_STATE: u64;

    /// The largest M_{i−1} + M_i over the stack's layers (0 for [`End`]).
    const LARGEST_LAYER_IO: usize;

    /// A stack with every parameter zero.
    fn zeroed() -> Self;

    /// The forward pass for `B` samples: a^N of each from a^{first − 1} = `xs[s]`, with
    /// each z^i computed by `kernels` where it takes the layer (the packed weights of
    /// [`Packed`](crate::Packed)) and by the layer's own kernel elsewhere
    /// (`RowKernels`: everywhere); `first` is the index i of the first layer of this
    /// stack.
    fn run_with<const B: usize, K: AffineKernels<T>>(
        &self,
        first: usize,
        xs: [&Arr<T, In>; B],
        kernels: &K,
    ) -> [Arr<T, Self::Output>; B];

    /// The forward pass of one sample, calling `hook(i, z^i)` on each layer's
    /// pre-activation before φ_i is applied; `first` is the index i of the first layer
    /// of this stack.
    fn run_hooked<F: FnMut(usize, &mut [T])>(
        &self,
        first: usize,
        x: &Arr<T, In>,
        hook: &mut F,
    ) -> Arr<T, Self::Output>;

    /// The training forward pass for `B` samples: fills z^i and a^i of every layer
    /// and sample in `trace`, bit for bit what [`run_with`](Layers::run_with) computes.
    fn run_traced<const B: usize>(&self, xs: [&Arr<T, In>; B], trace: &mut Self::Trace<B>);

    /// The last activations recorded in `trace` (`prev_a` for [`End`]).
    fn traced_output<'a, const B: usize>(
        trace: &'a Self::Trace<B>,
        prev_a: &'a [Arr<T, In>; B],
    ) -> &'a [Arr<T, Self::Output>; B];

    /// The last pre-activations z^N recorded in `trace` (`prev_z` for [`End`]).
    fn traced_pre_output<'a, const B: usize>(
        trace: &'a Self::Trace<B>,
        prev_z: &'a [Arr<T, In>; B],
    ) -> &'a [Arr<T, Self::Output>; B];

    /// The backward pass for `B` samples from `seed_values` (∂E/∂a^N or ξ^N of each
    /// sample, as `seed` says): stores ξ^i in `trace`, adds ∂E/∂W^i and ∂E/∂b^i into
    /// `grads` (each entry receives the samples' terms in sample order), and returns
    /// ∂E/∂a^{first − 1} of each sample. `a_prev` are the inputs the stack was run on.
    /// With `input_grad` false the last product, ∂E/∂a^{first − 1} = (W^first)ᵀ
    /// ξ^first, is skipped and zeros returned. `mode` says whether `grads` is added to
    /// or taken as zero ([`Grads`]).
    // The recurrence's inputs, its record, its seed and what it writes, each its own
    // argument, as `Network::back_block`'s.
    #[allow(clippy::too_many_arguments)]
    fn back<const B: usize>(
        &self,
        a_prev: [&Arr<T, In>; B],
        trace: &mut Self::Trace<B>,
        seed_values: &[Arr<T, Self::Output>; B],
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
        mode: Grads,
    ) -> [Arr<T, In>; B];

    /// The parameters in canonical order (see [`Network::params`](crate::Network::params)).
    fn params(&self) -> impl Iterator<Item = &T>;

    /// The parameters in canonical order, mutable.
    fn params_mut(&mut self) -> impl Iterator<Item = &mut T>;

    /// The parameters in canonical order as contiguous runs: W^i (row-major), b^i, ...
    fn param_slices(&self) -> impl Iterator<Item = &[T]>;

    /// The parameters in canonical order as contiguous runs, mutable.
    fn param_slices_mut(&mut self) -> impl Iterator<Item = &mut [T]>;

    /// Calls `f` on each run of `a` (the runs of
    /// [`param_slices_mut`](Layers::param_slices_mut), in order) as the layers are
    /// walked, so that each call sees a run of a length known when compiling and no
    /// iterator state is stepped (for the element-wise passes of a training step).
    fn for_each_run<F: FnMut(&mut [T])>(a: &mut Self, f: &mut F);

    /// Calls `f` on each run of `a` together with the same run of `g` and of each
    /// network of `states`, as [`for_each_run`](Layers::for_each_run) does for one.
    fn zip_runs<const K: usize, F: FnMut(&mut [T], &[T], [&mut [T]; K])>(
        a: &mut Self,
        g: &Self,
        states: [&mut Self; K],
        f: &mut F,
    );

    /// The shape of layer `i` of the stack, counting its first layer as 1.
    fn layer_shape(i: usize) -> Option<LayerShape>;

    /// Layer `i` of the stack, counting its first layer as 1.
    fn layer(&self, i: usize) -> Option<LayerRef<'_, T>>;

    /// Layer `i` of the stack, mutable, counting its first layer as 1.
    fn layer_mut(&mut self, i: usize) -> Option<LayerMut<'_, T>>;

    /// z^i, a^i and ξ^i of sample `s` of layer `i` in `trace`, counting the stack's
    /// first layer as 1.
    fn trace_layer<const B: usize>(
        trace: &Self::Trace<B>,
        s: usize,
        i: usize,
    ) -> Option<LayerTrace<'_, T>>;
}

/// The seal of [`Layers`] and [`Network`](crate::Network): implemented only by
/// [`End`] and [`Dense`](crate::Dense).
pub(crate) mod sealed {
    /// Not nameable outside the crate, so no other type can implement the traits
    /// that have it as a supertrait.
    pub trait Sealed {}
}
use sealed::Sealed;

impl Sealed for End {}

/// What the backward pass starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Seed {
    /// ∂E/∂a^N: the vector-Jacobian product of φ_N turns it into ξ^N (MATH.md's
    /// ξ^N = ∂E/∂a^N · φ'_N(z^N)).
    GradOutput,
    /// ξ^N = ∂E/∂z^N itself, from a loss fused with the output activation (softmax with
    /// cross-entropy gives ξ^N = a^N − t; a sigmoid with binary cross-entropy the same).
    Xi,
}

/// What the backward pass does with the gradient it is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grads {
    /// Adds ∂E/∂W^i and ∂E/∂b^i to the values there.
    Add,
    /// Takes the values there as zero without reading them (the first sample or block
    /// of a training sum): the same bits as zeroing them first and adding, without the
    /// pass that zeroes them.
    Start,
}

impl Grads {
    /// The mode of a sum's next term after `terms` terms: [`Start`](Grads::Start) for
    /// the first, [`Add`](Grads::Add) after.
    pub(crate) fn after(terms: usize) -> Self {
        if terms == 0 { Grads::Start } else { Grads::Add }
    }
}

/// The empty stack of layers that closes every network: `Dense<T, 8, 1, Sigmoid, End>`
/// is a last layer. It is the default `Rest` of [`Dense`](crate::Dense).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct End;

impl<T: Scalar, In: ArrayLength> Layers<T, In> for End {
    type Output = In;
    type Depth = U0;
    type ParamCount = U0;
    type OutputActivation<Prev: Activation<T>> = Prev;
    type Trace<const B: usize> = ();
    const FINGERPRINT_STATE: u64 = crate::net::fingerprint::FNV_OFFSET;
    const LARGEST_LAYER_IO: usize = 0;

    #[inline]
    fn zeroed() -> Self {
        End
    }

    #[inline]
    fn run_with<const B: usize, K: AffineKernels<T>>(
        &self,
        _: usize,
        xs: [&Arr<T, In>; B],
        _: &K,
    ) -> [Arr<T, In>; B] {
        xs.map(copy_of)
    }

    #[inline]
    fn run_hooked<F: FnMut(usize, &mut [T])>(
        &self,
        _: usize,
        x: &Arr<T, In>,
        _: &mut F,
    ) -> Arr<T, In> {
        x.clone()
    }

    #[inline]
    fn run_traced<const B: usize>(&self, _: [&Arr<T, In>; B], _: &mut ()) {}

    #[inline]
    fn traced_output<'a, const B: usize>(
        _: &'a (),
        prev_a: &'a [Arr<T, In>; B],
    ) -> &'a [Arr<T, In>; B] {
        prev_a
    }

    #[inline]
    fn traced_pre_output<'a, const B: usize>(
        _: &'a (),
        prev_z: &'a [Arr<T, In>; B],
    ) -> &'a [Arr<T, In>; B] {
        prev_z
    }

    #[inline]
    fn back<const B: usize>(
        &self,
        _: [&Arr<T, In>; B],
        _: &mut (),
        seed_values: &[Arr<T, In>; B],
        _: Seed,
        _: bool,
        _: &mut Self,
        _: Grads,
    ) -> [Arr<T, In>; B] {
        seed_values.clone()
    }

    fn params(&self) -> impl Iterator<Item = &T> {
        core::iter::empty()
    }

    fn params_mut(&mut self) -> impl Iterator<Item = &mut T> {
        core::iter::empty()
    }

    fn param_slices(&self) -> impl Iterator<Item = &[T]> {
        core::iter::empty()
    }

    fn param_slices_mut(&mut self) -> impl Iterator<Item = &mut [T]> {
        core::iter::empty()
    }

    #[inline(always)]
    fn for_each_run<F: FnMut(&mut [T])>(_: &mut Self, _: &mut F) {}

    #[inline(always)]
    fn zip_runs<const K: usize, F: FnMut(&mut [T], &[T], [&mut [T]; K])>(
        _: &mut Self,
        _: &Self,
        _: [&mut Self; K],
        _: &mut F,
    ) {
    }

    fn layer_shape(_: usize) -> Option<LayerShape> {
        None
    }

    fn layer(&self, _: usize) -> Option<LayerRef<'_, T>> {
        None
    }

    fn layer_mut(&mut self, _: usize) -> Option<LayerMut<'_, T>> {
        None
    }

    fn trace_layer<const B: usize>(_: &(), _: usize, _: usize) -> Option<LayerTrace<'_, T>> {
        None
    }
}
