//! Property tests of the backward pass against central differences, in f64.
//!
//! For random weights, inputs and targets, on networks that together use every built-in
//! activation (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, Softmax), and at
//! depths 1 to 5, every quantity [`Network::backward`] produces is compared with a
//! central difference `(E(p + h) − E(p − h)) / 2h` of the cost E (notation of
//! `docs/MATH.md`):
//!
//! - (a) every entry of ∂E/∂W^i and ∂E/∂b^i, i.e. every entry of the gradient network's
//!   `params()`, against perturbing the same entry of `params_mut()` of the network;
//! - (b) every entry of ∂E/∂a^0, the value `backward` returns, against perturbing the
//!   input;
//! - (c) every ξ^i_n = ∂E/∂z^i_n (`trace.xi(i)`, i = 1..=N) against perturbing z^i_n
//!   itself inside the forward pass, through `forward_with_hook`. This checks the
//!   recurrence layer by layer, not only its end products;
//! - (e) the same backward pass in f32 (parameters, input and target rounded to f32)
//!   against the f64 gradient, within a tolerance derived from f32 precision.
//! - (f) for softmax with cross-entropy, `backward_from_xi` seeded with the fused
//!   ξ^N = a^N − t against `backward` seeded with ∂E/∂a^N = −t / a^N: same ξ^i, same
//!   gradients, up to f64 rounding.
//!
//! Two costs, written here rather than taken from the crate: the quadratic cost
//! E = ½ Σ_k (a^N_k − t_k)², with ∂E/∂a^N = a^N − t, on networks with an element-wise
//! output; and the cross-entropy E = −Σ_k t_k ln a^N_k on softmax outputs, with
//! ∂E/∂a^N_k = −t_k / a^N_k and t a random probability vector or a one-hot vector (the
//! quadratic cost is also run on one softmax network, a second path through the
//! softmax vector-Jacobian product).
//!
//! Tolerances (reasoning next to the constants below): an f64 check passes when
//! |num − ana| ≤ 1e-6 · max(|num|, |ana|) + 7.1e-9 · max(1, |E|), the floor being the
//! rounding resolution of a central difference of E (32 ulps of max(1, |E|) over h). ReLU and LeakyReLU are not
//! differentiable at z = 0, so (d) a sample with some |z^i_n| < 1e-4 in a ReLU-like
//! layer is *resampled* (`prop_assume!`) instead of being allowed a wider tolerance, and
//! so is one whose perturbed passes move any ReLU-like z across its kink.
//!
//! The last test, outside `proptest!`, shows that the comparison is not vacuous: it
//! rejects the analytic gradient scaled by 1.01, and the whole check rejects a network
//! whose activation has a wrong derivative.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use typenet::generic_array::{ArrayLength, GenericArray};
use typenet::{ElementWise, Network, Scalar, Trace, network};

/// The step of every central difference. The error of `(E(p+h) − E(p−h)) / 2h` has two
/// parts. Truncation, h²/6 · |E'''|: at h = 1e-6 below 1e-10 here. A larger h is not
/// safe: where a^N is close to t the quadratic cost has a tiny E' = (a − t) · a' but an
/// E''' ≈ 3 a' a'' that is not small, and a depth-5 case with a − t = −5.8e-5 had
/// ∂E/∂w^3_{1,2} = −3.31466e-4 (confirmed to 1e-10 by a five-point stencil) with a
/// central-difference error of 6.2e-9 at h = 1e-5, 1.9e-5 relative, shrinking exactly
/// as h² (1.9e-3 at 1e-4, 1.9e-7 at 1e-6). Rounding, c · ε · max(1, |E|) / h with
/// ε = 2.2e-16 the f64 epsilon and c a few units: E and the forward pass behind it are
/// computed to a few ulps of their size; the floor below covers it. The difference is
/// divided by the step actually taken, `(p+h) − (p−h)` as represented in f64, not by
/// the nominal 2h.
const H: f64 = 1e-6;

/// Relative tolerance of every f64 comparison: MATH.md's "typically below 1e-6".
const REL_TOL: f64 = 1e-6;

