//! ONNX import against onnxruntime. The fixtures (ONNX models and onnxruntime's outputs
//! on fixed inputs) are made by `tests/onnx/make_fixtures.py` with the pinned packages
//! of `tests/onnx/requirements.txt` into `target/onnx-fixtures` (or the directory named
//! by `TYPENET_ONNX_FIXTURES`) by `tests/onnx/make.sh`, which `.ci/run` runs before the
//! tests (so a stale fixture cannot pass) and these tests run themselves when the
//! fixtures are missing (so `cargo test --all-features` works on a fresh machine).
//!
//! Each valid fixture is loaded into the typed network named for it here (written by
//! hand from the Python model) and through `read_model`, and both must agree with
//! onnxruntime within 1e-6 relative, with an absolute floor of 1e-6 × the largest
//! output of the row for values near 0 (a relative bound means nothing at 0, where
//! f32 sums of cancelling terms round to a few ulp of the terms, not of the result).

use std::path::PathBuf;
use typenet::model::Shape;
use typenet::onnx::{self, OnnxError};
use typenet::{Network, Scalar, network};

/// The fixture directory. Unless `TYPENET_ONNX_FIXTURES` names one, missing fixtures
/// are made once per test run by `tests/onnx/make.sh` (a virtual environment with the
/// pinned onnx and onnxruntime from PyPI); if that fails, so does the test, with the
/// script's output.
fn fixtures() -> PathBuf {
    static MADE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("TYPENET_ONNX_FIXTURES")
        .map_or_else(|| root.join("target/onnx-fixtures"), PathBuf::from);
    if std::env::var_os("TYPENET_ONNX_FIXTURES").is_none() {
        let made = MADE.get_or_init(|| {
            if dir.join("fixtures.json").is_file() {
                return Ok(());
            }
            let out = std::process::Command::new("bash")
                .arg(root.join("tests/onnx/make.sh"))
                .output()
                .map_err(|e| format!("cannot run tests/onnx/make.sh: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "tests/onnx/make.sh failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        });
        if let Err(e) = made {
            panic!("the ONNX fixtures are missing and could not be made: {e}");
        }
    }
    assert!(
        dir.join("fixtures.json").is_file(),
        "the ONNX fixtures are missing: {} has no fixtures.json (make them with \
         `bash tests/onnx/make.sh`)",
        dir.display()
    );
    dir
}

fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("fixtures.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rows(v: &serde_json::Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

const RELATIVE: f64 = 1e-6;

/// Every parameter's bits.
fn bits<T: Scalar, N: Network<T>>(net: &N) -> Vec<u64> {
    net.params().map(|p| p.to_f64().to_bits()).collect()
}

/// Loads fixture `name` into `N` both ways and compares every row with onnxruntime.
fn check<T: Scalar, N: Network<T>>(name: &str) {
    let manifest = manifest();
    let fixture = manifest["fixtures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("fixture {name} is not in fixtures.json; regenerate it"));
    let path = fixtures().join(fixture["file"].as_str().unwrap());

    // Through the Model: the architecture the Python side declares, and the type's.
    let model = onnx::read_model_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let arch = fixture["arch"].as_str().unwrap();
    assert_eq!(model.shape().to_string(), arch, "{name}: architecture");
    assert_eq!(
        model.shape(),
        &Shape::of::<T, N>().unwrap(),
        "{name}: the type's shape"
    );
    let via_model: N = model.to_network().unwrap();
    // Straight into the type.
    let net: N = onnx::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        bits(&net),
        bits(&via_model),
        "{name}: load and read_model differ"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bits(&onnx::from_bytes::<T, N>(&bytes).unwrap()), bits(&net));

    let inputs = rows(&fixture["inputs"]);
    let outputs = rows(&fixture["outputs"]);
    assert!(!inputs.is_empty() && inputs.len() == outputs.len());
    for (row, (x, want)) in inputs.iter().zip(&outputs).enumerate() {
        let x: Vec<T> = x.iter().map(|&v| T::from_f64(v)).collect();
        let got = net.forward_slice(&x).unwrap();
        assert_eq!(got.len(), want.len());
        let floor = want.iter().fold(0f64, |m, v| m.max(v.abs())) * RELATIVE;
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            let g = g.to_f64();
            let tolerance = (RELATIVE * w.abs()).max(floor);
            assert!(
                (g - w).abs() <= tolerance,
                "{name}, row {row}, output {k}: typenet {g:e}, onnxruntime {w:e}, \
                 difference {:e} > {tolerance:e}",
                (g - w).abs()
            );
        }
    }
}

/// Every fixture with the network type it must load into.
macro_rules! fixtures {
    ($($name:ident: $net:ty;)*) => {
        $(
            #[test]
            fn $name() {
                check::<_, $net>(stringify!($name));
            }
        )*

        /// A fixture the script makes and no test above checks is an error.
        #[test]
        fn every_fixture_is_checked() {
            let checked = [$(stringify!($name)),*];
            for f in manifest()["fixtures"].as_array().unwrap() {
                let name = f["name"].as_str().unwrap();
                assert!(checked.contains(&name), "fixture {name} has no test in tests/onnx.rs");
            }
        }
    };
}

fixtures! {
    small_sigmoid: network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
    gemm_tanh_softmax: network!(f32; 4 -> 8 Tanh -> 3 Softmax);
    gemm_alpha_beta: network!(f32; 3 -> 5 ReLU -> 2 Identity);
    matmul_add: network!(f32; 5 -> 6 Sigmoid -> 4 Softplus -> 1 Identity);
    leaky_relu: network!(f32; 3 -> 7 LeakyReLU(0.2) -> 4 LeakyReLU -> 2 Identity);
    flatten_opset11: network!(f32; 6 -> 5 ReLU -> 3 Softmax);
    vector_input: network!(f32; 6 -> 4 Tanh -> 2 Identity);
    f64_gemm: network!(f64; 4 -> 6 Sigmoid -> 3 Softmax);
    f64_deep: network!(f64; 2 -> 16 Tanh -> 16 ReLU -> 16 LeakyReLU(0.2) -> 1 Identity);
}

/// The message an invalid fixture gives.
fn refusal(file: &str) -> String {
    let path = fixtures().join(format!("invalid_{file}.onnx"));
    match onnx::read_model_file(&path) {
        Ok(model) => panic!("{file} was accepted as {}", model.shape()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unsupported_operator_is_named() {
    assert_eq!(
        refusal("conv"),
        "node `conv1` (Conv): operator Conv is not supported; typenet imports a chain of \
         fully-connected layers: Gemm, MatMul, Add (a bias after MatMul or Gemm), Relu, \
         LeakyRelu, Tanh, Sigmoid, Softplus, Softmax, Identity, Flatten, Reshape (as \
         no-ops), Constant"
    );
}

#[test]
fn trans_a_is_refused() {
    assert_eq!(
        refusal("trans_a"),
        "node `fc1` (Gemm): attribute `transA`: is not 0; typenet supports only transA = 0 \
         (the input is the rows of A)"
    );
}

#[test]
fn a_branch_is_refused() {
    assert_eq!(
        refusal("branch"),
        "node `tanh_branch` (Tanh): reads `h`, which node `relu_branch` (Relu) also reads: \
         a branch; typenet imports a single chain from the input to the output"
    );
}

#[test]
fn a_missing_initializer_is_named() {
    assert_eq!(
        refusal("missing_initializer"),
        "node `fc2` (Gemm): input `w2_missing`: the weight B is missing: no initializer or \
         Constant node has this name"
    );
}

#[test]
fn two_activations_in_a_row_are_refused() {
    assert_eq!(
        refusal("two_activations"),
        "node `tanh1` (Tanh): follows the activation node `relu1` (Relu) with no linear \
         layer between them: two activations in a row; typenet applies one activation per \
         layer, after a Gemm or MatMul"
    );
}

#[test]
fn softmax_over_another_axis_is_refused() {
    assert_eq!(
        refusal("softmax_axis"),
        "node `softmax` (Softmax): attribute `axis`: is 0 on a value of shape [?, 4] \
         (opset ≥ 13); typenet's Softmax is over the last axis (axis = -1, or 1 for a 2-D \
         value)"
    );
}

#[test]
fn float16_weights_are_refused() {
    assert_eq!(
        refusal("float16"),
        "node `matmul1` (MatMul): input `w1`: the weight: it has data type FLOAT16; FLOAT \
         (float32) and DOUBLE (float64) are supported"
    );
}

#[test]
fn sizes_that_do_not_chain_are_refused() {
    assert_eq!(
        refusal("sizes_do_not_chain"),
        "node `fc2` (Gemm): input `w2`: the weight B has shape [2, 5]; with transB = 1 and \
         an input of size 4 it must be [out, 4]"
    );
}

#[test]
fn another_architecture_than_the_type_is_refused() {
    type Wrong = network!(f32; 4 -> 8 ReLU -> 3 Softmax);
    let err = onnx::load::<f32, Wrong>(fixtures().join("gemm_tanh_softmax.onnx")).unwrap_err();
    assert!(matches!(err, OnnxError::Model(_)));
    assert_eq!(
        err.to_string(),
        "ONNX model: layer 1 is 4 -> 8 Tanh in the model but 4 -> 8 ReLU in the network type \
         (model: 4 -> 8 Tanh -> 3 Softmax; type: 4 -> 8 ReLU -> 3 Softmax)"
    );
}

#[test]
fn leaky_relu_alpha_maps_to_the_decimal_slope() {
    // ONNX's alpha is an f32: 0.2f32 is 0.20000000298..., not the f64 0.2 of
    // `LeakyReLU(0.2)`; the rule maps it to the shortest decimal, 0.2.
    assert_ne!(f64::from(0.2f32), 0.2);
    assert_eq!(onnx::leaky_relu_slope(0.2), 0.2);
    assert_eq!(onnx::leaky_relu_slope(0.01), 0.01);
    assert_eq!(onnx::leaky_relu_slope(0.3), 0.3);
    assert_eq!(onnx::leaky_relu_slope(-1.5), -1.5);
    // Every slope is the f32 itself to within rounding: the f32 network computes with
    // exactly the exported alpha.
    for alpha in [0.2f32, 0.01, 0.1, 0.3, 1.0 / 3.0, 5e-3, 1e-7] {
        assert_eq!(onnx::leaky_relu_slope(alpha) as f32, alpha);
    }
    // A model with alpha = 0.2 loads into LeakyReLU(0.2), not into the f64 of the f32.
    type Leaky = network!(f32; 3 -> 7 LeakyReLU(0.2) -> 4 LeakyReLU -> 2 Identity);
    let path = fixtures().join("leaky_relu.onnx");
    assert!(onnx::load::<f32, Leaky>(&path).is_ok());
    let shape = onnx::read_model_file(&path).unwrap().shape().clone();
    assert_eq!(
        shape.layers[0].activation,
        typenet::model::ActivationKind::LeakyReLU(0.2)
    );
}

#[test]
fn bytes_that_are_not_onnx_are_refused() {
    let err = onnx::read_model(b"\xff\xff\xff\xff not a protobuf").unwrap_err();
    assert!(matches!(err, OnnxError::Decode { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("not an ONNX model (protobuf ModelProto): ")
    );
    // The empty message is a valid ModelProto with nothing in it.
    assert_eq!(
        onnx::read_model(b"").unwrap_err().to_string(),
        "ONNX graph: the file holds no graph"
    );
    let missing = onnx::read_model_file("target/no-such-file.onnx").unwrap_err();
    assert!(matches!(missing, OnnxError::Io(_)));
}
