//! PyTorch import: a safetensors file written the way PyTorch saves an `nn.Sequential`'s
//! `state_dict`, read into a typed network, run, and checked.
//!
//! ```sh
//! cargo run --release --features safetensors --example pytorch
//! ```
//!
//! The model is a tiny ReLU network whose weights compute XOR exactly:
//! h = ReLU(W¹x + b¹) = (x₁ + x₂, max(0, x₁ + x₂ − 1)), y = h₁ − 2h₂. The Python that
//! writes the same file:
//!
//! ```python
//! import torch
//! from torch import nn
//! from safetensors.torch import save_file
//!
//! model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
//! with torch.no_grad():
//!     model[0].weight.copy_(torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
//!     model[0].bias.copy_(torch.tensor([0.0, -1.0]))
//!     model[2].weight.copy_(torch.tensor([[1.0, -2.0]]))
//!     model[2].bias.zero_()
//! save_file(model.state_dict(), "xor.safetensors")
//! ```
//!
//! Here the file is written with the `safetensors` crate instead, so the example needs
//! no Python. PyTorch names the tensors by module index: `0.weight` (shape
//! `[out, in]`, row-major, which is typenet's W^i layout), `0.bias`, then `2.weight`
//! and `2.bias` (module 1 is the ReLU, which has no parameters). Exits with status 1 if
//! an output differs from XOR or a wrong architecture is not refused.

use ::safetensors::tensor::{Dtype, TensorView, serialize};
use std::process::ExitCode;
use typenet::safetensors::{SafetensorsError, from_safetensors, to_safetensors};
use typenet::{Network, network};

/// The typed twin of the PyTorch model: `Linear(2, 2)`, `ReLU`, `Linear(2, 1)`.
type XorNet = network!(f32; 2 -> 2 ReLU -> 1 Identity);

/// The model's `state_dict` as a safetensors file (little-endian `F32` tensors).
fn pytorch_file() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let tensors: [(&str, Vec<usize>, &[f32]); 4] = [
        ("0.weight", vec![2, 2], &[1.0, 1.0, 1.0, 1.0]),
        ("0.bias", vec![2], &[0.0, -1.0]),
        ("2.weight", vec![1, 2], &[1.0, -2.0]),
        ("2.bias", vec![1], &[0.0]),
    ];
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, values)| values.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let mut views = Vec::new();
    for ((name, shape, _), data) in tensors.iter().zip(&bytes) {
        views.push((*name, TensorView::new(Dtype::F32, shape.clone(), data)?));
    }
    Ok(serialize(views, None)?)
}

fn main() -> ExitCode {
    let file = match pytorch_file() {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot write the safetensors file: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The import checks every tensor's name, shape, dtype and values against the type.
    let net: XorNet = match from_safetensors(&file) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "imported {} parameters from {} bytes of safetensors",
        XorNet::PARAMS,
        file.len()
    );

    let mut ok = true;
    println!("\n x1  x2  network  XOR");
    for (x, xor) in [
        ([0.0, 0.0], 0.0),
        ([0.0, 1.0], 1.0),
        ([1.0, 0.0], 1.0),
        ([1.0, 1.0], 0.0),
    ] {
        let y = net.forward(&XorNet::input(x))[0];
        ok &= y == xor; // exact: small integers in f32
        println!(" {:.0}   {:.0}   {y:>7.4}  {xor:.0}", x[0], x[1]);
    }

    // Another architecture (3 hidden neurons) is refused with the tensor that differs.
    type Wider = network!(f32; 2 -> 3 ReLU -> 1 Identity);
    match from_safetensors::<f32, Wider>(&file) {
        Err(e @ SafetensorsError::ShapeMismatch { .. }) => println!("\ninto 2 -> 3 ReLU -> 1: {e}"),
        other => {
            println!("\ninto 2 -> 3 ReLU -> 1: expected a shape mismatch, got {other:?}");
            ok = false;
        }
    }
    // And back: typenet writes the same tensors, which PyTorch's `load_file` reads.
    match to_safetensors(&net).map(|bytes| from_safetensors::<f32, XorNet>(&bytes)) {
        Ok(Ok(back)) if back == net => println!("written back and read again: the same network"),
        other => {
            println!("written back and read again: DIFFERS ({other:?})");
            ok = false;
        }
    }
    if ok {
        println!("\nthe imported network computes XOR");
        ExitCode::SUCCESS
    } else {
        println!("\nthe imported network does NOT compute XOR");
        ExitCode::FAILURE
    }
}
