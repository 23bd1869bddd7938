//! typenet as a user would call it for inference and training: inference on a
//! `Packed` copy of the network (its weights packed once into column tiles),
//! `Packed::forward` per sample and `Packed::forward_batch` for a batch, and
//! `Trainer::step` with `Sgd` and a typenet loss per mini-batch on the network itself,
//! in blocks of [`BLOCK`] samples.

use super::Peer;
use crate::workload::{Data, Targets};
use std::hint::black_box;
use typenet::generic_array::{ArrayLength, GenericArray};
use typenet::loss::Loss;
use typenet::optim::Sgd;
use typenet::train::Trainer;
use typenet::{Arr, BoxedNetwork, Network, Packed};

/// The trainer's block size: 32, the batch, what `Trainer::with_block_size` documents
/// for batches of 32 or more on x86-64 (the AVX-512 kernels put 16 samples of a block
/// in the lanes of a register, and read and write ∂E/∂W once per block: blocks of 32
/// trained W4 11 % faster than blocks of 16). The default, 4, suits small batches and
/// microcontrollers. Results are the same bits for every size.
pub const BLOCK: usize = 32;

/// The parallel trainer's block size: 16, so that each of its two threads' 16 samples
/// of a batch of 32 make one block.
pub const PARALLEL_BLOCK: usize = 16;

/// A training target typenet's losses take: `Arr<f32, M_N>` for MSE, `usize` for
/// softmax cross-entropy.
pub trait MakeTargets: Sized {
    fn make(targets: &Targets) -> Vec<Self>;
}

impl MakeTargets for usize {
    fn make(targets: &Targets) -> Vec<Self> {
        match targets {
            Targets::Classes(c) => c.clone(),
            Targets::Values(_) => panic!("class-index targets expected"),
        }
    }
}

impl<M: ArrayLength> MakeTargets for Arr<f32, M> {
    fn make(targets: &Targets) -> Vec<Self> {
        match targets {
            Targets::Values(v) => samples(v),
            Targets::Classes(_) => panic!("value targets expected"),
        }
    }
}

fn samples<M: ArrayLength>(flat: &[f32]) -> Vec<Arr<f32, M>> {
    flat.chunks_exact(M::USIZE)
        .map(|s| GenericArray::from_slice(s).clone())
        .collect()
}

/// The network and the trainer live on the heap (`boxed_from_params`, `Box<Trainer>`),
/// so W3 and W4 never sit in a stack frame of the timing loop.
pub struct TypenetPeer<N, L, Tg>
where
    N: Network<f32> + BoxedNetwork<f32>,
{
    pub(super) net: Box<N>,
    /// A second copy of the parameters, packed for inference.
    packed: Packed<f32, N>,
    trainer: Box<Trainer<f32, N, Sgd<f32, N>, BLOCK>>,
    pub(super) loss: L,
    forward_x: Vec<Arr<f32, N::Input>>,
    /// The outputs of `forward_batch`, allocated once.
    forward_y: Vec<Arr<f32, N::Output>>,
    pub(super) train_x: Vec<Arr<f32, N::Input>>,
    pub(super) train_t: Vec<Tg>,
}

impl<N, L, Tg> TypenetPeer<N, L, Tg>
where
    N: Network<f32> + BoxedNetwork<f32>,
    Tg: MakeTargets,
{
    pub fn new(data: &Data, loss: L) -> Self {
        let net = N::boxed_from_params(&data.params).expect("parameter count");
        // `Trainer::new` builds the gradient and the SGD state (two networks) in its
        // own frame before the move into the box: the caller runs on a large stack.
        let trainer = Box::new(Trainer::with_block_size(Sgd::new(data.spec.learning_rate)));
        let packed = Packed::from_box(N::boxed_from_params(&data.params).expect("parameter count"));
        TypenetPeer {
            net,
            packed,
            trainer,
            loss,
            forward_x: samples(&data.forward_x),
            forward_y: vec![Arr::default(); samples::<N::Input>(&data.forward_x).len()],
            train_x: samples(&data.train_x),
            train_t: Tg::make(&data.train_t),
        }
    }
}

impl<N, L, Tg> Peer for TypenetPeer<N, L, Tg>
where
    N: Network<f32> + BoxedNetwork<f32>,
    L: Loss<f32, N, Tg>,
{
    fn name(&self) -> &'static str {
        "typenet"
    }

    fn forward(&mut self, iters: u64) {
        for _ in 0..iters {
            // One sample: `forward`; a batch: `forward_batch` (blocks of 16 samples).
            if let [x] = &self.forward_x[..] {
                black_box(self.packed.forward(black_box(x)));
            } else {
                self.packed
                    .forward_batch(black_box(&self.forward_x), &mut self.forward_y)
                    .expect("as many outputs as inputs");
                black_box(&self.forward_y);
            }
        }
    }

    fn forward_chained(&mut self, iters: u64) -> f32 {
        let mut x = self.forward_x[0].clone();
        let mut y0 = f32::NAN;
        for _ in 0..iters {
            let y = self.packed.forward(&x);
            y0 = y[0];
            x[0] += super::feedback(&y);
        }
        black_box(x);
        y0
    }

    fn train(&mut self, iters: u64) {
        for _ in 0..iters {
            let batch = black_box(&self.train_x).iter().zip(&self.train_t);
            let loss = self
                .trainer
                .step(&mut self.net, &self.loss, batch)
                .expect("typenet training step");
            black_box(loss);
        }
    }

    /// What the timed calls give: `Packed::forward` for one sample, `forward_batch`
    /// for a batch.
    fn outputs(&mut self) -> Vec<f32> {
        if let [x] = &self.forward_x[..] {
            return self.packed.forward(x).to_vec();
        }
        self.packed
            .forward_batch(&self.forward_x, &mut self.forward_y)
            .expect("as many outputs as inputs");
        self.forward_y.iter().flat_map(|y| y.to_vec()).collect()
    }

    fn params(&mut self) -> Vec<f32> {
        self.net.params().copied().collect()
    }

    fn reset(&mut self, params: &[f32]) {
        self.net.set_params(params).expect("parameter count");
        self.packed = Packed::from_box(N::boxed_from_params(params).expect("parameter count"));
    }
}
