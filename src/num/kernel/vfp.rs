//! The `f32` multiply-add and forward kernel on the Cortex-M cores with a
//! single-precision FPU that has `VFMA.F32` (VFPv4 or later: Cortex-M4F, M7, M33/M55 with
//! FPU; the targets `thumbv7em-none-eabihf`, `thumbv8m.main-none-eabihf` and
//! `thumbv8.1m.main-none-eabihf`, which `build.rs` marks with `cfg(typenet_vfma)`).
//!
//! [`fma`] is `x · a + b` rounded once, one `VFMA.F32`: the `f32` multiply-add of every
//! portable kernel on these cores ([`super::fused_f32`]). [`affine`] computes for layers
//! of at least eight inputs bit for bit what the portable [`super::affine`] computes (see
//! the order rules in the parent module): the eight running sums s_l = Σ_c w_{k,8c+l}
//! x_{8c+l} of each row live in eight s-registers, start at +0 and are accumulated with
//! `VFMA.F32` (product and sum rounded once, as the portable `s = w.mul_add(x, s)`); they
//! are reduced `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`, the leftover
//! products are added one at a time, and the sum is added to the bias, as in the
//! portable code. What changes is the loading: eight inputs and eight weights per
//! `VLDM` (LLVM loads each with its own `VLDR`), and two rows per pass, so each chunk of eight inputs is loaded once for both
//! rows: 19 instructions per 16 multiply-accumulates in the loop, where LLVM's code takes
//! 28 per 8 (`embedded/measure.sh`, `embedded/FIGURES.md`).
//!
//! Stable Rust has no Arm floating-point intrinsics, and its inline assembly cannot take
//! single-precision register operands on an FPU without double precision (the M4F's),
//! hence the `asm!` of [`layer`], one block per layer and sample, whose loads and stores
//! stay inside the slices, whose bounds are checked before it, and the `global_asm!`
//! function behind [`fma`], which takes its operands in s0–s2 by the hard-float calling
//! convention. The reduction is written twice, in [`super::add_sums`] and in the assembly
//! (the `reduce!` macro below): the crate's summation order is their contract. The device
//! test `embedded/src/bin/f32_kernels.rs` compares this kernel with the portable one bit
//! for bit on random layers, in CI on the Cortex-M4F.
//!
//! One cost on the stack: LLVM must assume that the assembly keeps the pointers it is
//! given, so a network returned by value (`format::from_bytes`) and then run is no
//! longer moved out of its `Result` in place but copied (`measure.sh`'s
//! `digits_runtime_decode_inference`); `load_into` or `static_network!`, as the firmware
//! uses them, are not affected.

use core::arch::asm;
use core::mem::offset_of;

/// The symbol of the multiply-add function below, with the crate's version in it, so
/// that two versions of typenet linked into one firmware do not clash.
macro_rules! vfma_symbol {
    () => {
        concat!("__typenet_vfma_f32_", env!("CARGO_PKG_VERSION"))
    };
}

// `vfma_symbol!()(x, a, b)` = x · a + b rounded once. The hard-float calling convention
// passes x, a, b in s0, s1, s2 and returns in s0; s0–s15 are the caller's to save, so
// the function may write s0 and s2; it touches no memory and no stack. Its own section
// (pushed and popped), and the two instructions as encodings: module-level assembly is
// not assembled with the target's FPU features, and an `.fpu` directive would stay in
// force for any module-level assembly after it.
core::arch::global_asm!(
    concat!(".pushsection .text.", vfma_symbol!(), ",\"ax\",%progbits"),
    concat!(".global ", vfma_symbol!()),
    concat!(".type ", vfma_symbol!(), ",%function"),
    ".p2align 1",
    ".thumb_func",
    concat!(vfma_symbol!(), ":"),
    // vfma.f32 s2, s0, s1
    ".inst.w 0xEEA01A20",
    // vmov.f32 s0, s2
    ".inst.w 0xEEB00A41",
    "bx lr",
    concat!(".size ", vfma_symbol!(), ", . - ", vfma_symbol!()),
    ".popsection",
);

