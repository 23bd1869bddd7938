//! The all-or-nothing update of parameters that carry zero, one or two state values each:
//! plain SGD (none), SGD with momentum (the velocity), RMSprop (the mean square) and Adam
//! (the two moments).
//!
//! The rule is written once, in the macro below, and stamped out for each number of
//! state values: each function then walks its runs with plain slice iterators zipped
//! together, the loop shape the compiler vectorises on x86 and keeps tight on a
//! Cortex-M. (A single generic function over `[&mut N; K]` indexed its state slices per
//! element and made Adam's XOR training step on the Cortex-M4F 25 % slower, 17 652 →
//! 22 264 instructions, `embedded/measure.sh`.)

use crate::net::network::Network;
use crate::num::kernel::wide;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;

/// Writes `fn $name(net, grads, states.., update)`: (w, s..) ← `update(w, g, s..)` for
/// every parameter w, its gradient g and its state values s (one from each state
/// network, of the network's type), or nothing at all: a first pass checks that no
/// new value would have overflowed ([`Scalar::overflowed`]: NaN or infinite in floats,
/// saturated at either end of the range in `Q16`), a second writes them. Both passes are element-wise loops
/// over contiguous runs, in one function compiled for the CPU's vectors
/// (`kernel::wide` over the whole network: one dispatch per step; the same bits at any
/// width). `update` is `Copy` so each loop holds its hyper-parameters in registers.
///
/// One dispatch rather than one per run: a network too small for the widest vectors
/// (a 2-8-8-1 network has 105 parameters in six runs) had its update inline in the
/// caller, compiled for the target's baseline (SSE2 on x86-64) and fully unrolled, where
/// the compiler chose between two forms of the same loops with every unrelated change
/// elsewhere in the crate (418 or 579 instructions per step, 4 to 8 % of the step's
/// time, BENCHMARKS.md, round eleven); in a function compiled for AVX it took one form
/// (354 instructions, 413 with the optimizer's set-up around it) in all eight builds of
/// that round.
macro_rules! two_pass {
    ($name:ident($($s:ident),*), $k:literal) => {
        #[inline]
        pub(super) fn $name<T, N, U>(
            net: &mut N,
            grads: &N,
            $($s: &mut N,)*
            update: U,
        ) -> Result<(), TrainError>
        where
            T: Scalar,
            N: Network<T>,
            U: Fn(T, T $(, two_pass!(@scalar $s T))*) -> (T, $(two_pass!(@scalar $s T),)*) + Copy,
        {
            wide(
                N::PARAMS,
                #[inline(always)]
                move || {
                    // Pass 1: would every new value be in range? (`&` rather than `&&`,
                    // so the loop has no early exit and vectorises.)
                    let mut finite = true;
                    N::zip_runs(
                        net,
                        grads,
                        [$(&mut *$s),*],
                        &mut |w: &mut [T], g: &[T], [$($s),*]: [&mut [T]; $k]| {
                            // The runs of values of one type line up.
                            let w: &[T] = w;
                            $(let $s: &[T] = $s;)*
                            finite &= w.iter().zip(g)$(.zip($s))*.fold(
                                true,
                                |ok, two_pass!(@pat (&w, &g) $($s)*)| {
                                    let (w, $($s,)*) = update(w, g $(, *$s)*);
                                    ok & !w.overflowed() $(& !$s.overflowed())*
                                },
                            );
                        },
                    );
                    if !finite {
                        return Err(TrainError::NonFiniteUpdate);
                    }
                    // Pass 2: write them.
                    N::zip_runs(
                        net,
                        grads,
                        [$($s),*],
                        &mut |w: &mut [T], g: &[T], [$($s),*]: [&mut [T]; $k]| {
                            for two_pass!(@pat (w, &g) $($s)*) in w.iter_mut().zip(g)$(.zip($s.iter_mut()))* {
                                (*w, $(*$s,)*) = update(*w, g $(, *$s)*);
                            }
                        },
                    );
                    Ok(())
                },
            )
        }
    };
    (@scalar $s:ident $t:ty) => { $t };
    (@pat $acc:tt) => { $acc };
    (@pat $acc:tt $s:ident $($rest:ident)*) => { two_pass!(@pat ($acc, $s) $($rest)*) };
}

/// w − `step`: the rules' last operation. In floats exactly that (an infinite or NaN
/// step gives a non-finite w, which the checking pass refuses). In a saturating
/// fixed-point type (`Q16`) a step that saturated (η·g beyond ±32 768, a division by a
/// √v + ε that rounds to 0) is returned itself, and a w already at the end of the range
/// stays there, so that the check refuses the update: w − MAX lands inside the range
/// when w > 0, and the wrong value would otherwise be applied.
#[inline(always)]
pub(super) fn descend<T: Scalar>(w: T, step: T) -> T {
    if T::IEEE_754 {
        w - step
    } else if step.overflowed() {
        step
    } else if w.overflowed() {
        w
    } else {
        w - step
    }
}

two_pass!(update_stateless(), 0);
two_pass!(update_with_state(v), 1);
two_pass!(update_with_two_states(m, v), 2);
