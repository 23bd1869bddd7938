//! `typenet inspect FILE`: what a file holds and what is wrong with it.

use crate::input::{Input, Kind, parse_arch};
use std::path::Path;
use typenet::model::{Footprint, Shape};
use typenet::quant::QModel;

/// Writes a count with thin groups of three digits: `19 240`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The bytes of one value of a scalar type.
fn scalar_bytes(scalar: &str) -> usize {
    match scalar {
        "f64" => 8,
        "int8" => 1,
        _ => 4,
    }
}

/// Prints the sizes of a network of `shape` in `scalar`.
fn print_sizes(shape: &Shape, scalar: &str, file_len: usize) {
    let params = shape.params().unwrap_or(0);
    println!("  parameters    {} ({scalar})", grouped(params));
    let Some(Footprint {
        weights,
        inference,
        trace,
        gradient,
    }) = shape.footprint(scalar_bytes(scalar))
    else {
        println!("  sizes         overflow usize");
        return;
    };
    if scalar == "int8" {
        println!(
            "  flash         {} B: the int8 file, which static_qnetwork! reads in place",
            grouped(file_len)
        );
        println!(
            "  RAM           inference {} B (int8 activations)",
            grouped(inference)
        );
        return;
    }
    println!(
        "  flash         {} B of weights (the file is {} B)",
        grouped(weights),
        grouped(file_len)
    );
    println!(
        "  RAM           inference {} B · training trace {} B per sample · gradient {} B",
        grouped(inference),
        grouped(trace),
        grouped(gradient)
    );
    println!(
        "  optimizer     SGD 0 B · SGD with momentum {} B · RMSprop {} B · Adam {} B",
        grouped(gradient),
        grouped(gradient),
        grouped(2 * gradient)
    );
    println!(
        "                (a 32-bit target; on x86-64 each layer adds up to 60 B of alignment)"
    );
}

/// Runs `typenet inspect`.
pub fn run(path: &Path, arch: Option<&str>) -> Result<(), String> {
    let input = Input::read(path)?;
    println!("{}: {}", path.display(), input.describe());
    let scalar = input.scalar();
    let shape = match &input.kind {
        Kind::Int8(h) => {
            let Some(arch) = arch else {
                println!(
                    "  architecture  recorded as its fingerprint {:#018x}; check one with --arch",
                    h.fingerprint
                );
                println!("  parameters    {}", grouped(h.params));
                println!(
                    "  flash         {} B: the int8 file",
                    grouped(input.bytes.len())
                );
                return Ok(());
            };
            let shape = parse_arch(arch)?;
            QModel::from_bytes(&input.bytes, &shape)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            shape
        }
        Kind::Weights(h) if arch.is_none() => {
            println!(
                "  architecture  recorded as its fingerprint {:#018x}; check one with --arch",
                h.fingerprint
            );
            println!("  parameters    {} ({scalar})", grouped(h.params));
            let expected = typenet::format::HEADER_LEN + h.params * scalar_bytes(scalar);
            if input.bytes.len() != expected {
                return Err(format!(
                    "{}: the file is {} bytes long, but its header promises {} ({} parameters)",
                    path.display(),
                    input.bytes.len(),
                    expected,
                    h.params
                ));
            }
            println!(
                "  flash         {} B of weights",
                grouped(h.params * scalar_bytes(scalar))
            );
            println!(
                "  check         header and length ok; with --arch the values are checked too"
            );
            return Ok(());
        }
        _ => input.model(arch)?.shape().clone(),
    };
    if scalar == "int8" {
        println!("  architecture  Quantized<network!(f32; {shape})>");
    } else {
        println!("  architecture  network!({scalar}; {shape})");
    }
    println!("  layers        {}", shape.depth());
    print_sizes(&shape, scalar, input.bytes.len());
    println!("  check         ok: every value finite, sizes and activations consistent");
    Ok(())
}
