//! nalgebra with static shapes: every layer is `SMatrix<f32, O, I>`, a batch is
//! `SMatrix<f32, I, B>` (one sample per column), and backprop is written by hand over
//! whole batches (`gemm`, `gemm_tr`). Every matrix the network owns is boxed
//! (`Box<SMatrix<..>>`): W3's first layer is 401 KB and W4's widest 328 KB, so they live
//! on the heap while keeping their static type. (nalgebra sends static shapes through
//! its own column-by-column `gemv` loops; only `DMatrix` would reach matrixmultiply.)
//!
//! A network is a nested chain like typenet's: `NaDense<I, O, B, Rest>` ... `NaEnd`.

use super::Peer;
use crate::workload::{Act, Data, LossKind};
use nalgebra::{SMatrix, SVector};
use std::hint::black_box;

/// A stack of layers taking `I` inputs, run on batches of `B` samples.
pub trait NaStack<const I: usize, const B: usize> {
    /// a^N for the batch: `SMatrix<f32, M_N, B>`.
    type Out;
    /// True for the empty stack after the last layer.
    const IS_END: bool;

    /// Builds the stack from its activations and its parameters (canonical order).
    fn build(acts: &[Act], params: &[f32]) -> Self;
    /// Records z and a of every layer for the batch `x`.
    fn forward(&mut self, x: &SMatrix<f32, I, B>);
    /// a^N after [`forward`](NaStack::forward); `x` is returned by the empty stack.
    fn output<'a>(&'a self, x: &'a SMatrix<f32, I, B>) -> &'a Self::Out;
    /// From `seed` (∂E/∂a^N, or ξ^N when `seed_is_xi`), the whole-batch gradients of
    /// every layer, and ∂E/∂x into `grad_x` when asked.
    fn backward(
        &mut self,
        x: &SMatrix<f32, I, B>,
        seed: &Self::Out,
        seed_is_xi: bool,
        grad_x: Option<&mut SMatrix<f32, I, B>>,
    );
    /// w ← w − η ∂E/∂w for every parameter.
    fn sgd(&mut self, learning_rate: f32);
    /// Appends every parameter in the canonical order.
    fn params(&self, out: &mut Vec<f32>);
    /// Overwrites every parameter from `params` (canonical order).
    fn load(&mut self, params: &[f32]);
}

/// The empty stack.
pub struct NaEnd;

impl<const I: usize, const B: usize> NaStack<I, B> for NaEnd {
    type Out = SMatrix<f32, I, B>;
    const IS_END: bool = true;

    fn build(acts: &[Act], params: &[f32]) -> Self {
        assert!(acts.is_empty() && params.is_empty(), "sizes do not match");
        NaEnd
    }
    fn forward(&mut self, _x: &SMatrix<f32, I, B>) {}
    fn output<'a>(&'a self, x: &'a SMatrix<f32, I, B>) -> &'a Self::Out {
        x
    }
    fn backward(
        &mut self,
        _x: &SMatrix<f32, I, B>,
        seed: &Self::Out,
        _seed_is_xi: bool,
        grad_x: Option<&mut SMatrix<f32, I, B>>,
    ) {
        if let Some(g) = grad_x {
            g.copy_from(seed);
        }
    }
    fn sgd(&mut self, _learning_rate: f32) {}
    fn params(&self, _out: &mut Vec<f32>) {}
    fn load(&mut self, params: &[f32]) {
        assert!(params.is_empty(), "sizes do not match");
    }
}

/// One layer, `I` → `O`, with its batch buffers, followed by `R`.
pub struct NaDense<const I: usize, const O: usize, const B: usize, R> {
    act: Act,
    w: Box<SMatrix<f32, O, I>>,
    b: SVector<f32, O>,
    z: Box<SMatrix<f32, O, B>>,
    a: Box<SMatrix<f32, O, B>>,
    /// ∂E/∂a of this layer, from the layers after it.
    grad_a: Box<SMatrix<f32, O, B>>,
    /// ξ = ∂E/∂z.
    xi: Box<SMatrix<f32, O, B>>,
    /// The layer's input batch transposed, for ∂E/∂W = ξ xᵀ.
    x_t: Box<SMatrix<f32, B, I>>,
    gw: Box<SMatrix<f32, O, I>>,
    gb: SVector<f32, O>,
    rest: R,
}

