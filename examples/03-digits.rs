//! Handwritten digits, the main example: a 64 → 64 ReLU → 10 softmax network learns to
//! read 8x8 images (UCI "Optical Recognition of Handwritten Digits", 1797 images in
//! `examples/data/digits.csv`) with the epoch loop `typenet::fit::Fit`.
//!
//! ```sh
//! cargo run --release --example digits
//! cargo run --release --example digits -- --plot curves.png --save digits.tnet
//! ```
//!
//! Pixels 0..16 scaled to [0, 1]; a seeded 80/20 split (1438 / 359 images); softmax
//! cross-entropy on the digit; Adam (η = 0.005, cosine schedule), batches of 32, 40
//! epochs. One `Pcg64` seeded with [`SEED`] makes the split, then the initial weights,
//! then the batch order. Exits with status 1 if the test accuracy is below 96 %;
//! `tests/training.rs` runs [`run`] and checks the same bar.
//!
//! `--plot FILE.png` draws the loss and the test error rate per epoch (plotters; text
//! in the first font found of [`FONTS`], with none the curves have no text). `--save FILE` writes the network
//! in typenet's weight format (`typenet::format`, what `static_network!` reads);
//! `--heldout FILE` writes the test images as the firmware reads them, 64 pixel bytes
//! and a label byte each (`embedded/data/digits.tnet` and `heldout.bin` come from here).

use indicatif::{ProgressBar, ProgressStyle};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;
use std::{ops::ControlFlow, path::PathBuf, process::ExitCode};
use typenet::fit::{EpochReport, Fit, History, train_test_split};
use typenet::loss::SoftmaxCrossEntropy;
use typenet::optim::{Adam, Cosine};
use typenet::train::{Evaluation, Trainer, evaluate};
use typenet::{Input, Network, TrainError, format, init::initialize, network};

pub type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
/// An image: 64 pixels 0..=16 row by row, and its digit.
pub type Image = ([u8; 64], u8);

pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/digits.csv");
pub const SEED: u64 = 42;
pub const EPOCHS: usize = 40;
pub const BAR: f64 = 0.96;
pub const FONTS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
];

/// Reads `digits.csv` (a header, then 64 pixels and the digit per line) with the csv
/// crate; a bad line is an error naming it.
pub fn load(path: &str) -> Result<Vec<Image>, Box<dyn std::error::Error>> {
    let mut images = Vec::new();
    for (line, row) in csv::Reader::from_path(path)?
        .deserialize::<Vec<u8>>()
        .enumerate()
    {
        let image = match row?.split_last() {
            Some((&digit, pixels)) if digit < 10 && pixels.iter().all(|&p| p <= 16) => {
                <[u8; 64]>::try_from(pixels).ok().map(|p| (p, digit))
            }
            _ => None,
        };
        images.push(image.ok_or_else(|| {
            format!(
                "{path}, line {}: not 64 pixels 0..=16 and a digit",
                line + 2
            )
        })?);
    }
    Ok(images)
}

/// The seeded 80/20 split into (training part, test part), and the generator after it.
pub fn split(images: &[Image]) -> (Vec<Image>, Vec<Image>, Pcg64) {
    let mut rng = Pcg64::seed_from_u64(SEED);
    let (train, test) = train_test_split(images, 0.8, &mut rng);
    (train, test, rng)
}

/// The network's input: each pixel / 16.
pub fn input(pixels: &[u8; 64]) -> Input<f32, DigitsNet> {
    DigitsNet::input(pixels.map(|p| f32::from(p) / 16.0))
}

/// A trained network, the reports of its epochs, its final loss and accuracy.
pub struct Trained {
    pub net: DigitsNet,
    pub history: History<f32>,
    pub train: Evaluation<f32>,
    pub test: Evaluation<f32>,
}

/// Splits `images`, initialises the network and trains it; `on_epoch` sees each report.
pub fn run(
    images: &[Image],
    mut on_epoch: impl FnMut(&EpochReport<f32>),
) -> Result<Trained, TrainError> {
    let (train, test, mut rng) = split(images);
    let samples = |part: &[Image]| -> Vec<_> {
        part.iter()
            .map(|(x, d)| (input(x), usize::from(*d)))
            .collect()
    };
    let (train, test) = (samples(&train), samples(&test));
    let mut net = DigitsNet::zeroed();
    initialize(&mut net, &mut rng); // He uniform for ReLU, biases zero
    let mut trainer = Trainer::new(Adam::new(5e-3));
    let cosine = Cosine {
        initial: 5e-3,
        min: 5e-3 / 100.0,
        epochs: EPOCHS - 1,
    };
    let history = Fit::new(SoftmaxCrossEntropy)
        .epochs(EPOCHS)
        .batch_size(32)
        .rng(&mut rng)
        .schedule(&cosine)
        .test(&test)
        .on_epoch(|report| {
            on_epoch(report);
            ControlFlow::Continue(())
        })
        .run(&mut net, &mut trainer, &train)?;
    let train = evaluate(&net, &SoftmaxCrossEntropy, &train)?;
    let test = evaluate(&net, &SoftmaxCrossEntropy, &test)?;
    Ok(Trained {
        net,
        history,
        train,
        test,
    })
}

