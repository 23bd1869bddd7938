//! PyTorch interop through safetensors. The files are built byte by byte here (the
//! 8-byte header length, the JSON header, the raw data), as PyTorch's `save_file`
//! writes them, so no Python is needed and the reader is checked against the format
//! itself rather than against the writer it shares a crate with.
#![cfg(feature = "safetensors")]

use typenet::generic_array::GenericArray;
use typenet::safetensors::{self, SafetensorsError};
use typenet::{Network, network};

type Net = network!(f32; 2 -> 3 ReLU -> 1 Identity);

/// (name, dtype, shape, raw little-endian data)
type Tensor = (&'static str, &'static str, Vec<usize>, Vec<u8>);

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A safetensors file: u64 LE header size, JSON header, then the data in order.
fn file(tensors: &[Tensor]) -> Vec<u8> {
    let mut header = String::from("{");
    let mut offset = 0;
    for (k, (name, dtype, shape, data)) in tensors.iter().enumerate() {
        if k > 0 {
            header.push(',');
        }
        let shape: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
        header.push_str(&format!(
            "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{}],\"data_offsets\":[{offset},{}]}}",
            shape.join(","),
            offset + data.len()
        ));
        offset += data.len();
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    for (_, _, _, data) in tensors {
        out.extend_from_slice(data);
    }
    out
}

/// nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).state_dict()
fn pytorch_file() -> Vec<u8> {
    file(&[
        (
            "0.weight",
            "F32",
            vec![3, 2],
            f32s(&[1.0, 2.0, -1.0, 0.5, 0.0, -3.0]),
        ),
        ("0.bias", "F32", vec![3], f32s(&[0.5, 0.0, 1.0])),
        ("2.weight", "F32", vec![1, 3], f32s(&[2.0, -1.0, 0.25])),
        ("2.bias", "F32", vec![1], f32s(&[-0.5])),
    ])
}

#[test]
fn reads_a_pytorch_state_dict() {
    let net: Net = safetensors::from_safetensors(&pytorch_file()).unwrap();
    let params: Vec<f32> = net.params().copied().collect();
    assert_eq!(
        params,
        [
            1.0, 2.0, -1.0, 0.5, 0.0, -3.0, 0.5, 0.0, 1.0, 2.0, -1.0, 0.25, -0.5
        ]
    );
    // x = [1, 1]: z^1 = [3.5, −0.5, −2], a^1 = [3.5, 0, 0], a^2 = 7 − 0.5 = 6.5
    assert_eq!(
        net.forward(&GenericArray::from_array([1.0_f32, 1.0]))[0],
        6.5
    );
}

/// nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1)) has the same
/// tensors, and PyTorch records no activation: the slope is the one the type declares.
#[test]
fn reads_a_pytorch_leaky_relu_with_the_declared_slope() {
    type Leaky = network!(f32; 2 -> 3 LeakyReLU(0.2) -> 1 Identity);
    let net: Leaky = safetensors::from_safetensors(&pytorch_file()).unwrap();
    // x = [1, 1]: z^1 = [3.5, −0.5, −2], a^1 = [3.5, −0.1, −0.4],
    // a^2 = 2·3.5 − 1·(−0.1) + 0.25·(−0.4) − 0.5
    let expected = 2.0 * 3.5 - (0.2_f32 * -0.5) + 0.25 * (0.2 * -2.0) - 0.5;
    let y = net.forward(&GenericArray::from_array([1.0_f32, 1.0]))[0];
    assert!((y - expected).abs() <= 1e-6, "{y} vs {expected}");
    // The file typenet writes records the slope; it still reads back.
    let bytes = safetensors::to_safetensors(&net).unwrap();
    assert_eq!(
        safetensors::from_safetensors::<f32, Leaky>(&bytes).unwrap(),
        net
    );
    assert!(matches!(
        safetensors::from_safetensors::<f32, Net>(&bytes),
        Err(SafetensorsError::ActivationMismatch { .. })
    ));
}

#[test]
fn reads_f64_tensors_into_f32_and_the_reverse() {
    let f64s = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let bytes = file(&[
        (
            "0.weight",
            "F64",
            vec![3, 2],
            f64s(&[1.0, 2.0, -1.0, 0.5, 0.0, -3.0]),
        ),
        ("0.bias", "F64", vec![3], f64s(&[0.5, 0.0, 1.0])),
        ("2.weight", "F64", vec![1, 3], f64s(&[2.0, -1.0, 0.25])),
        ("2.bias", "F64", vec![1], f64s(&[-0.5])),
    ]);
    let a: Net = safetensors::from_safetensors(&bytes).unwrap();
    let b: Net = safetensors::from_safetensors(&pytorch_file()).unwrap();
    assert_eq!(a, b);
    type Net64 = network!(f64; 2 -> 3 ReLU -> 1 Identity);
    let c: Net64 = safetensors::from_safetensors(&pytorch_file()).unwrap();
    assert_eq!(
        c.params().map(|&p| p as f32).collect::<Vec<_>>(),
        b.params().copied().collect::<Vec<_>>()
    );
}

#[test]
fn round_trip_through_the_writer() {
    let net: Net = safetensors::from_safetensors(&pytorch_file()).unwrap();
    let bytes = safetensors::to_safetensors(&net).unwrap();
    let back: Net = safetensors::from_safetensors(&bytes).unwrap();
    assert_eq!(back, net);
    let names = ["first", "second"];
    let bytes = safetensors::to_safetensors_named(&net, &names).unwrap();
    let back: Net = safetensors::from_safetensors_named(&bytes, &names).unwrap();
    assert_eq!(back, net);
    assert!(matches!(
        safetensors::from_safetensors::<f32, Net>(&bytes),
        Err(SafetensorsError::MissingTensor { .. })
    ));
}

#[test]
fn mismatches_are_errors_naming_the_tensor() {
    let ok = |name, dtype, shape: Vec<usize>, n: usize| -> Tensor {
        (name, dtype, shape, f32s(&vec![0.5; n]))
    };
    let base = || {
        vec![
            ok("0.weight", "F32", vec![3, 2], 6),
            ok("0.bias", "F32", vec![3], 3),
            ok("2.weight", "F32", vec![1, 3], 3),
            ok("2.bias", "F32", vec![1], 1),
        ]
    };
    let load = |t: &[Tensor]| safetensors::from_safetensors::<f32, Net>(&file(t)).unwrap_err();

    let mut t = base();
    t.remove(3);
    assert!(matches!(load(&t), SafetensorsError::MissingTensor { name } if name == "2.bias"));

    let mut t = base();
    t[0] = ok("0.weight", "F32", vec![2, 3], 6);
    match load(&t) {
        SafetensorsError::ShapeMismatch {
            name,
            expected,
            found,
        } => {
            assert_eq!(
                (name.as_str(), expected, found),
                ("0.weight", vec![3, 2], vec![2, 3])
            );
        }
        e => panic!("expected a shape mismatch, got {e}"),
    }

    let mut t = base();
    t.push(ok("4.weight", "F32", vec![1, 1], 1));
    assert!(matches!(load(&t), SafetensorsError::UnexpectedTensor { name } if name == "4.weight"));

    let mut t = base();
    t[1] = ("0.bias", "I32", vec![3], vec![0; 12]);
    assert!(
        matches!(load(&t), SafetensorsError::UnsupportedDtype { name, .. } if name == "0.bias")
    );

    let mut t = base();
    t[1] = ("0.bias", "F32", vec![3], f32s(&[0.0, f32::INFINITY, 0.0]));
    assert!(matches!(load(&t), SafetensorsError::NonFinite { name } if name == "0.bias"));

    assert!(matches!(
        safetensors::from_safetensors::<f32, Net>(b"not a safetensors file"),
        Err(SafetensorsError::Parse(_))
    ));
    assert!(matches!(
        safetensors::from_safetensors_named::<f32, Net>(&file(&base()), &["0"]),
        Err(SafetensorsError::LayerNames {
            expected: 2,
            found: 1
        })
    ));
    let e = load(&{
        let mut t = base();
        t.remove(0);
        t
    });
    assert!(e.to_string().contains("0.weight"), "{e}");
}

#[test]
fn files_on_disk() {
    let path = std::env::temp_dir().join(format!("typenet-st-{}.safetensors", std::process::id()));
    let net: Net = safetensors::from_safetensors(&pytorch_file()).unwrap();
    safetensors::save_safetensors(&net, &path).unwrap();
    let back: Net = safetensors::load_safetensors(&path).unwrap();
    assert_eq!(back, net);
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        safetensors::load_safetensors::<f32, Net>(&path),
        Err(SafetensorsError::Io(_))
    ));
}

