//! Forward, the training forward and backward allocate nothing: a counting global
//! allocator watches this thread while they run on a 4-layer network.

use typenet::generic_array::GenericArray;
use typenet::{Network, Trace, network};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

type Net = network!(f32; 16 -> 32 ReLU -> 24 Tanh -> 12 LeakyReLU -> 4 Softmax);

#[test]
fn the_counter_sees_allocations() {
    // The check below is only meaningful if a heap allocation is counted.
    let n = allocations_during(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(n, 1);
}

#[test]
fn forward_trace_and_backward_allocate_nothing() {
    let params: Vec<f32> = (0..Net::PARAMS)
        .map(|k| ((k % 13) as f32 - 6.0) / 20.0)
        .collect();
    let net = Net::from_params(&params).unwrap();
    let x = GenericArray::from_array([0.25_f32; 16]);
    let mut trace = Trace::<f32, Net>::new();
    let mut grads = Net::zeroed();
    let g_out = GenericArray::from_array([0.1_f32, -0.2, 0.05, 0.05]);

    let n = allocations_during(|| {
        for _ in 0..10 {
            let y = net.forward(&x);
            std::hint::black_box(y);
            net.forward_trace(&x, &mut trace);
            let gx = net.backward(&mut trace, &g_out, &mut grads);
            std::hint::black_box(gx);
            for (w, g) in std::hint::black_box(&mut grads)
                .params_mut()
                .zip(params.iter())
            {
                *w += g;
            }
            grads.set_zero();
        }
    });
    assert_eq!(n, 0, "the hot path allocated {n} times");
    assert!(
        trace.xi(1).unwrap().iter().any(|&v| v != 0.0),
        "backward really ran"
    );
}