/// The absolute floor of every f64 comparison, in units of ε · max(1, |E|) / h: a check
/// passes when |num − ana| ≤ REL_TOL · max(|num|, |ana|) + FLOOR_ULPS · ε · max(1, |E|) / h,
/// a floor of 7.1e-9 · max(1, |E|).
///
/// It matters only for entries far smaller than E, where 1e-6 relative is below the
/// rounding noise of the central difference itself, c · ε · max(1, |E|) / h (see [`H`]).
/// That noise scales with E, not with the entry, so the floor does too; a floor fixed
/// at 1e-9 fails on correct gradients: a depth-5 case with E = 34 had
/// ∂E/∂w^2_{6,6} = 1.16484e-4 from `backward`, confirmed to 2e-8 relative by a five-point
/// stencil, while the central difference was off by 1.3e-9 (h = 1e-5; 1.7 ε |E| / h),
/// and with h = 1e-6 an entry −2.10503e-4 at E = 1.6 was off by 2.8e-9
/// (7.4 ε |E| / h), 1.3e-5 relative.
/// Measured over ~160 000 cases (4000 per test, five runs) the largest c was 9.9;
/// 32 is three times that. Exact zeros (a weight into a dead ReLU) need no floor: E is
/// then bitwise unchanged.
const FLOOR_ULPS: f64 = 32.0;

/// (d) ReLU and LeakyReLU have a kink at z = 0: a central difference across it measures
/// the average of the two one-sided slopes, not φ'(z). A sample with a pre-activation
/// this close to a kink is resampled with `prop_assume!`, never given a wider
/// tolerance. The margin is 100 h: a perturbation of size h moves a z^i by h times a
/// sum of products of weights (≤ 1.5) and slopes (≤ 1), a few h to some tens of h.
/// Every perturbed pass also checks that no ReLU-like z changed side, and resamples if
/// one did (see [`Probe::energy`]); in ~100 000 cases none did. The margin also keeps
/// f32 (e) on the same side of every kink as f64. Rejections are rare: fewer than 1
/// sample in 4000 per ReLU network.
const KINK_MARGIN: f64 = 1e-4;

/// (e) f32 against f64: a gradient entry is a chain of roughly 100 roundings (a forward
/// pass of up to 5 layers with dot products of up to 6 terms and an activation each,
/// then the same backwards, plus the rounding of parameters and input to f32), each of
/// relative size at most f32's epsilon 1.2e-7, so its error is ~1e-5 of the size of the
/// values it is built from. Because of cancellation inside the sums that size is the
/// scale of the whole gradient, not of each entry, hence
/// |g32 − g64| ≤ 1e-4 · max(1, max_k |g64_k|): a factor ~10 above that estimate (the
/// largest difference measured in ~30 000 cases was 6e-6 of the scale).
const F32_TOL: f64 = 1e-4;

/// (f) Two f64 backward passes that differ only in how ξ^N is formed (the softmax
/// vector-Jacobian product of −t / a, or a − t directly) differ by a few roundings of
/// values of the gradient's scale, propagated through ~100 operations: about
/// 100 · 2.2e-16 ≈ 2e-14 of max(1, max_k |g_k|). 1e-12 leaves a factor 50 (measured:
/// at most 8e-16).
const SEED_TOL: f64 = 1e-12;

/// Entries of parameters, inputs and targets are drawn from these ranges.
const PARAM_RANGE: f64 = 1.5;
const INPUT_RANGE: f64 = 2.0;
const TARGET_RANGE: f64 = 2.0;

// ---------------------------------------------------------------------------------------
// The networks. Each is declared in f64 and, with the same architecture, in f32.

/// Declares `$n64` (f64) and `$n32` (f32) with the same `network!` architecture.
macro_rules! nets {
    ($n64:ident, $n32:ident: $($arch:tt)+) => {
        type $n64 = network!(f64; $($arch)+);
        type $n32 = network!(f32; $($arch)+);
    };
}

