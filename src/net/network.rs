//! [`Network`]: the public face of a whole network, implemented by every nested
//! [`Dense`] whose sizes connect.

use crate::net::activation::Activation;
use crate::net::architecture::Architecture;
use crate::net::arr::Arr;
use crate::net::compose::Append;
use crate::net::count::{LayerParamCount, Successor};
use crate::net::dense::Dense;
use crate::net::error::{BatchLengthError, InputLengthError, ParamCountError};
use crate::net::layers::sealed::Sealed;
use crate::net::layers::{AffineKernels, Grads, Layers, RowKernels, Seed};
use crate::net::view::{LayerMut, LayerRef, LayerShape, LayerTrace};
use crate::num::kernel;
use crate::num::scalar::Scalar;
use core::fmt::Debug;
use generic_array::ArrayLength;
use typenum::Unsigned;

/// The block size of [`Network::forward_batch`]: 16 where the `f32` kernels put 16
/// samples in the lanes of an AVX-512 register (x86-64 with `std`), 8 elsewhere, to keep
/// a block's activations small on the stack of a microcontroller. Results do not
/// depend on it.
const FORWARD_BLOCK: usize = if cfg!(all(feature = "std", target_arch = "x86_64")) {
    16
} else {
    8
};

/// The batch rule of [`Network::forward_batch`] (and [`Packed`](crate::Packed)'s):
/// `ys[s]` = the output of `xs[s]`, by `block` on whole blocks of [`FORWARD_BLOCK`]
/// samples and by `one` on the samples left over, or [`BatchLengthError`] (with `ys`
/// untouched) when the lengths differ.
pub(crate) fn in_blocks<T, I: ArrayLength, O: ArrayLength>(
    xs: &[Arr<T, I>],
    ys: &mut [Arr<T, O>],
    mut block: impl FnMut([&Arr<T, I>; FORWARD_BLOCK]) -> [Arr<T, O>; FORWARD_BLOCK],
    mut one: impl FnMut(&Arr<T, I>) -> Arr<T, O>,
) -> Result<(), BatchLengthError> {
    if xs.len() != ys.len() {
        return Err(BatchLengthError {
            inputs: xs.len(),
            outputs: ys.len(),
        });
    }
    let (x_blocks, x_rest) = xs.as_chunks::<FORWARD_BLOCK>();
    let (y_blocks, y_rest) = ys.as_chunks_mut::<FORWARD_BLOCK>();
    for (x, y) in x_blocks.iter().zip(y_blocks) {
        *y = block(x.each_ref());
    }
    for (x, y) in x_rest.iter().zip(y_rest) {
        *y = one(x);
    }
    Ok(())
}

