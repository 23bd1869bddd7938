//! [`Dense`]: a fully-connected layer together with the rest of the network after it.

use crate::net::activation::Activation;
use crate::net::arr::{Arr, Matrix, copy_of};
use crate::net::count::{LayerParamCount, Successor};
use crate::net::layers::sealed::Sealed;
use crate::net::layers::{AffineKernels, End, Grads, Layers, Seed};
use crate::net::trace::DenseTrace;
use crate::net::view::{LayerMut, LayerRef, LayerShape, LayerTrace};
use crate::num::kernel::{self, OnLine};
use crate::num::scalar::Scalar;
use generic_array::{ArrayLength, GenericArray};
use typenum::Unsigned;

/// Layer i of a network, a fully-connected layer of `O` = M_i neurons fed by
/// `I` = M_{i−1} inputs, followed by `R`, the layers after it.
///
/// ```text
/// z^i = W^i a^{i−1} + b^i        a^i = φ_i(z^i)
/// ```
///
/// A whole network is one nested `Dense`: "2 inputs → 8 tanh → 1 sigmoid" is
///
/// ```
/// use typenet::{Dense, End, Network, Sigmoid, Tanh};
/// use typenet::typenum::{U1, U2, U8};
///
/// type Net = Dense<f32, U2, U8, Tanh, Dense<f32, U8, U1, Sigmoid, End>>;
/// assert_eq!(Net::PARAMS, 2 * 8 + 8 + 8 * 1 + 1);
/// ```
///
/// which [`network!`](crate::network!) writes as `network!(f32; 2 -> 8 Tanh -> 1 Sigmoid)`.
/// `R` must take `O` inputs: a rest whose input size differs does not compile
/// (see [`Layers`]).
///
/// A `Dense` value is also the type of its own gradient:
/// [`Network::backward`](crate::Network::backward) adds ∂E/∂W^i and ∂E/∂b^i into the `weights` and `bias`
/// of a second value of the same type.
///
/// # Layout
/// The fields are in the order above (`repr(C)`). On 64-bit hosts (x86-64, AArch64)
/// W^i and b^i of every layer each start on a 64-byte boundary, a cache line, wherever
/// the network lives (stack, `static`, `Box`): a layer's rows then never straddle a line
/// more than they must, and the speed of a pass does not depend on where the allocator
/// put the network (unaligned, batch-1 passes of a 1 MB network ran 23–40 % slower at
/// some offsets). The padding is at most 2 × 63 bytes a layer. Microcontrollers have no
/// data cache lines to align to and keep the natural alignment, so no RAM is spent.
#[cfg_attr(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    repr(C, align(64))
)]
#[cfg_attr(not(any(target_arch = "x86_64", target_arch = "aarch64")), repr(C))]
pub struct Dense<T, I, O, A, R = End>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
    /// W^i, `O` rows of `I` columns: `weights[k][j]` = w^i_{kj}, from neuron j of the
    /// previous layer to neuron k of this one.
    pub weights: Matrix<T, O, I>,
    /// Zero-sized: puts `bias` on a cache line of its own (see the layout above).
    line: CacheLine,
    /// b^i.
    pub bias: Arr<T, O>,
    /// φ_i.
    pub activation: A,
    /// Layers i+1..N.
    pub rest: R,
}

/// A zero-sized field aligned to a cache line on 64-bit hosts, so that the field after
/// it in a `repr(C)` struct starts on one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), repr(align(64)))]
struct CacheLine;

impl<T, I, O, A, R> Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
    /// A layer from its parts: W^i, b^i, φ_i and the layers after it. (Usable in
    /// `const` and `static` items, as [`static_network!`](crate::static_network!) does.)
    pub const fn from_parts(
        weights: Matrix<T, O, I>,
        bias: Arr<T, O>,
        activation: A,
        rest: R,
    ) -> Self {
        Dense {
            weights,
            line: CacheLine,
            bias,
            activation,
            rest,
        }
    }
}

