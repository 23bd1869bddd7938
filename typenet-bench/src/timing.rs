//! Interleaved timing: every peer is calibrated to a repeat of about the same wall
//! time, then repeat r runs every peer once, in an order rotated by r, so a burst of
//! machine noise lands on all of them alike. The result is the median repeat. Every
//! run starts from the workload's initial parameters (`Peer::reset`, not timed).

use crate::peers::Peer;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Forward,
    /// One sample, each call's input made from the last call's output: a call's
    /// latency (see [`Peer::forward_chained`]).
    Chained,
    Train,
}

impl Pass {
    /// `iters` iterations of this pass by `peer`.
    pub fn run(self, peer: &mut dyn Peer, iters: u64) {
        match self {
            Pass::Forward => peer.forward(iters),
            Pass::Chained => {
                peer.forward_chained(iters);
            }
            Pass::Train => peer.train(iters),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Pass::Forward => "forward",
            Pass::Chained => "chained",
            Pass::Train => "train",
        }
    }
}

/// How long to measure.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Wall time of one repeat of one peer, in nanoseconds.
    pub repeat_ns: f64,
    /// Timed repeats per peer (after one warm-up repeat).
    pub repeats: usize,
}

/// One peer's result on one pass.
#[derive(Clone, Debug)]
pub struct Timing {
    pub peer: &'static str,
    /// Median over the repeats.
    pub ns_per_sample: f64,
    /// (slowest − fastest repeat) / median.
    pub spread: f64,
    /// Iterations per repeat (each iteration is one batch).
    pub iters: u64,
}

fn run(peer: &mut dyn Peer, pass: Pass, iters: u64, params: &[f32]) -> f64 {
    peer.reset(params);
    let start = Instant::now();
    pass.run(peer, iters);
    start.elapsed().as_nanos() as f64
}

/// Iterations for one repeat of about `budget.repeat_ns`: doubles until a run takes a
/// tenth of it (this is also the warm-up), then scales.
fn calibrate(peer: &mut dyn Peer, pass: Pass, budget: Budget, params: &[f32]) -> u64 {
    let mut iters = 1u64;
    loop {
        let t = run(peer, pass, iters, params);
        if t >= budget.repeat_ns / 10.0 || iters >= 1 << 40 {
            return ((budget.repeat_ns / t * iters as f64).round() as u64).max(1);
        }
        iters *= 2;
    }
}

/// Times `pass` for every peer that times it ([`Peer::times_forward`]); `samples` is
/// the batch size of the pass, `params` the parameters every run starts from.
pub fn measure(
    peers: &mut [Box<dyn Peer>],
    pass: Pass,
    samples: usize,
    budget: Budget,
    params: &[f32],
) -> Vec<Timing> {
    let mut peers: Vec<&mut Box<dyn Peer>> = peers
        .iter_mut()
        .filter(|p| pass == Pass::Train || p.times_forward())
        .collect();
    let iters: Vec<u64> = peers
        .iter_mut()
        .map(|p| {
            let n = calibrate(p.as_mut(), pass, budget, params);
            run(p.as_mut(), pass, n, params); // one full warm-up repeat
            n
        })
        .collect();
    let mut ns = vec![Vec::with_capacity(budget.repeats); peers.len()];
    for r in 0..budget.repeats {
        for k in 0..peers.len() {
            let p = (r + k) % peers.len();
            let t = run(peers[p].as_mut(), pass, iters[p], params);
            ns[p].push(t / (iters[p] as f64 * samples as f64));
        }
    }
    peers
        .iter()
        .zip(ns)
        .zip(iters)
        .map(|((peer, mut v), iters)| {
            v.sort_by(f64::total_cmp);
            let median = if v.len() % 2 == 1 {
                v[v.len() / 2]
            } else {
                (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
            };
            Timing {
                peer: peer.name(),
                ns_per_sample: median,
                spread: (v[v.len() - 1] - v[0]) / median,
                iters,
            }
        })
        .collect()
}
