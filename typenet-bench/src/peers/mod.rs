//! The implementations being compared, behind one object-safe trait. The timed loops
//! run inside each implementation (`forward(iters)`, `train(iters)`), so the dynamic
//! dispatch costs one call per repeat, not one per pass.

pub mod candle_peer;
pub mod dfdx_peer;
pub mod naive;
pub mod nalgebra_peer;
pub mod typenet_parallel;
pub mod typenet_peer;

/// One implementation of one workload, holding its network, its optimizer state and
/// its copy of the inputs and targets.
pub trait Peer {
    /// The column name: "typenet", "naive", "nalgebra", "dfdx", "candle".
    fn name(&self) -> &'static str;
    /// Whether the forward pass is timed (a peer that differs from another only in
    /// training says no).
    fn times_forward(&self) -> bool {
        true
    }
    /// `iters` inference passes over the forward batch.
    fn forward(&mut self, iters: u64);
    /// `iters` inference passes of a one-sample forward batch (the bench times this pass
    /// at batch 1 only), each from the last one's output: the input's first entry plus
    /// 0 × the sum of the output's entries (the same input every time for a finite
    /// output, but the next call's first multiply-adds wait for every output of the
    /// last one, as in a control loop). One call's latency, where
    /// [`forward`](Peer::forward) lets the processor overlap independent calls.
    /// Returns the last output's first entry (for the start-up cross-check).
    fn forward_chained(&mut self, iters: u64) -> f32;
    /// `iters` training steps (forward, loss, backward, SGD) on the training batch.
    fn train(&mut self, iters: u64);
    /// a^N for every sample of the forward batch, sample-major.
    fn outputs(&mut self) -> Vec<f32>;
    /// Every parameter in the canonical order (W^i row-major, then b^i, per layer).
    fn params(&mut self) -> Vec<f32>;
    /// Sets every parameter (canonical order) back, so each timed repeat starts from the
    /// same network: training the same batch for thousands of steps would otherwise
    /// drive the numbers (and with them the cost of subnormal arithmetic) apart.
    fn reset(&mut self, params: &[f32]);
}

/// What [`Peer::forward_chained`] adds to the next input's first entry after a call that
/// gave the outputs `y`: 0 × Σ y (zero for a finite output, but a value that depends on
/// every output, which the compiler cannot drop: NaN, ±∞ and −0 are not folded).
pub fn feedback(y: &[f32]) -> f32 {
    0.0 * y.iter().sum::<f32>()
}
