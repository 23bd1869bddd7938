// A LeakyReLU slope must be a finite number.
use typenet::generic_array::GenericArray;
use typenet::{network, Network};

type Net = network!(f32; 2 -> 1 LeakyReLU(f64::INFINITY));

fn main() {
    let net = Net::zeroed();
    let _y = net.forward(&GenericArray::from_array([0.0_f32, 0.0]));
}
