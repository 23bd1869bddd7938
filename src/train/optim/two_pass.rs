//! The all-or-nothing update of parameters that carry `K` state values each, shared by
//! SGD with momentum (the velocity, K = 1), RMSprop (the mean square, K = 1) and Adam
//! (the two moments, K = 2).

use crate::net::network::Network;
use crate::num::kernel::wide;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;

/// (w, s) ← `update(w, g, s)` for every parameter w, its gradient g and its `K` state
/// values s (one from each of `states`, networks of the same type), or nothing at all:
/// a first pass checks that every new value would be finite, a second writes them. Both
/// passes are element-wise loops over contiguous runs, compiled for the CPU's widest
/// vectors (`kernel::wide`; the same bits at any width). `update` is `Copy` so each loop
/// holds its hyper-parameters in registers.
#[inline]
pub(super) fn update_with_state<T, N, U, const K: usize>(
    net: &mut N,
    grads: &N,
    states: [&mut N; K],
    update: U,
) -> Result<(), TrainError>
where
    T: Scalar,
    N: Network<T>,
    U: Fn(T, T, [T; K]) -> (T, [T; K]) + Copy,
{
    // Pass 1: would every new value be finite? (`&` rather than `&&`, so the loop has
    // no early exit and vectorises.)
    let mut finite = true;
    let mut state_runs = states.each_ref().map(|s| s.param_slices());
    for (w, g) in net.param_slices().zip(grads.param_slices()) {
        // The runs of values of one type line up; cutting every run to `w`'s length
        // lets the compiler drop the bounds checks of the loop below.
        let n = w.len();
        let g = &g[..n];
        let s: [&[T]; K] = state_runs
            .each_mut()
            .map(|r| r.next().map_or(&[][..], |s| &s[..n]));
        finite &= wide(
            n,
            #[inline(always)]
            move || {
                let mut ok = true;
                for i in 0..n {
                    let (w, s) = update(w[i], g[i], s.map(|s| s[i]));
                    ok &= w.is_finite() & s.iter().fold(true, |ok, v| ok & v.is_finite());
                }
                ok
            },
        );
    }
    drop(state_runs);
    if !finite {
        return Err(TrainError::NonFiniteUpdate);
    }
    // Pass 2: write them.
    let mut state_runs = states.map(|s| s.param_slices_mut());
    for (w, g) in net.param_slices_mut().zip(grads.param_slices()) {
        let n = w.len();
        let g = &g[..n];
        let mut s: [&mut [T]; K] = state_runs
            .each_mut()
            .map(|r| r.next().map_or(&mut [][..], |s| &mut s[..n]));
        wide(
            n,
            #[inline(always)]
            move || {
                for i in 0..n {
                    let (new_w, new_s) = update(w[i], g[i], s.each_ref().map(|s| s[i]));
                    w[i] = new_w;
                    for (s, v) in s.iter_mut().zip(new_s) {
                        s[i] = v;
                    }
                }
            },
        );
    }
    Ok(())
}