// Smooth hidden layers, Identity output, quadratic cost.
nets!(TanhSigmoid, TanhSigmoid32: 3 -> 4 Tanh -> 3 Sigmoid -> 2 Identity);
// Rectifiers in hidden layers, quadratic cost.
nets!(Rectifiers, Rectifiers32: 3 -> 5 Softplus -> 4 LeakyReLU -> 4 ReLU -> 2 Identity);
// Softmax output, cross-entropy (and quadratic) cost.
nets!(TanhSoftmax, TanhSoftmax32: 4 -> 5 Tanh -> 3 Softmax);
// ReLU feeding a sigmoid feeding a softmax, cross-entropy cost.
nets!(ReluSoftmax, ReluSoftmax32: 3 -> 4 ReLU -> 4 Sigmoid -> 3 Softmax);
// Depth 1: softmax regression (ξ^1 = a − t directly, ∂E/∂a^0 from the only layer).
nets!(SoftmaxOnly, SoftmaxOnly32: 4 -> 3 Softmax);
// Depth 1 with the kink in the output layer itself.
nets!(LeakyOnly, LeakyOnly32: 3 -> 2 LeakyReLU);
// A LeakyReLU of slope 0.2 (the slope in the type), hidden and as the output.
nets!(Leaky02, Leaky02_32: 3 -> 4 LeakyReLU(0.2) -> 2 LeakyReLU(-0.5));
// Depth 5, every element-wise activation but ReLU, width 6.
nets!(Deep, Deep32: 2 -> 6 Sigmoid -> 6 Softplus -> 6 Tanh -> 6 LeakyReLU -> 1 Identity);

// ---------------------------------------------------------------------------------------
// The costs.

/// A cost E(a^N; t) and its gradient ∂E/∂a^N, written independently of the crate.
#[derive(Clone, Copy, Debug)]
enum Cost {
    /// E = ½ Σ_k (a^N_k − t_k)².
    Quadratic,
    /// E = −Σ_k t_k ln a^N_k, for a probability vector a^N (a softmax output).
    CrossEntropy,
}

impl Cost {
    fn value<T: Scalar>(self, a: &[T], t: &[T]) -> T {
        let mut e = T::zero();
        for (&a, &t) in a.iter().zip(t) {
            match self {
                Cost::Quadratic => e += (a - t) * (a - t) / T::from_f64(2.0),
                // 0 · ln a is 0 even if a underflowed to 0.
                Cost::CrossEntropy if t == T::zero() => {}
                Cost::CrossEntropy => e -= t * a.ln(),
            }
        }
        e
    }

