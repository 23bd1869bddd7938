// A layer of 8 outputs followed by a layer that takes 7 inputs.
use typenet::typenum::{U1, U2, U7, U8};
use typenet::{Dense, End, Network, Sigmoid, Tanh};

type Broken = Dense<f32, U2, U8, Tanh, Dense<f32, U7, U1, Sigmoid, End>>;

fn main() {
    let net: Broken = Network::zeroed();
    let _ = net;
}