/// A fully-connected network of N layers whose sizes M_0..M_N are type-level constants.
///
/// Layers are numbered as in MATH.md: layer 0 is the input a^0, layers 1..=N compute
/// `z^i = W^i a^{i−1} + b^i` and `a^i = φ_i(z^i)`; a^N is the output.
///
/// # The canonical parameter order
/// Layer by layer, i = 1..N: first W^i row-major (row k holds the M_{i−1} incoming
/// weights w^i_{k1}, ..., w^i_{kM_{i−1}} of neuron k), then b^i. This is the order in
/// which PyTorch flattens the `state_dict` of an `nn.Sequential` of `nn.Linear` layers
/// (`0.weight`, `0.bias`, `2.weight`, ...), so weights move between the two without
/// reshuffling. [`params`](Network::params), [`params_mut`](Network::params_mut),
/// [`from_params`](Network::from_params) and [`write_params`](Network::write_params) all
/// use it.
///
/// # Training
/// [`forward_trace`](Network::forward_trace) records z^i and a^i in a [`Trace`];
/// [`backward`](Network::backward), given ∂E/∂a^N, computes the error signals
/// ξ^N, ..., ξ^1 by the recurrence `ξ^i = φ'_i(z^i) ⊙ (W^{i+1})ᵀ ξ^{i+1}`, adds
/// ∂E/∂W^i = ξ^i (a^{i−1})ᵀ and ∂E/∂b^i = ξ^i into a gradient (a value of the network's
/// own type), and returns ∂E/∂a^0.
///
/// ```
/// use typenet::{network, Network, Trace};
///
/// type Net = network!(f64; 2 -> 4 Tanh -> 1 Identity);
/// let mut net = Net::from_params(&[0.25; Net::PARAMS]).unwrap();
/// let (x, t) = (Net::input([1.0, 0.5]), 2.0);
///
/// let mut trace = Trace::<f64, Net>::new();
/// let mut grads = Net::zeroed();
/// let y = net.forward_trace(&x, &mut trace)[0];
/// // E = ½(y − t)², so ∂E/∂a^N = y − t.
/// net.backward(&mut trace, &[y - t].into(), &mut grads);
/// // One step of gradient descent lowers E.
/// for (w, g) in net.params_mut().zip(grads.params()) {
///     *w -= 0.1 * g;
/// }
/// let y2 = net.forward(&x)[0];
/// assert!((y2 - t).abs() < (y - t).abs());
/// ```
///
/// # Sealed
/// Implemented by every nested [`Dense`] whose sizes connect, and by nothing else: the
/// trait's hidden items (the block passes a [`Trainer`](crate::train::Trainer) uses)
/// are the crate's own machinery and may change between versions.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a network of `{T}`",
    note = "a network is a nested `Dense<{T}, ...>` whose layer sizes connect, e.g. `network!({T}; 2 -> 8 Tanh -> 1 Sigmoid)`; its scalar type must be the one named here"
)]
pub trait Network<T: Scalar>: Sized + Clone + Debug + Sealed {
    /// M_0, the input size.
    type Input: ArrayLength;
    /// M_N, the output size.
    type Output: ArrayLength;
    /// N, the number of layers (not counting the input).
    type Depth: Unsigned;
    /// The number of parameters: Σ_i (M_{i−1} M_i + M_i).
    type ParamCount: Unsigned;
    /// φ_N, the activation of the output layer (losses fused with it name it).
    type OutputActivation: Activation<T>;

    /// M_0 as a `usize`.
    const INPUTS: usize = <Self::Input as Unsigned>::USIZE;
    /// M_N as a `usize`.
    const OUTPUTS: usize = <Self::Output as Unsigned>::USIZE;
    /// N as a `usize`.
    const DEPTH: usize = <Self::Depth as Unsigned>::USIZE;
    /// The number of parameters as a `usize`.
    const PARAMS: usize = <Self::ParamCount as Unsigned>::USIZE;

    /// Bytes of the weights and biases, PARAMS × `size_of::<T>()`: flash, for a network
    /// in a `static` ([`static_network!`](crate::static_network!)). See also
    /// [`assert_fits!`](crate::assert_fits!).
    const WEIGHT_BYTES: usize = Self::PARAMS * core::mem::size_of::<T>();
    /// Bytes of the inference working set: the largest M_{i−1} + M_i over the layers
    /// (the input and output vectors of one layer) times `size_of::<T>()`. The stack a
    /// forward pass uses is this plus the code's own frames, which depend on the target
    /// and the optimisation level (`embedded/FIGURES.md` measures both).
    const INFERENCE_BYTES: usize =
        <Self as Network<T>>::LARGEST_LAYER_IO * core::mem::size_of::<T>();
    /// Bytes of the record of one training pass, a [`Trace`] (z^i, a^i, ξ^i of every
    /// layer and the input).
    const TRACE_BYTES: usize = core::mem::size_of::<Trace<T, Self>>();
    /// Bytes of a gradient (a value of the network's own type).
    const GRADIENT_BYTES: usize = core::mem::size_of::<Self>();

    /// A network with every weight and bias zero; also the starting value of a gradient.
    ///
    /// It is built on the stack: for networks of hundreds of kilobytes use
    /// [`BoxedNetwork::new_boxed_zeroed`](crate::BoxedNetwork::new_boxed_zeroed)
    /// (feature `alloc`).
    fn zeroed() -> Self;