/// The same network always writes the same bytes (a regression: the activations were
/// one metadata entry per layer, in the order of a hash map, so two writes of one
/// network could differ; the fuzz target found it).
#[test]
fn the_same_network_writes_the_same_bytes() {
    type Deep = network!(f32; 2 -> 3 ReLU -> 4 Tanh -> 2 Sigmoid -> 3 LeakyReLU(0.2) -> 1 Identity);
    let params: Vec<f32> = (0..Deep::PARAMS).map(|k| k as f32 / 16.0 - 1.0).collect();
    let net = Deep::from_params(&params).unwrap();
    let first = safetensors::to_safetensors(&net).unwrap();
    for _ in 0..32 {
        assert_eq!(safetensors::to_safetensors(&net).unwrap(), first);
    }
    let back: Deep = safetensors::from_safetensors(&first).unwrap();
    assert_eq!(back, net);
}

mod read_model {
    //! `safetensors::read_model`: the untyped reader of the `typenet` command.

    use ::safetensors::tensor::{Dtype, TensorView};
    use typenet::model::{Model, Shape};
    use typenet::safetensors::{SafetensorsError, read_model, to_safetensors};
    use typenet::{Network, network};

    type Net = network!(f32; 3 -> 4 LeakyReLU(0.2) -> 2 Softmax);