impl<T, I, O, A, R> Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
    /// W^i as one slice, row after row.
    #[inline]
    fn w(&self) -> &[T] {
        GenericArray::slice_from_chunks(&self.weights)
    }

    /// Layers this small run the portable loops over their typed arrays, which the
    /// compiler unrolls into the caller; larger ones go through the [`Scalar`] kernels
    /// (which may pick SIMD code at run time). Both give the same bits. The typed loops
    /// mirror `kernel::{affine, outer, transpose}` on purpose (the forward pass of a
    /// layer of fewer than eight inputs on x86-64 in the same order, input by input for
    /// all rows: see `small_z`): routing small layers
    /// through the slice kernels (even fully inlined) made the Cortex-M4F's XOR training
    /// step 8–16 % slower (`embedded/measure.sh`: Adam 17 652 → 19 138 instructions,
    /// SGD 9 219 → 10 725).
    const SMALL: bool = I::USIZE * O::USIZE < kernel::DISPATCH_MIN_WEIGHTS;

    /// The forward rule: z_s = W x_s + b for each of `B` samples (one sample is `B = 1`),
    /// the kernels reading each weight row once for all of them; a small layer takes one
    /// sample at a time ([`small_z`](Self::small_z)). Always inlined: small layers run
    /// their dot products here, and out of line (as the compiler chose once the forward
    /// pass also served `Packed`) a 2-8-8-1 forward pass took 40 % longer.
    #[inline(always)]
    fn affine<const B: usize>(&self, xs: [&Arr<T, I>; B], zs: &mut [Arr<T, O>; B]) {
        if Self::SMALL {
            for (z, x) in zs.iter_mut().zip(xs) {
                *z = self.small_z(x);
            }
            return;
        }
        T::affine_kernel_for::<I, B>(
            self.w(),
            &self.bias,
            xs.map(|x| &x[..]),
            zs.each_mut().map(|z| &mut z[..]),
        );
    }

    /// z = W x + b for one sample of a [`SMALL`](Self::SMALL) layer, built in a local
    /// value and returned whole: written one entry at a time into the pass's buffer, z
    /// was read back at once by φ as a vector that no store could forward (on x86-64 a
    /// 2-8-8-1 forward pass 23 % faster this way, its training step 9 %).
    #[inline(always)]
    fn small_z(&self, x: &Arr<T, I>) -> Arr<T, O> {
        if I::USIZE < 8 && cfg!(target_arch = "x86_64") {
            // No whole chunk of eight: each dot product is its leftover products alone,
            // added one at a time to zero, then z_k = b_k + that sum. The same
            // operations, input by input for all rows at once, so that the rows' sums
            // advance together in vector lanes rather than in a short loop per row (a
            // 2-8-8-1 forward pass 8 % faster on x86-64; on the Cortex-M4F, without
            // vectors, the 1 → 16 layer of the sine network took 4 % more instructions).
            let mut z = Arr::<T, O>::default();
            for (j, &x) in x.iter().enumerate() {
                for (z, row) in z.iter_mut().zip(self.weights.iter()) {
                    *z = row[j].kernel_mul_add(x, *z);
                }
            }
            for (z, &b) in z.iter_mut().zip(self.bias.iter()) {
                *z = b + *z;
            }
            z
        } else {
            let mut z = copy_of(&self.bias);
            for (z, row) in z.iter_mut().zip(self.weights.iter()) {
                *z += kernel::dot(row, x);
            }
            z
        }
    }

    /// ∂E/∂W^i += Σ_s ξ^i_s (a^{i−1}_s)ᵀ and ∂E/∂b^i += Σ_s ξ^i_s into `grads`, the
    /// samples' terms added in sample order within each entry (so a block of `B` gives
    /// the bits of `B` single samples in turn); with [`Grads::Start`] the sums start
    /// from zero instead of the values in `grads`.
    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for
    // FMA (left to `#[inline]`, one codegen unit kept it out: see `with_kernels`).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn add_outer<const B: usize>(
        grads: &mut Self,
        xis: &[Arr<T, O>; B],
        a_prev: [&Arr<T, I>; B],
        mode: Grads,
    ) {
        if Self::SMALL {
            // Each entry's terms in sample order, added to the entry in `grads` or, for
            // `Start`, to zero in a local value stored whole at the end: written one
            // entry at a time into `grads`, the gradient was read back at once by the
            // step's element-wise passes as vectors that no store could forward.
            match mode {
                Grads::Add => Self::add_terms(&mut grads.weights, &mut grads.bias, xis, a_prev),
                Grads::Start => {
                    let (mut weights, mut bias) =
                        (Matrix::<T, O, I>::default(), Arr::<T, O>::default());
                    Self::add_terms(&mut weights, &mut bias, xis, a_prev);
                    grads.weights = weights;
                    grads.bias = bias;
                }
            }
        } else {
            let g = GenericArray::slice_from_chunks_mut(&mut grads.weights);
            let (xis, a) = (xis.each_ref().map(|xi| &xi[..]), a_prev.map(|a| &a[..]));
            match mode {
                Grads::Add => T::outer_kernel(g, &mut grads.bias, xis, a),
                Grads::Start => T::outer_kernel_from_zero(g, &mut grads.bias, xis, a),
            }
        }
    }

    /// [`add_outer`](Self::add_outer)'s sums for a [`SMALL`](Self::SMALL) layer:
    /// ∂E/∂b += ξ_s and ∂E/∂W += ξ_s (a_s)ᵀ, the samples' terms in sample order within
    /// each entry.
    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for
    // FMA (out of line, each multiply-add would be a call).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn add_terms<const B: usize>(
        weights: &mut Matrix<T, O, I>,
        bias: &mut Arr<T, O>,
        xis: &[Arr<T, O>; B],
        a_prev: [&Arr<T, I>; B],
    ) {
        for (k, (row, b)) in weights.iter_mut().zip(bias.iter_mut()).enumerate() {
            for (xi, a) in xis.iter().zip(a_prev) {
                let xi = xi[k];
                *b += xi;
                for (w, &a) in row.iter_mut().zip(a.iter()) {
                    *w = xi.kernel_mul_add(a, *w);
                }
            }
        }
    }

    /// ∂E/∂a^{i−1}_s = (W^i)ᵀ ξ^i_s for each sample, row k's term added for k = 0, 1, …
    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for FMA.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn transpose<const B: usize>(&self, xis: &[Arr<T, O>; B]) -> [Arr<T, I>; B] {
        let mut grad_prev: [Arr<T, I>; B] = core::array::from_fn(|_| Arr::default());
        if Self::SMALL {
            for (k, row) in self.weights.iter().enumerate() {
                for (g, xi) in grad_prev.iter_mut().zip(xis) {
                    let xi = xi[k];
                    for (g, &w) in g.iter_mut().zip(row.iter()) {
                        *g = xi.kernel_mul_add(w, *g);
                    }
                }
            }
        } else {
            T::transpose_kernel(
                self.w(),
                xis.each_ref().map(|xi| &xi[..]),
                grad_prev.each_mut().map(|g| &mut g[..]),
            );
        }
        grad_prev
    }

    fn view(&self) -> LayerRef<'_, T> {
        LayerRef {
            weights: GenericArray::slice_from_chunks(&self.weights),
            bias: &self.bias,
            inputs: I::USIZE,
            outputs: O::USIZE,
            activation: A::NAME,
            init: A::INIT,
        }
    }
}

