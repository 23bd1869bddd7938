// A network of 2 inputs given an array of 3 through `Network::input`: the length rule
// is a sentence (a check when the program is built).
use typenet::{network, Network};

type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);

fn main() {
    let net = Net::zeroed();
    let x = Net::input([1.0_f32, 2.0, 3.0]);
    let _y = net.forward(&x);
}