    fn grad<T: Scalar>(self, a: &[T], t: &[T]) -> Vec<T> {
        a.iter()
            .zip(t)
            .map(|(&a, &t)| match self {
                Cost::Quadratic => a - t,
                Cost::CrossEntropy => -t / a,
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Comparison.

/// The f64 acceptance rule for central differences of a cost of value `e`:
/// |num − ana| ≤ REL_TOL · max(|num|, |ana|) + FLOOR_ULPS · ε · max(1, |e|) / h.
fn tolerance(num: f64, ana: f64, e: f64) -> f64 {
    REL_TOL * num.abs().max(ana.abs()) + FLOOR_ULPS * f64::EPSILON * e.abs().max(1.0) / H
}

/// Fails, naming the first entry that disagrees, unless every `num[k]` (a central
/// difference of a cost of value `e`) agrees with `ana[k]`. `name(k)` describes entry
/// k (layer index and position).
fn compare(
    what: &str,
    e: f64,
    num: &[f64],
    ana: &[f64],
    name: impl Fn(usize) -> String,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(num.len(), ana.len(), "{}: lengths differ", what);
    for (k, (&n, &a)) in num.iter().zip(ana).enumerate() {
        prop_assert!(
            (n - a).abs() <= tolerance(n, a, e),
            "{}: entry {} ({}): central difference {:e}, backward {:e}, |diff| {:e} > {:e} \
             (E = {:e})",
            what,
            k,
            name(k),
            n,
            a,
            (n - a).abs(),
            tolerance(n, a, e),
            e
        );
    }
    Ok(())
}

/// Names parameter `k` of the canonical order of `N` as w^i_{kj} or b^i_k (indices from
/// 1, as in MATH.md).
fn param_name<N: Network<f64>>(net: &N, mut k: usize) -> String {
    for i in 1..=N::DEPTH {
        let layer = net.layer(i).expect("layer in 1..=N");
        let weights = layer.inputs * layer.outputs;
        if k < weights {
            return format!(
                "w^{}_{{{},{}}}",
                i,
                k / layer.inputs + 1,
                k % layer.inputs + 1
            );
        }
        k -= weights;
        if k < layer.outputs {
            return format!("b^{}_{}", i, k + 1);
        }
        k -= layer.outputs;
    }
    unreachable!("parameter index beyond PARAMS")
}

/// Fails unless |a_k − b_k| ≤ `tol` · max(1, max_k |a_k|) for every k.
fn compare_scaled(what: &str, a: &[f64], b: &[f64], tol: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len(), "{}: lengths differ", what);
    let scale = a.iter().fold(1.0_f64, |m, g| m.max(g.abs()));
    for (k, (&a, &b)) in a.iter().zip(b).enumerate() {
        prop_assert!(
            (a - b).abs() <= tol * scale,
            "{}: entry {}: {:e} against {:e}, |diff| {:e} > {:e} · {:e}",
            what,
            k,
            a,
            b,
            (a - b).abs(),
            tol,
            scale
        );
    }
    Ok(())
}

/// Copies a slice into a `GenericArray` of the length the type asks for.
fn array<T: Copy, L: ArrayLength>(v: &[T]) -> GenericArray<T, L> {
    GenericArray::try_from_iter(v.iter().copied()).expect("slice of the network's size")
}

// ---------------------------------------------------------------------------------------
// Numeric differentiation.

/// One sample (network, input, target, cost), able to evaluate E with a perturbation.
struct Probe<'a, N: Network<f64>> {
    net: &'a N,
    x: GenericArray<f64, N::Input>,
    t: &'a [f64],
    cost: Cost,
    /// For each layer i (index 0 unused), `Some(z^i > 0)` per neuron if φ_i has a kink
    /// at 0 (ReLU, LeakyReLU), `None` otherwise.
    kink_sides: Vec<Option<Vec<bool>>>,
}

impl<N: Network<f64>> Probe<'_, N> {
    /// E for network `net` on input `x`, adding `delta` to z^i_n in the forward pass if
    /// `shift` is `Some((i, n, delta))`. Returns E and the shifted value of z^i_n.
    ///
    /// Rejects the sample (resampling it) if any pre-activation of a ReLU-like layer is
    /// on the other side of its kink than in the unperturbed pass: the central difference
    /// would then straddle the kink. [`KINK_MARGIN`] makes this rare.
    fn energy(
        &self,
        net: &N,
        x: &GenericArray<f64, N::Input>,
        shift: Option<(usize, usize, f64)>,
    ) -> Result<(f64, f64), TestCaseError> {
        let mut shifted = f64::NAN;
        let mut crossed = None;
        let out = net.forward_with_hook(x, |i, z| {
            if let Some((layer, n, delta)) = shift
                && i == layer
            {
                z[n] += delta;
                shifted = z[n];
            }
            if let Some(sides) = &self.kink_sides[i] {
                for (n, (&z, &positive)) in z.iter().zip(sides).enumerate() {
                    if (z > 0.0) != positive {
                        crossed = Some((i, n, z));
                    }
                }
            }
        });
        // (d) The central difference would straddle a kink: resample.
        prop_assume!(
            crossed.is_none(),
            "{}",
            format!("a perturbed pass moved (layer, neuron, z) = {crossed:?} across a kink")
        );
        Ok((self.cost.value(&out, self.t), shifted))
    }

    /// (a) The central difference of E for every parameter, in the canonical order.
    fn param_gradient(&self) -> Result<Vec<f64>, TestCaseError> {
        let mut num = Vec::with_capacity(N::PARAMS);
        for k in 0..N::PARAMS {
            let mut plus = self.net.clone();
            let mut minus = self.net.clone();
            let p = plus.params_mut().nth(k).expect("k < PARAMS");
            *p += H;
            let step_plus = *p;
            let m = minus.params_mut().nth(k).expect("k < PARAMS");
            *m -= H;
            let step = step_plus - *m;
            let (e_plus, _) = self.energy(&plus, &self.x, None)?;
            let (e_minus, _) = self.energy(&minus, &self.x, None)?;
            num.push((e_plus - e_minus) / step);
        }
        Ok(num)
    }

    /// (b) The central difference of E for every input entry a^0_m.
    fn input_gradient(&self) -> Result<Vec<f64>, TestCaseError> {
        let mut num = Vec::with_capacity(N::INPUTS);
        for m in 0..N::INPUTS {
            let (mut plus, mut minus) = (self.x.clone(), self.x.clone());
            plus[m] += H;
            minus[m] -= H;
            let (e_plus, _) = self.energy(self.net, &plus, None)?;
            let (e_minus, _) = self.energy(self.net, &minus, None)?;
            num.push((e_plus - e_minus) / (plus[m] - minus[m]));
        }
        Ok(num)
    }

    /// (c) The central difference of E for every z^i_n of layer `i`, perturbing z^i_n
    /// inside the forward pass (before φ_i) through `forward_with_hook`.
    fn z_gradient(&self, i: usize, width: usize) -> Result<Vec<f64>, TestCaseError> {
        let mut num = Vec::with_capacity(width);
        for n in 0..width {
            let (e_plus, z_plus) = self.energy(self.net, &self.x, Some((i, n, H)))?;
            let (e_minus, z_minus) = self.energy(self.net, &self.x, Some((i, n, -H)))?;
            num.push((e_plus - e_minus) / (z_plus - z_minus));
        }
        Ok(num)
    }
}

// ---------------------------------------------------------------------------------------
// The check shared by every network type.

/// Runs checks (a) to (f) on network `N` (f64) and `N32`, the same architecture in f32,
/// for parameters `params`, input `x`, target `t` and cost `cost`.
fn check_gradients<N, N32>(
    params: &[f64],
    x: &[f64],
    t: &[f64],
    cost: Cost,
) -> Result<(), TestCaseError>
where
    N: Network<f64>,
    N32: Network<f32>,
{
    assert_eq!(
        (N::INPUTS, N::OUTPUTS, N::DEPTH, N::PARAMS),
        (N32::INPUTS, N32::OUTPUTS, N32::DEPTH, N32::PARAMS),
        "the f32 network must have the f64 network's architecture"
    );
    let net = N::from_params(params).expect("PARAMS parameters");
    let x_arr: GenericArray<f64, N::Input> = array(x);

    // The analytic pass.
    let mut trace = Trace::<f64, N>::new();
    let mut grads = N::zeroed();
    let out = net.forward_trace(&x_arr, &mut trace).clone();
    let de_da = cost.grad(&out, t);
    let g_in = net.backward(&mut trace, &array(&de_da), &mut grads);

    // (d) Resample any point within KINK_MARGIN of a ReLU/LeakyReLU kink, and remember
    // on which side of the kink every such z lies.
    let mut kink_sides = vec![None];
    for i in 1..=N::DEPTH {
        let activation = net.layer(i).expect("layer in 1..=N").activation;
        let z = trace.z(i).expect("layer in 1..=N");
        if activation == "relu" || activation.starts_with("leaky_relu") {
            for (n, &z) in z.iter().enumerate() {
                // (prop_assume! takes at most one format argument.)
                prop_assume!(
                    z.abs() >= KINK_MARGIN,
                    "{}",
                    format!(
                        "z^{i}_{} = {z:e} is within {KINK_MARGIN:e} of a kink",
                        n + 1
                    )
                );
            }
            kink_sides.push(Some(z.iter().map(|&z| z > 0.0).collect()));
        } else {
            kink_sides.push(None);
        }
    }
    let probe = Probe {
        net: &net,
        x: x_arr.clone(),
        t,
        cost,
        kink_sides,
    };

    // The hooked pass the numeric checks use computes the same E as the traced pass.
    let (e0, _) = probe.energy(&net, &x_arr, None)?;
    prop_assert_eq!(e0, cost.value(&out, t), "hooked and traced passes differ");
    prop_assert!(e0.is_finite(), "E = {} is not finite", e0);

    // (a) ∂E/∂W^i and ∂E/∂b^i, every entry, in the canonical order.
    let ana: Vec<f64> = grads.params().copied().collect();
    prop_assert_eq!(ana.len(), N::PARAMS);
    compare("∂E/∂params", e0, &probe.param_gradient()?, &ana, |k| {
        param_name(&net, k)
    })?;

    // (b) ∂E/∂a^0, the value `backward` returns.
    compare("∂E/∂a^0", e0, &probe.input_gradient()?, &g_in, |m| {
        format!("a^0_{}", m + 1)
    })?;

    // (c) ξ^i = ∂E/∂z^i for every layer i = 1..=N.
    for i in 1..=N::DEPTH {
        let xi = trace.xi(i).expect("layer in 1..=N");
        let what = format!("ξ^{i} against ∂E/∂z^{i}");
        compare(&what, e0, &probe.z_gradient(i, xi.len())?, xi, |n| {
            format!("layer {i}, ξ^{i}_{}", n + 1)
        })?;
    }
    prop_assert!(trace.xi(N::DEPTH + 1).is_none());

    // (f) Softmax with cross-entropy: the fused seed ξ^N = a^N − t (Σ t = 1) gives the
    // same backward pass as ∂E/∂a^N = −t / a^N through the softmax Jacobian.
    if let Cost::CrossEntropy = cost {
        let mut trace_xi = Trace::<f64, N>::new();
        let mut grads_xi = N::zeroed();
        let out_xi = net.forward_trace(&x_arr, &mut trace_xi).clone();
        let xi_out: Vec<f64> = out_xi.iter().zip(t).map(|(&a, &t)| a - t).collect();
        let g_in_xi = net.backward_from_xi(&mut trace_xi, &array(&xi_out), &mut grads_xi);
        let ana_xi: Vec<f64> = grads_xi.params().copied().collect();
        compare_scaled("backward_from_xi ∂E/∂params", &ana, &ana_xi, SEED_TOL)?;
        compare_scaled("backward_from_xi ∂E/∂a^0", &g_in, &g_in_xi, SEED_TOL)?;
        for i in 1..=N::DEPTH {
            let (xi, xi_fused) = (trace.xi(i).unwrap(), trace_xi.xi(i).unwrap());
            compare_scaled(&format!("backward_from_xi ξ^{i}"), xi, xi_fused, SEED_TOL)?;
        }
    }

    // (e) The same pass in f32.
    let p32: Vec<f32> = params.iter().map(|&p| p as f32).collect();
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let t32: Vec<f32> = t.iter().map(|&v| v as f32).collect();
    let net32 = N32::from_params(&p32).expect("PARAMS parameters");
    let mut trace32 = Trace::<f32, N32>::new();
    let mut grads32 = N32::zeroed();
    let out32 = net32.forward_trace(&array(&x32), &mut trace32).clone();
    let de_da32 = cost.grad(&out32, &t32);
    let g_in32 = net32.backward(&mut trace32, &array(&de_da32), &mut grads32);
    let ana32: Vec<f64> = grads32.params().map(|&g| f64::from(g)).collect();
    let g_in32: Vec<f64> = g_in32.iter().map(|&g| f64::from(g)).collect();
    for (what, g64, g32) in [
        ("∂E/∂params", &ana[..], &ana32[..]),
        ("∂E/∂a^0", &g_in[..], &g_in32[..]),
    ] {
        let scale = g64.iter().fold(1.0_f64, |m, g| m.max(g.abs()));
        for (k, (&a, &b)) in g64.iter().zip(g32).enumerate() {
            prop_assert!(
                (a - b).abs() <= F32_TOL * scale,
                "f32 {}: entry {}: f64 {:e}, f32 {:e}, |diff| {:e} > {:e} · {:e}",
                what,
                k,
                a,
                b,
                (a - b).abs(),
                F32_TOL,
                scale
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// Parameters of `N` in the canonical order, uniform in ±PARAM_RANGE.
fn params_of<N: Network<f64>>() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-PARAM_RANGE..PARAM_RANGE, N::PARAMS)
}

/// An input a^0 of `N`, uniform in ±INPUT_RANGE.
fn input_of<N: Network<f64>>() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-INPUT_RANGE..INPUT_RANGE, N::INPUTS)
}

/// A regression target for `N`, uniform in ±TARGET_RANGE.
fn real_target_of<N: Network<f64>>() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-TARGET_RANGE..TARGET_RANGE, N::OUTPUTS)
}

