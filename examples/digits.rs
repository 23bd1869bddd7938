//! Handwritten digits: a 64 → 64 ReLU → 10 softmax network learns to read 8x8 images
//! (the UCI "Optical Recognition of Handwritten Digits" set, 1797 samples, in
//! `examples/data/digits.csv`).
//!
//! ```sh
//! cargo run --release --example digits
//! cargo run --release --example digits -- --plot curves.png --save digits.tnet
//! ```
//!
//! Pixels 0..16 are scaled to [0, 1]; a seeded 80/20 split (1438 / 359 samples);
//! softmax cross-entropy on the class index; Adam (η = 0.005, cosine schedule),
//! mini-batches of 32, 40 epochs, seed 42 (`examples/common/tasks.rs`, the same set-up
//! `tests/training.rs` checks). Prints one line per epoch (rewritten in place on a
//! terminal) and exits with status 1 if the final test accuracy is below 96 %.
//!
//! Options:
//! - `--plot FILE.png`: draws the train and test loss and the test accuracy per epoch.
//!   Text is drawn with the first font found among the usual system paths (DejaVu Sans,
//!   Liberation Sans, Arial) or the one given with `--font FILE.ttf`; with none the
//!   curves are drawn without text.
//! - `--save FILE`: writes the trained network in typenet's weight format
//!   (`typenet::format`: a 20-byte header, then the parameters in the canonical order
//!   as little-endian `f32`); `typenet::format::load` and `static_network!` read it.
//! - `--heldout FILE`: writes the held-out test images as the firmware reads them
//!   (`embedded/`): per image 64 pixel bytes (0..16, row by row) and the label byte.
//! - `--data FILE.csv`: another file with the same columns.
//!
//! Exit status: 0 on success, 1 when the accuracy bar is missed or a step fails
//! (reading the data, training, writing the plot or the weights), 2 for bad arguments.

mod common;

use common::csv;
use common::progress::{Metric, Progress};
use common::tasks::{self, DIGITS, DIGITS_BAR, DigitsNet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use typenet::Network;
use typenet::fit::EpochReport;

const USAGE: &str = "\
usage: cargo run --release --example digits -- [OPTIONS]

options:
  --plot FILE.png   draw the loss and accuracy curves per epoch into a PNG file
  --save FILE       write the trained network in typenet's weight format
  --heldout FILE    write the held-out images (64 pixel bytes + label byte each)
  --data FILE.csv   read the digits from FILE.csv instead of examples/data/digits.csv
  --font FILE.ttf   the font of the plot's text (default: a common system font)
  -h, --help        print this message";

/// The command line.
#[derive(Debug, Default)]
struct Options {
    plot: Option<PathBuf>,
    save: Option<PathBuf>,
    heldout: Option<PathBuf>,
    data: Option<PathBuf>,
    font: Option<PathBuf>,
}

/// What the command line asks for.
enum Command {
    Run(Options),
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--plot" => &mut options.plot,
            "--save" => &mut options.save,
            "--heldout" => &mut options.heldout,
            "--data" => &mut options.data,
            "--font" => &mut options.font,
            _ => return Err(format!("unknown argument `{arg}`")),
        };
        let value = args
            .next()
            .filter(|v| !v.starts_with("--"))
            .ok_or_else(|| format!("`{arg}` needs a file name"))?;
        if slot.replace(PathBuf::from(value)).is_some() {
            return Err(format!("`{arg}` is given twice"));
        }
    }
    if let Some(plot) = &options.plot {
        let png = plot
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if !png {
            return Err(format!(
                "`--plot {}`: the plot is a PNG image, its name must end in .png",
                plot.display()
            ));
        }
    }
    Ok(Command::Run(options))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Trains, reports, plots and saves; `Ok(passed)` tells whether the bar was reached.
