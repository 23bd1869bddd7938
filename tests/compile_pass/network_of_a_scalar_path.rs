// `network!` takes the scalar as a path, as `typenet codegen --scalar q16` writes it into
// a firmware crate where `Q16` is not in scope (the generated `network!(Q16; …)` did not
// compile there).
use typenet::Network;

pub type Model = typenet::network!(typenet::fixed::Q16; 2 -> 3 Tanh -> 1 Sigmoid);

fn main() {
    let net = Model::zeroed();
    let x = typenet::generic_array::GenericArray::from_array([typenet::fixed::Q16::ONE; 2]);
    // Zero weights and bias: sigmoid(0) = 0.5.
    assert_eq!(net.forward(&x)[0].to_f64(), 0.5);
}