/// A classification target for `N`: one-hot, or a random probability vector (every
/// entry positive, summing to 1), half of the time each.
fn probability_target_of<N: Network<f64>>() -> impl Strategy<Value = Vec<f64>> {
    let n = N::OUTPUTS;
    prop_oneof![
        (0..n).prop_map(move |hot| (0..n).map(|k| if k == hot { 1.0 } else { 0.0 }).collect()),
        prop::collection::vec(0.01..1.0_f64, n).prop_map(|w| {
            let sum: f64 = w.iter().sum();
            w.iter().map(|v| v / sum).collect()
        }),
    ]
}

// ---------------------------------------------------------------------------------------
// The property tests: one per network (and cost).

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tanh_sigmoid_identity_quadratic(
        p in params_of::<TanhSigmoid>(),
        x in input_of::<TanhSigmoid>(),
        t in real_target_of::<TanhSigmoid>(),
    ) {
        check_gradients::<TanhSigmoid, TanhSigmoid32>(&p, &x, &t, Cost::Quadratic)?;
    }

    #[test]
    fn softplus_leaky_relu_relu_identity_quadratic(
        p in params_of::<Rectifiers>(),
        x in input_of::<Rectifiers>(),
        t in real_target_of::<Rectifiers>(),
    ) {
        check_gradients::<Rectifiers, Rectifiers32>(&p, &x, &t, Cost::Quadratic)?;
    }

    #[test]
    fn tanh_softmax_cross_entropy(
        p in params_of::<TanhSoftmax>(),
        x in input_of::<TanhSoftmax>(),
        t in probability_target_of::<TanhSoftmax>(),
    ) {
        check_gradients::<TanhSoftmax, TanhSoftmax32>(&p, &x, &t, Cost::CrossEntropy)?;
    }

    #[test]
    fn tanh_softmax_quadratic(
        p in params_of::<TanhSoftmax>(),
        x in input_of::<TanhSoftmax>(),
        t in probability_target_of::<TanhSoftmax>(),
    ) {
        check_gradients::<TanhSoftmax, TanhSoftmax32>(&p, &x, &t, Cost::Quadratic)?;
    }

    #[test]
    fn relu_sigmoid_softmax_cross_entropy(
        p in params_of::<ReluSoftmax>(),
        x in input_of::<ReluSoftmax>(),
        t in probability_target_of::<ReluSoftmax>(),
    ) {
        check_gradients::<ReluSoftmax, ReluSoftmax32>(&p, &x, &t, Cost::CrossEntropy)?;
    }

    #[test]
    fn depth_1_softmax_cross_entropy(
        p in params_of::<SoftmaxOnly>(),
        x in input_of::<SoftmaxOnly>(),
        t in probability_target_of::<SoftmaxOnly>(),
    ) {
        check_gradients::<SoftmaxOnly, SoftmaxOnly32>(&p, &x, &t, Cost::CrossEntropy)?;
    }

    #[test]
    fn depth_1_leaky_relu_quadratic(
        p in params_of::<LeakyOnly>(),
        x in input_of::<LeakyOnly>(),
        t in real_target_of::<LeakyOnly>(),
    ) {
        check_gradients::<LeakyOnly, LeakyOnly32>(&p, &x, &t, Cost::Quadratic)?;
    }

    #[test]
    fn leaky_relu_slope_0_2_quadratic(
        p in params_of::<Leaky02>(),
        x in input_of::<Leaky02>(),
        t in real_target_of::<Leaky02>(),
    ) {
        check_gradients::<Leaky02, Leaky02_32>(&p, &x, &t, Cost::Quadratic)?;
    }

    #[test]
    fn depth_5_quadratic(
        p in params_of::<Deep>(),
        x in input_of::<Deep>(),
        t in real_target_of::<Deep>(),
    ) {
        check_gradients::<Deep, Deep32>(&p, &x, &t, Cost::Quadratic)?;
    }
}

