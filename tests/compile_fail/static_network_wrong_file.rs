// A weight file for 2 -> 3 Tanh -> 1 Sigmoid baked into a network with ReLU.
use typenet::{network, static_network};

type Net = network!(f32; 2 -> 3 ReLU -> 1 Sigmoid);

static NET: Net = static_network!(f32; 2 -> 3 ReLU -> 1 Sigmoid; include_bytes!("../data/small_f32.tnet"));

fn main() {
    let _ = &NET;
}
