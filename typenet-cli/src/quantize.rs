//! `typenet quantize IN --calibrate data.csv -o OUT.tnet [--eval labelled.csv]`.

use crate::convert;
use crate::data::{self, Row};
use crate::input::Input;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use typenet::model::Model;
use typenet::quant::{ModelCalibration, QModel};

/// The options of `typenet quantize`.
pub struct Options {
    /// The f32 network.
    pub input: PathBuf,
    /// Calibration inputs.
    pub calibrate: PathBuf,
    /// The int8 file to write.
    pub output: PathBuf,
    /// Labelled inputs for the accuracy report.
    pub eval: Option<PathBuf>,
    /// The factor applied to every input value.
    pub input_scale: f32,
    /// Whether the CSV files have a header row.
    pub header: bool,
    /// The architecture, where the input file does not record it.
    pub arch: Option<String>,
}

/// A progress bar over `len` items, drawn on stderr only when it is a terminal.
fn progress(len: usize, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg:12} {bar:40} {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(what);
    bar
}

/// Runs `typenet quantize`.
pub fn run(o: &Options) -> Result<(), String> {
    if !(o.input_scale.is_finite() && o.input_scale > 0.0) {
        return Err(format!(
            "--input-scale {}: the factor must be a finite number above 0",
            o.input_scale
        ));
    }
    let model = Input::read(&o.input)?.model(o.arch.as_deref())?;
    let sizes = (model.shape().inputs, model.shape().outputs());
    let rows = data::read(&o.calibrate, sizes, o.header, o.input_scale, false)?;
    // Read before anything is written: a bad --eval file leaves no output behind.
    let eval = o
        .eval
        .as_ref()
        .map(|path| data::read(path, sizes, o.header, o.input_scale, true).map(|rows| (path, rows)))
        .transpose()?;
    let mut calibration = ModelCalibration::new(model.shape());
    let bar = progress(rows.len(), "calibrating");
    for row in &rows {
        calibration
            .observe(&model, &row.input)
            .map_err(|e| format!("{}: {e}", o.calibrate.display()))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let quantized = calibration
        .quantize(&model)
        .map_err(|e| format!("cannot quantize {}: {e}", o.input.display()))?;
    let bytes = quantized.to_bytes();
    convert::write(&o.output, &bytes)?;
    println!(
        "wrote {} ({} bytes, int8), calibrated on {} inputs of {}",
        o.output.display(),
        bytes.len(),
        rows.len(),
        o.calibrate.display()
    );
    println!(
        "type QNet = typenet::quant::Quantized<typenet::network!(f32; {})>;",
        model.shape()
    );
    if let Some((path, rows)) = &eval {
        report(&model, &quantized, rows, path)?;
    }
    Ok(())
}

/// Prints the f32 and int8 accuracy on labelled rows, and how often the two agree.
fn report(model: &Model, q: &QModel, rows: &[Row], path: &std::path::Path) -> Result<(), String> {
    let (mut f32_right, mut int8_right, mut agree) = (0usize, 0usize, 0usize);
    let bar = progress(rows.len(), "evaluating");
    for row in rows {
        let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let y = model.forward(&row.input).map_err(|e| at(&e))?;
        let yq = q
            .forward(&q.quantize_input(&row.input))
            .map_err(|e| at(&e))?;
        let (a, b) = (data::class(&y), data::class(&q.dequantize_output(&yq)));
        let label = row.label.unwrap_or(usize::MAX);
        f32_right += usize::from(a == label);
        int8_right += usize::from(b == label);
        agree += usize::from(a == b);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let n = rows.len();
    let pct = |k: usize| 100.0 * k as f64 / n as f64;
    println!("accuracy on {} ({n} labelled inputs):", path.display());
    println!("  f32   {f32_right}/{n} = {:.2} %", pct(f32_right));
    println!("  int8  {int8_right}/{n} = {:.2} %", pct(int8_right));
    println!(
        "  the same class in f32 and int8: {agree}/{n} = {:.2} %",
        pct(agree)
    );
    Ok(())
}