/// The scalar type of a network type, for macros that are given only the network
/// ([`assert_fits!`](crate::assert_fits!)).
#[doc(hidden)]
pub trait ScalarOf {
    /// `T` of `Dense<T, ...>`.
    type Scalar: Scalar;
}

impl<T, I, O, A, R> ScalarOf for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
    type Scalar = T;
}

// Manual impls: a derive would demand `Clone`/`Debug`/`PartialEq` of the size types
// `I` and `O`, which are never values.
impl<T, I, O, A, R> Clone for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
    fn clone(&self) -> Self {
        Dense::from_parts(
            self.weights.clone(),
            self.bias.clone(),
            self.activation,
            self.rest.clone(),
        )
    }
}

impl<T, I, O, A, R> core::fmt::Debug for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Dense")
            .field("inputs", &I::USIZE)
            .field("outputs", &O::USIZE)
            .field("activation", &self.activation)
            .field("weights", &self.weights)
            .field("bias", &self.bias)
            .field("rest", &self.rest)
            .finish()
    }
}

/// Compares weights and biases. The activations, their parameters included (a
/// `LeakyReLU`'s slope is a type parameter), are fixed by the type, so two values of
/// one type with equal parameters are equal networks.
impl<T, I, O, A, R> PartialEq for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O> + PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.weights == other.weights && self.bias == other.bias && self.rest == other.rest
    }
}

impl<T, I, O, A, R> Sealed for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
{
}