unsafe extern "C" {
    #[link_name = vfma_symbol!()]
    fn typenet_vfma_f32(x: f32, a: f32, b: f32) -> f32;
}

/// `x · a + b` rounded once: one `VFMA.F32` (and a call: stable Rust cannot place it
/// inline, see the module docs).
#[inline(always)]
pub(crate) fn fma(x: f32, a: f32, b: f32) -> f32 {
    // SAFETY: the function above reads its three arguments from registers and returns
    // one, as its declaration says; it has no other effect. The FPU has `VFMA.F32`:
    // this module's cfg (`typenet_vfma`).
    unsafe { typenet_vfma_f32(x, a, b) }
}

/// The starting value of the running sums (+0.0, as the portable code starts them),
/// loaded into sixteen registers by one `VLDM` (the FPU has no immediate zero).
static ZEROS: [f32; 16] = [0.0; 16];

/// What the assembly of [`layer`] reads besides its pointer registers (it has too few
/// registers to hold them all): the fields at their `offset_of!` offsets.
#[repr(C)]
struct Shape {
    /// The input vector x.
    x: *const f32,
    /// Whole chunks of eight inputs per row (≥ 1).
    chunks: usize,
    /// Inputs after the whole chunks (0..8).
    tail: usize,
    /// Bytes per row of weights: 4 × inputs.
    stride: usize,
    /// One past the outputs computed in pairs: z + 2⌊rows/2⌋.
    pairs_end: *mut f32,
    /// Whether a last row is left after the pairs (0 or 1).
    odd: usize,
}

/// One chunk of eight: the row's weights into s8–s15 (`{w}` advanced), then
/// s(a+l) += s(8+l) · s(l) for l = 0..8 with the inputs in s0–s7 (`VFMA.F32`: rounded
/// once). `$a0`… name the eight accumulators.
macro_rules! row_step {
    ($w:literal, $a0:literal, $a1:literal, $a2:literal, $a3:literal, $a4:literal, $a5:literal, $a6:literal, $a7:literal) => {
        concat!(
            "vldmia {",
            $w,
            "}!, {{s8-s15}}\n",
            "vfma.f32 s",
            $a0,
            ", s8, s0\n",
            "vfma.f32 s",
            $a1,
            ", s9, s1\n",
            "vfma.f32 s",
            $a2,
            ", s10, s2\n",
            "vfma.f32 s",
            $a3,
            ", s11, s3\n",
            "vfma.f32 s",
            $a4,
            ", s12, s4\n",
            "vfma.f32 s",
            $a5,
            ", s13, s5\n",
            "vfma.f32 s",
            $a6,
            ", s14, s6\n",
            "vfma.f32 s",
            $a7,
            ", s15, s7\n",
        )
    };
}

/// One chunk of eight inputs (loaded once, `{xp}` advanced) against two rows: the
/// running sums of row 0 in s16–s23, of row 1 in s24–s31.
macro_rules! pair_step {
    () => {
        concat!(
            "vldmia {xp}!, {{s0-s7}}\n",
            row_step!("w0", 16, 17, 18, 19, 20, 21, 22, 23),
            row_step!("w1", 24, 25, 26, 27, 28, 29, 30, 31),
        )
    };
}

/// `s(a) += s(b)`: one `VADD.F32`.
macro_rules! vadd {
    ($a:literal, $b:literal) => {
        concat!("vadd.f32 s", $a, ", s", $a, ", s", $b, "\n")
    };
}

/// The crate's reduction of the eight running sums s(a)…s(a+7) into s(a), as
/// [`super::add_sums`]: `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`, seven
/// `VADD.F32` (as many as the chain before 2026-12-06, in three levels instead of seven).
macro_rules! reduce {
    ($s0:literal, $s1:literal, $s2:literal, $s3:literal,
     $s4:literal, $s5:literal, $s6:literal, $s7:literal) => {
        concat!(
            vadd!($s0, $s1),
            vadd!($s2, $s3),
            vadd!($s4, $s5),
            vadd!($s6, $s7),
            vadd!($s0, $s2),
            vadd!($s4, $s6),
            vadd!($s0, $s4),
        )
    };
}

