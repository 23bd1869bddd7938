//! [`Dense`]: a fully-connected layer together with the rest of the network after it.

use crate::net::activation::Activation;
use crate::net::arr::{Arr, Matrix};
use crate::net::count::{LayerParamCount, Successor};
use crate::net::layers::{End, Layers, Seed};
use crate::net::trace::{DenseBlockTrace, DenseTrace};
use crate::net::view::{LayerMut, LayerRef, LayerShape, LayerTrace};
use crate::num::kernel;
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
    /// b^i.
    pub bias: Arr<T, O>,
    /// φ_i.
    pub activation: A,
    /// Layers i+1..N.
    pub rest: R,
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
    /// mirror `kernel::{affine, outer, transpose}` on purpose: routing small layers
    /// through the slice kernels (even fully inlined) made the Cortex-M4F's XOR training
    /// step 8–16 % slower (`embedded/measure.sh`: Adam 17 652 → 19 138 instructions,
    /// SGD 9 219 → 10 725).
    const SMALL: bool = I::USIZE * O::USIZE < kernel::DISPATCH_MIN_WEIGHTS;

    /// z = W x + b.
    #[inline]
    fn affine(&self, x: &Arr<T, I>) -> Arr<T, O> {
        if Self::SMALL {
            let mut z = self.bias.clone();
            for (z, row) in z.iter_mut().zip(self.weights.iter()) {
                *z += kernel::dot(row, x);
            }
            return z;
        }
        let mut z = Arr::<T, O>::default();
        T::affine_kernel(self.w(), &self.bias, [x], [&mut z]);
        z
    }

    /// z_s = W x_s + b for `B` samples, each weight row read once for all of them;
    /// every z_s is bit for bit [`affine`](Self::affine)`(x_s)`.
    #[inline]
    fn affine_block<const B: usize>(&self, xs: [&Arr<T, I>; B], zs: &mut [Arr<T, O>; B]) {
        if Self::SMALL {
            for z in zs.iter_mut() {
                z.clone_from(&self.bias);
            }
            for (k, row) in self.weights.iter().enumerate() {
                for (z, x) in zs.iter_mut().zip(xs) {
                    z[k] += kernel::dot(row, x);
                }
            }
            return;
        }
        T::affine_kernel(
            self.w(),
            &self.bias,
            xs.map(|x| &x[..]),
            zs.each_mut().map(|z| &mut z[..]),
        );
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
        Dense {
            weights: self.weights.clone(),
            bias: self.bias.clone(),
            activation: self.activation,
            rest: self.rest.clone(),
        }
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
    type Trace = DenseTrace<T, O, R::Trace>;
    type OutputActivation<Prev: Activation<T>> = R::OutputActivation<A>;
    const FINGERPRINT_STATE: u64 =
        crate::net::fingerprint::fnv_layer(R::FINGERPRINT_STATE, I::USIZE, O::USIZE, A::NAME);

    fn zeroed() -> Self {
        Dense {
            weights: GenericArray::default(),
            bias: GenericArray::default(),
            activation: A::default(),
            rest: R::zeroed(),
        }
    }

    #[inline]
    fn run(&self, x: &Arr<T, I>) -> Arr<T, R::Output> {
        let z = self.affine(x);
        let mut a = Arr::<T, O>::default();
        self.activation.forward(&z, &mut a);
        self.rest.run(&a)
    }

    fn run_hooked<F: FnMut(usize, &mut [T])>(
        &self,
        first: usize,
        x: &Arr<T, I>,
        hook: &mut F,
    ) -> Arr<T, R::Output> {
        let mut z = self.affine(x);
        hook(first, &mut z);
        let mut a = Arr::<T, O>::default();
        self.activation.forward(&z, &mut a);
        self.rest.run_hooked(first + 1, &a, hook)
    }

    #[inline]
    fn run_traced(&self, x: &Arr<T, I>, trace: &mut Self::Trace) {
        trace.z = self.affine(x);
        self.activation.forward(&trace.z, &mut trace.a);
        self.rest.run_traced(&trace.a, &mut trace.rest);
    }

    type BlockTrace<const B: usize> = DenseBlockTrace<T, O, R::BlockTrace<B>, B>;

    fn new_block_trace<const B: usize>() -> Self::BlockTrace<B> {
        DenseBlockTrace::new(R::new_block_trace::<B>())
    }

    #[inline]
    fn run_block<const B: usize>(&self, xs: [&Arr<T, I>; B]) -> [Arr<T, R::Output>; B] {
        let mut zs: [Arr<T, O>; B] = core::array::from_fn(|_| Arr::default());
        self.affine_block(xs, &mut zs);
        let mut activations: [Arr<T, O>; B] = core::array::from_fn(|_| Arr::default());
        for (a, z) in activations.iter_mut().zip(&zs) {
            self.activation.forward(z, a);
        }
        self.rest.run_block(activations.each_ref())
    }

    #[inline]
    fn run_traced_block<const B: usize>(
        &self,
        xs: [&Arr<T, I>; B],
        trace: &mut Self::BlockTrace<B>,
    ) {
        self.affine_block(xs, &mut trace.z);
        for (a, z) in trace.a.iter_mut().zip(&trace.z) {
            self.activation.forward(z, a);
        }
        self.rest
            .run_traced_block(trace.a.each_ref(), &mut trace.rest);
    }

    #[inline]
    fn traced_block_output<'a, const B: usize>(
        trace: &'a Self::BlockTrace<B>,
        _: &'a [Arr<T, I>; B],
    ) -> &'a [Arr<T, R::Output>; B] {
        R::traced_block_output(&trace.rest, &trace.a)
    }

    #[inline]
    fn traced_block_pre_output<'a, const B: usize>(
        trace: &'a Self::BlockTrace<B>,
        _: &'a [Arr<T, I>; B],
    ) -> &'a [Arr<T, R::Output>; B] {
        R::traced_block_pre_output(&trace.rest, &trace.z)
    }

    #[inline]
    fn back_block<const B: usize>(
        &self,
        a_prev: [&Arr<T, I>; B],
        trace: &mut Self::BlockTrace<B>,
        seed_values: &[Arr<T, R::Output>; B],
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
    ) -> [Arr<T, I>; B] {
        // ∂E/∂a^i of each sample, from the layers after this one (or the seeds).
        let grad_a = self.rest.back_block(
            trace.a.each_ref(),
            &mut trace.rest,
            seed_values,
            seed,
            true,
            &mut grads.rest,
        );
        for ((xi, g), (z, a)) in trace
            .xi
            .iter_mut()
            .zip(&grad_a)
            .zip(trace.z.iter().zip(&trace.a))
        {
            if seed == Seed::Xi && <R::Depth as Unsigned>::USIZE == 0 {
                xi.clone_from(g);
            } else {
                self.activation.backward(z, a, g, xi);
            }
        }
        // ∂E/∂W^i += ξ^i (a^{i−1})ᵀ and ∂E/∂b^i += ξ^i, sample after sample within each
        // entry, so every entry sums in the same order as the per-sample path.
        if Self::SMALL {
            for (k, (row, b)) in grads
                .weights
                .iter_mut()
                .zip(grads.bias.iter_mut())
                .enumerate()
            {
                for (xi, a) in trace.xi.iter().zip(a_prev) {
                    let xi = xi[k];
                    *b += xi;
                    for (w, &a) in row.iter_mut().zip(a.iter()) {
                        *w += xi * a;
                    }
                }
            }
        } else {
            T::outer_kernel(
                GenericArray::slice_from_chunks_mut(&mut grads.weights),
                &mut grads.bias,
                trace.xi.each_ref().map(|xi| &xi[..]),
                a_prev.map(|a| &a[..]),
            );
        }
        // ∂E/∂a^{i−1} = (W^i)ᵀ ξ^i for each sample.
        let mut grad_prev: [Arr<T, I>; B] = core::array::from_fn(|_| Arr::default());
        if !input_grad {
            return grad_prev;
        }
        if Self::SMALL {
            for (k, row) in self.weights.iter().enumerate() {
                for (g, xi) in grad_prev.iter_mut().zip(&trace.xi) {
                    let xi = xi[k];
                    for (g, &w) in g.iter_mut().zip(row.iter()) {
                        *g += xi * w;
                    }
                }
            }
        } else {
            T::transpose_kernel(
                self.w(),
                trace.xi.each_ref().map(|xi| &xi[..]),
                grad_prev.each_mut().map(|g| &mut g[..]),
            );
        }
        grad_prev
    }

    #[inline]
    fn traced_output<'a>(trace: &'a Self::Trace, _: &'a Arr<T, I>) -> &'a Arr<T, R::Output> {
        R::traced_output(&trace.rest, &trace.a)
    }

    #[inline]
    fn traced_pre_output<'a>(trace: &'a Self::Trace, _: &'a Arr<T, I>) -> &'a Arr<T, R::Output> {
        R::traced_pre_output(&trace.rest, &trace.z)
    }

    #[inline]
    fn back(
        &self,
        a_prev: &Arr<T, I>,
        trace: &mut Self::Trace,
        seed_value: &Arr<T, R::Output>,
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
    ) -> Arr<T, I> {
        // ∂E/∂a^i = (W^{i+1})ᵀ ξ^{i+1}, from the layers after this one (or the seed).
        let grad_a = self.rest.back(
            &trace.a,
            &mut trace.rest,
            seed_value,
            seed,
            true,
            &mut grads.rest,
        );
        if seed == Seed::Xi && <R::Depth as Unsigned>::USIZE == 0 {
            // The last layer, seeded with ξ^N itself by a fused loss.
            trace.xi.clone_from(&grad_a);
        } else {
            // ξ^i = φ'_i(z^i) ⊙ ∂E/∂a^i (a vector-Jacobian product for non-element-wise φ).
            self.activation
                .backward(&trace.z, &trace.a, &grad_a, &mut trace.xi);
        }
        // ∂E/∂W^i += ξ^i (a^{i−1})ᵀ and ∂E/∂b^i += ξ^i.
        if Self::SMALL {
            for ((row, b), &xi) in grads
                .weights
                .iter_mut()
                .zip(grads.bias.iter_mut())
                .zip(trace.xi.iter())
            {
                *b += xi;
                for (w, &a) in row.iter_mut().zip(a_prev.iter()) {
                    *w += xi * a;
                }
            }
        } else {
            T::outer_kernel(
                GenericArray::slice_from_chunks_mut(&mut grads.weights),
                &mut grads.bias,
                [&trace.xi[..]],
                [&a_prev[..]],
            );
        }
        // ∂E/∂a^{i−1} = (W^i)ᵀ ξ^i.
        let mut grad_prev = Arr::<T, I>::default();
        if !input_grad {
            return grad_prev;
        }
        if Self::SMALL {
            for (row, &xi) in self.weights.iter().zip(trace.xi.iter()) {
                for (g, &w) in grad_prev.iter_mut().zip(row.iter()) {
                    *g += xi * w;
                }
            }
        } else {
            T::transpose_kernel(self.w(), [&trace.xi[..]], [&mut grad_prev[..]]);
        }
        grad_prev
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

    fn trace_layer(trace: &Self::Trace, i: usize) -> Option<LayerTrace<'_, T>> {
        match i {
            0 => None,
            1 => Some(LayerTrace {
                z: &trace.z,
                a: &trace.a,
                xi: &trace.xi,
            }),
            _ => R::trace_layer(&trace.rest, i - 1),
        }
    }
}
