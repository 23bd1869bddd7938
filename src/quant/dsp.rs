//! The int8 dot products on Arm cores with the DSP extension (Cortex-M4, M7, M33 with
//! DSP, Cortex-A/R): four int8 inputs per 32-bit word, unpacked into two pairs of
//! 16-bit lanes with `SXTB16` (bytes 0 and 2) and `SXTB16 …, ROR #8` (bytes 1 and 3),
//! two multiply-accumulates per `SMLAD`, several weight rows per pass so that each
//! input word is loaded and unpacked once per pass (the shape of CMSIS-NN's
//! `arm_nn_vec_mat_mult_t_s8`). For the groups of four rows the input is unpacked
//! only once per layer, into [`Lanes`] (2·I bytes of stack), and each pass loads a
//! word's two pairs of lanes with one `LDRD`: 1.375 instructions per multiply-accumulate
//! in the loop instead of 1.5 (the MLPerf Tiny autoencoder on the M4F: 437 780 →
//! 409 220 instructions per inference, `embedded/FIGURES.md`).
//!
//! Compiled when the target has the DSP extension: `target_feature = "dsp"` (which
//! stable Rust does not report yet for Arm targets), or `--cfg typenet_dsp` given by
//! the firmware's build (see `embedded/.cargo/config.toml`); setting that cfg for a
//! core without the DSP extension fails to assemble. Stable Rust has no DSP
//! intrinsics, hence the `asm!`: register arithmetic, and in the four-row loop
//! ([`quad`]) word loads from the weight slice and the input's lanes, whose bounds are
//! checked before the loop. The sums are exact (the layer checked that none can overflow), so
//! the results equal the portable loop's on every target (`embedded/`'s
//! `int8_kernels` checks it on the device).

use super::stride::Stride;
use core::arch::asm;
use generic_array::{ArrayLength, GenericArray};

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
            // written before `w`'s last read: must not share its register
            even = out(reg) even,
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

/// The body of [`quad`]'s loop: one input word, its two pairs of 16-bit lanes loaded
/// from [`Lanes`] by one `LDRD`, against the same word of four rows. `{wp}` points at
/// row 0; rows 1, 2, 3 are `{s1}`, `{s2}`, `{s3}` bytes further.
macro_rules! quad_step {
    () => {
        concat!(
            "ldrd {x}, {xo}, [{xp}], #8\n",
            "ldr {w}, [{wp}, #{s1}]\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a1}, {t}, {x}, {a1}\n",
            "smlad {a1}, {w}, {xo}, {a1}\n",
            "ldr {w}, [{wp}, #{s2}]\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a2}, {t}, {x}, {a2}\n",
            "smlad {a2}, {w}, {xo}, {a2}\n",
            "ldr {w}, [{wp}, #{s3}]\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a3}, {t}, {x}, {a3}\n",
            "smlad {a3}, {w}, {xo}, {a3}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a0}, {t}, {x}, {a0}\n",
            "smlad {a0}, {w}, {xo}, {a0}\n",
        )
    };
}

/// The whole words of a layer's input unpacked once for all its groups of four rows
/// (CMSIS-NN unpacks per pass instead): for word c, the 16-bit lanes 4c..4c+4 hold
/// x_{4c}, x_{4c+2} (the even pair, `SXTB16`) and x_{4c+1}, x_{4c+3} (the odd pair,
/// `SXTB16 …, ROR #8`), so that [`quad`] loads both pairs with one `LDRD` where it would
/// load the word and unpack it (three instructions) in every pass: 22 instructions
/// per 16 multiply-accumulates instead of 24. Costs 2·I bytes of stack for the layer.
/// Aligned to 8 bytes for `LDRD`.
#[repr(C, align(8))]
pub(super) struct Lanes<I: ArrayLength>(GenericArray<u16, I>);