    /// An input vector a^0 from a plain array of M_0 values.
    ///
    /// An array of any other length does not compile ("the input array's length is not
    /// the network's input size M_0").
    ///
    /// ```
    /// use typenet::{network, Network};
    /// type Net = network!(f32; 3 -> 2 ReLU -> 1 Identity);
    /// let x = Net::input([0.5, -1.0, 2.0]);
    /// assert_eq!(x.as_slice(), &[0.5, -1.0, 2.0]);
    /// ```
    ///
    /// ```compile_fail
    /// use typenet::{network, Network};
    /// type Net = network!(f32; 3 -> 2 ReLU -> 1 Identity);
    /// // error: the input array's length is not the network's input size M_0
    /// let x = Net::input([0.5, -1.0]);
    /// ```
    ///
    /// (The check runs when the program is built, so `cargo check` does not show it;
    /// `cargo build` does.)
    #[inline]
    fn input<const M: usize>(values: [T; M]) -> Arr<T, Self::Input> {
        const {
            assert!(
                M == Self::INPUTS,
                "the input array's length is not the network's input size M_0"
            )
        };
        let mut x = Arr::<T, Self::Input>::default();
        for (slot, v) in x.iter_mut().zip(values) {
            *slot = v;
        }
        x
    }

    /// Inference: a^N for the input a^0 = `x`.
    #[inline]
    fn forward(&self, x: &Arr<T, Self::Input>) -> Arr<T, Self::Output> {
        let [y] = self.forward_block([x]);
        y
    }

    /// Inference on an input that comes as a slice at run time (a line of a file, a
    /// sensor buffer).
    ///
    /// # Errors
    /// [`InputLengthError`] unless `x.len()` is exactly [`INPUTS`](Network::INPUTS).
    ///
    /// ```
    /// use typenet::{network, Network};
    /// type Net = network!(f32; 2 -> 1 Identity);
    /// let net = Net::from_params(&[1.0, 2.0, 0.5]).unwrap();
    /// assert_eq!(net.forward_slice(&[1.0, 1.0]).unwrap()[0], 3.5);
    /// assert!(net.forward_slice(&[1.0]).is_err());
    /// ```
    fn forward_slice(&self, x: &[T]) -> Result<Arr<T, Self::Output>, InputLengthError> {
        let x = Arr::<T, Self::Input>::try_from_iter(x.iter().copied()).map_err(|_| {
            InputLengthError {
                expected: Self::INPUTS,
                found: x.len(),
            }
        })?;
        Ok(self.forward(&x))
    }

    /// Inference over a batch: `ys[s]` = a^N of `xs[s]`, computed in blocks of 16
    /// samples on x86-64 with `std` (where, with AVX-512, layers of at most 1024
    /// inputs run with the samples in the vector lanes, turned into columns in a
    /// buffer of up to 64 KiB on the stack), of 8 elsewhere (a block's activations are
    /// on the stack: 8 or 16 times one sample's); each weight row is read once for the block
    /// while it is in the fastest cache. Bit for bit what [`forward`](Network::forward)
    /// gives. For inference only, [`Packed`](crate::Packed) (feature `alloc`) gives the
    /// same bits faster on x86-64.
    ///
    /// # Errors
    /// [`BatchLengthError`] when `xs` and `ys` differ in length; `ys` is then untouched.
    fn forward_batch(
        &self,
        xs: &[Arr<T, Self::Input>],
        ys: &mut [Arr<T, Self::Output>],
    ) -> Result<(), BatchLengthError> {
        in_blocks(xs, ys, |xs| self.forward_block(xs), |x| self.forward(x))
    }

