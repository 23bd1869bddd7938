// A trainer working in blocks of 0 samples could never take a sample.
use typenet::{network, optim::Sgd, train::Trainer};

type Net = network!(f32; 2 -> 1 Sigmoid);

fn main() {
    let _trainer = Trainer::<f32, Net, Sgd<f32, Net>, 0>::with_block_size(Sgd::new(0.1));
}
