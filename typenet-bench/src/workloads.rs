//! The concrete types of every peer for every workload: each library needs the shapes
//! spelled in its own type language.

use crate::peers::Peer;
use crate::peers::candle_peer::CandlePeer;
use crate::peers::dfdx_peer::DfdxPeer;
use crate::peers::naive::NaivePeer;
use crate::peers::nalgebra_peer::{NaDense, NaEnd, NalgebraPeer};
use crate::peers::typenet_parallel::TypenetParallelPeer;
use crate::peers::typenet_peer::TypenetPeer;
use crate::workload::Data;
use dfdx::nn::builders::{Linear, ReLU, Sigmoid, Tanh};
use typenet::loss::{MeanSquaredError, SoftmaxCrossEntropy};
use typenet::{Arr, Network, network};

/// The nalgebra chain for sizes `M_0, M_1, ..., M_N` at batch `B`:
/// `na_chain!(B; 2, 8, 1)` is `NaDense<2, 8, B, NaDense<8, 1, B, NaEnd>>`.
macro_rules! na_chain {
    ($b:tt; $i:literal, $o:literal $(, $rest:literal)*) => {
        NaDense<$i, $o, $b, na_chain!($b; $o $(, $rest)*)>
    };
    ($b:tt; $i:literal) => { NaEnd };
}

type W1Net = network!(f32; 2 -> 8 Tanh -> 8 Tanh -> 1 Sigmoid);
type W1Dfdx = (
    (Linear<2, 8>, Tanh),
    (Linear<8, 8>, Tanh),
    (Linear<8, 1>, Sigmoid),
);
type W1Nalgebra<const B: usize> = na_chain!(B; 2, 8, 8, 1);

type W2Net = network!(f32; 16 -> 64 ReLU -> 64 ReLU -> 4 Softmax);
type W2Dfdx = (
    (Linear<16, 64>, ReLU),
    (Linear<64, 64>, ReLU),
    Linear<64, 4>,
);
type W2Nalgebra<const B: usize> = na_chain!(B; 16, 64, 64, 4);

type W3Net = network!(f32; 784 -> 128 ReLU -> 64 ReLU -> 10 Softmax);
type W3Dfdx = (
    (Linear<784, 128>, ReLU),
    (Linear<128, 64>, ReLU),
    Linear<64, 10>,
);
type W3Nalgebra<const B: usize> = na_chain!(B; 784, 128, 64, 10);

type W4Net = network!(f32;
    640 -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 8 ReLU
        -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 640 Identity);
/// dfdx implements `Module` for tuples of up to six modules: two halves of five.
type W4Dfdx = (
    (
        (Linear<640, 128>, ReLU),
        (Linear<128, 128>, ReLU),
        (Linear<128, 128>, ReLU),
        (Linear<128, 128>, ReLU),
        (Linear<128, 8>, ReLU),
    ),
    (
        (Linear<8, 128>, ReLU),
        (Linear<128, 128>, ReLU),
        (Linear<128, 128>, ReLU),
        (Linear<128, 128>, ReLU),
        Linear<128, 640>,
    ),
);
type W4Nalgebra<const B: usize> = na_chain!(B; 640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640);

/// The peers to compare on `data` (its workload and forward batch), typenet first (for
/// W3 and W4 then typenet's `ParallelTrainer` on 2 threads);
/// `with_dfdx` false leaves dfdx out. candle needs no types: its shapes are run-time
/// values.
pub fn peers(data: &Data, with_dfdx: bool) -> Vec<Box<dyn Peer>> {
    let mut peers: Vec<Box<dyn Peer>> = vec![typenet(data)];
    // typenet's `ParallelTrainer` on 2 threads, for W3 and W4 training only (the only
    // row on more than one thread; training rows come from the first peer set).
    if data.forward_batch == data.spec.forward_batch() {
        match data.spec.name {
            "W3" => peers.push(Box::new(TypenetParallelPeer::<W3Net, _, usize>::new(
                data,
                SoftmaxCrossEntropy,
            ))),
            "W4" => peers.push(Box::new(TypenetParallelPeer::<
                W4Net,
                _,
                Arr<f32, <W4Net as Network<f32>>::Output>,
            >::new(data, MeanSquaredError))),
            _ => {}
        }
    }
    peers.push(Box::new(NaivePeer::new(data)));
    peers.push(nalgebra(data));
    if with_dfdx {
        peers.push(dfdx(data));
    }
    peers.push(Box::new(CandlePeer::new(data)));
    peers
}

