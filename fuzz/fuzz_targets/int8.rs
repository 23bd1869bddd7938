//! Int8 weight files (`typenet::quant`): any bytes give a network or a `LoadError`; an
//! accepted file has finite positive scales and is written back byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::quant::{self, QNetwork};
use typenet_fuzz::QNet;

fuzz_target!(|data: &[u8]| {
    match quant::from_bytes::<QNet>(data) {
        Ok(net) => {
            for i in 1..=3 {
                let layer = net.layer(i).expect("layers 1..=3");
                for p in [layer.input, layer.pre_activation, layer.output] {
                    assert!(p.scale.is_finite(), "layer {i}: scale {}", p.scale);
                }
                assert!(layer.weight_scales.iter().all(|s| s.is_finite()));
            }
            assert_eq!(quant::to_vec(&net), data, "written back differently");
            // inference on any input never panics
            let x = net.quantize_input(&typenet::generic_array::GenericArray::from_array([
                0.5, -1.0, 2.0,
            ]));
            let _ = net.forward(&x);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
