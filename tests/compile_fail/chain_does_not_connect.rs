// A network with 3 outputs chained into one that takes 2 inputs.
use typenet::{network, Network};

type Front = network!(f32; 4 -> 3 ReLU);
type Back = network!(f32; 2 -> 1 Identity);

fn main() {
    let whole = Front::zeroed().then(Back::zeroed());
    let _ = whole;
}
