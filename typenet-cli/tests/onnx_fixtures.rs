//! `typenet inspect` and `typenet convert` on every ONNX fixture of the library's tests
//! (`tests/onnx/make_fixtures.py`, made by `tests/onnx/make.sh` if missing): the
//! converted weight file, run, gives onnxruntime's outputs; every invalid model is
//! refused with a message naming its node.

use std::path::PathBuf;
use std::process::Command;
use typenet::model::{Model, Shape};

fn fixtures() -> PathBuf {
    static MADE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("target/onnx-fixtures");
    MADE.get_or_init(|| {
        if !dir.join("fixtures.json").is_file() {
            let ok = Command::new("bash")
                .arg(root.join("tests/onnx/make.sh"))
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "tests/onnx/make.sh could not make the ONNX fixtures");
        }
    });
    dir
}

#[test]
fn converted_fixtures_give_onnxruntimes_outputs() {
    let dir = fixtures();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fixtures.json")).unwrap()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for f in manifest["fixtures"].as_array().unwrap() {
        let file = dir.join(f["file"].as_str().unwrap());
        let arch = f["arch"].as_str().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_typenet"))
            .arg("inspect")
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(&format!("; {arch})")), "{text}");

        let tnet = scratch.path().join("model.tnet");
        let out = Command::new(env!("CARGO_BIN_EXE_typenet"))
            .arg("convert")
            .arg(&file)
            .arg("-o")
            .arg(&tnet)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shape: Shape = arch.parse().unwrap();
        let model = Model::from_weight_file::<f32>(&std::fs::read(&tnet).unwrap(), shape).unwrap();
        let inputs = f["inputs"].as_array().unwrap();
        let outputs = f["outputs"].as_array().unwrap();
        for (x, want) in inputs.iter().zip(outputs) {
            let x: Vec<f32> = x
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            let y = model.forward(&x).unwrap();
            let want: Vec<f64> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (a, b) in y.iter().zip(&want) {
                // f32 weights and arithmetic (float64 fixtures are converted to f32):
                // 1e-5 relative, with a floor of 1e-5 of the row's largest output.
                assert!(
                    (f64::from(*a) - b).abs() <= 1e-5 * b.abs().max(scale),
                    "{}: {a} vs onnxruntime {b}",
                    file.display()
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixtures");

    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("invalid_") {
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_typenet"))
            .arg("inspect")
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name} was accepted");
        assert!(
            err.contains(&name),
            "{name}: the message does not name the file: {err}"
        );
    }
}
