//! `cargo run --release -p typenet-bench [-- --json]`: times typenet against a naive
//! `Vec<f32>` MLP, nalgebra (static shapes), dfdx 0.13 and candle 0.11 (both on the CPU)
//! on four workloads, in one process, one thread (but for typenet's `ParallelTrainer`
//! row on 2 threads, W3 and W4 training), with the peers' repeats interleaved. See
//! BENCHMARKS.md.
//!
//! Options:
//! - `--json`: one JSON object per row and line instead of the markdown table.
//! - `--only W3`: time one workload (all four are still cross-checked).
//! - `--repeats N` (default 7), `--repeat-ms MS` (default 100): the timing budget.
//! - `--single W1 [--peer NAME] [--pass forward|chained|train] [--batch B] [--iters N]`: no
//!   timing, no check; run one peer's pass N times (default 1) inside `single_op`, for
//!   `valgrind --tool=callgrind --toggle-collect='*single_op*'`; `--batch` picks one of
//!   the workload's forward batches (default: the first; the chained pass: 1, the only
//!   one it runs at).

mod bandwidth;
mod peak;
mod peers;
mod report;
mod timing;
mod workload;
mod workloads;

use peers::Peer;
use std::process::ExitCode;
use timing::{Budget, Pass};
use workload::{ALL, Data, Spec};

/// The seed every workload's weights, inputs and targets come from.
const SEED: u64 = 0x7e57_11e7;
/// The stack of the thread the benchmark runs on: `Trainer::new` for W4 builds a
/// gradient and an SGD state of 1 MiB each in its frame before they reach the heap.
const STACK_BYTES: usize = 256 << 20;
/// Largest |difference| allowed between two peers' outputs or updated parameters.
const TOLERANCE: f32 = 1e-4;
/// Largest difference between two peers' one-step updates, relative to the largest
/// update.
const UPDATE_TOLERANCE: f32 = 1e-3;

struct Options {
    json: bool,
    only: Option<String>,
    budget: Budget,
    single: Option<String>,
    peer: Option<String>,
    pass: Option<Pass>,
    batch: Option<usize>,
    iters: u64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        json: false,
        only: None,
        budget: Budget {
            repeat_ns: 100e6,
            repeats: 7,
        },
        single: None,
        peer: None,
        pass: None,
        batch: None,
        iters: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => o.json = true,
            "--only" => o.only = Some(value("--only")?),
            "--single" => o.single = Some(value("--single")?),
            "--peer" => o.peer = Some(value("--peer")?),
            "--pass" => {
                o.pass = Some(match value("--pass")?.as_str() {
                    "forward" => Pass::Forward,
                    "chained" => Pass::Chained,
                    "train" => Pass::Train,
                    other => return Err(format!("unknown pass {other}")),
                })
            }
            "--iters" => o.iters = parse(&value("--iters")?)?,
            "--batch" => o.batch = Some(parse(&value("--batch")?)?),
            "--repeats" => o.budget.repeats = parse::<usize>(&value("--repeats")?)?.max(1),
            "--repeat-ms" => o.budget.repeat_ns = parse::<f64>(&value("--repeat-ms")?)? * 1e6,
            "-h" | "--help" => {
                return Err(
                    "usage: typenet-bench [--json] [--only W1..W4] [--repeats N] \
                            [--repeat-ms MS] | --single W1 [--peer NAME] [--pass forward|chained|train] \
                            [--batch B] [--iters N]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn parse<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("not a number: {s}"))
}

fn spec(name: &str) -> Result<&'static Spec, String> {
    ALL.into_iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or(format!("unknown workload {name}"))
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // candle reads its thread counts from the environment: RAYON_NUM_THREADS for its
    // matmul (gemm on rayon when above one) and its own rayon pool, CANDLE_NUM_THREADS
    // (falling back to RAYON_NUM_THREADS) for the pool its element-wise ops of 64 Ki
    // elements or more are split over. One, like every other peer.
    for var in ["RAYON_NUM_THREADS", "CANDLE_NUM_THREADS"] {
        // SAFETY: no other thread exists yet, so nothing reads the environment while
        // it is written.
        unsafe { std::env::set_var(var, "1") };
    }
    // dfdx's matmul asks rayon how many threads to use, and candle's softmax runs on
    // rayon's global pool: one thread, like every other peer.
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("configure rayon");
    let bench = std::thread::Builder::new()
        .name("bench".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(&options))
        .expect("spawn the benchmark thread");
    match bench.join() {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(_) => ExitCode::FAILURE,
    }
}

fn run(options: &Options) -> Result<(), String> {
    if let Some(name) = &options.single {
        return single(options, spec(name)?);
    }
    let selected: Vec<&'static Spec> = match &options.only {
        Some(name) => vec![spec(name)?],
        None => ALL.to_vec(),
    };
    let threads = peers::candle_peer::threads();
    if threads != (1, 0) {
        return Err(format!(
            "candle would use {} matmul threads and {} pool workers, not 1 and 0",
            threads.0, threads.1
        ));
    }
    eprintln!("building the peers and cross-checking W1..W4 at every forward batch ...");
    // One set of peers per (workload, forward batch); the first set of a workload also
    // gives its training rows.
    let mut all: Vec<(Data, Vec<Box<dyn Peer>>)> = Vec::new();
    for s in ALL {
        for &batch in s.forward_batches {
            let data = Data::new(s, SEED).with_forward_batch(batch);
            let mut peers = workloads::peers(&data, true);
            let report = cross_check(&data, &mut peers)?;
            eprintln!("{} (forward batch {batch}): {report}", s.name);
            if selected.iter().any(|t| t.name == s.name) {
                all.push((data, peers));
            }
        }
    }
    eprintln!("cross-check passed");

