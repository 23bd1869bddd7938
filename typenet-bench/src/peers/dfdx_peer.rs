//! dfdx 0.13 on its CPU device, as its examples use it: a tuple of `Linear` and
//! activation modules built with `build_module`, `forward` for inference, and for
//! training `forward_mut` on a traced input, a dfdx loss, `backward` on the tape and
//! `Sgd::update`. Softmax-output workloads are built without the final `Softmax`: the
//! forward pass applies `softmax` to the logits and training uses
//! `cross_entropy_with_logits_loss` (one-hot targets; dfdx takes no class indices).
//!
//! dfdx's matmul calls gemm with `Parallelism::Rayon(rayon::current_num_threads())`;
//! `main` pins rayon's global pool to one thread, so dfdx runs on one core like the rest.
//! `dfdx::flush_denormals_to_zero` is not called: it would change the FPU mode for
//! every peer of the process.

use super::Peer;
use crate::workload::{Data, LossKind};
use dfdx::nn::{
    BuildOnDevice, DeviceBuildExt, Module, ModuleMut, RecursiveWalker, TensorCollection,
    TensorOptions, TensorVisitor, ViewTensorMut, ViewTensorRef, ZeroGrads,
};
use dfdx::optim::{Optimizer, Sgd, SgdConfig};
use dfdx::prelude::{
    Axis, Backward, Const, Cpu, Gradients, HasShape, OwnedTape, Rank2, Shape, Tensor,
    TensorFromVec, Trace, cross_entropy_with_logits_loss, mse_loss,
};
use std::hint::black_box;

/// The model type of the peer: `M` built on the CPU in `f32`.
type Built<M> = <M as BuildOnDevice<Cpu, f32>>::Built;
/// A batch of `B` samples of `N` values, without or with a gradient tape.
type Batch<const B: usize, const N: usize> = Tensor<Rank2<B, N>, f32, Cpu>;
type TapedBatch<const B: usize, const N: usize> =
    Tensor<Rank2<B, N>, f32, Cpu, OwnedTape<f32, Cpu>>;

pub struct DfdxPeer<M, const I: usize, const O: usize, const FB: usize, const TB: usize>
where
    M: BuildOnDevice<Cpu, f32>,
{
    model: Built<M>,
    grads: Option<Gradients<f32, Cpu>>,
    sgd: Sgd<Built<M>, f32, Cpu>,
    loss: LossKind,
    forward_x: Batch<FB, I>,
    train_x: Batch<TB, I>,
    /// One-hot for cross-entropy.
    train_t: Batch<TB, O>,
}

impl<M, const I: usize, const O: usize, const FB: usize, const TB: usize> DfdxPeer<M, I, O, FB, TB>
where
    M: BuildOnDevice<Cpu, f32>,
    Built<M>: TensorCollection<f32, Cpu>,
{
    pub fn new(data: &Data) -> Self {
        let spec = data.spec;
        assert_eq!((data.forward_batch, spec.train_batch), (FB, TB));
        let dev = Cpu::default();
        let mut model = dev.build_module::<M, f32>();
        load(&mut model, &data.params);
        let grads = Some(model.alloc_grads());
        let sgd = Sgd::new(
            &model,
            SgdConfig {
                lr: f64::from(spec.learning_rate),
                momentum: None,
                weight_decay: None,
            },
        );
        DfdxPeer {
            model,
            grads,
            sgd,
            loss: spec.loss,
            forward_x: dev.tensor_from_vec(data.forward_x.clone(), (Const, Const)),
            train_x: dev.tensor_from_vec(data.train_x.clone(), (Const, Const)),
            train_t: dev.tensor_from_vec(data.target_values(), (Const, Const)),
        }
    }
}

/// Copies `params` (canonical order) into the model's tensors.
fn load<T: TensorCollection<f32, Cpu>>(model: &mut T, params: &[f32]) {
    let mut loader = Loader { params, at: 0 };
    T::iter_tensors(&mut RecursiveWalker {
        m: model,
        f: &mut loader,
    })
    .expect("copy parameters into dfdx");
    assert_eq!(loader.at, params.len(), "dfdx model has other sizes");
}

