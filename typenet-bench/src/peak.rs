//! This core's f32 multiply-add ceilings, measured with independent chains of vector
//! multiply-adds that keep every FMA (or MUL and ADD) port busy.
//!
//! Four ceilings, because the build decides which one code can reach: the default
//! x86-64 target only has SSE2 (4 lanes, separate multiply and add), `-C
//! target-cpu=native` lets the compiler use AVX2+FMA or AVX-512 where the core has them,
//! and gemm (used by dfdx) picks its AVX2+FMA kernels at run time whatever the build
//! (its AVX-512 kernels need its `nightly` feature). typenet's own kernels, chosen at
//! run time, use AVX-512 FMA (their ceiling is "avx512f fma"); up to round five they
//! multiplied and added in separate instructions, whose ceiling, "avx512f mul+add", is
//! kept for comparison with those rounds. "Peak" is the largest of the measured
//! ceilings.
//!
//! FMA has a 4-cycle latency and two ports here, so 8 chains in flight saturate it;
//! 12 leave slack.

use std::hint::black_box;
use std::time::Instant;

/// One measured ceiling.
#[derive(Clone, Copy, Debug)]
pub struct Ceiling {
    pub name: &'static str,
    pub gflops: f64,
}

/// Independent accumulator chains per FMA loop.
const CHAINS: usize = 12;
/// Multiply-add pairs per iteration of the SSE2 loop (12 of the 16 XMM registers).
#[cfg(target_arch = "x86_64")]
const SSE_PAIRS: usize = 6;
/// Loop iterations per measurement (12 chains × 10 M = 120 M vector multiply-adds).
const ITERS: u64 = 10_000_000;

/// Every ceiling this CPU supports, best of three runs each.
pub fn measure() -> Vec<Ceiling> {
    let mut out = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        out.push(best("sse2 mul+add (4 lanes)", SSE_PAIRS, 4, |n| {
            // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has it.
            unsafe { x86::sse2(n) }
        }));
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            out.push(best("avx2 fma (8 lanes)", CHAINS, 8, |n| {
                // SAFETY: the CPU reports AVX2 and FMA (checked just above).
                unsafe { x86::avx2_fma(n) }
            }));
        }
        if is_x86_feature_detected!("avx512f") {
            out.push(best("avx512f mul+add (16 lanes)", SSE_PAIRS, 16, |n| {
                // SAFETY: the CPU reports AVX-512F (checked just above).
                unsafe { x86::avx512_mul_add(n) }
            }));
            out.push(best("avx512f fma (16 lanes)", CHAINS, 16, |n| {
                // SAFETY: the CPU reports AVX-512F (checked just above).
                unsafe { x86::avx512(n) }
            }));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    out.push(best("portable (8 lanes)", CHAINS, 8, portable));
    out
}

/// For each ceiling, the better of two measurements.
pub fn best_of(a: &[Ceiling], b: &[Ceiling]) -> Vec<Ceiling> {
    a.iter()
        .zip(b)
        .map(|(x, y)| if x.gflops >= y.gflops { *x } else { *y })
        .collect()
}

/// The largest ceiling in GFLOP/s.
pub fn peak(ceilings: &[Ceiling]) -> f64 {
    ceilings.iter().map(|c| c.gflops).fold(0.0, f64::max)
}

/// The best of three runs of `run`, which does `pairs` vector multiply-adds of `lanes`
/// lanes per iteration.
fn best(name: &'static str, pairs: usize, lanes: usize, run: impl Fn(u64) -> f32) -> Ceiling {
    black_box(run(ITERS / 10)); // warm up, and let the clock settle
    let flops = (ITERS * (pairs * lanes * 2) as u64) as f64;
    let gflops = (0..3)
        .map(|_| {
            let start = Instant::now();
            black_box(run(black_box(ITERS)));
            flops / start.elapsed().as_nanos() as f64
        })
        .fold(0.0, f64::max);
    Ceiling { name, gflops }
}

