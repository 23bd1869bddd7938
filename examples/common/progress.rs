//! One progress line per epoch. On a terminal the line is rewritten in place (`\r`);
//! otherwise (a pipe, a file, CI) each reported epoch is a plain line.

use std::io::{IsTerminal, Write};
use typenet::fit::EpochReport;

/// What the held-out set is scored by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Classification: the test loss and the test accuracy.
    Accuracy,
    /// Regression: the test loss is the mean squared error.
    Mse,
}

/// Prints the reports of a training run.
pub struct Progress {
    epochs: usize,
    metric: Metric,
    live: bool,
    every: usize,
    width: usize,
}

impl Progress {
    /// A printer for a run of `epochs` epochs. Without a terminal only every
    /// `every`-th epoch (and the last) is printed.
    pub fn new(epochs: usize, metric: Metric, every: usize) -> Self {
        Progress {
            epochs,
            metric,
            live: std::io::stdout().is_terminal(),
            every: every.max(1),
            width: 0,
        }
    }

    /// The line for one report.
    pub fn line(&self, report: &EpochReport<f32>) -> String {
        let digits = self.epochs.to_string().len();
        let mut line = format!("epoch {:>digits$}/{}", report.epoch, self.epochs);
        match self.metric {
            Metric::Accuracy => line.push_str(&format!("  train loss {:.5}", report.train_loss)),
            Metric::Mse => line.push_str(&format!("  train MSE {:.3e}", report.train_loss)),
        }
        if let Some(test) = report.test {
            match self.metric {
                Metric::Accuracy => line.push_str(&format!(
                    "  test loss {:.5}  test accuracy {:6.2} %",
                    test.loss,
                    100.0 * test.accuracy
                )),
                Metric::Mse => line.push_str(&format!("  test MSE {:.3e}", test.loss)),
            }
        }
        line.push_str(&format!("  {:6.2} s", report.elapsed.as_secs_f64()));
        line
    }

    /// Prints the line of `report`.
    pub fn epoch(&mut self, report: &EpochReport<f32>) {
        let line = self.line(report);
        let mut out = std::io::stdout().lock();
        // A closed stdout is no reason to stop training: write errors are ignored.
        if self.live {
            let pad = self.width.saturating_sub(line.len());
            self.width = line.len();
            let _ = write!(out, "\r{line}{:pad$}", "");
        } else if report.epoch.is_multiple_of(self.every) || report.epoch == self.epochs {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }

    /// Ends the live line, if any.
    pub fn finish(&mut self) {
        if self.live && self.width > 0 {
            println!();
            self.width = 0;
        }
    }
}
