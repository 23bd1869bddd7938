//! ONNX models: any bytes give a `Model` or an `OnnxError`, never a panic. An accepted
//! model has finite parameters, as many as its shape needs; its weight file reads back
//! as the same model; and loading it into a typed network of another or the same
//! shape gives that network or an error, never a panic.
//!
//! The seed corpus, `fuzz/corpus/onnx/`, holds copies of fixtures made by
//! `tests/onnx/make_fixtures.py` (`small_sigmoid` has the shape of `F32Net`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::Network;
use typenet::model::Model;
use typenet::onnx;
use typenet_fuzz::{F32Net, F64Net, assert_params_finite};

fuzz_target!(|data: &[u8]| {
    let Ok(model) = onnx::read_model(data) else {
        return;
    };
    assert!(model.params().iter().all(|p| p.is_finite()), "a non-finite parameter");
    assert_eq!(model.shape().params(), Some(model.params().len()));
    let file = model.to_weight_file::<f64>().expect("finite f64 values are written");
    let back = Model::from_weight_file::<f64>(&file, model.shape().clone())
        .expect("a model's own weight file reads back");
    assert_eq!(back, model, "the weight file changed the model");
    if let Ok(net) = onnx::from_bytes::<f32, F32Net>(data) {
        assert_params_finite(&net);
        assert_eq!(net.params().count(), model.params().len());
    }
    if let Ok(net) = model.to_network::<f64, F64Net>() {
        assert_params_finite(&net);
    }
});
