//! The `typenet` command run as a user runs it, in a scratch directory; its files are
//! compared with what the library's typed functions write for the same network.

use std::path::Path;
use std::process::{Command, Output};
use typenet::generic_array::GenericArray;
use typenet::quant::{Calibration, QNetwork};
use typenet::{Network, format, network};

type Net = network!(f32; 4 -> 6 Tanh -> 5 LeakyReLU(0.2) -> 3 Softmax);
const ARCH: &str = "4 -> 6 Tanh -> 5 LeakyReLU(0.2) -> 3 Softmax";

fn typenet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_typenet"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr_of_failure(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "expected exit status 1");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn net() -> Net {
    let params: Vec<f32> = (0..Net::PARAMS)
        .map(|k| ((k * 37 % 23) as f32 - 11.0) / 13.0)
        .collect();
    Net::from_params(&params).unwrap()
}

fn inputs() -> Vec<[f32; 4]> {
    (0..40)
        .map(|k| {
            let t = k as f32 / 39.0;
            [t, 1.0 - t, (3.0 * t).sin(), t * t - 0.5]
        })
        .collect()
}

#[test]
fn convert_safetensors_gives_the_typed_weight_file() {
    let dir = tempfile::tempdir().unwrap();
    let net = net();
    std::fs::write(
        dir.path().join("net.safetensors"),
        typenet::safetensors::to_safetensors(&net).unwrap(),
    )
    .unwrap();
    let out = stdout(&typenet(
        dir.path(),
        &["convert", "net.safetensors", "-o", "net.tnet"],
    ));
    assert!(
        out.contains(&format!("type Net = typenet::network!(f32; {ARCH});")),
        "{out}"
    );
    let written = std::fs::read(dir.path().join("net.tnet")).unwrap();
    assert_eq!(written, format::to_bytes(&net).to_vec());
}

#[test]
fn inspect_names_architecture_sizes_and_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.tnet"), format::to_bytes(&net())).unwrap();
    let out = stdout(&typenet(
        dir.path(),
        &["inspect", "net.tnet", "--arch", ARCH],
    ));
    assert!(out.contains(&format!("network!(f32; {ARCH})")), "{out}");
    assert!(
        out.contains(&format!("parameters    {} (f32)", Net::PARAMS)),
        "{out}"
    );
    // 4·6 + 6 + 6·5 + 5 + 5·3 + 3 = 83 parameters of 4 bytes
    assert!(out.contains("flash         332 B of weights"), "{out}");
    // largest M_{i-1} + M_i = 11 values; trace 3·(6 + 5 + 3) values
    assert!(
        out.contains("inference 44 B · training trace 168 B per sample"),
        "{out}"
    );
    let out = stdout(&typenet(dir.path(), &["inspect", "net.tnet"]));
    assert!(out.contains("recorded as its fingerprint"), "{out}");

    // A safetensors file written by typenet records its activations.
    std::fs::write(
        dir.path().join("net.safetensors"),
        typenet::safetensors::to_safetensors(&net()).unwrap(),
    )
    .unwrap();
    let out = stdout(&typenet(dir.path(), &["inspect", "net.safetensors"]));
    assert!(out.contains("safetensors file"), "{out}");
    assert!(out.contains(&format!("network!(f32; {ARCH})")), "{out}");

    // Another architecture: refused, naming both.
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &[
            "inspect",
            "net.tnet",
            "--arch",
            "4 -> 6 ReLU -> 5 ReLU -> 3 Softmax",
        ],
    ));
    assert!(err.contains("another architecture"), "{err}");
    // A truncated file.
    let bytes = format::to_bytes(&net());
    std::fs::write(dir.path().join("short.tnet"), &bytes[..100]).unwrap();
    let err = stderr_of_failure(&typenet(dir.path(), &["inspect", "short.tnet"]));
    assert!(err.contains("100 bytes long"), "{err}");
    // Not a model at all.
    std::fs::write(dir.path().join("junk.bin"), b"hello").unwrap();
    let err = stderr_of_failure(&typenet(dir.path(), &["inspect", "junk.bin"]));
    assert!(err.contains("junk.bin"), "{err}");
    // A bad --arch.
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &["inspect", "net.tnet", "--arch", "4 -> 6 Swish"],
    ));
    assert!(err.contains("not an architecture"), "{err}");
}

