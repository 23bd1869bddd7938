// `forward_trace` takes the network's own input type too.
use typenet::generic_array::GenericArray;
use typenet::{network, Network, Trace};

type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);

fn main() {
    let net = Net::zeroed();
    let mut trace = Trace::<f32, Net>::new();
    let x = GenericArray::from_array([1.0_f32, 2.0, 3.0]);
    let _y = net.forward_trace(&x, &mut trace);
}
