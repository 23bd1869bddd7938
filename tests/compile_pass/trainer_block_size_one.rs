// The smallest block size compiles and trains (the counterpart of
// compile_fail/trainer_block_size_zero.rs). Being a `pass` case, it also makes trybuild
// build (not only check) every case, so errors raised while instantiating generic code,
// such as the block size's const assertion, are caught too.
use typenet::generic_array::GenericArray;
use typenet::{Network, loss::MeanSquaredError, network, optim::Sgd, train::Trainer};

type Net = network!(f32; 2 -> 1 Sigmoid);

fn main() {
    let mut net = Net::from_params(&[0.0; 3]).unwrap();
    let mut trainer = Trainer::<f32, Net, Sgd<f32, Net>, 1>::with_block_size(Sgd::new(0.1));
    let x = GenericArray::from_array([1.0, 0.0]);
    let t = GenericArray::from_array([1.0]);
    let loss = trainer.step(&mut net, &MeanSquaredError, [(&x, &t)]).unwrap();
    // sigmoid(0) = 0.5, E = (0.5 − 1)² = 0.25
    assert_eq!(loss, 0.25);
}
