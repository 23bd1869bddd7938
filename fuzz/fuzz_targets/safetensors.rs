//! safetensors files into f32, f64 and Q16 networks: any bytes give a network or a
//! `SafetensorsError`; an accepted network has finite parameters, and writing it and
//! reading that back gives the same network and the same bytes again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::format::Storable;
use typenet::safetensors;
use typenet::{Network, Scalar};
use typenet_fuzz::{F32Net, F64Net, Q16Net, assert_params_finite, param_bits};

fn check<T: Storable + Scalar, N: Network<T>>(data: &[u8]) {
    if let Ok(net) = safetensors::from_safetensors::<T, N>(data) {
        assert_params_finite(&net);
        let written = safetensors::to_safetensors(&net).expect("an accepted network is written");
        let back: N = safetensors::from_safetensors(&written).expect("its own file loads");
        assert_eq!(
            param_bits(&back),
            param_bits(&net),
            "round trip changed a value"
        );
        assert_eq!(
            safetensors::to_safetensors(&back).unwrap(),
            written,
            "written back differently"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    check::<f32, F32Net>(data);
    check::<f64, F64Net>(data);
    check::<typenet::fixed::Q16, Q16Net>(data);
});