fn run(options: &Options) -> Result<bool, String> {
    let path = options
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from(tasks::DIGITS_CSV));
    let data = csv::load(&path, &tasks::digits_columns()).map_err(|e| e.to_string())?;
    // Before training, so that a bad `--font` is reported at once.
    let text = match &options.plot {
        Some(_) => plot::register_font(options.font.as_deref())?,
        None => false,
    };
    println!(
        "digits: {} images of 8x8 pixels from {}",
        data.len(),
        path.display()
    );
    println!(
        "network 64 -> 64 ReLU -> 10 Softmax ({} parameters), softmax cross-entropy",
        DigitsNet::PARAMS
    );
    println!(
        "Adam, η = {} with a cosine schedule, batches of {}, {} epochs, seed {}, {:.0}/{:.0} split",
        DIGITS.learning_rate,
        DIGITS.batch_size,
        DIGITS.epochs,
        DIGITS.seed,
        100.0 * DIGITS.train_fraction,
        100.0 * (1.0 - DIGITS.train_fraction)
    );

    let mut progress = Progress::new(DIGITS.epochs, Metric::Accuracy, 1);
    let result = tasks::train_digits(&data, &DIGITS, |r| progress.epoch(r));
    progress.finish();
    let run = result.map_err(|e| e.to_string())?;

    let passed = run.test.accuracy >= DIGITS_BAR;
    println!(
        "\ntrain accuracy {:.2} % ({} images), test accuracy {:.2} % ({} images), \
         {} epochs in {:.2} s",
        100.0 * run.train.accuracy,
        run.train.samples,
        100.0 * run.test.accuracy,
        run.test.samples,
        run.reports.len(),
        run.elapsed.as_secs_f64()
    );
    if passed {
        println!("reached the bar of {:.0} %", 100.0 * DIGITS_BAR);
    } else {
        println!("MISSED the bar of {:.0} %", 100.0 * DIGITS_BAR);
    }

    if let Some(file) = &options.plot {
        plot::draw(file, &run.reports, text).map_err(|e| format!("{}: {e}", file.display()))?;
        println!(
            "plot written to {}{}",
            file.display(),
            if text {
                ""
            } else {
                " (no font found: no text)"
            }
        );
    }
    if let Some(file) = &options.save {
        typenet::format::save(&run.net, file).map_err(|e| format!("{}: {e}", file.display()))?;
        println!(
            "{} parameters ({} bytes, typenet weight format) written to {}",
            DigitsNet::PARAMS,
            typenet::format::encoded_len::<f32, DigitsNet>(),
            file.display()
        );
    }
    if let Some(file) = &options.heldout {
        let n =
            save_heldout(&run.test_set, file).map_err(|e| format!("{}: {e}", file.display()))?;
        println!("{n} held-out images written to {}", file.display());
    }
    Ok(passed)
}

/// Writes the held-out images as 64 pixel bytes and a label byte each; returns the
/// number of images.
fn save_heldout(test: &[(Vec<f32>, usize)], file: &Path) -> Result<usize, String> {
    let mut bytes = Vec::with_capacity(test.len() * 65);
    for (pixels, label) in test {
        for &p in pixels {
            if !(0.0..=16.0).contains(&p) || p.fract() != 0.0 {
                return Err(format!("pixel value {p} is not an integer in 0..=16"));
            }
            bytes.push(p as u8);
        }
        bytes.push(u8::try_from(*label).map_err(|_| format!("label {label} does not fit a byte"))?);
    }
    std::fs::write(file, &bytes).map_err(|e| e.to_string())?;
    Ok(test.len())
}

mod plot {
    //! The loss and accuracy curves, with plotters' bitmap backend.

    use super::EpochReport;
    use plotters::prelude::*;
    use plotters::style::{FontStyle, register_font as register};
    use std::error::Error;
    use std::path::Path;