    fn net() -> Net {
        let p: Vec<f32> = (0..Net::PARAMS).map(|k| k as f32 / 8.0 - 1.0).collect();
        Net::from_params(&p).unwrap()
    }

    /// The file PyTorch's `save_file(model.state_dict())` writes for `net`: the tensors
    /// `0.weight`, `0.bias`, `2.weight`, `2.bias` (F32), no metadata.
    fn pytorch_file(net: &Net) -> Vec<u8> {
        let mut buffers = Vec::new();
        for (i, prefix) in ["0", "2"].iter().enumerate() {
            let layer = net.layer(i + 1).unwrap();
            let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
            buffers.push((
                format!("{prefix}.weight"),
                vec![layer.outputs, layer.inputs],
                bytes(layer.weights),
            ));
            buffers.push((
                format!("{prefix}.bias"),
                vec![layer.outputs],
                bytes(layer.bias),
            ));
        }
        let views: Vec<_> = buffers
            .iter()
            .map(|(n, s, d)| {
                (
                    n.clone(),
                    TensorView::new(Dtype::F32, s.clone(), d).unwrap(),
                )
            })
            .collect();
        ::safetensors::serialize(views, None).unwrap()
    }

    #[test]
    fn a_typenet_file_says_its_activations() {
        let net = net();
        let model = read_model(&to_safetensors(&net).unwrap(), None).unwrap();
        assert_eq!(model, Model::from_network(&net).unwrap());
        assert_eq!(model.to_network::<f32, Net>().unwrap(), net);
    }

    #[test]
    fn a_pytorch_file_needs_the_architecture() {
        let net = net();
        let bytes = pytorch_file(&net);
        let err = read_model(&bytes, None).unwrap_err();
        assert!(matches!(err, SafetensorsError::Architecture(_)), "{err}");
        assert!(err.to_string().contains("--arch"), "{err}");

        let shape: Shape = "3 -> 4 LeakyReLU(0.2) -> 2 Softmax".parse().unwrap();
        let model = read_model(&bytes, Some(&shape)).unwrap();
        assert_eq!(model.to_network::<f32, Net>().unwrap(), net);

        // Sizes other than the file's: refused, naming both.
        let other: Shape = "3 -> 5 ReLU -> 2 Softmax".parse().unwrap();
        let err = read_model(&bytes, Some(&other)).unwrap_err().to_string();
        assert!(
            err.contains("holds 3 -> 4 -> 2, not") && err.contains("3 -> 5 ReLU -> 2 Softmax"),
            "{err}"
        );
    }