impl<I: ArrayLength> Lanes<I> {
    /// Whether [`quad`] takes the four-row groups of a layer of `I` inputs (the `LDR`
    /// offsets of its rows 1–3 must be below 4096, and a word is needed); if not,
    /// no `Lanes` is made.
    pub(super) const USED: bool = I::USIZE >= 4 && 3 * I::USIZE < 4096;

    /// Zeroed lanes, for [`fill`](Lanes::fill).
    #[inline(always)]
    pub(super) fn new() -> Self {
        Lanes(GenericArray::default())
    }

    /// Unpacks `x`'s whole words into the lanes (in place: the array is too large to
    /// be returned and copied; the lanes of the last `x.len() % 4` inputs stay 0).
    #[inline(always)]
    pub(super) fn fill(&mut self, x: &[i8]) {
        let (words, _) = x.as_chunks::<4>();
        for (w, l) in words.iter().zip(self.0.as_chunks_mut::<4>().0) {
            let (even, odd) = unpack(word(w));
            *l = [
                even as u16,
                (even >> 16) as u16,
                odd as u16,
                (odd >> 16) as u16,
            ];
        }
    }
}

/// Four rows of I = `S::STRIDE` weights (`block`, row r at r·I; a stride known when
/// compiling) against the first `words` words of the input, given as its [`Lanes`], for
/// 3·I < 4096 (the `LDR` immediate offsets) and `words` ≥ 1: the whole loop in
/// assembly, 23 instructions per 16 multiply-accumulates (22 when two words are done
/// per pass, for an even number of words).
#[inline(always)]
fn quad<S: Stride>(block: &[i8], lanes: &Lanes<S::Size>, words: usize, acc: [i32; 4]) -> [i32; 4] {
    // Bounds, checked here so that the loads below stay inside the two arrays.
    let lanes = &lanes.0[..4 * words];
    let block = &block[..3 * S::STRIDE + 4 * words];
    let [mut a0, mut a1, mut a2, mut a3] = acc;
    let xp = lanes.as_ptr();
    // SAFETY: `end` is one past the last of the `words` pairs of lanes (in `lanes`).
    let end = unsafe { xp.add(4 * words) };
    let wp = block.as_ptr();
    if words.is_multiple_of(2) {
        // SAFETY: the loop runs `words` (even, ≥ 2) steps; each reads the eight bytes of
        // lanes of input word c (u16 4c..4c+4 of `lanes`, 8-aligned as `LDRD` needs:
        // `Lanes` is aligned to 8) and word c of the four rows (bytes r·I + 4c..+4 of
        // `block`), all inside the slices checked above. The weight `LDR`s may be
        // unaligned: Armv7-M/Armv7E-M (and Armv7-A/R) load an unaligned word as a copy
        // of four bytes, as rustc's own code for `u32::from_le_bytes` of a byte slice
        // does on these targets (only a firmware that sets CCR.UNALIGN_TRP would fault,
        // and then rustc's code too). Register-only DSP arithmetic otherwise (the
        // module's cfg guarantees the extension); no stores, no stack. Partial sums
        // stay in range (the layer's bound), so SMLAD never saturates.
        unsafe {
            asm!(
                "2:",
                quad_step!(),
                quad_step!(),
                "cmp {xp}, {end}",
                "bne 2b",
                xp = inout(reg) xp => _,
                wp = inout(reg) wp => _,
                end = in(reg) end,
                x = out(reg) _,
                xo = out(reg) _,
                w = out(reg) _,
                t = out(reg) _,
                a0 = inout(reg) a0,
                a1 = inout(reg) a1,
                a2 = inout(reg) a2,
                a3 = inout(reg) a3,
                s1 = const S::STRIDE,
                s2 = const 2 * S::STRIDE,
                s3 = const 3 * S::STRIDE,
                options(readonly, nostack),
            );
        }
    } else {
        // SAFETY: as above, one word per pass (`words` ≥ 1).
        unsafe {
            asm!(
                "2:",
                quad_step!(),
                "cmp {xp}, {end}",
                "bne 2b",
                xp = inout(reg) xp => _,
                wp = inout(reg) wp => _,
                end = in(reg) end,
                x = out(reg) _,
                xo = out(reg) _,
                w = out(reg) _,
                t = out(reg) _,
                a0 = inout(reg) a0,
                a1 = inout(reg) a1,
                a2 = inout(reg) a2,
                a3 = inout(reg) a3,
                s1 = const S::STRIDE,
                s2 = const 2 * S::STRIDE,
                s3 = const 3 * S::STRIDE,
                options(readonly, nostack),
            );
        }
    }
    [a0, a1, a2, a3]
}

