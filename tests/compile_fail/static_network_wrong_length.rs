// A weight file for a 13-parameter network baked into a 17-parameter one.
use typenet::{network, static_network};

type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);

static NET: Net = static_network!(f32; 2 -> 4 Tanh -> 1 Sigmoid; include_bytes!("../data/small_f32.tnet"));

fn main() {
    let _ = &NET;
}