impl<M, const I: usize, const O: usize, const FB: usize, const TB: usize> DfdxPeer<M, I, O, FB, TB>
where
    M: BuildOnDevice<Cpu, f32>,
    Built<M>: TensorCollection<f32, Cpu>
        + Module<Batch<FB, I>, Output = Batch<FB, O>>
        + ModuleMut<TapedBatch<TB, I>, Output = TapedBatch<TB, O>>,
{
    fn infer(&self) -> Batch<FB, O> {
        self.output_of(black_box(self.forward_x.clone()))
    }

    /// a^N for the inputs `x`.
    fn output_of(&self, x: Batch<FB, I>) -> Batch<FB, O> {
        let y = self.model.forward(x);
        match self.loss {
            LossKind::SoftmaxCrossEntropy => y.softmax::<Axis<1>>(),
            LossKind::MeanSquaredError => y,
        }
    }

    fn train_step(&mut self) {
        let grads = self.grads.take().expect("gradients are put back");
        let x = black_box(self.train_x.clone()).traced(grads);
        let y = self.model.forward_mut(x);
        let loss = match self.loss {
            LossKind::MeanSquaredError => mse_loss(y, self.train_t.clone()),
            LossKind::SoftmaxCrossEntropy => {
                cross_entropy_with_logits_loss(y, self.train_t.clone())
            }
        };
        let mut grads = loss.backward();
        self.sgd
            .update(&mut self.model, &grads)
            .expect("dfdx SGD update");
        self.model.zero_grads(&mut grads);
        self.grads = Some(grads);
    }
}

impl<M, const I: usize, const O: usize, const FB: usize, const TB: usize> Peer
    for DfdxPeer<M, I, O, FB, TB>
where
    M: BuildOnDevice<Cpu, f32>,
    Built<M>: TensorCollection<f32, Cpu>
        + Module<Batch<FB, I>, Output = Batch<FB, O>>
        + ModuleMut<TapedBatch<TB, I>, Output = TapedBatch<TB, O>>,
{
    fn name(&self) -> &'static str {
        "dfdx"
    }

    fn forward(&mut self, iters: u64) {
        for _ in 0..iters {
            black_box(self.infer());
        }
    }

    /// On the forward batch (of one sample where the bench times this pass): the
    /// input tensor's first entry rewritten in place after each call.
    fn forward_chained(&mut self, iters: u64) -> f32 {
        let mut x = self.forward_x.clone();
        let mut host = x.as_vec();
        let mut y0 = f32::NAN;
        for _ in 0..iters {
            let y = self.output_of(x.clone()).as_vec();
            y0 = y[0];
            host[0] += super::feedback(&y);
            x.copy_from(&host);
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
        self.infer().as_vec()
    }

    fn params(&mut self) -> Vec<f32> {
        let mut reader = Reader(Vec::new());
        Built::<M>::iter_tensors(&mut RecursiveWalker {
            m: &self.model,
            f: &mut reader,
        })
        .expect("read dfdx parameters");
        reader.0
    }

    fn reset(&mut self, params: &[f32]) {
        load(&mut self.model, params);
    }
}

/// Copies the canonical parameter vector into the model's tensors, which dfdx visits
/// in the same order (each `Linear`'s weight, `O × I` row-major, then its bias).
struct Loader<'a> {
    params: &'a [f32],
    at: usize,
}

impl TensorVisitor<f32, Cpu> for Loader<'_> {
    type Viewer = ViewTensorMut;
    type Err = <Cpu as dfdx::tensor::HasErr>::Err;
    type E2 = f32;
    type D2 = Cpu;

    fn visit<S: Shape>(
        &mut self,
        _opts: TensorOptions<S, f32, Cpu>,
        t: &mut Tensor<S, f32, Cpu>,
    ) -> Result<Option<Tensor<S, f32, Cpu>>, Self::Err> {
        let n = t.shape().num_elements();
        t.copy_from(&self.params[self.at..self.at + n]);
        self.at += n;
        Ok(None)
    }
}

/// Reads the model's tensors back in the canonical order.
struct Reader(Vec<f32>);

impl TensorVisitor<f32, Cpu> for Reader {
    type Viewer = ViewTensorRef;
    type Err = <Cpu as dfdx::tensor::HasErr>::Err;
    type E2 = f32;
    type D2 = Cpu;

    fn visit<S: Shape>(
        &mut self,
        _opts: TensorOptions<S, f32, Cpu>,
        t: &Tensor<S, f32, Cpu>,
    ) -> Result<Option<Tensor<S, f32, Cpu>>, Self::Err> {
        self.0.extend(t.as_vec());
        Ok(None)
    }
}
