//! typenet's data-parallel trainer: `ParallelTrainer::step` on 2 threads, with `Sgd`
//! and the same loss as the `typenet` peer (its default 2 chunks, blocks of [`PARALLEL_BLOCK`]: one per thread). Only
//! its training pass is timed; the forward pass is the `typenet` peer's.

use super::Peer;
use super::typenet_peer::{MakeTargets, PARALLEL_BLOCK, TypenetPeer};
use crate::workload::Data;
use std::hint::black_box;
use typenet::loss::Loss;
use typenet::optim::Sgd;
use typenet::train::{ParallelNetwork, ParallelTrainer};
use typenet::{BoxedNetwork, Network};

/// The threads of the parallel trainer.
pub const THREADS: usize = 2;

pub struct TypenetParallelPeer<N, L, Tg>
where
    N: Network<f32> + BoxedNetwork<f32>,
{
    /// The network, the data and the forward pass.
    inner: TypenetPeer<N, L, Tg>,
    trainer: Box<ParallelTrainer<f32, N, Sgd<f32, N>, PARALLEL_BLOCK>>,
}

impl<N, L, Tg> TypenetParallelPeer<N, L, Tg>
where
    N: ParallelNetwork<f32, PARALLEL_BLOCK>,
    Tg: MakeTargets,
{
    pub fn new(data: &Data, loss: L) -> Self {
        let trainer = ParallelTrainer::with_block_size(Sgd::new(data.spec.learning_rate))
            .with_threads(THREADS);
        TypenetParallelPeer {
            inner: TypenetPeer::new(data, loss),
            trainer: Box::new(trainer),
        }
    }
}

impl<N, L, Tg> Peer for TypenetParallelPeer<N, L, Tg>
where
    N: ParallelNetwork<f32, PARALLEL_BLOCK>,
    L: Loss<f32, N, Tg> + Sync,
    Tg: Sync,
{
    fn name(&self) -> &'static str {
        "typenet 2 threads"
    }

    fn times_forward(&self) -> bool {
        false
    }

    fn forward(&mut self, iters: u64) {
        self.inner.forward(iters);
    }

    fn forward_chained(&mut self, iters: u64) -> f32 {
        self.inner.forward_chained(iters)
    }

    fn train(&mut self, iters: u64) {
        let p = &mut self.inner;
        for _ in 0..iters {
            let batch = black_box(&p.train_x).iter().zip(&p.train_t);
            let loss = self
                .trainer
                .step(&mut p.net, &p.loss, batch)
                .expect("typenet parallel training step");
            black_box(loss);
        }
    }

    fn outputs(&mut self) -> Vec<f32> {
        self.inner.outputs()
    }

    fn params(&mut self) -> Vec<f32> {
        self.inner.params()
    }

    fn reset(&mut self, params: &[f32]) {
        self.inner.reset(params);
    }
}
