//! When [`ParallelTrainer`](crate::train::ParallelTrainer) runs a step on the calling
//! thread alone instead of its pool's threads.
//!
//! Each share of a step is fixed when the step starts and the step waits for all of
//! them, so a pool thread that the system sets aside (a busy process on its core) holds
//! up every step: on the 2-vCPU machine of `BENCHMARKS.md` (round ten, set 8), W3
//! training on 2 threads took 12 times as long per sample as on one. So one step in
//! [`PROBE`](Backoff::PROBE) runs on the calling thread alone, for its time per sample;
//! a step on the threads that takes more than [`MARGIN`] times that starts a run of
//! [`FIRST`](Backoff::FIRST) steps on the calling thread, twice as many if the next
//! judged step on the threads is slow too, up to [`LONGEST`](Backoff::LONGEST); a judged
//! step on the threads that is not slow halves the next run. The first step on the
//! threads after steps without them is not judged: the pool's threads may have gone to
//! sleep and take 40–50 µs to wake. Which thread runs a chunk never changes the bits.

use core::time::Duration;

/// A step on the threads is slow when its time per sample is above the calling
/// thread's alone by more than a quarter (one slow step on an idle machine is not a
/// busy core): 5/4.
const MARGIN: (u32, u32) = (5, 4);

/// The state of the rule in the module docs, one per trainer.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    /// Steps still to run on the calling thread alone.
    solo: u32,
    /// The length of the next run of solo steps is twice this, at least
    /// [`FIRST`](Self::FIRST).
    length: u32,
    /// Judged steps started so far (for the probes).
    judged: u32,
    /// The time per sample of the latest step on the calling thread alone.
    solo_time: Option<Duration>,
    /// Whether the last judged step ran on the threads (so this one found them awake).
    warm: bool,
}

impl Backoff {
    /// The first run of solo steps.
    pub(crate) const FIRST: u32 = 16;
    /// The longest run of solo steps.
    pub(crate) const LONGEST: u32 = 1024;
    /// One judged step in this many (the first included) runs on the calling thread.
    pub(crate) const PROBE: u32 = 64;

    /// Whether this step, one that could use the threads, runs on the calling thread
    /// alone (a probe, or one of a run).
    pub(crate) fn solo_step(&mut self) -> bool {
        self.judged = self.judged.wrapping_add(1);
        if self.solo > 0 {
            self.solo -= 1;
            return true;
        }
        self.judged % Self::PROBE == 1
    }

    /// After a step that [`solo_step`](Self::solo_step) decided and whose chunks all ran:
    /// on the calling thread alone (`solo`) or on the threads, `elapsed` for `len`
    /// samples.
    pub(crate) fn record(&mut self, solo: bool, elapsed: Duration, len: usize) {
        let time = elapsed / u32::try_from(len).unwrap_or(u32::MAX).max(1);
        if solo {
            self.solo_time = Some(time);
            self.warm = false;
            return;
        }
        if !core::mem::replace(&mut self.warm, true) {
            return;
        }
        let (num, den) = MARGIN;
        match self.solo_time {
            Some(alone) if time.saturating_mul(den) > alone.saturating_mul(num) => {
                self.length = self
                    .length
                    .saturating_mul(2)
                    .clamp(Self::FIRST, Self::LONGEST);
                self.solo = self.length;
            }
            _ => self.length /= 2,
        }
    }

    /// Steps still to run on the calling thread alone (for tests).
    #[cfg(test)]
    pub(crate) fn solo_left(&self) -> u32 {
        self.solo
    }

    /// Makes the next `n` judged steps solo ones (for tests).
    #[cfg(test)]
    pub(crate) fn force_solo(&mut self, n: u32) {
        self.solo = n;
    }

    /// Whether the last judged step ran on the threads (for tests).
    #[cfg(test)]
    pub(crate) fn last_on_threads(&self) -> bool {
        self.warm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    /// Runs `n` solo steps as a trainer would, each recorded at `per_sample` for 10
    /// samples.
    fn solo_run(b: &mut Backoff, n: u32, per_sample: Duration) {
        for _ in 0..n {
            assert!(b.solo_step());
            b.record(true, per_sample * 10, 10);
        }
    }

    /// The probes, the margin, the unjudged first step on the threads, the doubling up
    /// to `LONGEST`, its halving, per-sample times.
    #[test]
    fn slow_steps_on_the_threads_start_solo_runs() {
        let us = Duration::from_micros;
        let mut b = Backoff::default();
        // The first judged step is a probe: 100 µs per sample alone.
        solo_run(&mut b, 1, us(100));
        // The first step on the threads after it is not judged, however slow.
        assert!(!b.solo_step());
        b.record(false, us(100_000), 10);
        assert_eq!(b.solo_left(), 0);
        // Within the margin (125 µs per sample): still the threads.
        assert!(!b.solo_step());
        b.record(false, us(1_250), 10);
        assert_eq!(b.solo_left(), 0);
        // Above it: a run of FIRST solo steps, then the threads again.
        assert!(!b.solo_step());
        b.record(false, us(1_260), 10);
        assert_eq!(b.solo_left(), Backoff::FIRST);
        solo_run(&mut b, Backoff::FIRST, us(100));
        assert!(!b.solo_step());
        b.record(false, us(5_000), 10); // not judged: the threads were idle
        assert_eq!(b.solo_left(), 0);
        // Slow on the next judged step: twice as many.
        assert!(!b.solo_step());
        b.record(false, us(5_000), 10);
        assert_eq!(b.solo_left(), 2 * Backoff::FIRST);
        solo_run(&mut b, 2 * Backoff::FIRST, us(100));
        // A step that is not slow halves the next run: 32 → 16 → 32.
        for (time, want) in [
            (us(5_000), 0),
            (us(500), 0),
            (us(5_000), 2 * Backoff::FIRST),
        ] {
            assert!(!b.solo_step());
            b.record(false, time, 10);
            assert_eq!(b.solo_left(), want);
        }
        // Up to LONGEST.
        for _ in 0..10 {
            let n = b.solo_left();
            solo_run(&mut b, n, us(100));
            assert!(!b.solo_step());
            b.record(false, us(5_000), 10); // not judged
            assert!(!b.solo_step());
            b.record(false, us(5_000), 10);
        }
        assert_eq!(b.solo_left(), Backoff::LONGEST);
        // Per sample: twice the samples may take twice as long.
        let mut b = Backoff::default();
        solo_run(&mut b, 1, us(100));
        for _ in 0..2 {
            assert!(!b.solo_step());
            b.record(false, us(2_000), 20);
        }
        assert_eq!(b.solo_left(), 0);
    }

    /// One judged step in PROBE runs alone: the first, the (PROBE + 1)-th, ….
    #[test]
    fn one_judged_step_in_probe_is_a_probe() {
        let mut b = Backoff::default();
        let probes: Vec<u32> = (1..=3 * Backoff::PROBE).filter(|_| b.solo_step()).collect();
        assert_eq!(probes, [1, Backoff::PROBE + 1, 2 * Backoff::PROBE + 1]);
    }
}