// ---------------------------------------------------------------------------------------
// The checker is not vacuous.

/// tanh with the classic slip φ'(z) = 1 − z² (z where a belongs), to show that a wrong
/// derivative fails the whole check.
#[derive(Clone, Copy, Debug, Default)]
struct SlippedTanh;

impl ElementWise for SlippedTanh {
    const NAME: &'static str = "slipped_tanh";
    fn phi<T: Scalar>(&self, z: T) -> T {
        z.tanh()
    }
    fn dphi<T: Scalar>(&self, z: T, _a: T) -> T {
        T::one() - z * z
    }
}

nets!(Slipped, Slipped32: 3 -> 4 SlippedTanh -> 2 Identity);

#[test]
fn the_check_rejects_wrong_gradients() {
    let params: Vec<f64> = (0..TanhSigmoid::PARAMS)
        .map(|k| ((k * 7 % 11) as f64 - 5.0) / 4.0)
        .collect();
    let (x, t) = ([0.5, -1.0, 1.5], [0.3, -0.7]);
    let net = TanhSigmoid::from_params(&params).unwrap();
    let x_arr = GenericArray::from_array(x);
    let mut trace = Trace::<f64, TanhSigmoid>::new();
    let mut grads = TanhSigmoid::zeroed();
    let out = *net.forward_trace(&x_arr, &mut trace);
    let de_da = Cost::Quadratic.grad(&out, &t);
    net.backward(&mut trace, &array(&de_da), &mut grads);
    let ana: Vec<f64> = grads.params().copied().collect();
    let e0 = Cost::Quadratic.value(&out, &t);
    let probe = Probe {
        net: &net,
        x: x_arr,
        t: &t,
        cost: Cost::Quadratic,
        kink_sides: vec![None; TanhSigmoid::DEPTH + 1],
    };
    let num = probe.param_gradient().unwrap();
    assert!(num.iter().any(|g| g.abs() > 1e-3), "a non-trivial gradient");

    // The right gradient passes, ...
    compare("right", e0, &num, &ana, |k| param_name(&net, k)).unwrap();
    // ... the gradient scaled by 1.01 fails, ...
    let scaled: Vec<f64> = ana.iter().map(|g| g * 1.01).collect();
    assert!(compare("scaled", e0, &num, &scaled, |k| param_name(&net, k)).is_err());
    // ... and so does a single entry off by 1%.
    let mut one_off = ana.clone();
    let k = one_off
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .unwrap()
        .0;
    one_off[k] *= 1.01;
    assert!(compare("one off", e0, &num, &one_off, |k| param_name(&net, k)).is_err());

    // The whole check passes for the right network and fails for one whose backward
    // pass uses a wrong φ'.
    check_gradients::<TanhSigmoid, TanhSigmoid32>(&params, &x, &t, Cost::Quadratic).unwrap();
    let slipped = (0..Slipped::PARAMS)
        .map(|k| ((k * 5 % 9) as f64 - 4.0) / 3.0)
        .collect::<Vec<_>>();
    let err = check_gradients::<Slipped, Slipped32>(&slipped, &x, &t, Cost::Quadratic)
        .expect_err("a wrong derivative must be caught");
    assert!(err.to_string().contains("∂E/∂params"), "{err}");
}
