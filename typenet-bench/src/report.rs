//! The results as a markdown table or as JSON lines.

use crate::peak::Ceiling;
use crate::timing::{Budget, Pass, Timing};

pub struct Row {
    pub workload: &'static str,
    pub pass: Pass,
    pub batch: usize,
    /// 2 Σ M_{i−1} M_i for forward, three times that for train.
    pub flops_per_sample: f64,
    pub timing: Timing,
}

impl Row {
    fn gflops(&self) -> f64 {
        self.flops_per_sample / self.timing.ns_per_sample
    }
}

/// typenet's time on the same workload, pass and batch.
fn typenet_ns(rows: &[Row], row: &Row) -> Option<f64> {
    rows.iter()
        .find(|r| {
            r.workload == row.workload
                && r.pass == row.pass
                && r.batch == row.batch
                && r.timing.peer == "typenet"
        })
        .map(|r| r.timing.ns_per_sample)
}

fn build_flags() -> String {
    let features = [
        ("sse2", cfg!(target_feature = "sse2")),
        ("avx2", cfg!(target_feature = "avx2")),
        ("fma", cfg!(target_feature = "fma")),
        ("avx512f", cfg!(target_feature = "avx512f")),
    ];
    let on: Vec<&str> = features
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    if on.is_empty() {
        "none of sse2/avx2/fma/avx512f".into()
    } else {
        on.join(", ")
    }
}

/// `floors`: (workload, bytes of its parameters, measured read bandwidth in GB/s) for
/// each workload with a batch-1 forward row (see [`crate::bandwidth`]).
pub fn markdown(
    rows: &[Row],
    ceilings: &[Ceiling],
    peak: f64,
    floors: &[(&str, usize, f64)],
    budget: Budget,
) {
    println!(
        "Compiled with target features: {}. typenet's f32 layer kernels chosen at run time: {} \
         (fused multiply-add: the same bits as the portable code). One thread for every peer \
         (rayon's global pool pinned to 1; candle: RAYON_NUM_THREADS=1, CANDLE_NUM_THREADS=1).",
        build_flags(),
        typenet::kernel_level()
    );
    let list: Vec<String> = ceilings
        .iter()
        .map(|c| format!("{} {:.1}", c.name, c.gflops))
        .collect();
    println!(
        "Measured f32 ceilings (GFLOP/s): {}. Peak = {peak:.1}.",
        list.join("; ")
    );
    let floors: Vec<String> = floors
        .iter()
        .map(|(name, bytes, gb)| {
            format!(
                "{name} {:.1} KB at {gb:.1} GB/s = {:.0} ns",
                *bytes as f64 / 1e3,
                *bytes as f64 / gb
            )
        })
        .collect();
    println!(
        "Batch-1 floor, the parameters read once in one stream (64-byte aligned, widest \
         loads, best of 200 measurements): {}.",
        floors.join("; ")
    );
    println!(
        "Median of {} interleaved repeats of ~{:.0} ms per peer; spread = (slowest − fastest) / median. \
         Ratio = peer ns / typenet ns (> 1: typenet is faster).",
        budget.repeats,
        budget.repeat_ns / 1e6
    );
    println!();
    println!(
        "| workload | pass | batch | peer | ns/sample | peer/typenet | GFLOP/s | % of peak | spread |"
    );
    println!("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
    for row in rows {
        let ratio = typenet_ns(rows, row)
            .map(|t| format!("{:.2}", row.timing.ns_per_sample / t))
            .unwrap_or_else(|| "–".into());
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.0}% |",
            row.workload,
            row.pass.name(),
            row.batch,
            row.timing.peer,
            format_ns(row.timing.ns_per_sample),
            ratio,
            row.gflops(),
            100.0 * row.gflops() / peak,
            100.0 * row.timing.spread,
        );
    }
}

fn format_ns(ns: f64) -> String {
    if ns < 100.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.0}")
    }
}

/// One object per line: the four keys of the brief, then the derived numbers.
pub fn json(rows: &[Row], peak: f64) {
    for row in rows {
        let ratio = typenet_ns(rows, row)
            .map(|t| format!("{:.4}", row.timing.ns_per_sample / t))
            .unwrap_or_else(|| "null".into());
        println!(
            "{{\"workload\": \"{}\", \"pass\": \"{}\", \"peer\": \"{}\", \"ns_per_sample\": {:.1}, \
             \"batch\": {}, \"ratio_to_typenet\": {ratio}, \"gflops\": {:.3}, \"peak_gflops\": {:.1}, \
             \"percent_of_peak\": {:.3}, \"spread\": {:.4}, \"iters_per_repeat\": {}}}",
            row.workload,
            row.pass.name(),
            row.timing.peer,
            row.timing.ns_per_sample,
            row.batch,
            row.gflops(),
            peak,
            100.0 * row.gflops() / peak,
            row.timing.spread,
            row.timing.iters,
        );
    }
}
