//! Quantization (calibration streamed from an iterator), int8 inference, and writing
//! and reading the int8 weight file allocate nothing: a counting global allocator
//! watches this thread while they run on a network with every kind of int8 activation.

use typenet::generic_array::GenericArray;
use typenet::quant::{self, QNetwork, Quantized};
use typenet::{Network, network};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

type Net = network!(f32; 6 -> 12 ReLU -> 10 Tanh -> 8 Sigmoid -> 4 Softmax);
type QNet = Quantized<Net>;

#[test]
fn the_counter_sees_allocations() {
    let n = allocations_during(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(n, 1);
}

#[test]
fn quantize_forward_and_the_weight_file_allocate_nothing() {
    let params: Vec<f32> = (0..Net::PARAMS)
        .map(|k| ((k % 17) as f32 - 8.0) / 10.0)
        .collect();
    let net = Net::from_params(&params).unwrap();
    let mut buf = [0u8; QNet::ENCODED_LEN];
    let mut out = [0i8; 4];

    let n = allocations_during(|| {
        // 500 calibration inputs generated on the fly: only per-layer ranges are kept.
        let inputs = (0..500).map(|s| {
            GenericArray::from_array(core::array::from_fn::<f32, 6, _>(|k| {
                ((s * 7 + k * 3) % 11) as f32 / 5.0 - 1.0
            }))
        });
        let q: QNet = quant::quantize(&net, inputs).unwrap();
        let x = GenericArray::from_array([-128i8, -60, 0, 30, 90, 127]);
        for _ in 0..10 {
            out.copy_from_slice(&q.forward(std::hint::black_box(&x)));
        }
        q.write_to(&mut buf).unwrap();
        let back: QNet = quant::from_bytes(&buf).unwrap();
        assert!(back == q);
    });
    assert_eq!(n, 0, "quantization or int8 inference allocated {n} times");
    // The probabilities (in 256ths, offset by 128) add up to about 256.
    let total: i32 = out.iter().map(|&q| i32::from(q) + 128).sum();
    assert!((total - 256).abs() <= 4, "{out:?}");
}