    eprintln!("measuring the f32 multiply-add ceilings ...");
    let before = peak::measure();

    let mut rows = Vec::new();
    for s in &selected {
        // A workload's forward rows, one per forward batch (and at batch 1 the chained
        // row, one call's latency), then its training row.
        let mut passes: Vec<(usize, Pass, usize)> = Vec::new();
        for (i, (data, _)) in all.iter().enumerate() {
            if data.spec.name == s.name {
                passes.push((i, Pass::Forward, data.forward_batch));
                if data.forward_batch == 1 {
                    passes.push((i, Pass::Chained, 1));
                }
            }
        }
        passes.push((passes[0].0, Pass::Train, s.train_batch));
        for (i, pass, batch) in passes {
            let (data, peers) = &mut all[i];
            eprintln!("timing {} {} (batch {batch}) ...", s.name, pass.name());
            let flops = match pass {
                Pass::Forward | Pass::Chained => s.forward_flops(),
                Pass::Train => 3.0 * s.forward_flops(),
            };
            for t in timing::measure(peers, pass, batch, options.budget, &data.params) {
                rows.push(report::Row {
                    workload: s.name,
                    pass,
                    batch,
                    flops_per_sample: flops,
                    timing: t,
                });
            }
        }
    }
    // Measured again after the timing and the better of the two kept, so that another
    // process on the machine at one of the two moments does not lower the ceiling.
    eprintln!("measuring the f32 multiply-add ceilings again ...");
    let ceilings = peak::best_of(&before, &peak::measure());
    let peak = peak::peak(&ceilings);
    // The floor of each batch-1 forward: its weights read once, in one stream.
    eprintln!("measuring the read bandwidth of each workload's weights ...");
    let floors: Vec<(&str, usize, f64)> = selected
        .iter()
        .filter(|s| s.forward_batches.contains(&1))
        .map(|s| {
            let bytes = 4 * s.params();
            (s.name, bytes, bandwidth::read_gb_per_s(bytes))
        })
        .collect();
    if options.json {
        report::json(&rows, peak);
    } else {
        report::markdown(&rows, &ceilings, peak, &floors, options.budget);
    }
    Ok(())
}