/// The words of row `r` of `block` (rows of `stride` bytes), as many as `x` has.
#[inline(always)]
fn row_words(block: &[i8], r: usize, stride: usize, words: usize) -> &[[i8; 4]] {
    block[r * stride..][..4 * words].as_chunks::<4>().0
}

/// acc_r + Σ_j block\[r·stride + j\] · x_j for the `R` rows of `block` (rows of
/// `stride` ≥ `x.len()` bytes): four inputs per step, each input word unpacked once for
/// the `R` rows (four rows: [`quad`]'s assembly loop on the layer's `lanes`, unpacked
/// once for all its groups of four rows, which only a stride known when compiling
/// has; two and one in Rust, written out: the firmware's `opt-level = "s"` would not
/// unroll a loop over the rows), the last `x.len() % 4` inputs in plain Rust.
#[inline(always)]
pub(super) fn dot_rows<S: Stride, const R: usize>(
    block: &[i8],
    stride: S,
    x: &[i8],
    lanes: Option<&Lanes<S::Size>>,
    mut acc: [i32; R],
) -> [i32; R] {
    let stride = stride.get();
    let (xw, tail) = x.as_chunks::<4>();
    let n = xw.len();
    match (acc.as_mut_slice(), lanes) {
        // the assembly loop needs the stride when compiling (its load offsets); the
        // layer makes `lanes` only then (`Lanes::USED`)
        ([a0, a1, a2, a3], Some(lanes)) if S::KNOWN && n > 0 => {
            [*a0, *a1, *a2, *a3] = quad::<S>(block, lanes, n, [*a0, *a1, *a2, *a3]);
        }
        ([a0, a1, a2, a3], _) => {
            let (w0, w1) = (
                row_words(block, 0, stride, n),
                row_words(block, 1, stride, n),
            );
            let (w2, w3) = (
                row_words(block, 2, stride, n),
                row_words(block, 3, stride, n),
            );
            for c in 0..n {
                let x = unpack(word(&xw[c]));
                *a0 = mac(*a0, word(&w0[c]), x);
                *a1 = mac(*a1, word(&w1[c]), x);
                *a2 = mac(*a2, word(&w2[c]), x);
                *a3 = mac(*a3, word(&w3[c]), x);
            }
        }
        ([a0, a1], _) => {
            let (w0, w1) = (
                row_words(block, 0, stride, n),
                row_words(block, 1, stride, n),
            );
            for c in 0..n {
                let x = unpack(word(&xw[c]));
                *a0 = mac(*a0, word(&w0[c]), x);
                *a1 = mac(*a1, word(&w1[c]), x);
            }
        }
        (acc, _) => {
            for (r, a) in acc.iter_mut().enumerate() {
                let w = row_words(block, r, stride, n);
                for c in 0..n {
                    *a = mac(*a, word(&w[c]), unpack(word(&xw[c])));
                }
            }
        }
    }
    if !tail.is_empty() {
        for (r, a) in acc.iter_mut().enumerate() {
            let row = &block[r * stride + 4 * n..][..tail.len()];
            for (&w, &x) in row.iter().zip(tail) {
                *a += i32::from(w) * i32::from(x);
            }
        }
    }
    acc
}