impl<T, I, O, A, R> Layers<T, I> for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength + LayerParamCount<O, R::ParamCount>,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
    R::Depth: Successor,
{
    type Output = R::Output;
    type Depth = <R::Depth as Successor>::Next;
    type ParamCount = <I as LayerParamCount<O, R::ParamCount>>::Count;
    type OutputActivation<Prev: Activation<T>> = R::OutputActivation<A>;
    type Trace<const B: usize> = DenseTrace<T, O, R::Trace<B>, B>;
    const FINGERPRINT_STATE: u64 =
        crate::net::fingerprint::fnv_layer(R::FINGERPRINT_STATE, I::USIZE, O::USIZE, A::NAME);

    const LARGEST_LAYER_IO: usize = {
        let here = I::USIZE + O::USIZE;
        if here > R::LARGEST_LAYER_IO {
            here
        } else {
            R::LARGEST_LAYER_IO
        }
    };

    fn zeroed() -> Self {
        Dense::from_parts(
            GenericArray::default(),
            GenericArray::default(),
            A::default(),
            R::zeroed(),
        )
    }

    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for
    // FMA (a small layer's loops there multiply-add in one instruction, not a call).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn run_with<const B: usize, K: AffineKernels<T>>(
        &self,
        first: usize,
        xs: [&Arr<T, I>; B],
        kernels: &K,
    ) -> [Arr<T, R::Output>; B] {
        // On cache lines (see `OnLine`; a 16-64-64-4 pass at batch 32 took 10 % longer
        // in one build than in another when the buffer started 16 bytes past one).
        let mut zs: OnLine<[Arr<T, O>; B]> = OnLine(core::array::from_fn(|_| Arr::default()));
        let zs = &mut zs.0;
        let taken = kernels.affine(
            first,
            &self.bias,
            xs.map(|x| &x[..]),
            zs.each_mut().map(|z| &mut z[..]),
        );
        if !taken {
            self.affine(xs, zs);
        }
        // a = φ(z) over z itself (one sample's z copied aside first): no second buffer.
        for z in zs.iter_mut() {
            let z_copy = copy_of(z);
            self.activation.forward(&z_copy, z);
        }
        self.rest.run_with(first + 1, zs.each_ref(), kernels)
    }

    fn run_hooked<F: FnMut(usize, &mut [T])>(
        &self,
        first: usize,
        x: &Arr<T, I>,
        hook: &mut F,
    ) -> Arr<T, R::Output> {
        let mut zs = [Arr::<T, O>::default()];
        self.affine([x], &mut zs);
        let [mut z] = zs;
        hook(first, &mut z);
        let mut a = Arr::<T, O>::default();
        self.activation.forward(&z, &mut a);
        self.rest.run_hooked(first + 1, &a, hook)
    }

    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for
    // FMA (a small layer's loops there multiply-add in one instruction, not a call).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn run_traced<const B: usize>(&self, xs: [&Arr<T, I>; B], trace: &mut Self::Trace<B>) {
        self.affine(xs, &mut trace.z);
        for (a, z) in trace.a.iter_mut().zip(&trace.z) {
            self.activation.forward(z, a);
        }
        self.rest.run_traced(trace.a.each_ref(), &mut trace.rest);
    }

    #[inline]
    fn traced_output<'a, const B: usize>(
        trace: &'a Self::Trace<B>,
        _: &'a [Arr<T, I>; B],
    ) -> &'a [Arr<T, R::Output>; B] {
        R::traced_output(&trace.rest, &trace.a)
    }

    #[inline]
    fn traced_pre_output<'a, const B: usize>(
        trace: &'a Self::Trace<B>,
        _: &'a [Arr<T, I>; B],
    ) -> &'a [Arr<T, R::Output>; B] {
        R::traced_pre_output(&trace.rest, &trace.z)
    }

    /// The ξ recurrence of MATH.md, once for every block size.
    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for
    // FMA (a small layer's loops there multiply-add in one instruction, not a call).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn back<const B: usize>(
        &self,
        a_prev: [&Arr<T, I>; B],
        trace: &mut Self::Trace<B>,
        seed_values: &[Arr<T, R::Output>; B],
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
        mode: Grads,
    ) -> [Arr<T, I>; B] {
        // ∂E/∂a^i = (W^{i+1})ᵀ ξ^{i+1} of each sample, from the layers after this one
        // (or the seeds).
        let grad_a = self.rest.back(
            trace.a.each_ref(),
            &mut trace.rest,
            seed_values,
            seed,
            true,
            &mut grads.rest,
            mode,
        );
        for ((xi, g), (z, a)) in trace
            .xi
            .iter_mut()
            .zip(&grad_a)
            .zip(trace.z.iter().zip(&trace.a))
        {
            if seed == Seed::Xi && <R::Depth as Unsigned>::USIZE == 0 {
                // The last layer, seeded with ξ^N itself by a fused loss.
                xi.clone_from(g);
            } else {
                // ξ^i = φ'_i(z^i) ⊙ ∂E/∂a^i (a vector-Jacobian product for
                // non-element-wise φ).
                self.activation.backward(z, a, g, xi);
            }
        }
        // ∂E/∂W^i += ξ^i (a^{i−1})ᵀ and ∂E/∂b^i += ξ^i.
        Self::add_outer(grads, &trace.xi, a_prev, mode);
        // ∂E/∂a^{i−1} = (W^i)ᵀ ξ^i.
        if !input_grad {
            return core::array::from_fn(|_| Arr::default());
        }
        self.transpose(&trace.xi)
    }

    fn params(&self) -> impl Iterator<Item = &T> {
        GenericArray::slice_from_chunks(&self.weights)
            .iter()
            .chain(self.bias.iter())
            .chain(self.rest.params())
    }

    fn params_mut(&mut self) -> impl Iterator<Item = &mut T> {
        GenericArray::slice_from_chunks_mut(&mut self.weights)
            .iter_mut()
            .chain(self.bias.iter_mut())
            .chain(self.rest.params_mut())
    }

    fn param_slices(&self) -> impl Iterator<Item = &[T]> {
        [
            GenericArray::slice_from_chunks(&self.weights),
            &self.bias[..],
        ]
        .into_iter()
        .chain(self.rest.param_slices())
    }

    fn param_slices_mut(&mut self) -> impl Iterator<Item = &mut [T]> {
        [
            GenericArray::slice_from_chunks_mut(&mut self.weights),
            &mut self.bias[..],
        ]
        .into_iter()
        .chain(self.rest.param_slices_mut())
    }

    #[inline(always)]
    fn for_each_run<F: FnMut(&mut [T])>(a: &mut Self, f: &mut F) {
        f(GenericArray::slice_from_chunks_mut(&mut a.weights));
        f(&mut a.bias);
        R::for_each_run(&mut a.rest, f);
    }

    #[inline(always)]
    fn zip_runs<const K: usize, F: FnMut(&mut [T], &[T], [&mut [T]; K])>(
        a: &mut Self,
        g: &Self,
        mut states: [&mut Self; K],
        f: &mut F,
    ) {
        f(
            GenericArray::slice_from_chunks_mut(&mut a.weights),
            GenericArray::slice_from_chunks(&g.weights),
            states
                .each_mut()
                .map(|s| GenericArray::slice_from_chunks_mut(&mut s.weights)),
        );
        f(
            &mut a.bias,
            &g.bias,
            states.each_mut().map(|s| &mut s.bias[..]),
        );
        R::zip_runs(&mut a.rest, &g.rest, states.map(|s| &mut s.rest), f);
    }

    fn layer_shape(i: usize) -> Option<LayerShape> {
        match i {
            0 => None,
            1 => Some(LayerShape {
                inputs: I::USIZE,
                outputs: O::USIZE,
                activation: A::NAME,
            }),
            _ => R::layer_shape(i - 1),
        }
    }

    fn layer(&self, i: usize) -> Option<LayerRef<'_, T>> {
        match i {
            0 => None,
            1 => Some(self.view()),
            _ => self.rest.layer(i - 1),
        }
    }

    fn layer_mut(&mut self, i: usize) -> Option<LayerMut<'_, T>> {
        match i {
            0 => None,
            1 => Some(LayerMut {
                weights: GenericArray::slice_from_chunks_mut(&mut self.weights),
                bias: &mut self.bias,
                inputs: I::USIZE,
                outputs: O::USIZE,
                activation: A::NAME,
                init: A::INIT,
            }),
            _ => self.rest.layer_mut(i - 1),
        }
    }

    fn trace_layer<const B: usize>(
        trace: &Self::Trace<B>,
        s: usize,
        i: usize,
    ) -> Option<LayerTrace<'_, T>> {
        match i {
            0 => None,
            1 => Some(LayerTrace {
                z: trace.z.get(s)?,
                a: trace.a.get(s)?,
                xi: trace.xi.get(s)?,
            }),
            _ => R::trace_layer(&trace.rest, s, i - 1),
        }
    }
}