#[test]
fn quantize_gives_the_typed_int8_file_and_reports_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let net = net();
    std::fs::write(dir.path().join("net.tnet"), format::to_bytes(&net)).unwrap();
    let mut csv = String::from("a,b,c,d,label\n");
    let mut calibration = Calibration::<Net>::new();
    let (mut right, mut right_q) = (0, 0);
    for (k, x) in inputs().iter().enumerate() {
        csv += &format!("{},{},{},{},{}\n", x[0], x[1], x[2], x[3], k % 3);
        calibration.observe(&net, &GenericArray::from_array(*x));
    }
    let q = calibration.quantize(&net).unwrap();
    for (k, x) in inputs().iter().enumerate() {
        let x = GenericArray::from_array(*x);
        let argmax = |y: &[f32]| (0..3).fold(0, |b, i| if y[i] > y[b] { i } else { b });
        right += usize::from(argmax(&net.forward(&x)) == k % 3);
        let yq = q.dequantize_output(&q.forward(&q.quantize_input(&x)));
        right_q += usize::from(argmax(&yq) == k % 3);
    }
    std::fs::write(dir.path().join("data.csv"), csv).unwrap();
    let out = stdout(&typenet(
        dir.path(),
        &[
            "quantize",
            "net.tnet",
            "--arch",
            ARCH,
            "--calibrate",
            "data.csv",
            "-o",
            "net_int8.tnet",
            "--eval",
            "data.csv",
        ],
    ));
    let written = std::fs::read(dir.path().join("net_int8.tnet")).unwrap();
    assert_eq!(written, typenet::quant::to_vec(&q));
    assert!(out.contains(&format!("f32   {right}/40")), "{out}");
    assert!(out.contains(&format!("int8  {right_q}/40")), "{out}");

    // The int8 file inspects with its architecture.
    let out = stdout(&typenet(
        dir.path(),
        &["inspect", "net_int8.tnet", "--arch", ARCH],
    ));
    assert!(
        out.contains(&format!("Quantized<network!(f32; {ARCH})>")),
        "{out}"
    );

    // A calibration row of the wrong width names the line.
    std::fs::write(dir.path().join("bad.csv"), "a,b,c,d\n1,2,3,4\n1,2,3\n").unwrap();
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &[
            "quantize",
            "net.tnet",
            "--arch",
            ARCH,
            "--calibrate",
            "bad.csv",
            "-o",
            "x.tnet",
        ],
    ));
    assert!(err.contains("bad.csv, line 3: 3 columns"), "{err}");
    assert!(!dir.path().join("x.tnet").exists());
}

#[test]
fn codegen_writes_the_type_the_static_and_the_weights() {
    let dir = tempfile::tempdir().unwrap();
    let net = net();
    std::fs::write(
        dir.path().join("net.safetensors"),
        typenet::safetensors::to_safetensors(&net).unwrap(),
    )
    .unwrap();
    stdout(&typenet(
        dir.path(),
        &[
            "codegen",
            "net.safetensors",
            "-o",
            "model.rs",
            "--name",
            "CLASSIFIER",
        ],
    ));
    let source = std::fs::read_to_string(dir.path().join("model.rs")).unwrap();
    assert!(source.contains(&format!(
        "pub type Classifier = typenet::network!(f32; {ARCH});"
    )));
    assert!(source.contains(&format!(
        "pub static CLASSIFIER: Classifier =\n    typenet::static_network!(f32; {ARCH}; include_bytes!(\"model.tnet\"));"
    )));
    let weights = std::fs::read(dir.path().join("model.tnet")).unwrap();
    assert_eq!(weights, format::to_bytes(&net).to_vec());
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &[
            "codegen",
            "net.safetensors",
            "-o",
            "m.rs",
            "--name",
            "lower",
        ],
    ));
    assert!(err.contains("upper-case"), "{err}");
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["inspect", "convert", "quantize", "codegen"] {
        let out = stdout(&typenet(dir.path(), &[sub, "--help"]));
        assert!(out.contains("Usage: typenet"), "{sub}: {out}");
    }
}
