// `forward` takes the network's own input type, `Arr<T, M_0>`: an array of another
// length is a type mismatch at the argument, with both lengths named.
use typenet::generic_array::GenericArray;
use typenet::{network, Network};

type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);

fn main() {
    let net = Net::zeroed();
    let x = GenericArray::from_array([1.0_f32, 2.0, 3.0]);
    let _y = net.forward(&x);
}
