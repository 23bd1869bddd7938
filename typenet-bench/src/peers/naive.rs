//! The textbook MLP: `Vec<f32>` buffers allocated once, shapes known only at run time,
//! one sample at a time, plain loops (one running sum per dot product), and the
//! backward pass and SGD update written out.

use super::Peer;
use crate::workload::{Act, Data, LossKind, split_layers};
use std::hint::black_box;

struct Layer {
    inputs: usize,
    outputs: usize,
    act: Act,
    /// `outputs × inputs`, row-major.
    w: Vec<f32>,
    b: Vec<f32>,
    gw: Vec<f32>,
    gb: Vec<f32>,
    z: Vec<f32>,
    a: Vec<f32>,
    /// δ = ∂E/∂z of this layer, for the current sample.
    delta: Vec<f32>,
}

pub struct NaivePeer {
    layers: Vec<Layer>,
    loss: LossKind,
    learning_rate: f32,
    forward_x: Vec<f32>,
    train_x: Vec<f32>,
    /// One-hot for softmax cross-entropy.
    train_t: Vec<f32>,
}

impl NaivePeer {
    pub fn new(data: &Data) -> Self {
        let spec = data.spec;
        let layers = split_layers(spec.sizes, &data.params)
            .into_iter()
            .zip(spec.sizes.windows(2))
            .zip(spec.acts)
            .map(|(((w, b), size), &act)| Layer {
                inputs: size[0],
                outputs: size[1],
                act,
                w: w.to_vec(),
                b: b.to_vec(),
                gw: vec![0.0; w.len()],
                gb: vec![0.0; b.len()],
                z: vec![0.0; size[1]],
                a: vec![0.0; size[1]],
                delta: vec![0.0; size[1]],
            })
            .collect();
        NaivePeer {
            layers,
            loss: spec.loss,
            learning_rate: spec.learning_rate,
            forward_x: data.forward_x.clone(),
            train_x: data.train_x.clone(),
            train_t: data.target_values(),
        }
    }

    fn input_size(&self) -> usize {
        self.layers[0].inputs
    }

    fn output_size(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs
    }

    /// Fills z and a of every layer for input `x`.
    fn forward_sample(layers: &mut [Layer], x: &[f32]) {
        for l in 0..layers.len() {
            let (before, after) = layers.split_at_mut(l);
            let input = match before.last() {
                Some(prev) => &prev.a[..],
                None => x,
            };
            let layer = &mut after[0];
            for k in 0..layer.outputs {
                let row = &layer.w[k * layer.inputs..(k + 1) * layer.inputs];
                let mut s = layer.b[k];
                for (w, x) in row.iter().zip(input) {
                    s += w * x;
                }
                layer.z[k] = s;
            }
            activate(layer.act, &layer.z, &mut layer.a);
        }
    }

    /// Adds this sample's ∂E/∂W and ∂E/∂b into gw, gb. On entry the output layer's
    /// δ holds the seed: ∂E/∂a^N (MSE) or ξ^N (softmax cross-entropy), already divided
    /// by the batch size.
    fn backward_sample(layers: &mut [Layer], x: &[f32], loss: LossKind) {
        let last = layers.len() - 1;
        {
            let out = &mut layers[last];
            if loss == LossKind::MeanSquaredError {
                // δ holds ∂E/∂a^N here; multiply by φ'(z^N).
                for k in 0..out.outputs {
                    out.delta[k] *= derivative(out.act, out.z[k], out.a[k]);
                }
            }
        }
        for l in (0..=last).rev() {
            let (before, after) = layers.split_at_mut(l);
            let layer = &mut after[0];
            let input = match before.last() {
                Some(prev) => &prev.a[..],
                None => x,
            };
            for k in 0..layer.outputs {
                let d = layer.delta[k];
                layer.gb[k] += d;
                let row = &mut layer.gw[k * layer.inputs..(k + 1) * layer.inputs];
                for (g, x) in row.iter_mut().zip(input) {
                    *g += d * x;
                }
            }
            if let Some(prev) = before.last_mut() {
                // δ^{l−1} = φ'(z^{l−1}) ⊙ (W^l)ᵀ δ^l.
                prev.delta.iter_mut().for_each(|d| *d = 0.0);
                for k in 0..layer.outputs {
                    let d = layer.delta[k];
                    let row = &layer.w[k * layer.inputs..(k + 1) * layer.inputs];
                    for (p, w) in prev.delta.iter_mut().zip(row) {
                        *p += w * d;
                    }
                }
                for j in 0..prev.outputs {
                    prev.delta[j] *= derivative(prev.act, prev.z[j], prev.a[j]);
                }
            }
        }
    }