    #[test]
    fn layers_that_do_not_chain_and_stray_tensors_are_errors() {
        let w = |rows: usize, cols: usize| vec![0u8; 4 * rows * cols];
        let (a, b, c) = (w(4, 3), w(4, 1), w(2, 5));
        let views = vec![
            (
                "0.weight".to_string(),
                TensorView::new(Dtype::F32, vec![4, 3], &a).unwrap(),
            ),
            (
                "0.bias".to_string(),
                TensorView::new(Dtype::F32, vec![4], &b).unwrap(),
            ),
            (
                "2.weight".to_string(),
                TensorView::new(Dtype::F32, vec![2, 5], &c).unwrap(),
            ),
        ];
        let bytes = ::safetensors::serialize(views, None).unwrap();
        let shape: Shape = "3 -> 4 ReLU -> 2 Identity".parse().unwrap();
        let err = read_model(&bytes, Some(&shape)).unwrap_err().to_string();
        assert!(err.contains("`2.weight` takes 5 inputs"), "{err}");

        let mut file = pytorch_file(&net());
        let err = read_model(&file, Some(&"3 -> 4 ReLU".parse().unwrap())).unwrap_err();
        assert!(err.to_string().contains("more layers"), "{err}");
        file.truncate(10);
        assert!(matches!(
            read_model(&file, None),
            Err(SafetensorsError::Parse(_))
        ));
    }

    /// A file of `views` with the `typenet.activations` record `record`.
    fn with_record(views: Vec<(String, TensorView<'_>)>, record: &str) -> Vec<u8> {
        let metadata = std::collections::HashMap::from([(
            "typenet.activations".to_string(),
            record.to_string(),
        )]);
        ::safetensors::serialize(views, Some(metadata)).unwrap()
    }

    /// A record that names one prefix twice would read one layer's tensors for two
    /// layers (a 2 → 2 layer became `2 -> 2 Identity -> 2 Identity`, and a forward pass
    /// gave [7, 7] for [3, 3]); a record naming a NaN or infinite LeakyReLU slope and a
    /// layer of size 0 are not architectures either.
    #[test]
    fn a_repeated_prefix_a_non_finite_slope_and_a_zero_size_are_errors() {
        let (w, b) = (vec![0u8; 16], vec![0u8; 8]);
        let layer = || {
            vec![
                (
                    "0.weight".to_string(),
                    TensorView::new(Dtype::F32, vec![2, 2], &w).unwrap(),
                ),
                (
                    "0.bias".to_string(),
                    TensorView::new(Dtype::F32, vec![2], &b).unwrap(),
                ),
            ]
        };
        assert!(read_model(&with_record(layer(), "0=identity"), None).is_ok());
        let err = read_model(&with_record(layer(), "0=identity;0=identity"), None).unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::DuplicateName { name } if name == "0"),
            "{err}"
        );
        for slope in ["7ff8000000000000", "7ff0000000000000", "fff0000000000000"] {
            let record = format!("0=leaky_relu(0x{slope})");
            let err = read_model(&with_record(layer(), &record), None).unwrap_err();
            assert!(
                matches!(&err, SafetensorsError::Architecture(m) if m.contains("does not define")),
                "{record}: {err}"
            );
        }
        // The finite slope 0.2 in the same form is read.
        assert!(
            read_model(
                &with_record(layer(), "0=leaky_relu(0x3fc999999999999a)"),
                None
            )
            .is_ok()
        );

        let none: Vec<u8> = Vec::new();
        let views = vec![
            (
                "0.weight".to_string(),
                TensorView::new(Dtype::F32, vec![0, 3], &none).unwrap(),
            ),
            (
                "0.bias".to_string(),
                TensorView::new(Dtype::F32, vec![0], &none).unwrap(),
            ),
        ];
        let err = read_model(&with_record(views, "0=relu"), None).unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::Architecture(m) if m.contains("a layer size is 0")),
            "{err}"
        );
    }
}
