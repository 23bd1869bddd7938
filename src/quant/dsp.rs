//! The int8 dot products on Arm cores with the DSP extension (Cortex-M4, M7, M33 with
//! DSP, Cortex-A/R): four int8 inputs per 32-bit word, unpacked into two pairs of
//! 16-bit lanes with `SXTB16` (bytes 0 and 2) and `SXTB16 …, ROR #8` (bytes 1 and 3),
//! two multiply-accumulates per `SMLAD`, several weight rows per pass so that each
//! input word is loaded and unpacked once (the shape of CMSIS-NN's
//! `arm_nn_vec_mat_mult_t_s8`).
//!
//! Compiled when the target has the DSP extension: `target_feature = "dsp"` (which
//! stable Rust does not report yet for Arm targets), or `--cfg typenet_dsp` given by
//! the firmware's build (see `embedded/.cargo/config.toml`); setting that cfg for a
//! core without the DSP extension fails to assemble. Stable Rust has no DSP
//! intrinsics, hence the `asm!`: register-only arithmetic, no memory access. The sums
//! are exact (the layer checked that none can overflow), so the results equal the
//! portable loop's on every target.

use core::arch::asm;

/// Four int8 as a little-endian word (byte j in bits 8j..8j+8). A copy of the bytes:
/// no alignment needed (the compiler emits one `LDR`, which Armv7-M allows unaligned).
#[inline(always)]
fn word(bytes: &[i8; 4]) -> u32 {
    u32::from_le_bytes(bytes.map(i8::cast_unsigned))
}

/// The word's bytes 0 and 2, and 1 and 3, sign-extended into 16-bit lanes.
#[inline(always)]
fn unpack(w: u32) -> (u32, u32) {
    let even: u32;
    let odd: u32;
    // SAFETY: register-only DSP instructions, which this module's cfg guarantees the
    // target has; no memory access, no stack, no flags written.
    unsafe {
        asm!(
            "sxtb16 {even}, {w}",
            "sxtb16 {odd}, {w}, ror #8",
            w = in(reg) w,
            even = lateout(reg) even,
            odd = lateout(reg) odd,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    (even, odd)
}

/// acc + Σ_{j<4} w_j x_j for a word of four int8 weights and an input word unpacked
/// by [`unpack`].
#[inline(always)]
fn mac(acc: i32, w: u32, (x_even, x_odd): (u32, u32)) -> i32 {
    let mut acc = acc;
    // SAFETY: register-only DSP instructions, which this module's cfg guarantees the
    // target has; no memory access, no stack. SMLAD sets the sticky Q flag on an
    // overflowing sum, so the flags are not declared preserved (the layer's bound
    // keeps every partial sum in range anyway).
    unsafe {
        asm!(
            "sxtb16 {t}, {w}",
            "sxtb16 {w}, {w}, ror #8",
            "smlad {acc}, {t}, {xe}, {acc}",
            "smlad {acc}, {w}, {xo}, {acc}",
            acc = inout(reg) acc,
            w = inout(reg) w => _,
            t = out(reg) _,
            xe = in(reg) x_even,
            xo = in(reg) x_odd,
            options(pure, nomem, nostack),
        );
    }
    acc
}

/// acc_r + Σ_j rows\[r\]\[j\] · x_j for each of the `R` rows (each at least as long as
/// `x`): four inputs per step, the last `x.len() % 4` in plain Rust.
#[inline(always)]
pub(super) fn dot_rows<const R: usize>(rows: [&[i8]; R], x: &[i8], mut acc: [i32; R]) -> [i32; R] {
    let (words, tail) = x.as_chunks::<4>();
    let body = words.len() * 4;
    let row_words = rows.map(|row| row[..body].as_chunks::<4>().0);
    for (c, xw) in words.iter().enumerate() {
        let x = unpack(word(xw));
        for (acc, row) in acc.iter_mut().zip(&row_words) {
            *acc = mac(*acc, word(&row[c]), x);
        }
    }
    for (acc, row) in acc.iter_mut().zip(&rows) {
        for (&w, &x) in row[body..].iter().zip(tail) {
            *acc += i32::from(w) * i32::from(x);
        }
    }
    acc
}
