//! The typenet weight format, in f32, f64 and Q16: any bytes give a network or a
//! `LoadError`; an accepted file has finite parameters and is written back byte for
//! byte; a refused `load_into` leaves the destination unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::format::{self, Encodable, Storable};
use typenet::{Network, Scalar};
use typenet_fuzz::{F32Net, F64Net, Q16Net, assert_params_finite, marker, param_bits};

fn check<T: Storable + Scalar, N: Network<T> + Encodable<T>>(data: &[u8]) {
    let loaded = format::from_bytes::<T, N>(data);
    let mut dest: N = marker::<T, N>();
    let into = format::load_into(&mut dest, data);
    assert_eq!(loaded.is_ok(), into.is_ok());
    match loaded {
        Ok(net) => {
            assert_params_finite(&net);
            assert_eq!(
                format::to_bytes(&net).as_slice(),
                data,
                "written back differently"
            );
            assert_eq!(
                param_bits(&dest),
                param_bits(&net),
                "load_into differs from from_bytes"
            );
        }
        Err(e) => {
            assert_eq!(into, Err(e));
            assert_eq!(
                param_bits(&dest),
                param_bits(&marker::<T, N>()),
                "refused load changed the destination"
            );
            assert!(!e.to_string().is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check::<f32, F32Net>(data);
    check::<f64, F64Net>(data);
    check::<typenet::fixed::Q16, Q16Net>(data);
});