    /// The training forward pass: records a^0 = `x` and every z^i, a^i in `trace`, and
    /// returns a^N (a view into the trace).
    #[inline]
    fn forward_trace<'t>(
        &self,
        x: &Arr<T, Self::Input>,
        trace: &'t mut Trace<T, Self>,
    ) -> &'t Arr<T, Self::Output> {
        kernel::with_kernels(
            #[inline(always)]
            || trace_forward(self, x, trace),
        );
        let [y] = Self::block_output(&trace.layers);
        y
    }

    /// The backward pass after [`forward_trace`](Network::forward_trace) on the same
    /// `trace`.
    ///
    /// Given `grad_output` = ∂E/∂a^N it computes ξ^N = the vector-Jacobian product of
    /// φ_N, then ξ^i = φ'_i(z^i) ⊙ (W^{i+1})ᵀ ξ^{i+1} for i = N−1..1, storing each ξ^i
    /// in `trace` (read them with [`Trace::xi`]). It **adds** ∂E/∂W^i = ξ^i (a^{i−1})ᵀ
    /// and ∂E/∂b^i = ξ^i into `grads`, so a mini-batch accumulates in place (start from
    /// [`zeroed`](Network::zeroed) or [`set_zero`](Network::set_zero)), and returns
    /// ∂E/∂a^0 = (W^1)ᵀ ξ^1.
    #[inline]
    fn backward(
        &self,
        trace: &mut Trace<T, Self>,
        grad_output: &Arr<T, Self::Output>,
        grads: &mut Self,
    ) -> Arr<T, Self::Input> {
        let [g] = kernel::with_kernels(
            #[inline(always)]
            || {
                self.backward_block(
                    trace,
                    grad_output,
                    Seed::GradOutput,
                    true,
                    grads,
                    Grads::Add,
                )
            },
        );
        g
    }

    /// The backward pass seeded with ξ^N = ∂E/∂z^N instead of ∂E/∂a^N, for losses
    /// fused with the output activation (softmax with cross-entropy: ξ^N = a^N − t).
    /// Otherwise as [`backward`](Network::backward): stores every ξ^i (ξ^N = `xi_output`),
    /// adds the gradients into `grads`, returns ∂E/∂a^0.
    #[inline]
    fn backward_from_xi(
        &self,
        trace: &mut Trace<T, Self>,
        xi_output: &Arr<T, Self::Output>,
        grads: &mut Self,
    ) -> Arr<T, Self::Input> {
        let [g] = kernel::with_kernels(
            #[inline(always)]
            || self.backward_block(trace, xi_output, Seed::Xi, true, grads, Grads::Add),
        );
        g
    }

    /// Every parameter, in the canonical order.
    fn params(&self) -> impl Iterator<Item = &T>;

    /// Every parameter, in the canonical order, mutable.
    fn params_mut(&mut self) -> impl Iterator<Item = &mut T>;

    /// The parameters in canonical order as 2N contiguous runs: W^1 (row-major), b^1,
    /// W^2, b^2, ... Code that walks the parameters of several values of the same
    /// network type together (an optimizer with its state) zips these runs and loops
    /// over plain slices, which the compiler vectorises.
    fn param_slices(&self) -> impl Iterator<Item = &[T]>;

    /// The parameters as contiguous runs, mutable; see
    /// [`param_slices`](Network::param_slices).
    fn param_slices_mut(&mut self) -> impl Iterator<Item = &mut [T]>;

    #[doc(hidden)]
    /// Calls `f` on each run of `a`, in the order of
    /// [`param_slices_mut`](Network::param_slices_mut), each call at a run of a length
    /// known when compiling (the element-wise passes of a training step).
    fn for_each_run<F: FnMut(&mut [T])>(a: &mut Self, f: &mut F);

    #[doc(hidden)]
    /// Calls `f` on each run of `a` with the same run of `g` and of each of `states`.
    fn zip_runs<const K: usize, F: FnMut(&mut [T], &[T], [&mut [T]; K])>(
        a: &mut Self,
        g: &Self,
        states: [&mut Self; K],
        f: &mut F,
    );

    /// Builds a network from its parameters in the canonical order.
    ///
    /// # Errors
    /// [`ParamCountError`] unless `params.len()` is exactly [`PARAMS`](Network::PARAMS).
    fn from_params(params: &[T]) -> Result<Self, ParamCountError> {
        let mut net = Self::zeroed();
        net.set_params(params)?;
        Ok(net)
    }

    /// Overwrites every parameter from `params`, in the canonical order.
    ///
    /// # Errors
    /// [`ParamCountError`] unless `params.len()` is exactly [`PARAMS`](Network::PARAMS);
    /// the network is then left unchanged.
    fn set_params(&mut self, params: &[T]) -> Result<(), ParamCountError> {
        ParamCountError::check(Self::PARAMS, params.len())?;
        for (p, &v) in self.params_mut().zip(params) {
            *p = v;
        }
        Ok(())
    }

    /// Copies every parameter into `out`, in the canonical order.
    ///
    /// # Errors
    /// [`ParamCountError`] unless `out.len()` is exactly [`PARAMS`](Network::PARAMS);
    /// `out` is then left unchanged.
    fn write_params(&self, out: &mut [T]) -> Result<(), ParamCountError> {
        ParamCountError::check(Self::PARAMS, out.len())?;
        for (o, &p) in out.iter_mut().zip(self.params()) {
            *o = p;
        }
        Ok(())
    }

    /// Sets every parameter to zero (to restart a gradient accumulation).
    fn set_zero(&mut self) {
        Self::for_each_run(self, &mut |run: &mut [T]| run.fill(T::zero()));
    }

    /// The sizes and activation of layer `i` (1..=N), from the type alone.
    fn layer_shape(i: usize) -> Option<LayerShape>;

    /// The architecture in `network!` syntax (`64 -> 64 ReLU -> 10 Softmax`), for
    /// messages and reports.
    ///
    /// ```
    /// use typenet::{network, Network};
    /// type Net = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
    /// assert_eq!(Net::architecture().to_string(), "64 -> 64 ReLU -> 10 Softmax");
    /// ```
    fn architecture() -> Architecture {
        Architecture::from_layer_shapes(Self::layer_shape)
    }

    /// W^i and b^i of layer `i` (1..=N), or `None` out of range.
    fn layer(&self, i: usize) -> Option<LayerRef<'_, T>>;

    /// W^i and b^i of layer `i` (1..=N), mutable, or `None` out of range.
    fn layer_mut(&mut self, i: usize) -> Option<LayerMut<'_, T>>;

    /// Chains `next` after this network: the result is one network value (one nested
    /// type) that computes `next(self(x))`, with every parameter of `self` followed by
    /// every parameter of `next` in the canonical order.
    ///
    /// `next` must take as many inputs as this network gives outputs; otherwise the call
    /// does not compile.
    fn then<B>(self, next: B) -> <Self as Append<T, B>>::Output
    where
        B: Network<T> + Layers<T, <Self as Network<T>>::Output>,
        Self: Append<T, B>,
    {
        self.append(next)
    }

    // ---- The machinery below is hidden: the block passes that `Trainer`, the losses
    // ---- and the formats use. Each user method above is written on top of it.

    #[doc(hidden)]
    /// The architecture fingerprint state (see [`format`](crate::format)).
    const FINGERPRINT_STATE: u64;

    #[doc(hidden)]
    /// The largest M_{i−1} + M_i over the layers.
    const LARGEST_LAYER_IO: usize;

    #[doc(hidden)]
    /// The records of a training pass over a block of `B` samples.
    type BlockTraces<const B: usize>: Clone + Debug + Default + PartialEq;

    #[doc(hidden)]
    /// An all-zero block record.
    fn new_block_traces<const B: usize>() -> Self::BlockTraces<B> {
        Self::BlockTraces::<B>::default()
    }

    #[doc(hidden)]
    /// Inference for `B` samples at once, each output bit for bit what `forward` gives.
    #[inline]
    fn forward_block<const B: usize>(
        &self,
        xs: [&Arr<T, Self::Input>; B],
    ) -> [Arr<T, Self::Output>; B] {
        kernel::with_kernels(
            #[inline(always)]
            || self.forward_block_with(xs, &RowKernels),
        )
    }

    #[doc(hidden)]
    /// Inference calling `hook(i, z^i)` for i = 1..N on each pre-activation before φ_i
    /// (the numeric check of ξ^i perturbs z^i this way).
    fn forward_with_hook<F: FnMut(usize, &mut [T])>(
        &self,
        x: &Arr<T, Self::Input>,
        hook: F,
    ) -> Arr<T, Self::Output>;

    #[doc(hidden)]
    /// [`forward_block`](Network::forward_block) with z^i computed by `kernels` where
    /// it takes the layer (the packed weights of [`Packed`](crate::Packed)).
    fn forward_block_with<const B: usize, K: AffineKernels<T>>(
        &self,
        xs: [&Arr<T, Self::Input>; B],
        kernels: &K,
    ) -> [Arr<T, Self::Output>; B];

    #[doc(hidden)]
    /// The training forward pass for `B` samples at once.
    fn forward_trace_block<const B: usize>(
        &self,
        xs: [&Arr<T, Self::Input>; B],
        traces: &mut Self::BlockTraces<B>,
    );

    #[doc(hidden)]
    /// a^N of each sample of a block record.
    fn block_output<const B: usize>(traces: &Self::BlockTraces<B>) -> &[Arr<T, Self::Output>; B];

    #[doc(hidden)]
    /// z^N of each sample of a block record.
    fn block_output_z<const B: usize>(traces: &Self::BlockTraces<B>) -> &[Arr<T, Self::Output>; B];

    #[doc(hidden)]
    /// The ξ recurrence for a block recorded by `forward_trace_block` on the inputs `xs`,
    /// one seed per sample; adds the gradients into `grads` in sample order (into zero
    /// with [`Grads::Start`]) and returns ∂E/∂a^0 of each sample (zeros unless
    /// `input_grad`).
    // The recurrence's inputs, its record, its seed and what it writes, each its own
    // argument, as `Layers::back`'s.
    #[allow(clippy::too_many_arguments)]
    fn back_block<const B: usize>(
        &self,
        xs: [&Arr<T, Self::Input>; B],
        traces: &mut Self::BlockTraces<B>,
        seed_values: &[Arr<T, Self::Output>; B],
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
        mode: Grads,
    ) -> [Arr<T, Self::Input>; B];

    #[doc(hidden)]
    /// The ξ recurrence on a one-sample `trace`, as `backward` (`Seed::GradOutput`) or
    /// `backward_from_xi` (`Seed::Xi`); without ∂E/∂a^0 unless `input_grad`.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn backward_block(
        &self,
        trace: &mut Trace<T, Self>,
        seed_value: &Arr<T, Self::Output>,
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
        mode: Grads,
    ) -> [Arr<T, Self::Input>; 1] {
        let Trace { input, layers } = trace;
        self.back_block(
            [input],
            layers,
            core::array::from_ref(seed_value),
            seed,
            input_grad,
            grads,
            mode,
        )
    }

    #[doc(hidden)]
    /// Training's backward pass over a block: `back_block` without ∂E/∂a^0, which
    /// training does not need (for a wide input layer it is a third of the pass).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn accumulate_gradients_block<const B: usize>(
        &self,
        xs: [&Arr<T, Self::Input>; B],
        traces: &mut Self::BlockTraces<B>,
        seed_values: &[Arr<T, Self::Output>; B],
        seed: Seed,
        grads: &mut Self,
        mode: Grads,
    ) {
        self.back_block(xs, traces, seed_values, seed, false, grads, mode);
    }

    #[doc(hidden)]
    /// Training's backward pass over one sample (`backward_block` without ∂E/∂a^0).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn accumulate_gradients(
        &self,
        trace: &mut Trace<T, Self>,
        seed_value: &Arr<T, Self::Output>,
        seed: Seed,
        grads: &mut Self,
        mode: Grads,
    ) {
        self.backward_block(trace, seed_value, seed, false, grads, mode);
    }

    #[doc(hidden)]
    /// z^N as recorded in `trace` (see [`Trace::output_z`]).
    #[inline]
    fn trace_output_z(trace: &Trace<T, Self>) -> &Arr<T, Self::Output> {
        trace.output_z()
    }

    #[doc(hidden)]
    /// z^i, a^i and ξ^i of sample `s`, layer `i` of a block record.
    fn trace_layer<const B: usize>(
        traces: &Self::BlockTraces<B>,
        s: usize,
        i: usize,
    ) -> Option<LayerTrace<'_, T>>;
}

