//! Writes the seed corpus, `fuzz/corpus/<target>/`: a few valid files made by the
//! library (run from `fuzz/`: `cargo run --bin seeds`). The files are committed; this
//! program documents how they were made and can remake them.

use std::fs;
use std::path::Path;
use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::{Network, Scalar, format, network, quant, safetensors};
use typenet_fuzz::{F32Net, F64Net, Q16Net};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

fn net<T: Scalar, N: Network<T>>(scale: f64) -> N {
    let p: Vec<T> = (0..N::PARAMS)
        .map(|k| T::from_f64(scale * (k as f64 - 4.0) / 7.0))
        .collect();
    N::from_params(&p).unwrap()
}

fn main() {
    for (k, scale) in [1.0, 100.0].into_iter().enumerate() {
        let (a, b, c) = (
            net::<f32, F32Net>(scale),
            net::<f64, F64Net>(scale),
            net::<Q16, Q16Net>(scale),
        );
        write("format", &format!("f32_{k}"), &format::to_bytes(&a));
        write("format", &format!("f64_{k}"), &format::to_bytes(&b));
        write("format", &format!("q16_{k}"), &format::to_bytes(&c));
        write(
            "safetensors",
            &format!("f32_{k}"),
            &safetensors::to_safetensors(&a).unwrap(),
        );
        write(
            "safetensors",
            &format!("f64_{k}"),
            &safetensors::to_safetensors(&b).unwrap(),
        );
        write(
            "safetensors",
            &format!("q16_{k}"),
            &safetensors::to_safetensors(&c).unwrap(),
        );
        write(
            "serde_json",
            &format!("f32_{k}"),
            serde_json::to_string(&a).unwrap().as_bytes(),
        );
        write(
            "serde_json",
            &format!("f64_{k}"),
            serde_json::to_string(&b).unwrap().as_bytes(),
        );
    }
    type F = network!(f32; 3 -> 4 Tanh -> 3 ReLU -> 2 Softmax);
    let f: F = net::<f32, F>(1.0);
    let inputs: Vec<_> = (0..8)
        .map(|k| GenericArray::from_array([k as f32 / 8.0, 1.0 - k as f32 / 4.0, 0.5]))
        .collect();
    let q = quant::quantize(&f, &inputs).unwrap();
    write("int8", "small_0", &quant::to_vec(&q));
    write(
        "int8",
        "small_1",
        include_bytes!("../../../tests/quant_data/small_int8.tnet"),
    );
    // train_step: scalar choice, lr, momentum, optimizer, 13 params, clip flag + norm,
    // loss, Huber δ, then batches (count, then 3 words per sample)
    let f32_words = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    for (k, (opt, loss)) in [(0u8, 0u8), (1, 1), (3, 2), (4, 0)].into_iter().enumerate() {
        let mut b = vec![0u8];
        b.extend(f32_words(&[0.1, 0.9]));
        b.push(opt);
        b.extend(f32_words(
            &(0..13).map(|j| (j as f32 - 6.0) / 10.0).collect::<Vec<_>>(),
        ));
        b.push(1);
        b.extend(f32_words(&[1.0]));
        b.push(loss);
        b.extend(f32_words(&[1.0]));
        for n in [4u8, 5, 1] {
            b.push(n);
            for s in 0..n {
                b.extend(f32_words(&[s as f32 / 4.0, 0.5, f32::from(s % 2)]));
            }
        }
        write("train_step", &format!("f32_{k}"), &b);
    }
    let mut b = vec![1u8];
    b.extend([6554i32, 0].iter().flat_map(|x| x.to_le_bytes()));
    b.push(0);
    b.extend((0..13).flat_map(|j: i32| ((j - 6) * 6554).to_le_bytes()));
    b.extend([0, 0]); // no clipping, mean squared error
    b.extend(65536i32.to_le_bytes()); // Huber δ (unused)
    for n in [4u8, 2, 3] {
        b.push(n);
        for s in 0..i32::from(n) {
            b.extend(
                [s * 16384, 32768, (s % 2) * 65536]
                    .iter()
                    .flat_map(|x| x.to_le_bytes()),
            );
        }
    }
    write("train_step", "q16_0", &b);
}