/// Checks every peer against typenet (the first peer): the forward outputs (and at
/// batch 1 the first entry of the chained pass's last output), the parameters after one training step (both within [`TOLERANCE`]), and the update
/// itself, Δ = after − before, within [`UPDATE_TOLERANCE`] of the largest |Δ| (plus a
/// few ulps of the parameters), so a wrong learning rate, batch average or gradient
/// is caught even where Δ is far below `TOLERANCE`. Returns a one-line summary.
fn cross_check(data: &Data, peers: &mut [Box<dyn Peer>]) -> Result<String, String> {
    let spec = data.spec;
    let reference = peers[0].outputs();
    let mut worst_output = 0.0_f32;
    for p in peers.iter_mut() {
        let out = p.outputs();
        worst_output = worst_output.max(max_diff(
            spec,
            "forward outputs",
            p.name(),
            &reference,
            &out,
            TOLERANCE,
        )?);
    }
    // At batch 1, the chained pass computes the same output (its input stays the
    // sample's for a finite output).
    if data.forward_batch == 1 {
        for p in peers.iter_mut() {
            let y0 = p.forward_chained(3);
            max_diff(
                spec,
                "chained forward outputs",
                p.name(),
                &reference[..1],
                &[y0],
                TOLERANCE,
            )?;
        }
    }
    for p in peers.iter_mut() {
        p.train(1);
    }
    let delta = |params: &[f32]| -> Vec<f32> {
        params
            .iter()
            .zip(&data.params)
            .map(|(a, b)| a - b)
            .collect()
    };
    let reference = peers[0].params();
    let reference_delta = delta(&reference);
    let largest = reference_delta.iter().fold(0.0_f32, |m, d| m.max(d.abs()));
    if largest == 0.0 {
        return Err(format!(
            "{}: typenet's training step changed nothing",
            spec.name
        ));
    }
    let update_tolerance = UPDATE_TOLERANCE * largest + 4.0 * f32::EPSILON;
    let (mut worst_param, mut worst_delta) = (0.0_f32, 0.0_f32);
    for p in peers.iter_mut() {
        let params = p.params();
        let what = "parameters after one SGD step";
        worst_param = worst_param.max(max_diff(
            spec,
            what,
            p.name(),
            &reference,
            &params,
            TOLERANCE,
        )?);
        let what = "SGD updates";
        let d = max_diff(
            spec,
            what,
            p.name(),
            &reference_delta,
            &delta(&params),
            update_tolerance,
        )?;
        worst_delta = worst_delta.max(d);
    }
    Ok(format!(
        "outputs agree within {worst_output:.1e}, parameters after one step within \
         {worst_param:.1e}, updates within {:.1e} of the largest update ({largest:.1e})",
        worst_delta / largest
    ))
}

/// The largest |want − got|, or an error naming the peer if it exceeds `tolerance`.
fn max_diff(
    spec: &Spec,
    what: &str,
    peer: &str,
    want: &[f32],
    got: &[f32],
    tolerance: f32,
) -> Result<f32, String> {
    if want.len() != got.len() {
        return Err(format!(
            "{}: {peer}'s {what} have {} values, typenet's {}",
            spec.name,
            got.len(),
            want.len()
        ));
    }
    let (at, diff) = want
        .iter()
        .zip(got)
        .map(|(a, b)| (a - b).abs())
        .enumerate()
        .fold(
            (0, 0.0_f32),
            |m, (i, d)| {
                if d > m.1 || d.is_nan() { (i, d) } else { m }
            },
        );
    if diff > tolerance || diff.is_nan() {
        return Err(format!(
            "{}: {peer}'s {what} differ from typenet's by {diff:e} (allowed {tolerance:e}) \
             at index {at} ({} vs {})",
            spec.name, got[at], want[at]
        ));
    }
    Ok(diff)
}

/// The work for one pass of one peer, alone, for an instruction count.
#[inline(never)]
fn single_op(peer: &mut dyn Peer, pass: Pass, iters: u64) {
    pass.run(peer, iters);
}

fn single(options: &Options, spec: &'static Spec) -> Result<(), String> {
    let chained = options.pass == Some(Pass::Chained);
    let batch = options
        .batch
        .unwrap_or(if chained { 1 } else { spec.forward_batch() });
    if chained && batch != 1 {
        return Err(format!("the chained pass runs at batch 1, not {batch}"));
    }
    if !spec.forward_batches.contains(&batch) {
        return Err(format!(
            "{} has forward batches {:?}, not {batch}",
            spec.name, spec.forward_batches
        ));
    }
    let data = Data::new(spec, SEED).with_forward_batch(batch);
    let with_dfdx = options.peer.as_deref().is_none_or(|p| p == "dfdx");
    let mut peers = workloads::peers(&data, with_dfdx);
    let passes = match options.pass {
        Some(p) => vec![p],
        None => vec![Pass::Forward, Pass::Train],
    };
    let mut ran = false;
    for p in peers.iter_mut() {
        if options.peer.as_deref().is_some_and(|name| name != p.name()) {
            continue;
        }
        for &pass in &passes {
            single_op(p.as_mut(), pass, options.iters);
            ran = true;
        }
    }
    if !ran {
        return Err(format!("no peer named {:?}", options.peer));
    }
    Ok(())
}