impl<T, I, O, A, R> Network<T> for Dense<T, I, O, A, R>
where
    T: Scalar,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
    // the bounds of `Dense: Layers<T, I>`, stated directly so its associated types
    // normalise inside this impl
    I: LayerParamCount<O, R::ParamCount>,
    R::Depth: Successor,
{
    type Input = I;
    type Output = <Self as Layers<T, I>>::Output;
    type Depth = <Self as Layers<T, I>>::Depth;
    type ParamCount = <Self as Layers<T, I>>::ParamCount;
    type OutputActivation = <Self as Layers<T, I>>::OutputActivation<A>;
    const FINGERPRINT_STATE: u64 = <Self as Layers<T, I>>::FINGERPRINT_STATE;
    const LARGEST_LAYER_IO: usize = <Self as Layers<T, I>>::LARGEST_LAYER_IO;
    type BlockTraces<const B: usize> = <Self as Layers<T, I>>::Trace<B>;

    fn zeroed() -> Self {
        <Self as Layers<T, I>>::zeroed()
    }

    fn forward_with_hook<F: FnMut(usize, &mut [T])>(
        &self,
        x: &Arr<T, I>,
        mut hook: F,
    ) -> Arr<T, Self::Output> {
        self.run_hooked(1, x, &mut hook)
    }

    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for FMA.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn forward_block_with<const B: usize, K: AffineKernels<T>>(
        &self,
        xs: [&Arr<T, I>; B],
        kernels: &K,
    ) -> [Arr<T, Self::Output>; B] {
        self.run_with(1, xs, kernels)
    }

    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for FMA.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn forward_trace_block<const B: usize>(
        &self,
        xs: [&Arr<T, I>; B],
        traces: &mut Self::BlockTraces<B>,
    ) {
        self.run_traced(xs, traces);
    }

    #[inline]
    fn block_output<const B: usize>(traces: &Self::BlockTraces<B>) -> &[Arr<T, Self::Output>; B] {
        // `Self` has at least one layer: its own activations are the previous ones
        // of the rest.
        R::traced_output(&traces.rest, &traces.a)
    }

    #[inline]
    fn block_output_z<const B: usize>(traces: &Self::BlockTraces<B>) -> &[Arr<T, Self::Output>; B] {
        R::traced_pre_output(&traces.rest, &traces.z)
    }

    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for FMA.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn back_block<const B: usize>(
        &self,
        xs: [&Arr<T, I>; B],
        traces: &mut Self::BlockTraces<B>,
        seed_values: &[Arr<T, Self::Output>; B],
        seed: Seed,
        input_grad: bool,
        grads: &mut Self,
        mode: Grads,
    ) -> [Arr<T, I>; B] {
        self.back(xs, traces, seed_values, seed, input_grad, grads, mode)
    }

    fn params(&self) -> impl Iterator<Item = &T> {
        <Self as Layers<T, I>>::params(self)
    }

    fn params_mut(&mut self) -> impl Iterator<Item = &mut T> {
        <Self as Layers<T, I>>::params_mut(self)
    }

    fn param_slices(&self) -> impl Iterator<Item = &[T]> {
        <Self as Layers<T, I>>::param_slices(self)
    }

    fn param_slices_mut(&mut self) -> impl Iterator<Item = &mut [T]> {
        <Self as Layers<T, I>>::param_slices_mut(self)
    }

    #[inline(always)]
    fn for_each_run<F: FnMut(&mut [T])>(a: &mut Self, f: &mut F) {
        <Self as Layers<T, I>>::for_each_run(a, f)
    }

    #[inline(always)]
    fn zip_runs<const K: usize, F: FnMut(&mut [T], &[T], [&mut [T]; K])>(
        a: &mut Self,
        g: &Self,
        states: [&mut Self; K],
        f: &mut F,
    ) {
        <Self as Layers<T, I>>::zip_runs(a, g, states, f)
    }

    fn layer_shape(i: usize) -> Option<LayerShape> {
        <Self as Layers<T, I>>::layer_shape(i)
    }

    fn layer(&self, i: usize) -> Option<LayerRef<'_, T>> {
        <Self as Layers<T, I>>::layer(self, i)
    }

    fn layer_mut(&mut self, i: usize) -> Option<LayerMut<'_, T>> {
        <Self as Layers<T, I>>::layer_mut(self, i)
    }

    fn trace_layer<const B: usize>(
        traces: &Self::BlockTraces<B>,
        s: usize,
        i: usize,
    ) -> Option<LayerTrace<'_, T>> {
        <Self as Layers<T, I>>::trace_layer(traces, s, i)
    }
}