    fn train_step(&mut self) {
        let (m0, mn) = (self.input_size(), self.output_size());
        let batch = self.train_x.len() / m0;
        for layer in &mut self.layers {
            layer.gw.iter_mut().for_each(|g| *g = 0.0);
            layer.gb.iter_mut().for_each(|g| *g = 0.0);
        }
        let x_all = black_box(&self.train_x);
        for s in 0..batch {
            let x = &x_all[s * m0..(s + 1) * m0];
            let t = &self.train_t[s * mn..(s + 1) * mn];
            Self::forward_sample(&mut self.layers, x);
            let out = self.layers.last_mut().expect("at least one layer");
            let inv_batch = 1.0 / batch as f32;
            // ∂E/∂a^N = 2 (a − t) / M_N for MSE, ξ^N = a − t for softmax cross-entropy,
            // both averaged over the batch.
            let scale = match self.loss {
                LossKind::MeanSquaredError => 2.0 / mn as f32 * inv_batch,
                LossKind::SoftmaxCrossEntropy => inv_batch,
            };
            for ((d, a), t) in out.delta.iter_mut().zip(&out.a).zip(t) {
                *d = scale * (a - t);
            }
            Self::backward_sample(&mut self.layers, x, self.loss);
        }
        let lr = self.learning_rate;
        for layer in &mut self.layers {
            for (w, g) in layer.w.iter_mut().zip(&layer.gw) {
                *w -= lr * g;
            }
            for (b, g) in layer.b.iter_mut().zip(&layer.gb) {
                *b -= lr * g;
            }
        }
    }
}

pub fn activate(act: Act, z: &[f32], a: &mut [f32]) {
    match act {
        Act::Identity => a.copy_from_slice(z),
        Act::Tanh => a.iter_mut().zip(z).for_each(|(a, z)| *a = z.tanh()),
        Act::Sigmoid => a
            .iter_mut()
            .zip(z)
            .for_each(|(a, z)| *a = 1.0 / (1.0 + (-z).exp())),
        Act::ReLU => a.iter_mut().zip(z).for_each(|(a, &z)| *a = z.max(0.0)),
        Act::Softmax => {
            let max = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let mut sum = 0.0;
            for (a, z) in a.iter_mut().zip(z) {
                *a = (z - max).exp();
                sum += *a;
            }
            a.iter_mut().for_each(|a| *a /= sum);
        }
    }
}

/// φ'(z) for an element-wise φ, from z and a = φ(z).
pub fn derivative(act: Act, z: f32, a: f32) -> f32 {
    match act {
        Act::Identity => 1.0,
        Act::Tanh => 1.0 - a * a,
        Act::Sigmoid => a * (1.0 - a),
        Act::ReLU => {
            if z > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Act::Softmax => unreachable!("softmax is only used fused with cross-entropy"),
    }
}

impl Peer for NaivePeer {
    fn name(&self) -> &'static str {
        "naive"
    }

    fn forward(&mut self, iters: u64) {
        let m0 = self.input_size();
        for _ in 0..iters {
            let xs = black_box(&self.forward_x);
            for x in xs.chunks_exact(m0) {
                Self::forward_sample(&mut self.layers, x);
                black_box(&self.layers.last().expect("a layer").a);
            }
        }
    }

    fn forward_chained(&mut self, iters: u64) -> f32 {
        let mut x = self.forward_x[..self.input_size()].to_vec();
        let mut y0 = f32::NAN;
        for _ in 0..iters {
            Self::forward_sample(&mut self.layers, &x);
            let y = &self.layers.last().expect("a layer").a;
            y0 = y[0];
            x[0] += super::feedback(y);
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
        let m0 = self.input_size();
        let mut out = Vec::new();
        for x in self.forward_x.clone().chunks_exact(m0) {
            Self::forward_sample(&mut self.layers, x);
            out.extend_from_slice(&self.layers.last().expect("a layer").a);
        }
        out
    }

    fn params(&mut self) -> Vec<f32> {
        let mut p = Vec::new();
        for layer in &self.layers {
            p.extend_from_slice(&layer.w);
            p.extend_from_slice(&layer.b);
        }
        p
    }

    fn reset(&mut self, params: &[f32]) {
        let mut rest = params;
        for layer in &mut self.layers {
            let (w, tail) = rest.split_at(layer.w.len());
            let (b, tail) = tail.split_at(layer.b.len());
            layer.w.copy_from_slice(w);
            layer.b.copy_from_slice(b);
            rest = tail;
        }
    }
}
