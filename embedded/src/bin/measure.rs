//! Measures what the firmware costs on the core it runs on, for `embedded/FIGURES.md`;
//! `embedded/measure.sh` runs it under QEMU with `-icount shift=0` and turns its lines
//! into tables.
//!
//! - **Peak stack** by stack painting: before each workload the unused stack (from
//!   `_stack_end`, the end of `.bss`/`.uninit`, up to just below the current stack
//!   pointer) is filled with [`PAINT`]; after it, the lowest word that no longer holds
//!   the pattern is the deepest the workload's stack reached. Repainted before every
//!   workload, so each one reports its own peak.
//! - **Instructions** through SysTick on the core clock: under `-icount shift=0` QEMU
//!   advances virtual time by 1 ns per instruction, so SysTick ticks count instructions
//!   (one tick per `1e9 / core clock` instructions). The ratio is not assumed but
//!   calibrated in the same run on `cortex_m::asm::delay`, whose loop is two
//!   instructions (`subs`, `bne`) per iteration.
//!
//! Each line it prints is `key: value ...` for the script; the workloads repeat what
//! `digits` and `train_xor` do, without their printing, and run the digits and sine
//! networks and an XOR training step in Q16.16 fixed point ([`typenet::fixed::Q16`])
//! as well, for cores without an FPU, and the digits network in int8
//! (`typenet::quant`, the network of `digits_int8`).
//!
//! On the Cortex-M0 board (`thumbv6m-none-eabi`, QEMU `microbit`, 16 KiB of RAM; cfg
//! `small_ram` from `build.rs`) the workloads that copy the 19 KB digits network into
//! RAM (f32 decoded at run time, Q16) are left out.
#![no_std]
#![no_main]
// `small_ram` leaves out the workloads that use some of the helpers
#![cfg_attr(small_ram, allow(dead_code, unused_imports))]

use core::hint::black_box;
use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rand_core::SeedableRng;
use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::loss::{BinaryCrossEntropy, MeanSquaredError, argmax};
use typenet::optim::{Adam, Sgd};
use typenet::quant::{QNetwork, Quantized};
use typenet::train::{Trainer, evaluate};
use typenet::{Network, TrainError, format, init, network, static_network, static_qnetwork};

// ---------------------------------------------------------------------------------
// The workloads: the networks of `digits` and `train_xor` and a small sine regressor.
// ---------------------------------------------------------------------------------

type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
type SineNet = network!(f32; 1 -> 16 Tanh -> 16 Tanh -> 1 Identity);
type XorNet = network!(f32; 2 -> 8 Tanh -> 1 Sigmoid);

/// The weights `digits` uses (typenet's weight format).
const WEIGHTS: &[u8] = include_bytes!("../../data/digits.tnet");
/// The held-out images: 64 pixel bytes (0..16) and a label byte each.
const HELDOUT: &[u8] = include_bytes!("../../data/heldout.bin");
const IMAGES: usize = HELDOUT.len() / 65;
const _: () = assert!(HELDOUT.len().is_multiple_of(65) && IMAGES > 0);

static NET: DigitsNet = static_network!(f32; 64 -> 64 ReLU -> 10 Softmax; WEIGHTS);

/// The inputs the sine network is timed on: `SINE_INPUTS` points evenly over [−3, 3].
const SINE_INPUTS: usize = 100;
/// The XOR training steps, as in `train_xor`.
const XOR_STEPS: usize = 500;
/// How many times the run-time decode is timed.
const DECODES: usize = 10;

fn image(i: usize) -> &'static [u8] {
    &HELDOUT[65 * i..65 * i + 65]
}

fn digits_input(image: &[u8]) -> GenericArray<f32, typenet::typenum::U64> {
    GenericArray::from_array(core::array::from_fn::<f32, 64, _>(|k| {
        f32::from(image[k]) / 16.0
    }))
}

/// A sine network with fixed, non-zero weights in [−0.49, 0.49] from a deterministic
/// sequence (the figures are about cost, not accuracy).
fn sine_net() -> SineNet {
    let params: [f32; SineNet::PARAMS] =
        core::array::from_fn(|k| ((k * 37 + 11) % 64) as f32 / 64.0 - 31.5 / 64.0);
    match SineNet::from_params(&params) {
        Ok(net) => net,
        Err(_) => typenet_firmware::exit(false),
    }
}

fn sine_input(i: usize) -> GenericArray<f32, typenet::typenum::U1> {
    GenericArray::from_array([-3.0 + 6.0 * i as f32 / (SINE_INPUTS - 1) as f32])
}

/// The four XOR inputs and targets.
type XorInputs = [GenericArray<f32, typenet::typenum::U2>; 4];
type XorTargets = [GenericArray<f32, typenet::typenum::U1>; 4];