/// [`Network::forward_trace`]'s work without its `kernel::with_kernels`, for callers
/// already inside one (the trainer's sum): records a^0 = `x` and runs the traced pass.
// On x86-64, always inlined into `kernel::with_kernels`'s function compiled for FMA.
#[cfg_attr(target_arch = "x86_64", inline(always))]
#[cfg_attr(not(target_arch = "x86_64"), inline)]
pub(crate) fn trace_forward<T: Scalar, N: Network<T>>(
    net: &N,
    x: &Arr<T, N::Input>,
    trace: &mut Trace<T, N>,
) {
    trace.input.clone_from(x);
    net.forward_trace_block([&trace.input], &mut trace.layers);
}

/// Everything a training forward pass of network `N` records: the input a^0 and, for
/// each layer i = 1..N, z^i, a^i and (after [`Network::backward`]) ξ^i.
///
/// Its type is derived from the network's type and it lives wherever you put it (the
/// stack, a `static`, a `Box`); it is reused from one sample to the next.
///
/// ```
/// use typenet::{network, Network, Trace};
///
/// type Net = network!(f64; 2 -> 3 Tanh -> 1 Identity);
/// let net = Net::from_params(&[0.1; 13]).unwrap();
/// let mut trace = Trace::<f64, Net>::new();
/// let x = Net::input([1.0, -1.0]);
/// let y = *net.forward_trace(&x, &mut trace);
/// assert_eq!(trace.a(2).unwrap(), &y[..]);
/// assert_eq!(trace.a(0).unwrap(), &x[..]);
/// ```
pub struct Trace<T: Scalar, N: Network<T>> {
    /// a^0, the input of the pass.
    pub input: Arr<T, N::Input>,
    /// The records of layers 1..N, nested like the network.
    #[doc(hidden)]
    pub layers: N::BlockTraces<1>,
}

