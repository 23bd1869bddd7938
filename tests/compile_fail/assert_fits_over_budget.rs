// Training the digits network with Adam needs about 80 KB of RAM (the network, its
// gradient, two moments, the traces): a 16 KiB budget does not compile.
use typenet::{assert_fits, network};

type Net = network!(f32; 64 -> 64 ReLU -> 10 Softmax);

assert_fits!(Net, Adam, block = 1, ram = 16 * 1024);

fn main() {}
