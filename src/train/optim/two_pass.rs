//! The all-or-nothing update of parameters that carry one state value each, shared by
//! SGD with momentum (the velocity) and RMSprop (the mean square).

use crate::net::network::Network;
use crate::num::kernel::wide;
use crate::num::scalar::Scalar;
use crate::train::error::TrainError;

/// (w, v) ← `update(w, g, v)` for every parameter w, its gradient g and its state v,
/// or nothing at all: a first pass checks that every new value would be finite, a second
/// writes them. Both passes are element-wise loops over contiguous runs, compiled for
/// the CPU's widest vectors (`kernel::wide`; the same bits at any width). `update` is
/// `Copy` so each loop holds its hyper-parameters in registers.
#[inline]
pub(super) fn update_with_state<T, N, U>(
    net: &mut N,
    grads: &N,
    state: &mut N,
    update: U,
) -> Result<(), TrainError>
where
    T: Scalar,
    N: Network<T>,
    U: Fn(T, T, T) -> (T, T) + Copy,
{
    // Pass 1: would every new value be finite? (`&` rather than `&&`, so the loop has
    // no early exit and vectorises.)
    let finite = net
        .param_slices()
        .zip(grads.param_slices())
        .zip(state.param_slices())
        .all(|((w, g), v)| {
            wide(
                w.len(),
                #[inline(always)]
                move || {
                    w.iter().zip(g).zip(v).fold(true, |ok, ((&w, &g), &v)| {
                        let (w, v) = update(w, g, v);
                        ok & w.is_finite() & v.is_finite()
                    })
                },
            )
        });
    if !finite {
        return Err(TrainError::NonFiniteUpdate);
    }
    // Pass 2: write them.
    for ((w, g), v) in net
        .param_slices_mut()
        .zip(grads.param_slices())
        .zip(state.param_slices_mut())
    {
        wide(
            w.len(),
            #[inline(always)]
            move || {
                for ((w, &g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                    (*w, *v) = update(*w, g, *v);
                }
            },
        );
    }
    Ok(())
}
