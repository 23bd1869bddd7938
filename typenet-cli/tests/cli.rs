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

/// `typenet quantize net.tnet --arch ARCH --calibrate <calibrate> -o <output>`, then
/// `extra`, in `dir`.
fn quantize(dir: &Path, calibrate: &str, output: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "quantize",
        "net.tnet",
        "--arch",
        ARCH,
        "--calibrate",
        calibrate,
        "-o",
        output,
    ];
    args.extend_from_slice(extra);
    typenet(dir, &args)
}

/// `inputs()` as a CSV file with a header row, sample k labelled k mod 3.
fn labelled_csv() -> String {
    let mut csv = String::from("a,b,c,d,label\n");
    for (k, x) in inputs().iter().enumerate() {
        csv += &format!("{},{},{},{},{}\n", x[0], x[1], x[2], x[3], k % 3);
    }
    csv
}

/// A scratch directory holding `net()` as `net.safetensors`.
fn with_safetensors() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.safetensors"),
        typenet::safetensors::to_safetensors(&net()).unwrap(),
    )
    .unwrap();
    dir
}

#[test]
fn convert_safetensors_gives_the_typed_weight_file() {
    let (dir, net) = (with_safetensors(), net());
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
    let csv = labelled_csv();
    let mut calibration = Calibration::<Net>::new();
    let (mut right, mut right_q) = (0, 0);
    for x in &inputs() {
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
    let out = stdout(&quantize(
        dir.path(),
        "data.csv",
        "net_int8.tnet",
        &["--eval", "data.csv"],
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
    let err = stderr_of_failure(&quantize(dir.path(), "bad.csv", "x.tnet", &[]));
    assert!(err.contains("bad.csv, line 3: 3 columns"), "{err}");
    assert!(!dir.path().join("x.tnet").exists());
}

#[test]
fn codegen_writes_the_type_the_static_and_the_weights() {
    let (dir, net) = (with_safetensors(), net());
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

/// Every file in `dir`, sorted (to show that a refused command wrote nothing).
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The review of 2026-12-06: `codegen --scalar q16` wrote `network!(Q16; …)`, which
/// does not compile where `Q16` is not in scope; `-o weights.tnet` overwrote the
/// weights with the Rust file; `-o my-model.rs` and `--name SELF` gave files that do
/// not compile; a Rust file that could not be written left its weights behind.
#[test]
fn codegen_refuses_outputs_that_would_not_compile_and_leaves_nothing_half_done() {
    let dir = with_safetensors();
    stdout(&typenet(
        dir.path(),
        &[
            "codegen",
            "net.safetensors",
            "-o",
            "q.rs",
            "--scalar",
            "q16",
        ],
    ));
    let source = std::fs::read_to_string(dir.path().join("q.rs")).unwrap();
    assert!(
        source.contains(&format!(
            "pub type Model = typenet::network!(typenet::fixed::Q16; {ARCH});"
        )),
        "{source}"
    );
    assert!(
        source.contains(&format!(
            "typenet::static_network!(Q16; {ARCH}; include_bytes!"
        )),
        "{source}"
    );
    let out = stdout(&typenet(
        dir.path(),
        &[
            "convert",
            "net.safetensors",
            "-o",
            "q.tnet",
            "--scalar",
            "q16",
        ],
    ));
    assert!(
        out.contains(&format!("typenet::network!(typenet::fixed::Q16; {ARCH})")),
        "{out}"
    );

    let before = files(dir.path());
    for (args, says) in [
        (&["-o", "weights.tnet"][..], "the output is the Rust file"),
        (&["-o", "my-model.rs"][..], "e.g. my_model.rs"),
        (&["-o", "type.rs"][..], "cannot name a Rust module"),
        (&["-o", "gen.rs"][..], "cannot name a Rust module"),
        (&["-o", "Model.rs"][..], "cannot name a Rust module"),
        (&["-o", "m.rs", "--name", "SELF"][..], "not SELF"),
        (&["-o", "no-such-dir/model.rs"][..], "cannot write"),
    ] {
        let mut all = vec!["codegen", "net.safetensors"];
        all.extend_from_slice(args);
        let err = stderr_of_failure(&typenet(dir.path(), &all));
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(files(dir.path()), before, "{args:?} wrote a file");
    }
    // A typenet file keeps its scalar: --scalar is for float models, and an --arch
    // prefix must name the file's own.
    std::fs::write(dir.path().join("net.tnet"), format::to_bytes(&net())).unwrap();
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &[
            "codegen", "net.tnet", "-o", "m.rs", "--arch", ARCH, "--scalar", "q16",
        ],
    ));
    assert!(err.contains("holds f32 weights; --scalar q16"), "{err}");
    let f64_arch = format!("f64; {ARCH}");
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &["inspect", "net.tnet", "--arch", &f64_arch],
    ));
    assert!(
        err.contains("--arch names f64, but the file holds f32"),
        "{err}"
    );
    let f32_arch = format!("f32; {ARCH}");
    stdout(&typenet(
        dir.path(),
        &["inspect", "net.tnet", "--arch", &f32_arch],
    ));
    std::fs::remove_file(dir.path().join("net.tnet")).unwrap();
    assert_eq!(files(dir.path()), before);

    // The Rust file cannot be written (a directory has its name): its weights are
    // not left behind.
    std::fs::create_dir(dir.path().join("busy.rs")).unwrap();
    let err = stderr_of_failure(&typenet(
        dir.path(),
        &["codegen", "net.safetensors", "-o", "busy.rs"],
    ));
    assert!(err.contains("cannot write"), "{err}");
    assert!(!dir.path().join("busy.tnet").exists());
    // `codegen busy.tnet -o busy.rs`: the weights file is the input, which a failed
    // run must not delete (it did), and a good run leaves as it is.
    let bytes = format::to_bytes(&net()).to_vec();
    std::fs::write(dir.path().join("busy.tnet"), &bytes).unwrap();
    stderr_of_failure(&typenet(
        dir.path(),
        &["codegen", "busy.tnet", "-o", "busy.rs", "--arch", ARCH],
    ));
    assert_eq!(std::fs::read(dir.path().join("busy.tnet")).unwrap(), bytes);
    std::fs::remove_dir(dir.path().join("busy.rs")).unwrap();
    stdout(&typenet(
        dir.path(),
        &["codegen", "busy.tnet", "-o", "busy.rs", "--arch", ARCH],
    ));
    assert_eq!(std::fs::read(dir.path().join("busy.tnet")).unwrap(), bytes);
    assert!(dir.path().join("busy.rs").is_file());
}

