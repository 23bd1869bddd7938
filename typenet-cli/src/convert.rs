//! `typenet convert IN -o OUT.tnet`: any float model to typenet's weight format.

use crate::input::Input;
use std::path::Path;
use typenet::fixed::Q16;
use typenet::model::Model;

/// The scalar type of a written weight file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScalarArg {
    /// 32-bit floats (the usual choice; what PyTorch and ONNX models hold).
    F32,
    /// 64-bit floats.
    F64,
    /// Q16.16 fixed point, for chips without an FPU.
    Q16,
}

impl ScalarArg {
    /// The scalar's name: `f32`, `f64`, `Q16` (as `static_network!` takes it).
    pub fn name(self) -> &'static str {
        match self {
            ScalarArg::F32 => "f32",
            ScalarArg::F64 => "f64",
            ScalarArg::Q16 => "Q16",
        }
    }
}

/// The scalar type named `name` (`f32`, `f64`, `Q16`) as a `network!` written into a
/// user's file needs it: a path for `Q16`, which is not in scope there.
pub fn type_path(name: &str) -> &str {
    if name == "Q16" {
        "typenet::fixed::Q16"
    } else {
        name
    }
}

/// The weight file of `model` in `scalar`.
pub fn weight_file(model: &Model, scalar: ScalarArg) -> Result<Vec<u8>, String> {
    match scalar {
        ScalarArg::F32 => model.to_weight_file::<f32>(),
        ScalarArg::F64 => model.to_weight_file::<f64>(),
        ScalarArg::Q16 => model.to_weight_file::<Q16>(),
    }
    .map_err(|e| format!("the model does not fit {}: {e}", scalar.name()))
}

/// Writes `bytes` to `path`, naming it in the error.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `typenet convert`.
pub fn run(
    input: &Path,
    output: &Path,
    scalar: ScalarArg,
    arch: Option<&str>,
) -> Result<(), String> {
    let model = Input::read(input)?.model(arch)?;
    let bytes = weight_file(&model, scalar)?;
    write(output, &bytes)?;
    println!(
        "wrote {} ({} bytes, {} parameters)",
        output.display(),
        bytes.len(),
        model.params().len()
    );
    println!(
        "type Net = typenet::network!({}; {});",
        type_path(scalar.name()),
        model.shape()
    );
    Ok(())
}
