//! This test crate is `#![no_std]`: the whole training API works with `core` alone
//! (the libtest harness brings its own `std`; nothing here uses it).
#![no_std]

use typenet::generic_array::GenericArray;
use typenet::{Network, Trace, network};

type Net = network!(f32; 2 -> 4 Tanh -> 1 Sigmoid);

#[test]
fn train_a_step_without_std() {
    let mut params = [0.0_f32; Net::PARAMS];
    for (k, p) in params.iter_mut().enumerate() {
        *p = ((k * 3 % 7) as f32 - 3.0) / 4.0;
    }
    let mut net = Net::from_params(&params).unwrap();
    let x = GenericArray::from_array([1.0_f32, -1.0]);
    let t = 1.0_f32;
    let loss = |n: &Net| {
        let d = n.forward(&x)[0] - t;
        d * d / 2.0
    };
    let before = loss(&net);
    let mut trace = Trace::<f32, Net>::new();
    let mut grads = Net::zeroed();
    let a = net.forward_trace(&x, &mut trace)[0];
    net.backward(&mut trace, &GenericArray::from_array([a - t]), &mut grads);
    for (w, g) in net.params_mut().zip(grads.params()) {
        *w -= 0.5 * g;
    }
    assert!(loss(&net) < before);
}
