//! serde JSON into f32 and f64 networks: any text gives a network or an error; an
//! accepted network has finite parameters, and its JSON reads back as the same network
//! and is written back as the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::{Network, Scalar};
use typenet_fuzz::{F32Net, F64Net, assert_params_finite, param_bits};

fn check<T, N>(data: &[u8])
where
    T: Scalar,
    N: Network<T> + serde::Serialize + for<'de> serde::Deserialize<'de>,
{
    if let Ok(net) = serde_json::from_slice::<N>(data) {
        assert_params_finite(&net);
        let text = serde_json::to_string(&net).expect("an accepted network serializes");
        let back: N = serde_json::from_str(&text).expect("its own JSON loads");
        assert_eq!(
            param_bits(&back),
            param_bits(&net),
            "round trip changed a value"
        );
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            text,
            "written back differently"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    check::<f32, F32Net>(data);
    check::<f64, F64Net>(data);
});