impl<const I: usize, const O: usize, const B: usize, R> NaStack<I, B> for NaDense<I, O, B, R>
where
    R: NaStack<O, B>,
{
    type Out = R::Out;
    const IS_END: bool = false;

    fn build(acts: &[Act], params: &[f32]) -> Self {
        let (w, tail) = params.split_at(O * I);
        let (b, tail) = tail.split_at(O);
        NaDense {
            act: acts[0],
            w: Box::new(SMatrix::from_row_slice(w)),
            b: SVector::from_column_slice(b),
            z: Box::new(SMatrix::zeros()),
            a: Box::new(SMatrix::zeros()),
            grad_a: Box::new(SMatrix::zeros()),
            xi: Box::new(SMatrix::zeros()),
            x_t: Box::new(SMatrix::zeros()),
            gw: Box::new(SMatrix::zeros()),
            gb: SVector::zeros(),
            rest: R::build(&acts[1..], tail),
        }
    }

    #[inline]
    fn forward(&mut self, x: &SMatrix<f32, I, B>) {
        // z = W x + b 1ᵀ
        self.z.gemm(1.0, &*self.w, x, 0.0);
        for mut col in self.z.column_iter_mut() {
            col += &self.b;
        }
        activate(self.act, &self.z, &mut self.a);
        self.rest.forward(&self.a);
    }

    fn output<'a>(&'a self, _x: &'a SMatrix<f32, I, B>) -> &'a Self::Out {
        self.rest.output(&self.a)
    }

    #[inline]
    fn backward(
        &mut self,
        x: &SMatrix<f32, I, B>,
        seed: &Self::Out,
        seed_is_xi: bool,
        grad_x: Option<&mut SMatrix<f32, I, B>>,
    ) {
        self.rest
            .backward(&self.a, seed, seed_is_xi, Some(&mut *self.grad_a));
        if R::IS_END && seed_is_xi {
            self.xi.copy_from(&*self.grad_a);
        } else {
            // ξ = φ'(z) ⊙ ∂E/∂a
            for (((xi, &g), &z), &a) in self
                .xi
                .iter_mut()
                .zip(self.grad_a.iter())
                .zip(self.z.iter())
                .zip(self.a.iter())
            {
                *xi = g * crate::peers::naive::derivative(self.act, z, a);
            }
        }
        // ∂E/∂W = ξ xᵀ, ∂E/∂b = ξ 1, ∂E/∂x = Wᵀ ξ (not for the input layer).
        x.transpose_to(&mut *self.x_t);
        self.gw.gemm(1.0, &*self.xi, &*self.x_t, 0.0);
        self.gb = self.xi.column_sum();
        if let Some(g) = grad_x {
            g.gemm_tr(1.0, &*self.w, &*self.xi, 0.0);
        }
    }

    fn sgd(&mut self, learning_rate: f32) {
        self.w.zip_apply(&*self.gw, |w, g| *w -= learning_rate * g);
        self.b.zip_apply(&self.gb, |b, g| *b -= learning_rate * g);
        self.rest.sgd(learning_rate);
    }

    fn params(&self, out: &mut Vec<f32>) {
        for row in self.w.row_iter() {
            out.extend(row.iter());
        }
        out.extend(self.b.iter());
        self.rest.params(out);
    }

    fn load(&mut self, params: &[f32]) {
        let (w, tail) = params.split_at(O * I);
        let (b, tail) = tail.split_at(O);
        for (k, row) in w.chunks_exact(I).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                self.w[(k, j)] = v;
            }
        }
        self.b.copy_from_slice(b);
        self.rest.load(tail);
    }
}

fn activate<const O: usize, const B: usize>(
    act: Act,
    z: &SMatrix<f32, O, B>,
    a: &mut SMatrix<f32, O, B>,
) {
    if act == Act::Softmax {
        for (zc, mut ac) in z.column_iter().zip(a.column_iter_mut()) {
            let max = zc.max();
            ac.zip_apply(&zc, |a, z| *a = (z - max).exp());
            let sum = ac.sum();
            ac /= sum;
        }
    } else {
        crate::peers::naive::activate(act, z.as_slice(), a.as_mut_slice());
    }
}

