//! The four workloads, as data every peer builds from: sizes, activations, loss, batch
//! sizes, and the weights, inputs and targets drawn from one fixed seed.

/// An activation, chosen at run time by the peers whose shapes are run-time values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Identity,
    Tanh,
    Sigmoid,
    ReLU,
    /// Only as the output of a network trained with [`LossKind::SoftmaxCrossEntropy`].
    Softmax,
}

/// The training loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    /// E = (1/M) Σ_k (a_k − t_k)² per sample, averaged over the batch.
    MeanSquaredError,
    /// E = −ln a_t per sample (softmax output, class-index target), averaged over the batch.
    SoftmaxCrossEntropy,
}

/// What one workload computes.
#[derive(Debug)]
pub struct Spec {
    /// "W1" .. "W4".
    pub name: &'static str,
    /// M_0, M_1, ..., M_N.
    pub sizes: &'static [usize],
    /// φ_1, ..., φ_N.
    pub acts: &'static [Act],
    pub loss: LossKind,
    /// Samples per inference pass, one set of forward rows each. The inputs are drawn
    /// for the first (the largest); a smaller batch takes its first samples, so adding a
    /// batch changes none of the numbers of the others.
    pub forward_batches: &'static [usize],
    /// Samples per training step.
    pub train_batch: usize,
    /// The SGD learning rate η.
    pub learning_rate: f32,
}

impl Spec {
    /// The batch the forward inputs are drawn for (the first of `forward_batches`).
    pub fn forward_batch(&self) -> usize {
        self.forward_batches[0]
    }

    /// M_N.
    pub fn outputs(&self) -> usize {
        self.sizes[self.sizes.len() - 1]
    }

