// An int8 weight file cut short: the length sentence, not an index out of bounds.
use typenet::{network, static_qnetwork};

type QNet = typenet::quant::Quantized<network!(f32; 3 -> 4 Tanh -> 3 ReLU -> 2 Softmax)>;

const FILE: &[u8] = include_bytes!("../quant_data/small_int8.tnet");

static NET: QNet = static_qnetwork!(3 -> 4 Tanh -> 3 ReLU -> 2 Softmax; FILE.split_at(100).0);

fn main() {
    let _ = &NET;
}
