// A layer size must be an unsigned decimal integer literal.
use typenet::network;

type Net = network!(f32; 2.5 -> 1 Identity);

fn main() {
    let _ = Net::zeroed();
}