impl<T: Scalar, N: Network<T>> Trace<T, N> {
    /// An all-zero record, ready for [`Network::forward_trace`].
    pub fn new() -> Self {
        Trace {
            input: Arr::default(),
            layers: N::BlockTraces::<1>::default(),
        }
    }

    /// z^i, a^i and ξ^i of layer `i` (1..=N, as in MATH.md), or `None` out of range.
    pub fn layer(&self, i: usize) -> Option<LayerTrace<'_, T>> {
        N::trace_layer(&self.layers, 0, i)
    }

    /// a^i for i in 0..=N (a^0 is the input), or `None` out of range.
    pub fn a(&self, i: usize) -> Option<&[T]> {
        if i == 0 {
            Some(&self.input)
        } else {
            self.layer(i).map(|l| l.a)
        }
    }

    /// z^i for i in 1..=N, or `None` out of range.
    pub fn z(&self, i: usize) -> Option<&[T]> {
        self.layer(i).map(|l| l.z)
    }

    /// ξ^i for i in 1..=N, or `None` out of range.
    pub fn xi(&self, i: usize) -> Option<&[T]> {
        self.layer(i).map(|l| l.xi)
    }

    /// a^N, the output of the recorded pass.
    pub fn output(&self) -> &Arr<T, N::Output> {
        let [a] = N::block_output(&self.layers);
        a
    }

    /// z^N, the output layer's pre-activation (the logits, for losses fused with φ_N).
    pub fn output_z(&self) -> &Arr<T, N::Output> {
        let [z] = N::block_output_z(&self.layers);
        z
    }
}

impl<T: Scalar, N: Network<T>> Default for Trace<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Scalar, N: Network<T>> Clone for Trace<T, N> {
    fn clone(&self) -> Self {
        Trace {
            input: self.input.clone(),
            layers: self.layers.clone(),
        }
    }
}

impl<T: Scalar, N: Network<T>> core::fmt::Debug for Trace<T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Trace")
            .field("input", &self.input)
            .field("layers", &self.layers)
            .finish()
    }
}

impl<T: Scalar, N: Network<T>> PartialEq for Trace<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input && self.layers == other.layers
    }
}
