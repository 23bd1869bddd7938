// `Trainer::step` on samples whose input has 3 entries, for a network of 2 inputs.
use typenet::generic_array::GenericArray;
use typenet::loss::MeanSquaredError;
use typenet::optim::Sgd;
use typenet::train::Trainer;
use typenet::{network, Network};

type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);

fn main() {
    let mut net = Net::zeroed();
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let data = vec![(
        GenericArray::from_array([1.0_f32, 2.0, 3.0]),
        GenericArray::from_array([1.0_f32]),
    )];
    let _ = trainer.step(&mut net, &MeanSquaredError, &data);
}
