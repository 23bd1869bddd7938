//! Randomness for training, in one place: the built-in generator [`SplitMix64`], and
//! the crate's private draws from any generator (uniform in [0, 1), standard normal,
//! uniform integer below n, Fisher–Yates shuffle). Every draw is written with integer
//! arithmetic and `libm`, so a given generator stream gives the same values on every
//! platform.
//!
//! Generators are `rand_core` **0.9** `RngCore`s (the version re-exported as
//! `typenet::rand_core`); a generator of another `rand_core` major version (e.g. the
//! one of `rand` 0.10) does not implement that trait.

use rand_core::{RngCore, SeedableRng};

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014), as in Vigna's reference implementation
/// <https://prng.di.unimi.it/splitmix64.c>: a 64-bit state advanced by the constant
/// 0x9e3779b97f4a7c15 and mixed by two xor-shift-multiply rounds. Tiny (8 bytes),
/// fast, no heap, and the same stream on every platform; it is the generator of
/// [`initialize_seeded`](crate::init::initialize_seeded) and of
/// [`Fit::seed`](crate::fit::Fit::seed). Not for cryptography.
///
/// It implements `rand_core` 0.9's [`RngCore`] and [`SeedableRng`]:
/// - [`next_u64`](RngCore::next_u64) is the reference output;
/// - [`next_u32`](RngCore::next_u32) is the upper 32 bits of one `next_u64`;
/// - [`fill_bytes`](RngCore::fill_bytes) writes one `next_u64` per 8 bytes,
///   little-endian (a last part of fewer than 8 bytes takes the first bytes of one
///   more);
/// - [`SeedableRng::seed_from_u64`] is [`SplitMix64::new`] (the state is the seed, as
///   in the reference), and [`SeedableRng::from_seed`] reads the state little-endian.
///
/// ```
/// use typenet::train::SplitMix64;
/// use typenet::rand_core::RngCore;
///
/// // The first output for seed 0 (published reference value).
/// assert_eq!(SplitMix64::new(0).next_u64(), 0xe220a8397b1dcdaf);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state is `seed`.
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }
}

impl RngCore for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

impl SeedableRng for SplitMix64 {
    type Seed = [u8; 8];

    fn from_seed(seed: [u8; 8]) -> Self {
        SplitMix64::new(u64::from_le_bytes(seed))
    }

    fn seed_from_u64(state: u64) -> Self {
        SplitMix64::new(state)
    }
}

/// A uniform value in [0, 1) from the top 53 bits of one `next_u64`.
pub(crate) fn uniform01<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal value by the Box–Muller transform, with `libm`'s functions so the
/// same generator gives the same value on every platform.
pub(crate) fn standard_normal<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    // 1 − u is in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - uniform01(rng);
    let u2 = uniform01(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

/// A uniform integer in 0..n (n > 0) from one `next_u64`, by multiply-shift.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn uniform_below<R: RngCore + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Shuffles `items` in place (Fisher–Yates), reproducibly for a seeded `rng`.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn shuffle<S, R: RngCore + ?Sized>(items: &mut [S], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = uniform_below(rng, i + 1);
        items.swap(i, j);
    }
}