/// z = W x + b for one sample: `w` holds `z.len()` rows of `x.len()` ≥ 8 columns, `bias`
/// `z.len()` entries. The whole layer in one block of assembly, which saves and restores
/// the sixteen FPU registers d0–d15 it uses (Rust's inline assembly cannot name the
/// single-precision registers of an FPU without double precision, such as the M4F's,
/// so it cannot declare them clobbered either): two rows per pass, each
///
/// - zeroes its sixteen running sums (`VLDM` of [`ZEROS`]);
/// - runs the chunks of eight, two per pass of the loop (one alone first when their
///   number is odd): 19 instructions per 16 multiply-accumulates;
/// - reduces each row's eight sums (the tree of `reduce!`), adds the leftover products
///   one at a time (`VFMA.F32`, in order), adds the sum to the bias (`bias + sum`, as the
///   portable `z = bias; z += dot`) and stores the two outputs;
///
/// then the last row alone when the number of rows is odd.
///
/// # Safety
/// `x.len()` ≥ 8: the chunk loops run at least once and count down to zero (with no
/// whole chunk they would not stop).
unsafe fn layer(w: &[f32], bias: &[f32], x: &[f32], z: &mut [f32]) {
    let (inputs, rows) = (x.len(), z.len());
    // Bounds, checked here so that the loads and stores below stay inside the slices.
    let (w, bias) = (&w[..rows * inputs], &bias[..rows]);
    let shape = Shape {
        x: x.as_ptr(),
        chunks: inputs / 8,
        tail: inputs % 8,
        stride: 4 * inputs,
        // SAFETY: 2⌊rows/2⌋ ≤ rows: inside `z` or one past its end.
        pairs_end: unsafe { z.as_mut_ptr().add(rows / 2 * 2) },
        odd: rows % 2,
    };
    // SAFETY: `shape.chunks` ≥ 1 (the caller's promise), so each chunk loop runs
    // `chunks` steps and stops. Memory: pass k (rows 2k and 2k + 1, or the last row
    // alone) reads the `inputs` floats of `x` (pointer from `shape.x`, advanced by one
    // float per input), the `inputs` floats of each of its rows (`w0` starts at row 0
    // and `w1` one stride
    // further; after a pass `w0` takes `w1`'s place, at the next pair's first row, and
    // `w1` moves one stride on), the pass's biases and writes its outputs (`b` and `z`
    // advance by two per pair); the pairs stop when `z` reaches `pairs_end`, so every
    // access is inside `w` (rows × inputs, checked above), `x`, `bias` (rows, checked)
    // and `z`; `ZEROS` is read whole. All are `f32`s, word-aligned as `VLDM`/`VSTM`
    // require, and `z` (a `&mut`) overlaps none of the others. Registers: d0–d15 are
    // pushed first and popped last, so the compiler's floating-point values survive;
    // the core registers written are the operands declared as discarded in-outs, and
    // the flags (`SUBS`, `CMP`, `TST`). Stack: the 128 bytes of the `VPUSH`, popped
    // before the end (no `nostack`). The FPU and its `VFMA.F32` exist: this module's cfg (`typenet_vfma`).
    unsafe {
        asm!(
            "vpush {{d0-d15}}",
            "ldr {n}, [{p}, #{stride}]",
            "add {w1}, {w0}, {n}",
            "ldr {n}, [{p}, #{pairs_end}]",
            "cmp {z}, {n}",
            "beq 6f",
            // two rows per pass
            "2:",
            "vldmia {zeros}, {{s16-s31}}",
            "ldr {xp}, [{p}, #{x}]",
            "ldr {n}, [{p}, #{chunks}]",
            "tst {n}, #1",
            "beq 3f",
            pair_step!(),
            "subs {n}, {n}, #1",
            "beq 4f",
            "3:",
            pair_step!(),
            pair_step!(),
            "subs {n}, {n}, #2",
            "bne 3b",
            "4:",
            reduce!(16, 17, 18, 19, 20, 21, 22, 23),
            reduce!(24, 25, 26, 27, 28, 29, 30, 31),
            "ldr {n}, [{p}, #{tail}]",
            "cmp {n}, #0",
            "beq 5f",
            "22:",
            "vldmia {xp}!, {{s0}}",
            "vldmia {w0}!, {{s8}}",
            "vldmia {w1}!, {{s9}}",
            "vfma.f32 s16, s8, s0",
            "vfma.f32 s24, s9, s0",
            "subs {n}, {n}, #1",
            "bne 22b",
            "5:",
            "vldmia {b}!, {{s0-s1}}",
            "vadd.f32 s0, s0, s16",
            "vadd.f32 s1, s1, s24",
            "vstmia {z}!, {{s0-s1}}",
            "mov {w0}, {w1}",
            "ldr {n}, [{p}, #{stride}]",
            "add {w1}, {w1}, {n}",
            "ldr {n}, [{p}, #{pairs_end}]",
            "cmp {z}, {n}",
            "bne 2b",
            // the last row alone
            "6:",
            "ldr {n}, [{p}, #{odd}]",
            "cmp {n}, #0",
            "beq 9f",
            "vldmia {zeros}, {{s16-s23}}",
            "ldr {xp}, [{p}, #{x}]",
            "ldr {n}, [{p}, #{chunks}]",
            "7:",
            "vldmia {xp}!, {{s0-s7}}",
            row_step!("w0", 16, 17, 18, 19, 20, 21, 22, 23),
            "subs {n}, {n}, #1",
            "bne 7b",
            reduce!(16, 17, 18, 19, 20, 21, 22, 23),
            "ldr {n}, [{p}, #{tail}]",
            "cmp {n}, #0",
            "beq 8f",
            "23:",
            "vldmia {xp}!, {{s0}}",
            "vldmia {w0}!, {{s8}}",
            "vfma.f32 s16, s8, s0",
            "subs {n}, {n}, #1",
            "bne 23b",
            "8:",
            "vldmia {b}, {{s0}}",
            "vadd.f32 s0, s0, s16",
            "vstmia {z}, {{s0}}",
            "9:",
            "vpop {{d0-d15}}",
            p = in(reg) &raw const shape,
            zeros = in(reg) ZEROS.as_ptr(),
            w0 = inout(reg) w.as_ptr() => _,
            b = inout(reg) bias.as_ptr() => _,
            z = inout(reg) z.as_mut_ptr() => _,
            w1 = out(reg) _,
            xp = out(reg) _,
            n = out(reg) _,
            x = const offset_of!(Shape, x),
            chunks = const offset_of!(Shape, chunks),
            tail = const offset_of!(Shape, tail),
            stride = const offset_of!(Shape, stride),
            pairs_end = const offset_of!(Shape, pairs_end),
            odd = const offset_of!(Shape, odd),
        );
    }
}

/// [`super::affine`], the same bits: z_s = W x_s + b for each sample, by [`layer`].
/// Layers of fewer than eight inputs (no whole chunk) run the portable code.
#[inline]
pub(crate) fn affine<const B: usize>(
    w: &[f32],
    bias: &[f32],
    xs: [&[f32]; B],
    zs: [&mut [f32]; B],
) {
    let inputs = xs.first().map_or(0, |x| x.len());
    if inputs < 8 {
        return super::affine(w, bias, xs, zs);
    }
    let rows = bias.len();
    for (x, z) in xs.into_iter().zip(zs) {
        // SAFETY: `inputs` ≥ 8, checked above.
        unsafe { layer(w, bias, &x[..inputs], &mut z[..rows]) };
    }
}