    /// Fonts tried in turn when `--font` is not given.
    const FONTS: [&str; 8] = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "C:\\Windows\\Fonts\\arial.ttf",
    ];

    /// Registers `font`, or the first of [`FONTS`] that loads, as "sans-serif".
    /// `Ok(false)`: no font, so the plot has no text. A `--font` that does not load is
    /// an error.
    pub fn register_font(font: Option<&Path>) -> Result<bool, String> {
        if let Some(path) = font {
            return if load(path) {
                Ok(true)
            } else {
                Err(format!("{}: not a readable TrueType font", path.display()))
            };
        }
        Ok(FONTS.iter().any(|p| load(Path::new(p))))
    }

    fn load(path: &Path) -> bool {
        let Ok(bytes) = std::fs::read(path) else {
            return false;
        };
        // plotters keeps fonts for the whole program: the bytes must live as long.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        register("sans-serif", FontStyle::Normal, bytes).is_ok()
    }

    /// Draws the curves into `file`: on the left the mean train loss of each epoch and
    /// the test loss after it (log scale), on the right the test accuracy.
    pub fn draw(
        file: &Path,
        reports: &[EpochReport<f32>],
        text: bool,
    ) -> Result<(), Box<dyn Error>> {
        let epochs = reports.len().max(2) as f64;
        let train: Vec<(f64, f64)> = reports
            .iter()
            .map(|r| (r.epoch as f64, f64::from(r.train_loss)))
            .collect();
        let test: Vec<(f64, f64)> = reports
            .iter()
            .filter_map(|r| Some((r.epoch as f64, f64::from(r.test?.loss))))
            .collect();
        let accuracy: Vec<(f64, f64)> = reports
            .iter()
            .filter_map(|r| Some((r.epoch as f64, 100.0 * r.test?.accuracy)))
            .collect();
        let losses = train.iter().chain(&test).map(|p| p.1);
        let low = losses.clone().fold(f64::INFINITY, f64::min).max(1e-6);
        let high = losses.fold(0.0, f64::max).max(low * 10.0);
        let acc_low = accuracy.iter().map(|p| p.1).fold(100.0, f64::min);
        let acc_low = (acc_low.min(100.0 * super::DIGITS_BAR) / 10.0).floor() * 10.0;

        let root = BitMapBackend::new(file, (1200, 500)).into_drawing_area();
        root.fill(&WHITE)?;
        let (left, right) = root.split_horizontally(600);
        let label_area = if text { 50 } else { 0 };

        let mut builder = ChartBuilder::on(&left);
        builder
            .margin(15)
            .x_label_area_size(label_area)
            .y_label_area_size(label_area + 10);
        if text {
            builder.caption("loss per epoch", ("sans-serif", 22));
        }
        let mut chart =
            builder.build_cartesian_2d(1.0..epochs, (low * 0.8..high * 1.25).log_scale())?;
        if text {
            chart
                .configure_mesh()
                .x_desc("epoch")
                .y_desc("cross-entropy")
                .x_label_formatter(&|x| format!("{x:.0}"))
                .draw()?;
        } else {
            // plotters' mesh asks for a font even with no labels: a frame instead.
            frame(&chart)?;
        }
        let series = chart.draw_series(LineSeries::new(train, BLUE.stroke_width(2)))?;
        if text {
            series
                .label("train (mean over the epoch's batches)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        }
        let series = chart.draw_series(LineSeries::new(test, RED.stroke_width(2)))?;
        if text {
            series
                .label("test (after the epoch)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }

        let mut builder = ChartBuilder::on(&right);
        builder
            .margin(15)
            .x_label_area_size(label_area)
            .y_label_area_size(label_area + 10);
        if text {
            builder.caption("test accuracy per epoch", ("sans-serif", 22));
        }
        let mut chart = builder.build_cartesian_2d(1.0..epochs, acc_low..100.0)?;
        if text {
            chart
                .configure_mesh()
                .x_desc("epoch")
                .y_desc("accuracy (%)")
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .draw()?;
        } else {
            // plotters' mesh asks for a font even with no labels: a frame instead.
            frame(&chart)?;
        }
        let bar = 100.0 * super::DIGITS_BAR;
        let series = chart.draw_series(LineSeries::new(
            [(1.0, bar), (epochs, bar)],
            BLACK.mix(0.5).stroke_width(1),
        ))?;
        if text {
            series
                .label(format!("the bar, {bar:.0} %"))
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.5)));
        }
        let series = chart.draw_series(LineSeries::new(accuracy, RED.stroke_width(2)))?;
        if text {
            series
                .label("test accuracy")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }
        root.present()?;
        Ok(())
    }

    /// A rectangle around the plotting area, for plots without text.
    fn frame<X, Y>(
        chart: &ChartContext<'_, BitMapBackend<'_>, Cartesian2d<X, Y>>,
    ) -> Result<(), Box<dyn Error>>
    where
        X: Ranged,
        Y: Ranged,
    {
        let area = chart.plotting_area().strip_coord_spec();
        let (w, h) = area.dim_in_pixel();
        area.draw(&Rectangle::new(
            [(0, 0), (w as i32 - 1, h as i32 - 1)],
            BLACK.stroke_width(1),
        ))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Command, parse_args};

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        let Ok(Command::Run(o)) = parse(&["--plot", "a.png", "--save", "w.bin"]) else {
            panic!("should parse");
        };
        assert_eq!(o.plot.unwrap().to_str(), Some("a.png"));
        assert_eq!(o.save.unwrap().to_str(), Some("w.bin"));
        assert!(matches!(parse(&["--help"]), Ok(Command::Help)));
        for bad in [
            &["--plot"][..],
            &["--plot", "a.jpg"],
            &["--plot", "--save", "w"],
            &["--save", "a", "--save", "b"],
            &["--epochs", "3"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
