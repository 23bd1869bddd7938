//! `typenet`: from a trained model to a typed typenet network in one command.
//!
//! - `typenet inspect FILE` — what a weight file, int8 file, safetensors or ONNX file
//!   holds: its architecture in `network!` syntax, parameter count, scalar type, flash
//!   and RAM sizes, and what is wrong with it if anything is.
//! - `typenet convert IN -o OUT.tnet` — ONNX or safetensors to typenet's weight format;
//!   prints the `network!` type to paste.
//! - `typenet quantize IN --calibrate data.csv -o OUT.tnet [--eval labelled.csv]` —
//!   int8 post-training quantization, with the f32 and int8 accuracy.
//! - `typenet codegen FILE -o model.rs` — a Rust file with the network's type and a
//!   `static` built at compile time from the weights beside it, for firmware.
//!
//! Every subcommand has `--help`. Errors name the file and what is wrong, and exit
//! with status 1 (a wrong command line: status 2, with clap's message).

mod codegen;
mod convert;
mod data;
mod input;
mod inspect;
mod quantize;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The `typenet` command line.
#[derive(Parser)]
#[command(name = "typenet", version, about = "Inspect, convert, quantize and generate firmware code for typenet networks", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The architecture option shared by the subcommands that read files which do not record
/// it (typenet weight files store only a fingerprint; PyTorch safetensors files store no
/// activations).
#[derive(clap::Args, Clone)]
struct Arch {
    /// The architecture in `network!` syntax, e.g. "64 -> 64 ReLU -> 10 Softmax" (a
    /// leading "f32;" is allowed). Needed for typenet weight files and for safetensors
    /// files not written by typenet; checked against what the file holds.
    #[arg(long, value_name = "ARCH")]
    arch: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Show a file's architecture, parameter count, scalar type, flash and RAM sizes,
    /// and what is wrong with it if anything is.
    Inspect {
        /// A typenet weight file (f32, f64, Q16 or int8), a safetensors file or an ONNX
        /// model.
        file: PathBuf,
        #[command(flatten)]
        arch: Arch,
    },
    /// Convert an ONNX or safetensors model to typenet's weight format and print the
    /// `network!` type to paste.
    Convert {
        /// The ONNX, safetensors or typenet weight file to read.
        input: PathBuf,
        /// The typenet weight file to write.
        #[arg(short, long, value_name = "OUT.tnet")]
        output: PathBuf,
        /// The scalar type of the written file.
        #[arg(long, value_enum, default_value_t = convert::ScalarArg::F32)]
        scalar: convert::ScalarArg,
        #[command(flatten)]
        arch: Arch,
    },
    /// Quantize a network to int8, calibrated on the rows of a CSV file; with --eval,
    /// report the f32 and int8 accuracy on a labelled CSV file.
    Quantize {
        /// The f32 network: a typenet weight file (with --arch), ONNX or safetensors.
        input: PathBuf,
        /// CSV file of calibration inputs: one row per input, M_0 numbers (a last label
        /// column is allowed and ignored).
        #[arg(long, value_name = "data.csv")]
        calibrate: PathBuf,
        /// The int8 weight file to write.
        #[arg(short, long, value_name = "OUT.tnet")]
        output: PathBuf,
        /// CSV file of labelled inputs: M_0 numbers, then the class index.
        #[arg(long, value_name = "labelled.csv")]
        eval: Option<PathBuf>,
        /// Multiply every input value by this factor (finite, above 0) before use (e.g.
        /// 0.0625 for pixels 0..16 of a network trained on [0, 1]).
        #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
        input_scale: f32,
        /// The CSV files have no header row.
        #[arg(long)]
        no_header: bool,
        #[command(flatten)]
        arch: Arch,
    },
    /// Write a Rust file with the network's type alias and a `static` built at compile
    /// time by `static_network!` / `static_qnetwork!` over `include_bytes!`; the weights
    /// are written beside it, so a firmware crate only adds `mod model;`.
    Codegen {
        /// A typenet weight file (f32, f64, Q16 or int8; with --arch), ONNX or
        /// safetensors model.
        input: PathBuf,
        /// The Rust file to write (`<stem>.rs`, the stem a lower-case identifier: it names
        /// the module); the weights go beside it, as `<stem>.tnet`.
        #[arg(short, long, value_name = "model.rs")]
        output: PathBuf,
        /// The name of the `static` (the type alias is its CamelCase form).
        #[arg(long, default_value = "MODEL")]
        name: String,
        /// The scalar type of the weights written for an ONNX or safetensors input (f32
        /// when not given); a typenet weight file keeps its own.
        #[arg(long, value_enum)]
        scalar: Option<convert::ScalarArg>,
        #[command(flatten)]
        arch: Arch,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { file, arch } => inspect::run(&file, arch.arch.as_deref()),
        Command::Convert {
            input,
            output,
            scalar,
            arch,
        } => convert::run(&input, &output, scalar, arch.arch.as_deref()),
        Command::Quantize {
            input,
            calibrate,
            output,
            eval,
            input_scale,
            no_header,
            arch,
        } => quantize::run(&quantize::Options {
            input,
            calibrate,
            output,
            eval,
            input_scale,
            header: !no_header,
            arch: arch.arch,
        }),
        Command::Codegen {
            input,
            output,
            name,
            scalar,
            arch,
        } => codegen::run(&input, &output, &name, scalar, arch.arch.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