    /// Σ_i (M_{i−1} M_i + M_i).
    pub fn params(&self) -> usize {
        self.sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    /// 2 Σ_i M_{i−1} M_i: the flops of one sample's forward pass (a multiply-add is 2).
    pub fn forward_flops(&self) -> f64 {
        2.0 * self
            .sizes
            .windows(2)
            .map(|w| (w[0] * w[1]) as f64)
            .sum::<f64>()
    }
}

use Act::{Identity, ReLU, Sigmoid, Softmax, Tanh};

pub const W1: Spec = Spec {
    name: "W1",
    sizes: &[2, 8, 8, 1],
    acts: &[Tanh, Tanh, Sigmoid],
    loss: LossKind::MeanSquaredError,
    forward_batches: &[1],
    train_batch: 1,
    learning_rate: 0.01,
};

pub const W2: Spec = Spec {
    name: "W2",
    sizes: &[16, 64, 64, 4],
    acts: &[ReLU, ReLU, Softmax],
    loss: LossKind::SoftmaxCrossEntropy,
    forward_batches: &[32, 1],
    train_batch: 32,
    learning_rate: 0.01,
};

pub const W3: Spec = Spec {
    name: "W3",
    sizes: &[784, 128, 64, 10],
    acts: &[ReLU, ReLU, Softmax],
    loss: LossKind::SoftmaxCrossEntropy,
    forward_batches: &[32, 1],
    train_batch: 32,
    learning_rate: 0.01,
};

/// The MLPerf Tiny anomaly-detection autoencoder (ReLU on every hidden layer,
/// the 8-wide bottleneck included; linear output).
pub const W4: Spec = Spec {
    name: "W4",
    sizes: &[640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640],
    acts: &[
        ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, Identity,
    ],
    loss: LossKind::MeanSquaredError,
    forward_batches: &[1],
    train_batch: 32,
    learning_rate: 0.01,
};

pub const ALL: [&Spec; 4] = [&W1, &W2, &W3, &W4];

/// Training targets, sample-major.
#[derive(Clone, Debug)]
pub enum Targets {
    /// `train_batch × M_N` values (MSE).
    Values(Vec<f32>),
    /// One class index per sample (softmax cross-entropy).
    Classes(Vec<usize>),
}

/// The numbers of one workload, identical for every peer.
#[derive(Clone, Debug)]
pub struct Data {
    pub spec: &'static Spec,
    /// Samples per inference pass: one of `spec.forward_batches`.
    pub forward_batch: usize,
    /// Every parameter in typenet's canonical order (PyTorch's): per layer W row-major
    /// (`M_i` rows of `M_{i−1}`), then b.
    pub params: Vec<f32>,
    /// `forward_batch × M_0` inputs, sample-major.
    pub forward_x: Vec<f32>,
    /// `train_batch × M_0` inputs, sample-major.
    pub train_x: Vec<f32>,
    pub train_t: Targets,
}

impl Data {
    /// Weights and biases uniform in ±1/√M_{i−1} (PyTorch's `nn.Linear` default), inputs
    /// uniform in [−1, 1], targets: values in [0, 1] for a sigmoid output, the input
    /// itself for the autoencoder, uniform class indices for softmax. The forward batch
    /// is the spec's first.
    pub fn new(spec: &'static Spec, seed: u64) -> Self {
        let mut rng = SplitMix64(seed);
        let mut params = Vec::with_capacity(spec.params());
        for w in spec.sizes.windows(2) {
            let bound = 1.0 / (w[0] as f32).sqrt();
            for _ in 0..w[0] * w[1] + w[1] {
                params.push(rng.uniform(-bound, bound));
            }
        }
        let m0 = spec.sizes[0];
        let forward_x = (0..spec.forward_batch() * m0)
            .map(|_| rng.uniform(-1.0, 1.0))
            .collect();
        let train_x: Vec<f32> = (0..spec.train_batch * m0)
            .map(|_| rng.uniform(-1.0, 1.0))
            .collect();
        let train_t = match spec.loss {
            LossKind::SoftmaxCrossEntropy => Targets::Classes(
                (0..spec.train_batch)
                    .map(|_| rng.below(spec.outputs()))
                    .collect(),
            ),
            LossKind::MeanSquaredError if spec.outputs() == m0 => Targets::Values(train_x.clone()),
            LossKind::MeanSquaredError => Targets::Values(
                (0..spec.train_batch * spec.outputs())
                    .map(|_| rng.uniform(0.0, 1.0))
                    .collect(),
            ),
        };
        Data {
            spec,
            forward_batch: spec.forward_batch(),
            params,
            forward_x,
            train_x,
            train_t,
        }
    }

    /// The same numbers with the first `batch` forward inputs only.
    pub fn with_forward_batch(mut self, batch: usize) -> Self {
        assert!(
            batch <= self.forward_batch,
            "a forward batch of {batch} from {} drawn samples",
            self.forward_batch
        );
        self.forward_x.truncate(batch * self.spec.sizes[0]);
        self.forward_batch = batch;
        self
    }

    /// The targets as `train_batch × M_N` values (class indices one-hot encoded).
    pub fn target_values(&self) -> Vec<f32> {
        match &self.train_t {
            Targets::Values(v) => v.clone(),
            Targets::Classes(c) => {
                let m = self.spec.outputs();
                let mut v = vec![0.0; c.len() * m];
                for (s, &k) in c.iter().enumerate() {
                    v[s * m + k] = 1.0;
                }
                v
            }
        }
    }
}

/// `(W^i row-major, b^i)` for each layer i, slices of `params` in the canonical order.
pub fn split_layers<'a>(sizes: &[usize], params: &'a [f32]) -> Vec<(&'a [f32], &'a [f32])> {
    let mut rest = params;
    let mut out = Vec::with_capacity(sizes.len() - 1);
    for w in sizes.windows(2) {
        let (weights, tail) = rest.split_at(w[0] * w[1]);
        let (bias, tail) = tail.split_at(w[1]);
        out.push((weights, bias));
        rest = tail;
    }
    assert!(rest.is_empty(), "parameter count does not match the sizes");
    out
}

/// SplitMix64: a tiny generator with a fixed, platform-independent sequence.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi), from the top 24 bits.
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * unit
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}
