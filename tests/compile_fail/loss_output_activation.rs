// SoftmaxCrossEntropy is fused with Softmax: a network ending in Sigmoid cannot use it.
use typenet::generic_array::GenericArray;
use typenet::loss::SoftmaxCrossEntropy;
use typenet::{network, Network};

type Net = network!(f32; 2 -> 4 Tanh -> 3 Sigmoid);

fn main() {
    let net = Net::zeroed();
    let x = GenericArray::from_array([1.0_f32, 2.0]);
    let class = 1usize;
    let _ = typenet::train::evaluate(&net, &SoftmaxCrossEntropy, [(&x, &class)]);
}