/// The review of 2026-12-06: a cut safetensors file was reported as a broken ONNX
/// model; `--input-scale 0` or NaN was taken (NaN blamed the data); a bad `--eval` file
/// was found after the int8 file had been written.
#[test]
fn bad_files_and_factors_are_named_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let st = typenet::safetensors::to_safetensors(&net()).unwrap();
    std::fs::write(dir.path().join("cut.safetensors"), &st[..100]).unwrap();
    let err = stderr_of_failure(&typenet(dir.path(), &["inspect", "cut.safetensors"]));
    assert!(err.contains("safetensors"), "{err}");
    assert!(!err.contains("ONNX"), "{err}");
    std::fs::write(dir.path().join("junk.bin"), b"hello, not a model").unwrap();
    let err = stderr_of_failure(&typenet(dir.path(), &["inspect", "junk.bin"]));
    assert!(
        err.contains("not a typenet weight file, not a safetensors file, and not an ONNX model"),
        "{err}"
    );

    std::fs::write(dir.path().join("net.tnet"), format::to_bytes(&net())).unwrap();
    std::fs::write(dir.path().join("data.csv"), labelled_csv()).unwrap();
    std::fs::write(dir.path().join("wide.csv"), "a,b,c,d,e,f\n1,2,3,4,5,6\n").unwrap();
    let quantize = |extra: &[&str]| quantize(dir.path(), "data.csv", "q8.tnet", extra);
    for scale in [
        "--input-scale=0",
        "--input-scale=-1",
        "--input-scale=nan",
        "--input-scale=inf",
    ] {
        let err = stderr_of_failure(&quantize(&[scale]));
        assert!(err.contains("--input-scale"), "{scale}: {err}");
    }
    let err = stderr_of_failure(&quantize(&["--eval", "wide.csv"]));
    assert!(err.contains("wide.csv"), "{err}");
    assert!(!dir.path().join("q8.tnet").exists());
    stdout(&quantize(&["--eval", "data.csv", "--input-scale", "0.5"]));
    assert!(dir.path().join("q8.tnet").exists());
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["inspect", "convert", "quantize", "codegen"] {
        let out = stdout(&typenet(dir.path(), &[sub, "--help"]));
        assert!(out.contains("Usage: typenet"), "{sub}: {out}");
    }
}
