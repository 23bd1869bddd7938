//! [`Accumulator`]: the sums of a mini-batch (Σ E and Σ ∂E/∂W^i, ∂E/∂b^i over its
//! samples), with the training records they are computed in. The first half of a
//! training step, written once for [`Trainer`](crate::train::Trainer) and for each
//! chunk of a [`ParallelTrainer`](crate::train::ParallelTrainer).

use crate::net::arr::Arr;
use crate::net::layers::Grads;
use crate::net::network::{Network, Trace, trace_forward};
use crate::num::kernel;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;
use crate::train::loss::Loss;
use crate::train::sample::Sample;

/// The records of one training pass: one sample's [`Trace`] and seed, and a block of
/// `B` samples' records and seeds. Reused from one sample (and step) to the next; no
/// heap.
pub(crate) struct Accumulator<T: Scalar, N: Network<T>, const B: usize> {
    trace: Trace<T, N>,
    seed: Arr<T, N::Output>,
    block: N::BlockTraces<B>,
    block_seeds: [Arr<T, N::Output>; B],
}

impl<T: Scalar, N: Network<T>, const B: usize> Clone for Accumulator<T, N, B> {
    fn clone(&self) -> Self {
        Accumulator {
            trace: self.trace.clone(),
            seed: self.seed.clone(),
            block: self.block.clone(),
            block_seeds: self.block_seeds.clone(),
        }
    }
}

impl<T: Scalar, N: Network<T>, const B: usize> core::fmt::Debug for Accumulator<T, N, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Accumulator")
            .field("trace", &self.trace)
            .field("seed", &self.seed)
            .field("block", &self.block)
            .field("block_seeds", &self.block_seeds)
            .finish()
    }
}

impl<T: Scalar, N: Network<T>, const B: usize> Accumulator<T, N, B> {
    /// All-zero records.
    pub(crate) fn new() -> Self {
        Accumulator {
            trace: Trace::new(),
            seed: Arr::default(),
            block: N::new_block_traces::<B>(),
            block_seeds: core::array::from_fn(|_| Arr::default()),
        }
    }

    /// Sets `grads` to the sum of the gradients of `samples` and returns the sum of
    /// their losses and their number; both sums are taken in sample order (the blocks of
    /// `B` give, bit for bit, one sample at a time: whole blocks first, the rest one by
    /// one).
    ///
    /// # Errors
    /// [`TrainError::Target`] for the first target the loss cannot score; `grads` then
    /// holds a partial sum, or its values before the call when that was the first
    /// sample or block.
    #[inline]
    pub(crate) fn sum<L, I>(
        &mut self,
        net: &N,
        loss: &L,
        samples: I,
        grads: &mut N,
    ) -> Result<(T, usize), TrainError>
    where
        I: IntoIterator,
        I::Item: Sample<T, N::Input>,
        L: Loss<T, N, <I::Item as Sample<T, N::Input>>::Target>,
    {
        // One dispatch for the whole sum (see `kernel::with_kernels`).
        kernel::with_kernels(
            #[inline(always)]
            || {
                // The first sample or block writes `grads` from zero (`Grads::after(0)`
                // is `Start`): the bits of zeroing it and adding, without a pass over it.
                let mut total = T::zero();
                let mut count = 0usize;
                let mut samples = samples.into_iter();
                if B <= 1 {
                    for sample in samples {
                        total += self.sample_step(net, loss, &sample, grads, count)?;
                        count += 1;
                    }
                } else {
                    // Whole blocks of `B` samples, then the rest one by one. The block holds the
                    // items themselves (references for `&(x, t)` items, the pairs for owned ones).
                    let mut block: [Option<I::Item>; B] = core::array::from_fn(|_| None);
                    loop {
                        let mut filled = 0;
                        for slot in &mut block {
                            *slot = samples.next();
                            if slot.is_none() {
                                break;
                            }
                            filled += 1;
                        }
                        if filled == B {
                            if let Some(first) = block.iter().flatten().next() {
                                let mut refs = [first; B];
                                for (r, sample) in refs.iter_mut().zip(block.iter().flatten()) {
                                    *r = sample;
                                }
                                self.block_step(net, loss, &refs, &mut total, grads, count)?;
                                count += B;
                            }
                        } else {
                            // Only the slots filled this time: the others hold the last block's.
                            for sample in block.iter().take(filled).flatten() {
                                total += self.sample_step(net, loss, sample, grads, count)?;
                                count += 1;
                            }
                            break;
                        }
                    }
                }
                if count == 0 {
                    // No sample: the sum of none.
                    grads.set_zero();
                }
                Ok((total, count))
            },
        )
    }

    /// Forward, loss and backward of one sample, the sum's term after `terms` samples
    /// (the first writes `grads` from zero); returns its loss.
    // On x86-64, always inlined into `kernel::with_kernels`'s function compiled for FMA.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn sample_step<L, S>(
        &mut self,
        net: &N,
        loss: &L,
        sample: &S,
        grads: &mut N,
        terms: usize,
    ) -> Result<T, TrainError>
    where
        S: Sample<T, N::Input>,
        L: Loss<T, N, S::Target>,
    {
        // Inside `sum`'s `with_kernels`.
        trace_forward(net, sample.input(), &mut self.trace);
        let z = N::trace_output_z(&self.trace);
        let a = self.trace.output();
        let e = loss.loss_and_seed(z, a, sample.target(), &mut self.seed)?;
        let mode = Grads::after(terms);
        net.accumulate_gradients(&mut self.trace, &self.seed, L::SEED, grads, mode);
        Ok(e)
    }

    /// Forward, loss and backward of a block of `B` samples, the sum's terms after
    /// `terms` samples; adds their losses to `total` in sample order (as one sample at
    /// a time would).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    #[cfg_attr(not(target_arch = "x86_64"), inline)]
    fn block_step<L, S>(
        &mut self,
        net: &N,
        loss: &L,
        block: &[&S; B],
        total: &mut T,
        grads: &mut N,
        terms: usize,
    ) -> Result<(), TrainError>
    where
        S: Sample<T, N::Input>,
        L: Loss<T, N, S::Target>,
    {
        let xs = block.map(|s| s.input());
        net.forward_trace_block(xs, &mut self.block);
        let zs = N::block_output_z(&self.block);
        let outs = N::block_output(&self.block);
        for (((z, a), sample), seed) in zs.iter().zip(outs).zip(block).zip(&mut self.block_seeds) {
            *total += loss.loss_and_seed(z, a, sample.target(), seed)?;
        }
        net.accumulate_gradients_block(
            xs,
            &mut self.block,
            &self.block_seeds,
            L::SEED,
            grads,
            Grads::after(terms),
        );
        Ok(())
    }
}
