//! candle 0.11 (Hugging Face) on its CPU device, as its MLP examples use it: one
//! `candle_nn::Linear` per layer (`y = x Wᵀ + b` on a `(batch, inputs)` tensor) and the
//! activations as tensor ops (`tanh`, `relu`, `candle_nn::ops::sigmoid`,
//! `candle_nn::ops::softmax_last_dim`); for training the weights and biases are `Var`s,
//! the loss is `candle_nn::loss::mse` or `candle_nn::loss::cross_entropy` (logits and
//! `u32` class indices, averaged over the batch), and `SGD::backward_step` runs
//! `backward` and `w ← w − η ∂E/∂w`.
//!
//! Inference runs `Linear`s built on detached views of the same storage (no gradient
//! graph is recorded), the way a model loaded for inference holds plain tensors.
//!
//! Shapes are run-time values, so one non-generic type serves every workload and batch.
//! Threads: candle's matmul asks for `RAYON_NUM_THREADS` (gemm runs on rayon when it is
//! above one), its element-wise ops on 64 Ki elements or more run on its own pool of
//! `CANDLE_NUM_THREADS` (falling back to `RAYON_NUM_THREADS`) workers, and
//! `softmax_last_dim` uses rayon's global pool: `main` sets both variables to 1 and pins
//! the global pool, and [`threads`] reports what candle will use.

use super::Peer;
use crate::workload::{Act, Data, LossKind, Targets, split_layers};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Linear, Module, Optimizer, SGD};
use std::hint::black_box;

/// `(threads candle's matmul asks rayon for, workers of candle's element-wise pool)`:
/// `(1, 0)` when candle runs on the calling thread only.
pub fn threads() -> (usize, usize) {
    (
        candle_core::utils::get_num_threads(),
        candle_core::utils::barrier_pool().n_workers(),
    )
}

/// The `candle` peer: variables, the inference and training layers over them, SGD,
/// and its copy of the inputs and targets.
pub struct CandlePeer {
    /// `(W^i, b^i)` per layer, `(M_i, M_{i−1})` and `(M_i,)`: what SGD updates.
    vars: Vec<(Var, Var)>,
    /// The layers on detached views of `vars` (same storage, no autodiff), and φ_i.
    infer: Vec<(Linear, Act)>,
    /// The layers on the variables themselves, and φ_i.
    train: Vec<(Linear, Act)>,
    sgd: SGD,
    loss: LossKind,
    /// `(forward batch, M_0)`.
    forward_x: Tensor,
    /// `(train batch, M_0)`.
    train_x: Tensor,
    /// `(train batch, M_N)` values for MSE, `(train batch,)` `u32` classes for softmax
    /// cross-entropy.
    train_t: Tensor,
}

impl CandlePeer {
    pub fn new(data: &Data) -> Self {
        Self::try_new(data).expect("build the candle peer")
    }

    fn try_new(data: &Data) -> candle_core::Result<Self> {
        let spec = data.spec;
        let dev = Device::Cpu;
        let mut vars = Vec::new();
        for ((w, b), size) in split_layers(spec.sizes, &data.params)
            .into_iter()
            .zip(spec.sizes.windows(2))
        {
            vars.push((
                Var::from_slice(w, (size[1], size[0]), &dev)?,
                Var::from_slice(b, size[1], &dev)?,
            ));
        }
        let layers = |view: &dyn Fn(&Var) -> Tensor| -> Vec<(Linear, Act)> {
            vars.iter()
                .zip(spec.acts)
                .map(|((w, b), &act)| (Linear::new(view(w), Some(view(b))), act))
                .collect()
        };
        let infer = layers(&|v| v.as_detached_tensor());
        let train = layers(&|v| v.as_tensor().clone());
        let all: Vec<Var> = vars
            .iter()
            .flat_map(|(w, b)| [w.clone(), b.clone()])
            .collect();
        let sgd = SGD::new(all, f64::from(spec.learning_rate))?;
        let m0 = spec.sizes[0];
        let train_batch = data.train_x.len() / m0;
        let train_t = match &data.train_t {
            Targets::Values(v) => Tensor::from_slice(v, (train_batch, spec.outputs()), &dev)?,
            Targets::Classes(c) => {
                let c: Vec<u32> = c.iter().map(|&k| k as u32).collect();
                Tensor::from_vec(c, train_batch, &dev)?
            }
        };
        Ok(CandlePeer {
            infer,
            train,
            sgd,
            loss: spec.loss,
            forward_x: Tensor::from_slice(&data.forward_x, (data.forward_x.len() / m0, m0), &dev)?,
            train_x: Tensor::from_slice(&data.train_x, (train_batch, m0), &dev)?,
            train_t,
            vars,
        })
    }

