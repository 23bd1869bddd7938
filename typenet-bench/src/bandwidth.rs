//! How fast this core reads a network's weights: the floor of a batch-1 forward pass.
//!
//! A batch-1 forward reads every weight once and does one multiply-add with it, so
//! once the weights outgrow the first-level cache (W3: 436 KB, W4: 1.06 MB; 48 KiB of
//! L1d here) it cannot be faster than streaming that many bytes from the second-level
//! cache. This module measures that stream: a buffer of the workload's parameter bytes,
//! 64-byte aligned, summed with the widest loads the CPU has (AVX-512: 64 bytes per
//! load, eight independent sums so that loads, not additions, set the pace), best of
//! 200 measurements of at least 1 MiB of reads each (a small buffer is summed several
//! times over), after a warm-up pass that brings the buffer into the cache. The
//! result is an upper bound on what any code reading those bytes in one stream can do,
//! and the time it gives (bytes / bandwidth) a lower bound on the batch-1 forward.

use std::hint::black_box;
use std::time::Instant;

/// Bytes of a cache line: the buffer starts on one, as typenet's layers do.
const LINE: usize = 64;
/// Timed measurements (after one warm-up pass); the fastest counts.
const PASSES: usize = 200;
/// Bytes read per timed measurement at least (small buffers are summed several times
/// over, so that the clock's resolution does not count).
const MIN_BYTES: usize = 1 << 20;

/// Sequential read bandwidth over `bytes` bytes of f32, in GB/s (10^9 bytes per second).
pub fn read_gb_per_s(bytes: usize) -> f64 {
    let floats = bytes.div_ceil(4).next_multiple_of(128);
    let raw = vec![1.0f32; floats + LINE / 4];
    let skip = raw.as_ptr().align_offset(LINE).min(LINE / 4);
    let buf = &raw[skip..skip + floats];
    black_box(sum(buf));
    let repeats = MIN_BYTES.div_ceil(floats * 4);
    let best = (0..PASSES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..repeats {
                black_box(sum(black_box(buf)));
            }
            start.elapsed().as_nanos().max(1) as f64
        })
        .fold(f64::INFINITY, f64::min);
    (repeats * floats * 4) as f64 / best
}

/// The sum of `buf` (a multiple of 128 floats) in eight running vector sums.
fn sum(buf: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU reports AVX-512F (checked just above).
            return unsafe { x86::sum_avx512(buf) };
        }
    }
    let mut acc = [[0.0f32; 16]; 8];
    for block in buf.chunks_exact(128) {
        for (a, part) in acc.iter_mut().zip(block.chunks_exact(16)) {
            for (s, &v) in a.iter_mut().zip(part) {
                *s += v;
            }
        }
    }
    acc.iter().flatten().sum()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// [`super::sum`] with 64-byte loads.
    #[target_feature(enable = "avx512f")]
    pub fn sum_avx512(buf: &[f32]) -> f32 {
        let mut acc = [_mm512_setzero_ps(); 8];
        for block in buf.chunks_exact(128) {
            for (a, part) in acc.iter_mut().zip(block.chunks_exact(16)) {
                // SAFETY: `part` is 16 floats, the 64 bytes an unaligned load reads.
                *a = _mm512_add_ps(*a, unsafe { _mm512_loadu_ps(part.as_ptr()) });
            }
        }
        let total = acc
            .iter()
            .fold(_mm512_setzero_ps(), |t, &a| _mm512_add_ps(t, a));
        _mm512_reduce_add_ps(total)
    }
}