/// The `nalgebra` peer: one network instance of batch `FB` for inference and one of
/// batch `TB` for training, built from the same parameters.
pub struct NalgebraPeer<const I: usize, const O: usize, const FB: usize, const TB: usize, F, T> {
    forward_net: F,
    train_net: T,
    loss: LossKind,
    learning_rate: f32,
    forward_x: Box<SMatrix<f32, I, FB>>,
    train_x: Box<SMatrix<f32, I, TB>>,
    /// Targets, one sample per column (one-hot for cross-entropy).
    train_t: Box<SMatrix<f32, O, TB>>,
    seed: Box<SMatrix<f32, O, TB>>,
}

impl<const I: usize, const O: usize, const FB: usize, const TB: usize, F, T>
    NalgebraPeer<I, O, FB, TB, F, T>
where
    F: NaStack<I, FB, Out = SMatrix<f32, O, FB>>,
    T: NaStack<I, TB, Out = SMatrix<f32, O, TB>>,
{
    pub fn new(data: &Data) -> Self {
        let spec = data.spec;
        assert_eq!((data.forward_batch, spec.train_batch), (FB, TB));
        NalgebraPeer {
            forward_net: F::build(spec.acts, &data.params),
            train_net: T::build(spec.acts, &data.params),
            loss: spec.loss,
            learning_rate: spec.learning_rate,
            forward_x: Box::new(SMatrix::from_column_slice(&data.forward_x)),
            train_x: Box::new(SMatrix::from_column_slice(&data.train_x)),
            train_t: Box::new(SMatrix::from_column_slice(&data.target_values())),
            seed: Box::new(SMatrix::zeros()),
        }
    }

    fn train_step(&mut self) {
        let x = black_box(&*self.train_x);
        self.train_net.forward(x);
        let a = self.train_net.output(x);
        let inv_batch = 1.0 / TB as f32;
        let scale = match self.loss {
            // ∂E/∂a^N = 2 (a − t) / M_N, averaged over the batch.
            LossKind::MeanSquaredError => 2.0 / O as f32 * inv_batch,
            // ξ^N = a − t, averaged over the batch.
            LossKind::SoftmaxCrossEntropy => inv_batch,
        };
        for ((s, &a), &t) in self.seed.iter_mut().zip(a.iter()).zip(self.train_t.iter()) {
            *s = scale * (a - t);
        }
        let seed_is_xi = self.loss == LossKind::SoftmaxCrossEntropy;
        self.train_net.backward(x, &self.seed, seed_is_xi, None);
        self.train_net.sgd(self.learning_rate);
    }
}

impl<const I: usize, const O: usize, const FB: usize, const TB: usize, F, T> Peer
    for NalgebraPeer<I, O, FB, TB, F, T>
where
    F: NaStack<I, FB, Out = SMatrix<f32, O, FB>>,
    T: NaStack<I, TB, Out = SMatrix<f32, O, TB>>,
{
    fn name(&self) -> &'static str {
        "nalgebra"
    }

    fn forward(&mut self, iters: u64) {
        for _ in 0..iters {
            let x = black_box(&*self.forward_x);
            self.forward_net.forward(x);
            black_box(self.forward_net.output(x));
        }
    }

    /// On the forward batch (of one sample where the bench times this pass).
    fn forward_chained(&mut self, iters: u64) -> f32 {
        let mut x = self.forward_x.clone();
        let mut y0 = f32::NAN;
        for _ in 0..iters {
            self.forward_net.forward(&x);
            let y = self.forward_net.output(&x);
            y0 = y[0];
            x[0] += super::feedback(y.as_slice());
        }
        black_box(x);
        y0
    }

    fn train(&mut self, iters: u64) {
        for _ in 0..iters {
            self.train_step();
        }
    }

    fn outputs(&mut self) -> Vec<f32> {
        self.forward_net.forward(&self.forward_x);
        self.forward_net.output(&self.forward_x).as_slice().to_vec()
    }

    fn params(&mut self) -> Vec<f32> {
        let mut out = Vec::new();
        self.train_net.params(&mut out);
        out
    }

    fn reset(&mut self, params: &[f32]) {
        self.forward_net.load(params);
        self.train_net.load(params);
    }
}