fn xor_data() -> (XorInputs, XorTargets) {
    (
        [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(GenericArray::from_array),
        [0.0, 1.0, 1.0, 0.0].map(|t| GenericArray::from_array([t])),
    )
}

/// `train_xor`'s starting point: the network initialised from seed 7.
fn xor_net() -> XorNet {
    let mut net = XorNet::zeroed();
    init::initialize(&mut net, &mut rand_pcg::Pcg32::seed_from_u64(7));
    net
}

// ---------------------------------------------------------------------------------
// The same workloads in Q16.16 fixed point, for cores without an FPU.
// ---------------------------------------------------------------------------------

type DigitsNetQ16 = network!(Q16; 64 -> 64 ReLU -> 10 Softmax);
type SineNetQ16 = network!(Q16; 1 -> 16 Tanh -> 16 Tanh -> 1 Identity);
type XorNetQ16 = network!(Q16; 2 -> 8 Tanh -> 1 Sigmoid);
type XorTrainerQ16 = Trainer<Q16, XorNetQ16, Sgd<Q16, XorNetQ16>>;
type XorInputsQ16 = [GenericArray<Q16, typenet::typenum::U2>; 4];
type XorTargetsQ16 = [GenericArray<Q16, typenet::typenum::U1>; 4];

/// SGD's learning rate for the Q16 XOR training (Adam does not suit Q16: its
/// ε = 1e−8 rounds to 0 there).
const XOR_Q16_LEARNING_RATE: f64 = 2.0;

/// Sets every parameter of `to` to the nearest Q16 of the parameter of `from` in the
/// same position (the two networks have the same shape). This goes through `f64`,
/// so it is floating point (soft float on the M3); it runs once, before any timed or
/// checked Q16 work.
fn to_q16<A: Network<f32>, B: Network<Q16>>(from: &A, to: &mut B) {
    if A::PARAMS != B::PARAMS {
        typenet_firmware::exit(false)
    }
    for (q, &p) in to.params_mut().zip(from.params()) {
        *q = Q16::from_f64(f64::from(p));
    }
}

/// The Q16 digits network of `digits_q16`, in flash (`static_network!(Q16; ..)`): the
/// file `cargo run --release --example digits_q16 -- --save embedded/data/digits_q16.tnet`
/// writes, `digits`' weights converted to Q16.16. In flash it runs on the M0 too, whose
/// 16 KiB of RAM cannot hold its 19 240 bytes.
static NET_Q16: DigitsNetQ16 = static_network!(Q16; 64 -> 64 ReLU -> 10 Softmax;
    include_bytes!("../../data/digits_q16.tnet"));

/// A held-out image as Q16 inputs, integer-only: pixel · 2^12 units of 2^−16 is
/// pixel / 16, exactly the f32 network's input.
fn digits_input_q16(image: &[u8]) -> GenericArray<Q16, typenet::typenum::U64> {
    GenericArray::from_array(core::array::from_fn::<Q16, 64, _>(|k| {
        Q16::from_bits(i32::from(image[k]) << 12)
    }))
}

/// The Q16 digits inference. Out of line so that `measure.sh` finds it in the
/// disassembly (`measure::q16_digits_forward`) and checks that nothing it calls is a
/// floating-point routine; the timed loop and the accuracy check both call it.
#[inline(never)]
fn q16_digits_forward(
    net: &DigitsNetQ16,
    x: &GenericArray<Q16, typenet::typenum::U64>,
) -> GenericArray<Q16, typenet::typenum::U10> {
    net.forward(x)
}

/// The sine network with the f32 sine workload's weights (multiples of 1/128, exact
/// in Q16).
fn sine_net_q16() -> SineNetQ16 {
    let mut net = SineNetQ16::zeroed();
    to_q16(&sine_net(), &mut net);
    net
}

/// The f32 sine workload's inputs, rounded to Q16 (converted before timing).
fn sine_inputs_q16() -> [Q16; SINE_INPUTS] {
    core::array::from_fn(|i| Q16::from_f64(f64::from(sine_input(i)[0])))
}

/// The Q16 sine inference, out of line for the same check as
/// [`q16_digits_forward`].
#[inline(never)]
fn q16_sine_forward(
    net: &SineNetQ16,
    x: &GenericArray<Q16, typenet::typenum::U1>,
) -> GenericArray<Q16, typenet::typenum::U1> {
    net.forward(x)
}

/// The four XOR inputs and targets in Q16 (0 and 1 are exact).
fn xor_data_q16() -> (XorInputsQ16, XorTargetsQ16) {
    let (o, i) = (Q16::ZERO, Q16::ONE);
    (
        [[o, o], [o, i], [i, o], [i, i]].map(GenericArray::from_array),
        [o, i, i, o].map(|t| GenericArray::from_array([t])),
    )
}

/// `train_xor`'s starting point (seed 7), rounded to Q16.
fn xor_net_q16() -> XorNetQ16 {
    let mut net = XorNetQ16::zeroed();
    to_q16(&xor_net(), &mut net);
    net
}

fn xor_trainer_q16() -> XorTrainerQ16 {
    Trainer::new(Sgd::new(Q16::from_f64(XOR_Q16_LEARNING_RATE)))
}

/// One Q16 XOR training step (SGD, mean squared error, the batch of four samples), out
/// of line so that `measure.sh` can list the floating-point routines it reaches.
#[inline(never)]
fn q16_xor_step(
    trainer: &mut XorTrainerQ16,
    net: &mut XorNetQ16,
    inputs: &XorInputsQ16,
    targets: &XorTargetsQ16,
) -> Result<Q16, TrainError> {
    trainer.step(net, &MeanSquaredError, inputs.iter().zip(targets.iter()))
}

// ---------------------------------------------------------------------------------
// The digits network in int8 (`typenet::quant`), as `digits_int8` runs it.
// ---------------------------------------------------------------------------------

type QDigits = Quantized<DigitsNet>;

/// The int8 digits network of `digits_int8` (weights in flash), from the file written
/// by `cargo run --release --example digits_int8 -- --save embedded/data/digits_int8.tnet`.
static QNET: QDigits = static_qnetwork!(
    64 -> 64 ReLU -> 10 Softmax;
    include_bytes!("../../data/digits_int8.tnet")
);

/// A held-out image as int8 inputs, integer-only, as `digits_int8` computes them:
/// (255 p + 7) / 16 − 128, the quantization of p / 16 with the calibrated input
/// parameters (scale 1/255, zero point −128).
fn digits_input_int8(image: &[u8]) -> GenericArray<i8, typenet::typenum::U64> {
    GenericArray::from_array(core::array::from_fn::<i8, 64, _>(|k| {
        ((255 * i32::from(image[k]) + 7) / 16 - 128) as i8
    }))
}

/// The int8 digits inference. Out of line so that `measure.sh` finds it in the
/// disassembly (`measure::int8_digits_forward`) and checks that nothing it calls is a
/// floating-point routine; the timed loop and the accuracy check both call it.
#[inline(never)]
fn int8_digits_forward(
    net: &QDigits,
    x: &GenericArray<i8, typenet::typenum::U64>,
) -> GenericArray<i8, typenet::typenum::U10> {
    net.forward(x)
}

// ---------------------------------------------------------------------------------
// Peak stack by painting.
// ---------------------------------------------------------------------------------

/// The word the unused stack is filled with (the value cortex-m-rt's `paint-stack` uses).
const PAINT: u32 = 0xCCCC_CCCC;
/// Bytes just below the stack pointer that are left unpainted, as a safety distance.
const MARGIN: usize = 64;

unsafe extern "C" {
    /// cortex-m-rt's linker script: the end of `.bss` and `.uninit` (4-byte aligned),
    /// the lowest address the stack may grow to.
    static _stack_end: u32;
    /// cortex-m-rt's linker script: the initial stack pointer (the top of RAM).
    static _stack_start: u32;
}

/// How deep a workload's stack went.
#[derive(Clone, Copy)]
struct StackUse {
    /// Bytes below the stack pointer at the call: the workload's own peak.
    own: usize,
    /// Bytes below `_stack_start`: the whole program's peak while it ran.
    total: usize,
    /// The workload's result, printed as a check that it did its work.
    result: u32,
}

/// Paints the free stack, calls `work` and scans for the deepest word it overwrote.
///
/// `work` is called through a `black_box`ed trait object so that it cannot be inlined:
/// its frames then all lie below this function's stack pointer, which is read after
/// this function's prologue (LLVM allocates each frame once, in the prologue; the
/// program runs in thread mode on the main stack, MSP, as cortex-m-rt sets it up).
/// Whatever `work` captures lives in its caller's frame, above. The paint and scan
/// loops are inline code without calls, so they only use this function's own frame.
/// No interrupt is enabled in this program, so nothing else runs on the stack
/// meanwhile.
/// A predicted class as the `u32` a [`stack_use`] closure returns (`u32::MAX` for no
/// class: an output of NaNs).
fn class_u32(class: Option<usize>) -> u32 {
    class.map_or(u32::MAX, |c| c as u32)
}

#[inline(never)]
fn stack_use(work: &mut dyn FnMut() -> u32) -> StackUse {
    let sp = cortex_m::register::msp::read() as usize;
    let top = (&raw const _stack_start) as usize;
    let low = (&raw const _stack_end) as usize;
    let high = (sp - MARGIN) & !3;
    let mut p = low as *mut u32;
    while (p as usize) < high {
        // SAFETY: `p` is 4-byte aligned (`_stack_end` is, and it moves in whole words)
        // and lies in [_stack_end, sp − MARGIN): RAM that the linker gave no static
        // (statics end at `_stack_end`) and that is below the stack pointer, so no live
        // frame or object is there. Below SP is free on Arm (no red zone; an exception
        // may overwrite it at any time), so the compiler keeps nothing there, and the
        // write is volatile so it is not elided. No interrupt is enabled.
        unsafe { p.write_volatile(PAINT) };
        p = p.wrapping_add(1);
    }
    let result = black_box(black_box(work)());
    let mut p = low as *const u32;
    // SAFETY: the same aligned RAM words [_stack_end, sp − MARGIN) as above, owned by no
    // object now that `work` has returned; a volatile read of a word only observes it.
    while (p as usize) < high && unsafe { p.read_volatile() } == PAINT {
        p = p.wrapping_add(1);
    }
    StackUse {
        own: sp - p as usize,
        total: top - p as usize,
        result,
    }
}

fn print_stack(name: &str, used: StackUse) {
    hprintln!(
        "stack: {} own={} total={} result={:#010x}",
        name,
        used.own,
        used.total,
        used.result
    );
}

/// The stack workloads. Each runs in its own function (never inlined) so that what it
/// prepares (a network, a trainer) is freed before the next, and `main` stays small.
#[inline(never)]
fn stack_digits_static() {
    // One inference with the `static` network (weights in flash).
    let used = stack_use(&mut || class_u32(argmax(&NET.forward(&digits_input(image(0))))));
    print_stack("digits_static_inference", used);
    // The working set the types promise (`Network::INFERENCE_BYTES`, the largest pair of
    // activation vectors): `measure.sh` checks the painted stack against it.
    print_budget(
        "digits_static_inference",
        DigitsNet::INFERENCE_BYTES,
        used.own,
    );
}

/// The memory the types compute for a workload (`typenet::assert_fits!`'s figures) beside
/// the stack painted for it.
fn print_budget(name: &str, computed: usize, measured: usize) {
    hprintln!(
        "budget: {} computed={} measured={}",
        name,
        computed,
        measured
    );
}

#[inline(never)]
#[cfg(not(small_ram))]
fn stack_digits_runtime() {
    // As `digits` does it: `from_bytes` decodes onto the stack, then one inference.
    let used = stack_use(
        &mut || match format::from_bytes::<f32, DigitsNet>(WEIGHTS) {
            Ok(net) => class_u32(argmax(&net.forward(&digits_input(image(0))))),
            Err(_) => u32::MAX,
        },
    );
    print_stack("digits_runtime_decode_inference", used);
}

#[inline(never)]
#[cfg(not(small_ram))]
fn stack_digits_load_into() {
    // The alternative: a zeroed network filled in place by `load_into`, one inference.
    let used = stack_use(&mut || {
        let mut net = DigitsNet::zeroed();
        match format::load_into(&mut net, WEIGHTS) {
            Ok(()) => class_u32(argmax(&net.forward(&digits_input(image(0))))),
            Err(_) => u32::MAX,
        }
    });
    print_stack("digits_load_into_inference", used);
}

#[inline(never)]
#[cfg(not(small_ram))]
fn stack_digits_decoded() {
    // One inference with a network decoded beforehand (held by the caller).
    let Ok(net) = format::from_bytes::<f32, DigitsNet>(WEIGHTS) else {
        typenet_firmware::exit(false)
    };
    let used = stack_use(&mut || class_u32(argmax(&net.forward(&digits_input(image(0))))));
    print_stack("digits_decoded_inference", used);
}

#[inline(never)]
#[cfg(not(small_ram))]
fn stack_digits_all() {
    // The whole of `digits`' work: decode, then both networks on every held-out image.
    // Returns the number classified correctly (as `digits` prints).
    let used = stack_use(&mut || {
        let Ok(runtime) = format::from_bytes::<f32, DigitsNet>(WEIGHTS) else {
            return u32::MAX;
        };
        let mut correct = 0;
        for i in 0..IMAGES {
            let x = digits_input(image(i));
            let predicted = argmax(&NET.forward(&x));
            if argmax(&runtime.forward(&x)) != predicted {
                return u32::MAX;
            }
            if predicted == Some(usize::from(image(i)[64])) {
                correct += 1;
            }
        }
        correct
    });
    print_stack("digits_whole_program", used);
}

#[inline(never)]
fn stack_sine() {
    // One sine inference; the network is built beforehand (held by the caller).
    let net = sine_net();
    let used = stack_use(&mut || net.forward(&sine_input(0))[0].to_bits());
    print_stack("sine_inference", used);
}

#[inline(never)]
fn stack_xor_step() {
    // One XOR training step; the network and `Trainer::new(Adam)` are built beforehand
    // (held by the caller). Returns the step's loss (f32 bits).
    let (inputs, targets) = xor_data();
    let mut net = xor_net();
    let mut trainer = Trainer::new(Adam::new(0.05));
    let used = stack_use(&mut || match trainer.step(
        &mut net,
        &BinaryCrossEntropy,
        inputs.iter().zip(targets.iter()),
    ) {
        Ok(loss) => loss.to_bits(),
        Err(_) => u32::MAX,
    });
    print_stack("xor_training_step", used);
}

#[inline(never)]
fn stack_xor_train() {
    // All of `train_xor`'s work but the printing: build and initialise the network and
    // the trainer, evaluate, 500 Adam steps, evaluate. Returns the final loss (f32 bits;
    // `train_xor` prints the same value).
    let used = stack_use(&mut || {
        let (inputs, targets) = xor_data();
        let data = || inputs.iter().zip(targets.iter());
        let mut net = xor_net();
        let mut trainer = Trainer::new(Adam::new(0.05));
        if evaluate(&net, &BinaryCrossEntropy, data()).is_err() {
            return u32::MAX;
        }
        for _ in 0..XOR_STEPS {
            if trainer.step(&mut net, &BinaryCrossEntropy, data()).is_err() {
                return u32::MAX;
            }
        }
        match evaluate(&net, &BinaryCrossEntropy, data()) {
            Ok(e) => e.loss.to_bits(),
            Err(_) => u32::MAX,
        }
    });
    print_stack("xor_whole_training", used);
    // The network and its trainer live on this stack: `size_of::<XorNet>()` +
    // `Trainer::RAM_BYTES` is what the types promise for them.
    print_budget(
        "xor_whole_training",
        core::mem::size_of::<XorNet>() + Trainer::<f32, XorNet, Adam<f32, XorNet>>::RAM_BYTES,
        used.own,
    );
}

#[inline(never)]
fn stack_digits_q16() {
    // One Q16 digits inference with the network in flash. Returns the predicted class.
    let used = stack_use(&mut || {
        class_u32(argmax(&q16_digits_forward(
            &NET_Q16,
            &digits_input_q16(image(0)),
        )))
    });
    print_stack("digits_q16_inference", used);
}

#[inline(never)]
fn stack_sine_q16() {
    // One Q16 sine inference (network held by the caller). Returns the output's bits.
    let net = sine_net_q16();
    let x = GenericArray::from_array([sine_inputs_q16()[0]]);
    let used = stack_use(&mut || q16_sine_forward(&net, &x)[0].to_bits() as u32);
    print_stack("sine_q16_inference", used);
}

#[inline(never)]
fn stack_xor_q16_step() {
    // One Q16 XOR training step with SGD (network and trainer held by the caller).
    // Returns the step's loss (Q16 bits).
    let (inputs, targets) = xor_data_q16();
    let mut net = xor_net_q16();
    let mut trainer = xor_trainer_q16();
    let used = stack_use(
        &mut || match q16_xor_step(&mut trainer, &mut net, &inputs, &targets) {
            Ok(loss) => loss.to_bits() as u32,
            Err(_) => u32::MAX,
        },
    );
    print_stack("xor_q16_training_step", used);
}

#[inline(never)]
fn stack_digits_int8() {
    // One int8 digits inference with the `static` network (weights in flash). Returns
    // the predicted class.
    let used = stack_use(&mut || {
        class_u32(argmax(&int8_digits_forward(
            &QNET,
            &digits_input_int8(image(0)),
        )))
    });
    print_stack("digits_int8_inference", used);
}

// ---------------------------------------------------------------------------------
// Instructions through SysTick.
// ---------------------------------------------------------------------------------

/// SysTick's reload value: the whole 24-bit range, a period of 2^24 ticks.
const RELOAD: u32 = 0x00FF_FFFF;
/// The longest single span accepted, a sixteenth of the wrap: a span is only known
/// modulo 2^24 ticks, so each must stay far below it.
const MAX_SPAN: u32 = (RELOAD + 1) / 16;

/// SysTick ticks over `n` calls of `f`, as one unbroken timeline: the current value is
/// read once before the first call and once after each call, and the down-count between
/// consecutive reads is added up. Each span is a single call (checked below
/// [`MAX_SPAN`]); the sum telescopes, so it is off by less than one tick in all. The
/// loop and the reads themselves are in the total too: [`per_item`] subtracts a
/// baseline timeline that does the same without the work.
fn timeline(n: usize, mut f: impl FnMut(usize)) -> u64 {
    let mut total = 0u64;
    let mut last = SYST::get_current();
    for i in 0..n {
        f(i);
        let now = SYST::get_current();
        // The counter counts down and wraps from 0 to RELOAD: the elapsed ticks are
        // the difference modulo 2^24.
        let span = last.wrapping_sub(now) & RELOAD;
        if span >= MAX_SPAN {
            hprintln!("error: a span of {} ticks is too close to the wrap", span);
            typenet_firmware::exit(false)
        }
        total += u64::from(span);
        last = now;
    }
    total
}

/// Instructions measured on the delay loop, and the SysTick ticks they took.
struct Calibration {
    instructions: u64,
    ticks: u64,
}

/// The delay loop executes `n + 1` iterations of `subs`, `bne` (2 instructions) plus a
/// fixed entry; the difference between `DELAY_LONG` and `DELAY_SHORT` cancels the
/// entry and the timeline's own overhead.
const DELAY_SHORT: u32 = 1_000;
const DELAY_LONG: u32 = 1_001_000;
const DELAY_RUNS: usize = 20;

fn calibrate() -> Calibration {
    let long = timeline(DELAY_RUNS, |_| cortex_m::asm::delay(black_box(DELAY_LONG)));
    let short = timeline(DELAY_RUNS, |_| cortex_m::asm::delay(black_box(DELAY_SHORT)));
    Calibration {
        instructions: 2 * u64::from(DELAY_LONG - DELAY_SHORT) * DELAY_RUNS as u64,
        ticks: long - short,
    }
}

/// Prints the instructions per item of a workload timed over `n` items: `work` and
/// `base` are timelines with and without the work, in ticks. Tenths of an instruction,
/// rounded; the error from the two timelines' tick rounding is at most
/// 2 ticks / `n`.
fn per_item(name: &str, n: usize, work: u64, base: u64, cal: &Calibration) {
    let ticks = work.saturating_sub(base);
    let tenths =
        (ticks * cal.instructions * 10 + cal.ticks * n as u64 / 2) / (cal.ticks * n as u64);
    let bound = (2 * cal.instructions * 10).div_ceil(cal.ticks * n as u64);
    hprintln!(
        "insn: {} n={} work_ticks={} base_ticks={} per_item={}.{} pm={}.{}",
        name,
        n,
        work,
        base,
        tenths / 10,
        tenths % 10,
        bound / 10,
        bound % 10
    );
}

/// Digits, static network: the input is converted in both timelines; only the forward
/// pass is in the difference.
#[inline(never)]
fn insn_digits(cal: &Calibration) {
    let base = timeline(IMAGES, |i| {
        black_box(digits_input(image(i)));
    });
    let work = timeline(IMAGES, |i| {
        let x = black_box(digits_input(image(i)));
        black_box(NET.forward(&x));
    });
    per_item("digits_static_forward", IMAGES, work, base, cal);

    // The same with the network decoded at run time (in RAM instead of flash).
    #[cfg(not(small_ram))]
    insn_digits_runtime(cal, base);
}

#[cfg(not(small_ram))]
#[inline(never)]
fn insn_digits_runtime(cal: &Calibration, base: u64) {
    let Ok(runtime) = format::from_bytes::<f32, DigitsNet>(WEIGHTS) else {
        typenet_firmware::exit(false)
    };
    let runtime = black_box(runtime);
    let work = timeline(IMAGES, |i| {
        let x = black_box(digits_input(image(i)));
        black_box(runtime.forward(&x));
    });
    per_item("digits_runtime_forward", IMAGES, work, base, cal);
}

/// The run-time decode itself (`from_bytes`, as `digits` calls it).
#[inline(never)]
#[cfg(not(small_ram))]
fn insn_decode(cal: &Calibration) {
    let base = timeline(DECODES, |_| {
        black_box(WEIGHTS);
    });
    let work = timeline(DECODES, |_| {
        black_box(format::from_bytes::<f32, DigitsNet>(black_box(WEIGHTS)).is_ok());
    });
    per_item("digits_decode_from_bytes", DECODES, work, base, cal);
}

#[inline(never)]
fn insn_sine(cal: &Calibration) {
    let sine = black_box(sine_net());
    let base = timeline(SINE_INPUTS, |i| {
        black_box(sine_input(i));
    });
    let work = timeline(SINE_INPUTS, |i| {
        let x = black_box(sine_input(i));
        black_box(sine.forward(&x));
    });
    per_item("sine_forward", SINE_INPUTS, work, base, cal);
}

/// XOR: `train_xor`'s 500 Adam steps on the four samples, from its starting point.
#[inline(never)]
fn insn_xor(cal: &Calibration) {
    let (inputs, targets) = xor_data();
    let data = || inputs.iter().zip(targets.iter());
    let mut net = xor_net();
    let mut trainer = Trainer::new(Adam::new(0.05));
    let base = timeline(XOR_STEPS, |_| {
        let _ = black_box(data());
    });
    let mut failed = false;
    let work = timeline(XOR_STEPS, |_| {
        failed |= black_box(trainer.step(&mut net, &BinaryCrossEntropy, data())).is_err();
    });
    if failed {
        hprintln!("error: a training step failed");
        typenet_firmware::exit(false)
    }
    per_item("xor_adam_training_step", XOR_STEPS, work, base, cal);
    match evaluate(&net, &BinaryCrossEntropy, data()) {
        Ok(e) => hprintln!("check: xor loss after {} steps {}", XOR_STEPS, e.loss),
        Err(_) => typenet_firmware::exit(false),
    }
}

/// XOR with SGD (η = 2) and mean squared error in f32, from the same starting point:
/// the f32 counterpart of [`insn_xor_q16`] (the Adam workload above is `train_xor`'s).
#[inline(never)]
fn insn_xor_sgd(cal: &Calibration) {
    let (inputs, targets) = xor_data();
    let data = || inputs.iter().zip(targets.iter());
    let mut net = xor_net();
    let mut trainer = Trainer::new(Sgd::new(XOR_Q16_LEARNING_RATE as f32));
    let base = timeline(XOR_STEPS, |_| {
        let _ = black_box(data());
    });
    let mut failed = false;
    let work = timeline(XOR_STEPS, |_| {
        failed |= black_box(trainer.step(&mut net, &MeanSquaredError, data())).is_err();
    });
    if failed {
        hprintln!("error: a training step failed");
        typenet_firmware::exit(false)
    }
    per_item("xor_f32_sgd_training_step", XOR_STEPS, work, base, cal);
    match evaluate(&net, &MeanSquaredError, data()) {
        Ok(e) => hprintln!(
            "check: xor_f32_sgd loss_after={} steps={}",
            e.loss,
            XOR_STEPS
        ),
        Err(_) => typenet_firmware::exit(false),
    }
}

/// Digits in Q16: the network in flash (`digits`' weights converted), the inputs
/// converted (integer-only) in both timelines, as for f32.
#[inline(never)]
fn insn_digits_q16(cal: &Calibration) {
    let net: &DigitsNetQ16 = black_box(&NET_Q16);
    let base = timeline(IMAGES, |i| {
        black_box(digits_input_q16(image(i)));
    });
    let work = timeline(IMAGES, |i| {
        let x = black_box(digits_input_q16(image(i)));
        black_box(q16_digits_forward(net, &x));
    });
    per_item("digits_q16_forward", IMAGES, work, base, cal);

    // Accuracy, untimed: the Q16 network's predictions against the labels and against
    // the f32 network's predictions, and the largest difference of an output.
    let (mut correct, mut correct_f32, mut same) = (0, 0, 0);
    let mut max_diff = 0.0f32;
    for i in 0..IMAGES {
        let yq = q16_digits_forward(net, &digits_input_q16(image(i)));
        let yf = NET.forward(&digits_input(image(i)));
        let (pq, pf) = (argmax(&yq), argmax(&yf));
        let label = usize::from(image(i)[64]);
        correct += usize::from(pq == Some(label));
        correct_f32 += usize::from(pf == Some(label));
        same += usize::from(pq == pf);
        for (q, f) in yq.iter().zip(yf.iter()) {
            max_diff = max_diff.max((q.to_f64() as f32 - f).abs());
        }
    }
    hprintln!(
        "check: digits_q16 correct={} f32_correct={} images={} same_prediction={} max_output_diff={}",
        correct,
        correct_f32,
        IMAGES,
        same,
        max_diff
    );
}

#[inline(never)]
fn insn_sine_q16(cal: &Calibration) {
    let net = black_box(sine_net_q16());
    let xs = black_box(sine_inputs_q16());
    let base = timeline(SINE_INPUTS, |i| {
        black_box(GenericArray::from_array([xs[i]]));
    });
    let work = timeline(SINE_INPUTS, |i| {
        let x = black_box(GenericArray::from_array([xs[i]]));
        black_box(q16_sine_forward(&net, &x));
    });
    per_item("sine_q16_forward", SINE_INPUTS, work, base, cal);

    // Untimed: the largest difference from the f32 network's output.
    let f = sine_net();
    let mut max_diff = 0.0f32;
    for (i, &x) in xs.iter().enumerate() {
        let yq = q16_sine_forward(&net, &GenericArray::from_array([x]))[0];
        let yf = f.forward(&sine_input(i))[0];
        max_diff = max_diff.max((yq.to_f64() as f32 - yf).abs());
    }
    hprintln!(
        "check: sine_q16 inputs={} max_output_diff={}",
        SINE_INPUTS,
        max_diff
    );
}

/// XOR in Q16: SGD (η = 2) with mean squared error from `train_xor`'s starting point,
/// `XOR_STEPS` steps on the four samples; prints the loss before and after and whether
/// every output is on the right side of ½.
#[inline(never)]
fn insn_xor_q16(cal: &Calibration) {
    let (inputs, targets) = xor_data_q16();
    let data = || inputs.iter().zip(targets.iter());
    let mut net = xor_net_q16();
    let mut trainer = xor_trainer_q16();
    let Ok(before) = evaluate(&net, &MeanSquaredError, data()) else {
        typenet_firmware::exit(false)
    };
    let base = timeline(XOR_STEPS, |_| {
        let _ = black_box(data());
    });
    let mut failed = false;
    let work = timeline(XOR_STEPS, |_| {
        failed |= black_box(q16_xor_step(&mut trainer, &mut net, &inputs, &targets)).is_err();
    });
    if failed {
        hprintln!("error: a Q16 training step failed");
        typenet_firmware::exit(false)
    }
    per_item("xor_q16_sgd_training_step", XOR_STEPS, work, base, cal);
    let Ok(after) = evaluate(&net, &MeanSquaredError, data()) else {
        typenet_firmware::exit(false)
    };
    let y = inputs.map(|x| net.forward(&x)[0]);
    let half = Q16::from_bits(1 << 15);
    let learned = y
        .iter()
        .zip(targets.iter())
        .all(|(&y, t)| (y > half) == (t[0] > half));
    hprintln!(
        "check: xor_q16 loss_before={} loss_after={} steps={} outputs={} {} {} {} learned={}",
        before.loss,
        after.loss,
        XOR_STEPS,
        y[0],
        y[1],
        y[2],
        y[3],
        if learned { "yes" } else { "no" }
    );
}

/// Digits in int8: the `static` network of `digits_int8` (in flash; on QEMU flash and
/// RAM cost the same), the inputs converted (integer-only) in both timelines.
#[inline(never)]
fn insn_digits_int8(cal: &Calibration) {
    let net: &QDigits = black_box(&QNET);
    let base = timeline(IMAGES, |i| {
        black_box(digits_input_int8(image(i)));
    });
    let work = timeline(IMAGES, |i| {
        let x = black_box(digits_input_int8(image(i)));
        black_box(int8_digits_forward(net, &x));
    });
    per_item("digits_int8_forward", IMAGES, work, base, cal);

    // Untimed: accuracy, agreement with the f32 network, and the checksum of the
    // predictions that `digits_int8` prints (FNV-1a 64 over the class bytes).
    let (mut correct, mut same) = (0, 0);
    let mut checksum: u64 = 0xcbf2_9ce4_8422_2325;
    for i in 0..IMAGES {
        let p = argmax(&int8_digits_forward(net, &digits_input_int8(image(i))));
        correct += usize::from(p == Some(usize::from(image(i)[64])));
        same += usize::from(p == argmax(&NET.forward(&digits_input(image(i)))));
        checksum ^= p.map_or(u64::MAX, |p| p as u64);
        checksum = checksum.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hprintln!(
        "check: digits_int8 correct={} images={} same_prediction_as_f32={} checksum={:016x}",
        correct,
        IMAGES,
        same,
        checksum
    );
}

/// `Q16::from_f64(count as f64)`, the one conversion a Q16 training step does
/// (`Trainer::step` turns the number of samples into a `Q16` to average the
/// gradients): its cost in floating point, for comparison with the step.
#[inline(never)]
fn insn_q16_from_f64(cal: &Calibration) {
    const N: usize = 100;
    let base = timeline(N, |_| {
        black_box(black_box(4usize));
    });
    let work = timeline(N, |_| {
        black_box(Q16::from_f64(black_box(4usize) as f64));
    });
    per_item("q16_from_f64_usize", N, work, base, cal);
}

// ---------------------------------------------------------------------------------
// The MLPerf Tiny AD autoencoder in int8 (the network of `autoencoder_int8`), on the
// boards with the flash for its 286 KB of weights (`big_flash`: the M4F's).
// ---------------------------------------------------------------------------------

#[cfg(big_flash)]
mod autoencoder {
    use super::{Calibration, per_item, print_stack, stack_use, timeline};
    use core::hint::black_box;
    use cortex_m_semihosting::hprintln;
    use typenet::generic_array::GenericArray;
    use typenet::quant::{QNetwork, Quantized};
    use typenet::typenum::U640;
    use typenet::{network, static_qnetwork};
    use typenet_firmware::autoencoder::{
        FNV_START, Reconstruction, TEST_SEEDS, fnv1a, synthetic_log_mel,
    };

    type QAutoencoder = Quantized<
        network!(f32; 640 -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 8 ReLU
            -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 640 Identity),
    >;
    type Io = GenericArray<i8, U640>;

    /// The int8 network of `autoencoder_int8`, in flash.
    static NET: QAutoencoder = static_qnetwork!(
        640 -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 8 ReLU
            -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 128 ReLU -> 640 Identity;
        include_bytes!("../../data/autoencoder_int8.tnet")
    );

    /// The int8 test inputs of `autoencoder_int8` (quantized once, outside the timing).
    fn inputs() -> [Io; TEST_SEEDS.len()] {
        core::array::from_fn(|i| NET.quantize_input(&synthetic_log_mel(TEST_SEEDS[i])))
    }

    /// The int8 autoencoder inference. Out of line so that `measure.sh` finds it in the
    /// disassembly (`measure::autoencoder::int8_autoencoder_forward`) and checks that
    /// it reaches no floating point.
    #[inline(never)]
    fn int8_autoencoder_forward(net: &QAutoencoder, x: &Io) -> Io {
        net.forward(x)
    }

    /// The peak stack of one inference on the first test input (prepared here, so it
    /// lies in this frame, above the painted region); the workload's result is the low
    /// 32 bits of the outputs' checksum.
    #[inline(never)]
    pub fn stack() {
        let x = NET.quantize_input(&synthetic_log_mel(TEST_SEEDS[0]));
        let used = stack_use(&mut || {
            fnv1a(
                FNV_START,
                int8_autoencoder_forward(&NET, &x).iter().map(|&q| q as u8),
            ) as u32
        });
        print_stack("autoencoder_int8_inference", used);
    }

    /// Instructions per inference over the test inputs, then the lines of
    /// `autoencoder_int8` as checks (`measure.sh` compares them with the host example).
    #[inline(never)]
    pub fn insn(cal: &Calibration) {
        let xs = inputs();
        let net: &QAutoencoder = black_box(&NET);
        let base = timeline(xs.len(), |i| {
            black_box(&xs[black_box(i)]);
        });
        let work = timeline(xs.len(), |i| {
            black_box(int8_autoencoder_forward(net, black_box(&xs[i])));
        });
        per_item("autoencoder_int8_forward", xs.len(), work, base, cal);
        for i in 0..TEST_SEEDS.len() {
            hprintln!("check: autoencoder_int8 {}", Reconstruction::of(net, i));
        }
    }
}

#[entry]
fn main() -> ! {
    let Some(mut core) = cortex_m::Peripherals::take() else {
        typenet_firmware::exit(false)
    };
    core.SYST.disable_interrupt();
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(RELOAD);
    core.SYST.clear_current();
    core.SYST.enable_counter();

    hprintln!(
        "stack: region _stack_end={:#010x} _stack_start={:#010x}",
        (&raw const _stack_end) as usize,
        (&raw const _stack_start) as usize
    );
    stack_digits_static();
    #[cfg(not(small_ram))]
    stack_digits_decoded();
    #[cfg(not(small_ram))]
    stack_digits_runtime();
    #[cfg(not(small_ram))]
    stack_digits_load_into();
    #[cfg(not(small_ram))]
    stack_digits_all();
    stack_sine();
    stack_xor_step();
    stack_xor_train();
    stack_digits_q16();
    stack_sine_q16();
    stack_xor_q16_step();
    stack_digits_int8();
    #[cfg(big_flash)]
    autoencoder::stack();

    let cal = calibrate();
    hprintln!(
        "calibration: instructions={} ticks={}",
        cal.instructions,
        cal.ticks
    );
    insn_digits(&cal);
    #[cfg(not(small_ram))]
    insn_decode(&cal);
    insn_sine(&cal);
    insn_xor(&cal);
    insn_xor_sgd(&cal);
    insn_digits_q16(&cal);
    insn_sine_q16(&cal);
    insn_xor_q16(&cal);
    insn_q16_from_f64(&cal);
    // int8: the digits network of `digits_int8` (there is no int8 sine or XOR workload:
    // the columns show "—").
    insn_digits_int8(&cal);
    #[cfg(big_flash)]
    autoencoder::insn(&cal);
    typenet_firmware::exit(true)
}