fn main() -> ExitCode {
    let usage = || {
        let options = "[--plot FILE.png] [--save FILE] [--heldout FILE]";
        eprintln!("usage: cargo run --release --example digits -- {options}");
        ExitCode::from(2)
    };
    let (mut plot, mut save, mut heldout) = (None, None, None);
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let slot = match pair[0].as_str() {
            "--plot" => &mut plot,
            "--save" => &mut save,
            "--heldout" => &mut heldout,
            _ => return usage(),
        };
        let Some(file) = pair.get(1) else {
            return usage();
        };
        *slot = Some(PathBuf::from(file));
    }
    if !plot
        .iter()
        .all(|p| p.extension().is_some_and(|e| e == "png"))
    {
        return usage();
    }
    match train_and_report(plot, save, heldout) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type Output = Result<bool, Box<dyn std::error::Error>>;

fn train_and_report(
    plot: Option<PathBuf>,
    save: Option<PathBuf>,
    heldout: Option<PathBuf>,
) -> Output {
    let images = load(DATA)?;
    println!(
        "digits: {} images, 64 -> 64 ReLU -> 10 Softmax",
        images.len()
    );
    // A progress bar on a terminal; indicatif hides it when stderr is not one (CI),
    // and then each epoch is a plain line.
    let style = ProgressStyle::with_template("{bar:30} {msg}")?;
    let bar = ProgressBar::new(EPOCHS as u64).with_style(style);
    let Trained {
        net,
        history,
        train,
        test,
    } = run(&images, |r| {
        let test = r.test.map_or(0.0, |t| 100.0 * t.accuracy);
        let line = format!(
            "epoch {:>2}  train loss {:.5}  test accuracy {test:6.2} %",
            r.epoch, r.train_loss
        );
        bar.inc(1);
        bar.set_message(line.clone());
        if bar.is_hidden() {
            println!("{line}");
        }
    })?;
    bar.finish_and_clear();
    let seconds = history.last().map_or(0.0, |r| r.elapsed.as_secs_f64());
    let (a, b) = (100.0 * train.accuracy, 100.0 * test.accuracy);
    println!("train accuracy {a:.2} %, test accuracy {b:.2} %, {EPOCHS} epochs in {seconds:.2} s");
    let passed = test.accuracy >= BAR;
    println!(
        "{} the bar of {:.0} %",
        if passed { "reached" } else { "MISSED" },
        100.0 * BAR
    );

    if let Some(file) = plot {
        let text =
            draw_curves(&file, &history.reports).map_err(|e| format!("{}: {e}", file.display()))?;
        println!(
            "plot written to {}{}",
            file.display(),
            if text { "" } else { " (no font: no text)" }
        );
    }
    if let Some(file) = save {
        format::save(&net, &file)?;
        println!("the network written to {}", file.display());
    }
    if let Some(file) = heldout {
        let (_, test, _) = split(&images);
        let bytes: Vec<u8> = test
            .iter()
            .flat_map(|(x, digit)| x.iter().chain([digit]))
            .copied()
            .collect();
        std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        println!(
            "{} held-out images written to {}",
            test.len(),
            file.display()
        );
    }
    Ok(passed)
}

/// One panel, log scale, per epoch: the train loss (blue), the test loss (red) and the
/// test error rate 1 − accuracy (black). `Ok(false)` when no font was found (no text).
fn draw_curves(file: &std::path::Path, reports: &[EpochReport<f32>]) -> Output {
    use plotters::prelude::*;
    let text = FONTS.iter().any(|path| {
        let bytes = std::fs::read(path).map(|b| &*Box::leak(b.into_boxed_slice()));
        bytes.is_ok_and(|b| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, b).is_ok()
        })
    });
    let root = BitMapBackend::new(file, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(20)
        .x_label_area_size(if text { 40 } else { 0 })
        .y_label_area_size(if text { 60 } else { 0 });
    if text {
        builder.caption(
            "train loss (blue), test loss (red), test error rate (black)",
            ("sans-serif", 20),
        );
    }
    let mut chart =
        builder.build_cartesian_2d(1.0..reports.len().max(2) as f64, (1e-3..5.0).log_scale())?;
    if text {
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()?;
    }
    type Curve = (fn(&EpochReport<f32>) -> Option<f64>, RGBColor);
    let curves: [Curve; 3] = [
        (|r| Some(f64::from(r.train_loss)), BLUE),
        (|r| Some(f64::from(r.test?.loss)), RED),
        (|r| Some(1.0 - r.test?.accuracy), BLACK),
    ];
    for (value, color) in curves {
        let points = reports
            .iter()
            .filter_map(|r| Some((r.epoch as f64, value(r)?)));
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
    }
    root.present()?;
    Ok(text)
}