    /// a^N for the forward batch.
    fn infer(&self) -> candle_core::Result<Tensor> {
        self.output_of(black_box(&self.forward_x).clone())
    }

    /// a^N for the inputs `a` (a^0).
    fn output_of(&self, mut a: Tensor) -> candle_core::Result<Tensor> {
        for (layer, act) in &self.infer {
            a = activate(*act, &layer.forward(&a)?)?;
        }
        Ok(a)
    }

    /// One forward pass, loss, backward pass and SGD step on the training batch;
    /// returns the loss. A softmax output layer gives its logits to the cross-entropy.
    fn train_step(&mut self) -> candle_core::Result<Tensor> {
        let mut a = black_box(&self.train_x).clone();
        let last = self.train.len() - 1;
        for (i, (layer, act)) in self.train.iter().enumerate() {
            let z = layer.forward(&a)?;
            a = if i == last && *act == Act::Softmax {
                z
            } else {
                activate(*act, &z)?
            };
        }
        let loss = match self.loss {
            LossKind::MeanSquaredError => candle_nn::loss::mse(&a, &self.train_t)?,
            LossKind::SoftmaxCrossEntropy => candle_nn::loss::cross_entropy(&a, &self.train_t)?,
        };
        self.sgd.backward_step(&loss)?;
        Ok(loss)
    }

    fn load(&mut self, params: &[f32]) -> candle_core::Result<()> {
        let mut rest = params;
        for (w, b) in &self.vars {
            let (wp, tail) = rest.split_at(w.elem_count());
            let (bp, tail) = tail.split_at(b.elem_count());
            w.set(&Tensor::from_slice(wp, w.shape(), w.device())?)?;
            b.set(&Tensor::from_slice(bp, b.shape(), b.device())?)?;
            rest = tail;
        }
        assert!(rest.is_empty(), "candle model has other sizes");
        Ok(())
    }
}

/// φ applied to a whole `(batch, M_i)` tensor.
fn activate(act: Act, z: &Tensor) -> candle_core::Result<Tensor> {
    match act {
        Act::Identity => Ok(z.clone()),
        Act::Tanh => z.tanh(),
        Act::Sigmoid => candle_nn::ops::sigmoid(z),
        Act::ReLU => z.relu(),
        Act::Softmax => candle_nn::ops::softmax_last_dim(z),
    }
}

/// Every value of `t`, row-major, as `f32`.
fn values(t: &Tensor) -> Vec<f32> {
    t.flatten_all()
        .and_then(|t| t.to_dtype(DType::F32))
        .and_then(|t| t.to_vec1())
        .expect("read a candle tensor")
}

impl Peer for CandlePeer {
    fn name(&self) -> &'static str {
        "candle"
    }

    fn forward(&mut self, iters: u64) {
        for _ in 0..iters {
            black_box(self.infer().expect("candle forward pass"));
        }
    }

    /// On the forward batch (of one sample where the bench times this pass): the output
    /// read back, the next input `x + feedback(y)` (`Tensor::affine`, on every entry).
    fn forward_chained(&mut self, iters: u64) -> f32 {
        let mut x = self.forward_x.clone();
        let mut y0 = f32::NAN;
        for _ in 0..iters {
            let y: Vec<f32> = self
                .output_of(x.clone())
                .and_then(|y| y.flatten_all())
                .and_then(|y| y.to_vec1())
                .expect("candle forward pass");
            y0 = y[0];
            x = x
                .affine(1.0, f64::from(super::feedback(&y)))
                .expect("candle chained input");
        }
        black_box(x);
        y0
    }

    fn train(&mut self, iters: u64) {
        for _ in 0..iters {
            black_box(self.train_step().expect("candle training step"));
        }
    }

    fn outputs(&mut self) -> Vec<f32> {
        values(&self.infer().expect("candle forward pass"))
    }

    fn params(&mut self) -> Vec<f32> {
        self.vars
            .iter()
            .flat_map(|(w, b)| [values(w.as_tensor()), values(b.as_tensor())])
            .flatten()
            .collect()
    }

    fn reset(&mut self, params: &[f32]) {
        self.load(params).expect("copy parameters into candle");
    }
}
