//! Reading any file the command takes: a typenet weight file (float or int8), a
//! safetensors file or an ONNX model, recognised by its bytes, not its name.

use std::path::{Path, PathBuf};
use typenet::fixed::Q16;
use typenet::format::{self, Header};
use typenet::model::{Model, Shape};
use typenet::quant::INT8_CODE;

/// What a file is.
pub enum Kind {
    /// A typenet weight file of f32, f64 or Q16 values.
    Weights(Header),
    /// A typenet int8 weight file.
    Int8(Header),
    /// A safetensors file.
    Safetensors,
    /// An ONNX model.
    Onnx,
}

/// A file read into memory, with what it is.
pub struct Input {
    /// Its path, for messages.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// What it is.
    pub kind: Kind,
}

/// Parses `--arch`.
pub fn parse_arch(arch: &str) -> Result<Shape, String> {
    arch.parse::<Shape>().map_err(|e| e.to_string())
}

/// Whether `bytes` look like a safetensors file: an 8-byte little-endian header length
/// below 4 GiB, then the `{` of a JSON object. (A file cut short still counts, so that
/// the safetensors reader says what is missing; an ONNX model's first eight bytes, its
/// IR version and producer, read as a length far beyond 4 GiB.)
fn is_safetensors(bytes: &[u8]) -> bool {
    let Some(len) = bytes.first_chunk::<8>().map(|b| u64::from_le_bytes(*b)) else {
        return false;
    };
    bytes.get(8) == Some(&b'{') && len <= u64::from(u32::MAX)
}

impl Input {
    /// Reads the file at `path` and tells what it is.
    pub fn read(path: &Path) -> Result<Input, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let kind = if bytes.starts_with(&format::MAGIC) {
            let header =
                format::read_header(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            match header.code {
                INT8_CODE => Kind::Int8(header),
                1..=3 => Kind::Weights(header),
                code => {
                    return Err(format!(
                        "{}: a typenet weight file of unknown scalar code {code} (1 = f32, \
                         2 = f64, 3 = Q16.16, 4 = int8)",
                        path.display()
                    ));
                }
            }
        } else if is_safetensors(&bytes) {
            Kind::Safetensors
        } else {
            Kind::Onnx
        };
        Ok(Input {
            path: path.to_path_buf(),
            bytes,
            kind,
        })
    }

    /// The file's format, in words.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Weights(h) => format!(
                "typenet weight file (format version {}, {})",
                format::VERSION,
                h.scalar_name()
            ),
            Kind::Int8(_) => format!(
                "typenet int8 weight file (format version {}, typenet::quant)",
                format::VERSION
            ),
            Kind::Safetensors => "safetensors file".into(),
            Kind::Onnx => "ONNX model".into(),
        }
    }

    /// The scalar type of the file's values as `network!` names it (`f32` for ONNX and
    /// safetensors, whose values are read as f32 unless written otherwise).
    pub fn scalar(&self) -> &'static str {
        match &self.kind {
            Kind::Weights(h) => match h.code {
                2 => "f64",
                3 => "Q16",
                _ => "f32",
            },
            Kind::Int8(_) => "int8",
            Kind::Safetensors | Kind::Onnx => "f32",
        }
    }

    /// `Ok` unless `arch` names a scalar (`f64; 4 -> …`) that is not the scalar of
    /// this typenet weight file's values (the parser takes the prefix and ignores it).
    fn check_arch_scalar(&self, arch: Option<&str>) -> Result<(), String> {
        let Some((named, _)) = arch.and_then(|a| a.split_once(';')) else {
            return Ok(());
        };
        // `typenet::fixed::Q16`, as `convert` prints it, names Q16 too.
        let named = named.trim().trim_start_matches("typenet::fixed::");
        let held = self.scalar();
        match &self.kind {
            Kind::Weights(_) if named != held => Err(format!(
                "{}: --arch names {named}, but the file holds {held} values",
                self.path.display()
            )),
            _ => Ok(()),
        }
    }

    /// The float network the file holds; `arch` is needed where the file does not
    /// record the architecture, and checked where it does.
    pub fn model(&self, arch: Option<&str>) -> Result<Model, String> {
        self.check_arch_scalar(arch)?;
        let shape = arch.map(parse_arch).transpose()?;
        let at = |e: &dyn std::fmt::Display| format!("{}: {e}", self.path.display());
        match &self.kind {
            Kind::Weights(h) => {
                let Some(shape) = shape else {
                    return Err(format!(
                        "{}: a typenet weight file records its architecture only as a \
                         fingerprint ({:#018x}); give it with --arch \"64 -> 64 ReLU -> 10 Softmax\"",
                        self.path.display(),
                        h.fingerprint
                    ));
                };
                let model = match h.code {
                    1 => Model::from_weight_file::<f32>(&self.bytes, shape),
                    2 => Model::from_weight_file::<f64>(&self.bytes, shape),
                    _ => Model::from_weight_file::<Q16>(&self.bytes, shape),
                };
                model.map_err(|e| at(&e))
            }
            Kind::Int8(_) => Err(format!(
                "{}: an int8 file (already quantized); this step needs a float network",
                self.path.display()
            )),
            Kind::Safetensors => {
                typenet::safetensors::read_model(&self.bytes, shape.as_ref()).map_err(|e| at(&e))
            }
            Kind::Onnx => {
                // ONNX is what is left: a file that is not one says all three.
                let model = typenet::onnx::read_model(&self.bytes).map_err(|e| {
                    format!(
                        "{}: not a typenet weight file, not a safetensors file, and not an \
                         ONNX model: {e}",
                        self.path.display()
                    )
                })?;
                match shape {
                    Some(s) if s != *model.shape() => Err(format!(
                        "{}: the model is {}, not the given architecture {s}",
                        self.path.display(),
                        model.shape()
                    )),
                    _ => Ok(model),
                }
            }
        }
    }
}