fn typenet(data: &Data) -> Box<dyn Peer> {
    match data.spec.name {
        "W1" => Box::new(TypenetPeer::<
            W1Net,
            _,
            Arr<f32, <W1Net as Network<f32>>::Output>,
        >::new(data, MeanSquaredError)),
        "W2" => Box::new(TypenetPeer::<W2Net, _, usize>::new(
            data,
            SoftmaxCrossEntropy,
        )),
        "W3" => Box::new(TypenetPeer::<W3Net, _, usize>::new(
            data,
            SoftmaxCrossEntropy,
        )),
        "W4" => Box::new(TypenetPeer::<
            W4Net,
            _,
            Arr<f32, <W4Net as Network<f32>>::Output>,
        >::new(data, MeanSquaredError)),
        other => panic!("unknown workload {other}"),
    }
}

/// nalgebra's batch is part of the type: one instance per (workload, forward batch).
fn nalgebra(data: &Data) -> Box<dyn Peer> {
    match (data.spec.name, data.forward_batch) {
        ("W1", 1) => Box::new(NalgebraPeer::<2, 1, 1, 1, W1Nalgebra<1>, W1Nalgebra<1>>::new(data)),
        ("W2", 32) => {
            Box::new(NalgebraPeer::<16, 4, 32, 32, W2Nalgebra<32>, W2Nalgebra<32>>::new(data))
        }
        ("W2", 1) => {
            Box::new(NalgebraPeer::<16, 4, 1, 32, W2Nalgebra<1>, W2Nalgebra<32>>::new(data))
        }
        ("W3", 32) => Box::new(NalgebraPeer::<
            784,
            10,
            32,
            32,
            W3Nalgebra<32>,
            W3Nalgebra<32>,
        >::new(data)),
        ("W3", 1) => {
            Box::new(NalgebraPeer::<784, 10, 1, 32, W3Nalgebra<1>, W3Nalgebra<32>>::new(data))
        }
        ("W4", 1) => {
            Box::new(NalgebraPeer::<640, 640, 1, 32, W4Nalgebra<1>, W4Nalgebra<32>>::new(data))
        }
        (name, batch) => panic!("no nalgebra type for {name} at forward batch {batch}"),
    }
}

/// dfdx's batch is part of the tensor type: one instance per (workload, forward batch).
fn dfdx(data: &Data) -> Box<dyn Peer> {
    match (data.spec.name, data.forward_batch) {
        ("W1", 1) => Box::new(DfdxPeer::<W1Dfdx, 2, 1, 1, 1>::new(data)),
        ("W2", 32) => Box::new(DfdxPeer::<W2Dfdx, 16, 4, 32, 32>::new(data)),
        ("W2", 1) => Box::new(DfdxPeer::<W2Dfdx, 16, 4, 1, 32>::new(data)),
        ("W3", 32) => Box::new(DfdxPeer::<W3Dfdx, 784, 10, 32, 32>::new(data)),
        ("W3", 1) => Box::new(DfdxPeer::<W3Dfdx, 784, 10, 1, 32>::new(data)),
        ("W4", 1) => Box::new(DfdxPeer::<W4Dfdx, 640, 640, 1, 32>::new(data)),
        (name, batch) => panic!("no dfdx type for {name} at forward batch {batch}"),
    }
}