#[cfg(not(target_arch = "x86_64"))]
fn portable(iters: u64) -> f32 {
    let (m, c) = (black_box(0.999_999_f32), black_box(1e-7_f32));
    let mut acc = [[0.0_f32; 8]; CHAINS];
    for _ in 0..iters {
        for chain in acc.iter_mut() {
            for v in chain.iter_mut() {
                *v = v.mul_add(m, c);
            }
        }
    }
    acc.iter().flatten().sum()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{CHAINS, SSE_PAIRS};
    use std::arch::x86_64::*;
    use std::hint::black_box;

    /// A multiply-add ceiling without FMA: a multiply and an add per lane pair, in
    /// `SSE_PAIRS` chains of each (`p = p * m`, `s = s + c`) that keep the multiply and
    /// add ports busy; each loop iteration is `SSE_PAIRS` multiply-adds of `$lanes` lanes.
    macro_rules! mul_add_ceiling {
        ($(#[$doc:meta])* $name:ident, $feature:literal, $v:ty, $lanes:literal,
         $set1:ident, $setzero:ident, $mul:ident, $add:ident) => {
            $(#[$doc])*
            #[target_feature(enable = $feature)]
            pub fn $name(iters: u64) -> f32 {
                let m = $set1(black_box(0.999_999));
                let c = $set1(black_box(1e-7));
                let mut products = [$set1(1.0); SSE_PAIRS];
                let mut sums = [$setzero(); SSE_PAIRS];
                for _ in 0..iters {
                    for p in products.iter_mut() {
                        *p = $mul(*p, m);
                    }
                    for s in sums.iter_mut() {
                        *s = $add(*s, c);
                    }
                }
                let total = products
                    .iter()
                    .chain(&sums)
                    .fold($setzero(), |t, &a| $add(t, a));
                // SAFETY: a vector of `$lanes` f32 and an array of them have the same
                // size, and every bit pattern is a valid f32.
                let lanes = unsafe { core::mem::transmute::<$v, [f32; $lanes]>(total) };
                lanes.iter().sum()
            }
        };
    }

    mul_add_ceiling!(
        /// SSE2 has no FMA: a multiply-add is a MULPS and an ADDPS.
        sse2, "sse2", __m128, 4, _mm_set1_ps, _mm_setzero_ps, _mm_mul_ps, _mm_add_ps
    );

    mul_add_ceiling!(
        /// The ceiling of separate multiply and add instructions (typenet's kernels
        /// up to round five).
        avx512_mul_add, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_setzero_ps,
        _mm512_mul_ps, _mm512_add_ps
    );

    /// `acc = fma(acc, m, c)` on CHAINS registers of 8 lanes.
    #[target_feature(enable = "avx2,fma")]
    pub fn avx2_fma(iters: u64) -> f32 {
        let m = _mm256_set1_ps(black_box(0.999_999));
        let c = _mm256_set1_ps(black_box(1e-7));
        let mut acc = [_mm256_setzero_ps(); CHAINS];
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = _mm256_fmadd_ps(*a, m, c);
            }
        }
        let mut lanes = [0.0_f32; 8];
        let sum = acc
            .iter()
            .fold(_mm256_setzero_ps(), |s, &a| _mm256_add_ps(s, a));
        // SAFETY: `lanes` holds exactly the 8 floats an unaligned 256-bit store writes.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
        lanes.iter().sum()
    }

    /// `acc = fma(acc, m, c)` on CHAINS registers of 16 lanes.
    #[target_feature(enable = "avx512f")]
    pub fn avx512(iters: u64) -> f32 {
        let m = _mm512_set1_ps(black_box(0.999_999));
        let c = _mm512_set1_ps(black_box(1e-7));
        let mut acc = [_mm512_setzero_ps(); CHAINS];
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = _mm512_fmadd_ps(*a, m, c);
            }
        }
        let sum = acc
            .iter()
            .fold(_mm512_setzero_ps(), |s, &a| _mm512_add_ps(s, a));
        _mm512_reduce_add_ps(sum)
    }
}
