//! Property tests of every loss in `typenet::loss`, at the network level, in f64.
//!
//! For a small network with random parameters, a random input and a random target, the
//! cost E(params) is what `Loss::loss_and_seed` returns on the outputs of
//! `forward_trace` (z^N = `N::trace_output_z(&trace)`, a^N = `trace.output()`), exactly
//! as `train::Trainer` uses it. The analytic gradient is the one `Trainer` would form:
//! the loss's seed fed to `backward` when `SEED == Seed::GradOutput` (the seed is
//! ∂E/∂a^N) or to `backward_from_xi` when `SEED == Seed::Xi` (the seed is ξ^N). Every
//! entry of it (every ∂E/∂W^i and ∂E/∂b^i) is compared with a central difference of E.
//!
//! That comparison checks that a loss's seed is consistent with its value. Each test
//! also checks the value itself against the loss's published formula, written here
//! independently of the crate (with a^N recomputed from z^N where it matters):
//!
//! - `MeanSquaredError`: E = (1/M) Σ_k (a_k − t_k)² (PyTorch `MSELoss`);
//! - `Huber { delta }`: E = (1/M) Σ_k h(a_k − t_k), h(d) = ½d² for |d| ≤ δ, else
//!   δ(|d| − ½δ) (PyTorch `HuberLoss`);
//! - `BinaryCrossEntropy`: E = −(1/M) Σ_k [t_k ln a_k + (1 − t_k) ln(1 − a_k)];
//! - `SoftmaxCrossEntropy`: E = −Σ_k t_k ln a_k with a = softmax(z).
//!
//! Further checks: the fused softmax cross-entropy gives the same gradient as the
//! unfused path (E = −Σ t ln a, ∂E/∂a = −t/a, through `backward` and the softmax
//! vector-Jacobian product); its seed is exactly a^N − t for a one-hot target; binary
//! cross-entropy stays finite and correct at |z| = 1e3; `log_sum_exp` does not overflow;
//! a class index ≥ M_N is refused with `TargetError::ClassOutOfRange`.
//!
//! Tolerances (reasoning next to the constants): a central difference passes when
//! |num − ana| ≤ 1e-6 · max(|num|, |ana|) + 1e-9 · S, with S = max(1, |E|) or, for the
//! fused cross-entropies, the size of the terms E is computed from (see `ABS_FLOOR`).

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use typenet::generic_array::{ArrayLength, GenericArray};
use typenet::loss::{
    BinaryCrossEntropy, Huber, Loss, MeanSquaredError, SoftmaxCrossEntropy, TargetError,
    log_sum_exp,
};
use typenet::typenum::{U2, U3};
use typenet::{Arr, Network, Seed, Trace, network};

/// The step of every central difference, as the brief fixes it. The error of
/// `(E(p+h) − E(p−h)) / 2h` has a truncation part h²/6 · |E'''| ≈ 2e-13 · |E'''|,
/// negligible here, and a rounding part of about (a few ulps of E) / 2h: E is at most
/// ~10 here, its ulp 1.8e-15, so ~4 ulps / 2e-6 ≈ 4e-9 in the worst case and ~4e-10 for
/// E ≈ 1 — see [`ABS_FLOOR`]. The difference is divided by the step actually taken,
/// `(p+h) − (p−h)` as represented in f64, not by the nominal 2h.
const H: f64 = 1e-6;

/// Relative tolerance of every central-difference comparison (MATH.md: "typically
/// below 1e-6").
const REL_TOL: f64 = 1e-6;

/// Absolute floor of the central-difference comparisons, multiplied by the scale S of
/// the computation of E (see [`tolerance`]). It only matters for gradient entries
/// below ~1e-3, where 1e-6 relative is below the rounding noise of the central
/// difference itself. That noise is ~ (a few ulps of the largest term E is computed
/// from) / 2h ≈ 4 · 2.2e-16 · S / 2e-6 ≈ 4.4e-10 · S. 1e-9 · S is twice that, and
/// still far below the gradient entries the tests see (a wrong seed, e.g. one missing
/// its factor 1/M or 2, is wrong by 50% or more).
///
/// S is max(1, |E|) when E is a sum of non-negative terms (mean squared error, Huber).
/// The fused cross-entropies compute E as a difference of larger terms —
/// lse(z) Σt − Σ t z for softmax, max(z, 0) − z t + ln(1 + e^−|z|) for the binary one —
/// whose rounding is that of the terms, not of E: there S also covers those terms
/// ([`sce_scale`], [`bce_scale`]).
const ABS_FLOOR: f64 = 1e-9;

/// The fused and unfused softmax cross-entropy gradients agree to 1e-9 relative.
/// Both are computed in f64 from the same trace; they differ only by the rounding of
/// ξ^N (a_k Σt − t_k against a_k(−t_k/a_k + Σ_j t_j)), a few ulps of the O(1) terms
/// a_k and t_k, ~1e-15 absolute, then carried linearly through the backward pass.
/// Entries that cancel to near zero cannot keep a *relative* accuracy of 1e-9 from
/// an absolute error of ~1e-15, so an absolute floor of 1e-13 (≈ 500 ulps of 1) is
/// added; it is 1e-4 of the smallest relative error a wrong ξ^N would produce on an
/// O(1) entry.
const FUSED_REL_TOL: f64 = 1e-9;
const FUSED_ABS_FLOOR: f64 = 1e-13;

/// Huber's h has a jump of its second derivative at |d| = δ. A central difference that
/// straddles it is off by O(h) relative, which can exceed REL_TOL. A sample with some
/// | |a_k − t_k| − δ | below this margin is resampled (`prop_assume!`), never allowed a
/// wider tolerance. Perturbing one parameter by h = 1e-6 moves a_k by h · |∂a_k/∂p|,
/// and |∂a_k/∂p| ≤ (|a^{i−1}| ≤ 2) · (a product of at most one weight ≤ 1.5 and tanh'
/// ≤ 1) ≤ 3, so by at most 3e-6: the margin is 30 times that.
const HUBER_MARGIN: f64 = 1e-4;

/// Ranges of random parameters, inputs and regression targets.
const PARAM_RANGE: f64 = 1.5;
const INPUT_RANGE: f64 = 2.0;
const TARGET_RANGE: f64 = 2.0;

// ---------------------------------------------------------------------------------------
// The networks (f64, small, smooth activations so every central difference is valid).

/// Regression with an identity output.
type RegNet = network!(f64; 3 -> 4 Tanh -> 2 Identity);
/// Mean squared error through a non-linear element-wise output (φ'_N ≠ 1).
type SigRegNet = network!(f64; 3 -> 4 Softplus -> 2 Sigmoid);
/// Mean squared error through the softmax vector-Jacobian product.
type SoftRegNet = network!(f64; 3 -> 4 Tanh -> 3 Softmax);
/// Huber on three outputs.
type HuberNet = network!(f64; 3 -> 4 Tanh -> 3 Identity);
/// Binary cross-entropy: two independent sigmoid outputs.
type BceNet = network!(f64; 3 -> 4 Tanh -> 2 Sigmoid);
/// Softmax cross-entropy over three classes.
type SceNet = network!(f64; 4 -> 5 Tanh -> 3 Softmax);

// ---------------------------------------------------------------------------------------
// Helpers.

/// Copies a slice into a `GenericArray` of the length the type asks for.
fn array<L: ArrayLength>(v: &[f64]) -> GenericArray<f64, L> {
    GenericArray::try_from_iter(v.iter().copied()).expect("slice of the network's size")
}

/// E for `net` on `(x, target)`: `loss_and_seed` on z^N and a^N of a training forward
/// pass, as `Trainer::step` computes it.
fn energy<N, L, Tg>(net: &N, loss: &L, x: &Arr<f64, N::Input>, target: &Tg) -> f64
where
    N: Network<f64>,
    L: Loss<f64, N, Tg>,
    Tg: ?Sized,
{
    let mut trace = Trace::<f64, N>::new();
    net.forward_trace(x, &mut trace);
    let mut seed = Arr::<f64, N::Output>::default();
    loss.loss_and_seed(N::trace_output_z(&trace), trace.output(), target, &mut seed)
        .expect("a valid target")
}

/// What the analytic path produces for one sample.
struct Analytic<N: Network<f64>> {
    /// E.
    e: f64,
    /// z^N and a^N of the forward pass.
    z: Arr<f64, N::Output>,
    a: Arr<f64, N::Output>,
    /// The seed the loss wrote (∂E/∂a^N or ξ^N, as `SEED` says).
    seed: Arr<f64, N::Output>,
    /// ∂E/∂W^i and ∂E/∂b^i, in a value of the network's type.
    grads: N,
}

/// E, the seed and the parameter gradient of one sample, the way `Trainer::step`
/// forms them: `backward` for `Seed::GradOutput`, `backward_from_xi` for `Seed::Xi`.
fn analytic<N, L, Tg>(net: &N, loss: &L, x: &Arr<f64, N::Input>, target: &Tg) -> Analytic<N>
where
    N: Network<f64>,
    L: Loss<f64, N, Tg>,
    Tg: ?Sized,
{
    let mut trace = Trace::<f64, N>::new();
    let mut grads = N::zeroed();
    let mut seed = Arr::<f64, N::Output>::default();
    net.forward_trace(x, &mut trace);
    let z = N::trace_output_z(&trace).clone();
    let a = trace.output().clone();
    let e = loss
        .loss_and_seed(&z, &a, target, &mut seed)
        .expect("a valid target");
    match <L as Loss<f64, N, Tg>>::SEED {
        Seed::GradOutput => net.backward(&mut trace, &seed, &mut grads),
        Seed::Xi => net.backward_from_xi(&mut trace, &seed, &mut grads),
    };
    Analytic {
        e,
        z,
        a,
        seed,
        grads,
    }
}

/// The central difference of E for every parameter, in the canonical order.
fn numeric_gradient<N: Network<f64>>(net: &N, e: impl Fn(&N) -> f64) -> Vec<f64> {
    (0..N::PARAMS)
        .map(|k| {
            let mut plus = net.clone();
            let mut minus = net.clone();
            let p = plus.params_mut().nth(k).expect("k < PARAMS");
            *p += H;
            let p_plus = *p;
            let m = minus.params_mut().nth(k).expect("k < PARAMS");
            *m -= H;
            let step = p_plus - *m;
            (e(&plus) - e(&minus)) / step
        })
        .collect()
}

/// The acceptance rule of a central difference `num` against `ana` for a cost computed
/// at scale `scale` (see [`REL_TOL`] and [`ABS_FLOOR`]).
fn tolerance(num: f64, ana: f64, scale: f64) -> f64 {
    REL_TOL * num.abs().max(ana.abs()) + ABS_FLOOR * scale
}

/// S for E computed as a sum of non-negative terms: max(1, |E|).
fn plain_scale<N: Network<f64>>(ana: &Analytic<N>) -> f64 {
    ana.e.abs().max(1.0)
}

/// S for the fused softmax cross-entropy lse(z) Σt − Σ t_k z_k: the larger of the two
/// terms (and of 1 and |E|).
fn sce_scale<N: Network<f64>>(ana: &Analytic<N>, t: &[f64]) -> f64 {
    let total: f64 = t.iter().sum();
    let lse = log_sum_exp_here(&ana.z);
    let tz: f64 = t.iter().zip(ana.z.iter()).map(|(t, z)| (t * z).abs()).sum();
    plain_scale(ana).max((lse * total).abs()).max(tz)
}

/// S for the fused binary cross-entropy (1/M) Σ [max(z, 0) − z t + ln(1 + e^−|z|)]:
/// its terms are up to max |z_k|.
fn bce_scale<N: Network<f64>>(ana: &Analytic<N>) -> f64 {
    let zmax = ana.z.iter().fold(0.0_f64, |m, z| m.max(z.abs()));
    plain_scale(ana).max(zmax)
}

/// ln Σ e^z, written here.
fn log_sum_exp_here(z: &[f64]) -> f64 {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + z.iter().map(|&v| (v - max).exp()).sum::<f64>().ln()
}

/// Compares every parameter gradient entry of `ana` with a central difference of E.
fn check_against_central_differences<N, L, Tg>(
    what: &str,
    net: &N,
    loss: &L,
    x: &Arr<f64, N::Input>,
    target: &Tg,
    ana: &Analytic<N>,
    scale: f64,
) -> Result<(), TestCaseError>
where
    N: Network<f64>,
    L: Loss<f64, N, Tg>,
    Tg: ?Sized,
{
    let num = numeric_gradient(net, |n| energy(n, loss, x, target));
    for (k, (&n, &a)) in num.iter().zip(ana.grads.params()).enumerate() {
        prop_assert!(
            (n - a).abs() <= tolerance(n, a, scale),
            "{}: parameter {}: central difference {:e}, backward {:e}, |diff| {:e} > {:e} \
             (E = {:e}, S = {:e})",
            what,
            k,
            n,
            a,
            (n - a).abs(),
            tolerance(n, a, scale),
            ana.e,
            scale
        );
    }
    Ok(())
}

/// `got` equals `want` to relative accuracy `rel` (for values of E computed two ways).
fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1.0)
}

/// The logistic function, written here: σ(z) = 1 / (1 + e^−z).
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// softmax(z), written here (with the max subtracted; exact up to rounding).
fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|&v| v / s).collect()
}

/// Strategies.
fn params(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-PARAM_RANGE..PARAM_RANGE, n)
}
fn inputs(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-INPUT_RANGE..INPUT_RANGE, n)
}
fn targets(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-TARGET_RANGE..TARGET_RANGE, n)
}
/// A probability vector of length n: positive weights, normalised.
fn probabilities(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.01..1.0f64, n).prop_map(|w| {
        let s: f64 = w.iter().sum();
        w.iter().map(|&v| v / s).collect()
    })
}

// ---------------------------------------------------------------------------------------
// The mean squared error, on three output activations.

/// E = (1/M) Σ (a − t)², written here.
fn mse_value(a: &[f64], t: &[f64]) -> f64 {
    a.iter().zip(t).map(|(a, t)| (a - t) * (a - t)).sum::<f64>() / a.len() as f64
}

fn check_mse<N: Network<f64>>(p: &[f64], x: &[f64], t: &[f64]) -> Result<(), TestCaseError> {
    let net = N::from_params(p).unwrap();
    let x = array::<N::Input>(x);
    let t = array::<N::Output>(t);
    prop_assert_eq!(
        <MeanSquaredError as Loss<f64, N, _>>::SEED,
        Seed::GradOutput
    );
    let ana = analytic(&net, &MeanSquaredError, &x, &t);
    prop_assert!(
        close(ana.e, mse_value(&ana.a, &t), 1e-14),
        "MSE value {} against (1/M) Σ (a − t)² = {}",
        ana.e,
        mse_value(&ana.a, &t)
    );
    check_against_central_differences(
        "MSE",
        &net,
        &MeanSquaredError,
        &x,
        &t,
        &ana,
        plain_scale(&ana),
    )
}

// ---------------------------------------------------------------------------------------
// Huber.

/// E = (1/M) Σ h(a − t), written here from PyTorch's definition.
fn huber_value(a: &[f64], t: &[f64], delta: f64) -> f64 {
    a.iter()
        .zip(t)
        .map(|(a, t)| {
            let d: f64 = a - t;
            if d.abs() <= delta {
                0.5 * d * d
            } else {
                delta * (d.abs() - 0.5 * delta)
            }
        })
        .sum::<f64>()
        / a.len() as f64
}

// ---------------------------------------------------------------------------------------
// Binary cross-entropy.

/// −(1/M) Σ [t ln a + (1 − t) ln(1 − a)] with a = σ(z), the textbook formula.
fn bce_value(z: &[f64], t: &[f64]) -> f64 {
    -z.iter()
        .zip(t)
        .map(|(&z, &t)| {
            let a = sigmoid(z);
            t * a.ln() + (1.0 - t) * (1.0 - a).ln()
        })
        .sum::<f64>()
        / z.len() as f64
}

// ---------------------------------------------------------------------------------------
// Softmax cross-entropy.

/// −Σ t ln a with a = softmax(z), written here.
fn sce_value(z: &[f64], t: &[f64]) -> f64 {
    -softmax(z)
        .iter()
        .zip(t)
        .map(|(&a, &t)| t * a.ln())
        .sum::<f64>()
}

/// The unfused path: E = −Σ t ln a^N with ∂E/∂a^N_k = −t_k / a^N_k, through
/// `backward` (so through the softmax vector-Jacobian product of the crate).
fn unfused_sce_gradient<N: Network<f64>>(net: &N, x: &Arr<f64, N::Input>, t: &[f64]) -> N {
    let mut trace = Trace::<f64, N>::new();
    let mut grads = N::zeroed();
    let a = net.forward_trace(x, &mut trace).clone();
    let g: Vec<f64> = a.iter().zip(t).map(|(&a, &t)| -t / a).collect();
    net.backward(&mut trace, &array::<N::Output>(&g), &mut grads);
    grads
}

/// The fused gradient agrees with the unfused one (see [`FUSED_REL_TOL`]).
fn check_fused_matches_unfused<N: Network<f64>>(
    net: &N,
    x: &Arr<f64, N::Input>,
    t: &[f64],
    fused: &N,
) -> Result<(), TestCaseError> {
    let unfused = unfused_sce_gradient(net, x, t);
    for (k, (&f, &u)) in fused.params().zip(unfused.params()).enumerate() {
        let tol = FUSED_REL_TOL * f.abs().max(u.abs()) + FUSED_ABS_FLOOR;
        prop_assert!(
            (f - u).abs() <= tol,
            "parameter {}: fused {:e}, unfused {:e}, |diff| {:e} > {:e}",
            k,
            f,
            u,
            (f - u).abs(),
            tol
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mean_squared_error_identity_output(
        p in params(RegNet::PARAMS),
        x in inputs(3),
        t in targets(2),
    ) {
        check_mse::<RegNet>(&p, &x, &t)?;
    }

    #[test]
    fn mean_squared_error_sigmoid_output(
        p in params(SigRegNet::PARAMS),
        x in inputs(3),
        t in prop::collection::vec(0.0..1.0f64, 2),
    ) {
        check_mse::<SigRegNet>(&p, &x, &t)?;
    }

    #[test]
    fn mean_squared_error_softmax_output(
        p in params(SoftRegNet::PARAMS),
        x in inputs(3),
        t in probabilities(3),
    ) {
        check_mse::<SoftRegNet>(&p, &x, &t)?;
    }

    #[test]
    fn huber_with_random_delta(
        p in params(HuberNet::PARAMS),
        x in inputs(3),
        t in targets(3),
        delta in 0.1..2.0f64,
    ) {
        let net = HuberNet::from_params(&p).unwrap();
        let x = array::<U3>(&x);
        let t = array::<U3>(&t);
        let loss = Huber { delta };
        prop_assert_eq!(<Huber<f64> as Loss<f64, HuberNet, _>>::SEED, Seed::GradOutput);
        let ana = analytic(&net, &loss, &x, &t);
        // Resample a point where some |a − t| is within HUBER_MARGIN of δ: there the
        // second derivative of h jumps and the central difference is not accurate to
        // REL_TOL (see HUBER_MARGIN). Never a wider tolerance.
        prop_assume!(
            ana.a.iter().zip(t.iter()).all(|(a, t)| ((a - t).abs() - delta).abs() > HUBER_MARGIN)
        );
        prop_assert!(
            close(ana.e, huber_value(&ana.a, &t, delta), 1e-14),
            "Huber value {} against the formula {}",
            ana.e,
            huber_value(&ana.a, &t, delta)
        );
        // The seed is ∂E/∂a = clamp(a − t, −δ, δ)/M, written here.
        for k in 0..3 {
            let d = ana.a[k] - t[k];
            let want = d.clamp(-delta, delta) / 3.0;
            prop_assert!((ana.seed[k] - want).abs() <= 1e-15 * want.abs().max(1.0),
                "Huber seed {} = {}, want {}", k, ana.seed[k], want);
        }
        check_against_central_differences("Huber", &net, &loss, &x, &t, &ana,
            plain_scale(&ana))?;
    }

    #[test]
    fn binary_cross_entropy_on_sigmoid_outputs(
        p in params(BceNet::PARAMS),
        x in inputs(3),
        t in prop::collection::vec(0.0..=1.0f64, 2),
    ) {
        let net = BceNet::from_params(&p).unwrap();
        let x = array::<U3>(&x);
        let t = array::<U2>(&t);
        prop_assert_eq!(<BinaryCrossEntropy as Loss<f64, BceNet, _>>::SEED, Seed::Xi);
        let ana = analytic(&net, &BinaryCrossEntropy, &x, &t);
        // Moderate z here (|z^N| ≤ 4 · 1.5 + 1.5 = 7.5), so the textbook formula is
        // accurate: 1 − σ(7.5) ≈ 5.5e-4 has a relative rounding error ~1e-13.
        prop_assert!(ana.z.iter().all(|z| z.abs() <= 7.5));
        prop_assert!(
            close(ana.e, bce_value(&ana.z, &t), 1e-11),
            "BCE value {} against −(1/M) Σ [t ln a + (1 − t) ln(1 − a)] = {}",
            ana.e,
            bce_value(&ana.z, &t)
        );
        // ξ^N_k = (σ(z_k) − t_k)/M.
        for k in 0..2 {
            let want = (sigmoid(ana.z[k]) - t[k]) / 2.0;
            prop_assert!((ana.seed[k] - want).abs() <= 1e-15,
                "BCE seed {} = {}, want {}", k, ana.seed[k], want);
        }
        check_against_central_differences("BCE", &net, &BinaryCrossEntropy, &x, &t, &ana,
            bce_scale(&ana))?;
    }

    #[test]
    fn softmax_cross_entropy_with_class_index(
        p in params(SceNet::PARAMS),
        x in inputs(4),
        class in 0usize..3,
    ) {
        let net = SceNet::from_params(&p).unwrap();
        let x = array::<typenet::typenum::U4>(&x);
        prop_assert_eq!(<SoftmaxCrossEntropy as Loss<f64, SceNet, usize>>::SEED, Seed::Xi);
        let ana = analytic(&net, &SoftmaxCrossEntropy, &x, &class);
        let one_hot: Vec<f64> = (0..3).map(|k| if k == class { 1.0 } else { 0.0 }).collect();
        prop_assert!(
            close(ana.e, sce_value(&ana.z, &one_hot), 1e-13),
            "SCE value {} against −ln softmax(z)_t = {}",
            ana.e,
            sce_value(&ana.z, &one_hot)
        );
        // For a one-hot target the seed is exactly a^N − t (bitwise).
        for (k, ((&xi, &a), &t)) in ana.seed.iter().zip(ana.a.iter()).zip(&one_hot).enumerate() {
            prop_assert_eq!(xi.to_bits(), (a - t).to_bits(), "seed {} is not exactly a − t", k);
        }
        // The same target as a one-hot vector gives the same E and seed, bitwise.
        let vec_target = array::<U3>(&one_hot);
        let as_vec = analytic(&net, &SoftmaxCrossEntropy, &x, &vec_target);
        prop_assert_eq!(ana.e.to_bits(), as_vec.e.to_bits());
        prop_assert_eq!(&ana.seed, &as_vec.seed);
        check_against_central_differences("SCE (class)", &net, &SoftmaxCrossEntropy, &x, &class,
            &ana, sce_scale(&ana, &one_hot))?;
        check_fused_matches_unfused(&net, &x, &one_hot, &ana.grads)?;
    }

    #[test]
    fn softmax_cross_entropy_with_probability_vector(
        p in params(SceNet::PARAMS),
        x in inputs(4),
        t in probabilities(3),
    ) {
        let net = SceNet::from_params(&p).unwrap();
        let x = array::<typenet::typenum::U4>(&x);
        let tv = array::<U3>(&t);
        prop_assert_eq!(
            <SoftmaxCrossEntropy as Loss<f64, SceNet, Arr<f64, U3>>>::SEED,
            Seed::Xi
        );
        let ana = analytic(&net, &SoftmaxCrossEntropy, &x, &tv);
        prop_assert!(
            close(ana.e, sce_value(&ana.z, &t), 1e-13),
            "SCE value {} against −Σ t ln softmax(z) = {}",
            ana.e,
            sce_value(&ana.z, &t)
        );
        // ξ^N = a Σt − t = a − t up to the rounding of Σt (t sums to 1 within ulps).
        for (k, ((&xi, &a), &t)) in ana.seed.iter().zip(ana.a.iter()).zip(&t).enumerate() {
            let want = a - t;
            prop_assert!((xi - want).abs() <= 1e-15, "seed {} = {}, want a − t = {}", k, xi, want);
        }
        check_against_central_differences("SCE (vector)", &net, &SoftmaxCrossEntropy, &x, &tv,
            &ana, sce_scale(&ana, &t))?;
        check_fused_matches_unfused(&net, &x, &t, &ana.grads)?;
    }

    #[test]
    fn softmax_cross_entropy_with_unnormalised_weights(
        p in params(SceNet::PARAMS),
        x in inputs(4),
        t in prop::collection::vec(0.0..2.0f64, 3),
    ) {
        // The documented seed for a target that does not sum to 1 is ξ^N = a Σt − t,
        // the gradient of E = −Σ t ln a. Both the central difference and the unfused
        // path (which knows nothing of Σt) check it.
        let net = SceNet::from_params(&p).unwrap();
        let x = array::<typenet::typenum::U4>(&x);
        let tv = array::<U3>(&t);
        let ana = analytic(&net, &SoftmaxCrossEntropy, &x, &tv);
        prop_assert!(close(ana.e, sce_value(&ana.z, &t), 1e-13),
            "SCE value {} against −Σ t ln softmax(z) = {}", ana.e, sce_value(&ana.z, &t));
        check_against_central_differences("SCE (weights)", &net, &SoftmaxCrossEntropy, &x, &tv,
            &ana, sce_scale(&ana, &t))?;
        check_fused_matches_unfused(&net, &x, &t, &ana.grads)?;
    }
}

// ---------------------------------------------------------------------------------------
// Fixed cases.

/// The comparison is not vacuous: a gradient off by 1e-5 relative (far less than any
/// real mistake in a seed) is rejected, for every loss type's check path.
#[test]
fn the_central_difference_check_rejects_a_slightly_wrong_gradient() {
    let p: Vec<f64> = (0..SceNet::PARAMS)
        .map(|k| ((k * 7 % 11) as f64 - 5.0) / 5.0)
        .collect();
    let net = SceNet::from_params(&p).unwrap();
    let x = GenericArray::from_array([0.5, -1.0, 0.25, 1.5]);
    let mut ana = analytic(&net, &SoftmaxCrossEntropy, &x, &1usize);
    let scale = sce_scale(&ana, &[0.0, 1.0, 0.0]);
    let check = |ana: &Analytic<SceNet>| {
        check_against_central_differences("", &net, &SoftmaxCrossEntropy, &x, &1usize, ana, scale)
    };
    assert!(check(&ana).is_ok());
    for g in ana.grads.params_mut() {
        *g *= 1.0 + 1e-5;
    }
    assert!(check(&ana).is_err());
}

/// Binary cross-entropy at |z| = 1e3, where σ(z) rounds to exactly 0 or 1 and the
/// textbook formula would give ln 0 = −∞: E stays finite and equals its limit.
/// For z = 1e3: −ln σ(z) = ln(1 + e^−1000) ≈ 0 and −ln(1 − σ(z)) = z + ln(1 + e^−z) ≈ 1e3,
/// so E_k = (1 − t) · 1e3; for z = −1e3, E_k = t · 1e3. The seed is (σ(z) − t)/M with
/// σ(±1e3) = 1 or 0.
#[test]
fn binary_cross_entropy_is_finite_for_huge_logits() {
    let loss = BinaryCrossEntropy;
    for (z, s) in [(1e3, 1.0), (-1e3, 0.0)] {
        for t in [0.0, 0.3, 1.0] {
            let zs = GenericArray::from_array([z, z]);
            let a = GenericArray::from_array([s, s]);
            let ts = GenericArray::from_array([t, t]);
            let mut seed = GenericArray::default();
            let e = <BinaryCrossEntropy as Loss<f64, BceNet, Arr<f64, U2>>>::loss_and_seed(
                &loss, &zs, &a, &ts, &mut seed,
            )
            .unwrap();
            let want = if z > 0.0 { (1.0 - t) * 1e3 } else { t * 1e3 };
            assert!(e.is_finite(), "E = {e} for z = {z}, t = {t}");
            assert!(
                (e - want).abs() <= 1e-12 * want.max(1.0),
                "E = {e} for z = {z}, t = {t}; want {want}"
            );
            for k in 0..2 {
                assert!(seed[k].is_finite());
                assert!(
                    (seed[k] - (s - t) / 2.0).abs() <= 1e-15,
                    "seed {} for z = {z}, t = {t}",
                    seed[k]
                );
            }
        }
    }
}

/// Binary cross-entropy at a few moderate logits against −[t ln a + (1 − t) ln(1 − a)]
/// with values computed outside the crate: for z = 0, E = ln 2 whatever t; for z = 2,
/// t = 1: ln(1 + e^−2) = 0.1269280110429725 (python3: `math.log1p(math.exp(-2))`).
#[test]
fn binary_cross_entropy_at_known_points() {
    let loss = BinaryCrossEntropy;
    let cases: [(f64, f64, f64); 4] = [
        (0.0, 0.0, std::f64::consts::LN_2),
        (0.0, 0.7, std::f64::consts::LN_2),
        (2.0, 1.0, 0.1269280110429725),
        // z = −2, t = 1: −ln σ(−2) = 2 + ln(1 + e^−2) = 2.1269280110429727.
        (-2.0, 1.0, 2.1269280110429727),
    ];
    for (z, t, want) in cases {
        let zs = GenericArray::from_array([z, z]);
        let a = GenericArray::from_array([sigmoid(z), sigmoid(z)]);
        let ts = GenericArray::from_array([t, t]);
        let mut seed = GenericArray::default();
        let e = <BinaryCrossEntropy as Loss<f64, BceNet, Arr<f64, U2>>>::loss_and_seed(
            &loss, &zs, &a, &ts, &mut seed,
        )
        .unwrap();
        assert!(
            (e - want).abs() <= 1e-15 * want,
            "E({z}, {t}) = {e}, want {want}"
        );
        // The helper used by the property test agrees (to its own rounding: ln(1 − a)
        // loses a few ulps relative to the fused form).
        assert!((e - bce_value(&[z, z], &[t, t])).abs() <= 1e-13 * want);
    }
}

/// ln(e^1e4 + e^1e4) = 1e4 + ln 2 without overflow; and a few other points.
#[test]
fn log_sum_exp_does_not_overflow() {
    let v = log_sum_exp(&[1e4_f64, 1e4]);
    assert!(v.is_finite());
    assert!((v - (1e4 + std::f64::consts::LN_2)).abs() <= 2e-12, "{v}");
    let v = log_sum_exp(&[-1e4_f64, -1e4]);
    assert!((v - (-1e4 + std::f64::consts::LN_2)).abs() <= 2e-12, "{v}");
    // e^(1e4 − 1e4 − 50) is below 2e-22 relative: the result is 1e4 to the last bit.
    assert_eq!(log_sum_exp(&[1e4_f64, 1e4 - 50.0]), 1e4);
    // ln(e^0 + e^1 + e^2) = 2.40760596444438 (python3: math.log(1 + math.e + math.e**2)).
    assert!((log_sum_exp(&[0.0_f64, 1.0, 2.0]) - 2.40760596444438).abs() <= 1e-14);
    let v32 = log_sum_exp(&[1e4_f32, 1e4]);
    assert!(v32.is_finite() && (v32 - 1e4).abs() <= 1.0, "{v32}");
}

/// Softmax cross-entropy on huge logits: finite E and seed, E = the logit gap.
#[test]
fn softmax_cross_entropy_is_finite_for_huge_logits() {
    let z = GenericArray::from_array([1e4_f64, 0.0, -1e4]);
    let a = array::<U3>(&softmax(&z));
    let mut seed = GenericArray::default();
    // −ln softmax(z)_1 = lse(z) − z_1 = 1e4 − 0 (e^−1e4 vanishes).
    let e = <SoftmaxCrossEntropy as Loss<f64, SceNet, usize>>::loss_and_seed(
        &SoftmaxCrossEntropy,
        &z,
        &a,
        &1,
        &mut seed,
    )
    .unwrap();
    assert_eq!(e, 1e4);
    assert_eq!(seed.as_slice(), &[1.0, -1.0, 0.0]);
}

/// A class index ≥ M_N is refused with `ClassOutOfRange { class, classes: M_N }`, and
/// the last valid index is accepted.
#[test]
fn class_index_out_of_range_is_an_error() {
    let z = GenericArray::from_array([0.1_f64, 0.2, 0.3]);
    let a = array::<U3>(&softmax(&z));
    let mut seed = GenericArray::default();
    for class in [3usize, 4, 1000, usize::MAX] {
        let r = <SoftmaxCrossEntropy as Loss<f64, SceNet, usize>>::loss_and_seed(
            &SoftmaxCrossEntropy,
            &z,
            &a,
            &class,
            &mut seed,
        );
        assert_eq!(
            r,
            Err(TargetError::ClassOutOfRange { class, classes: 3 }),
            "class {class}"
        );
    }
    let ok = <SoftmaxCrossEntropy as Loss<f64, SceNet, usize>>::loss_and_seed(
        &SoftmaxCrossEntropy,
        &z,
        &a,
        &2,
        &mut seed,
    );
    assert!(ok.is_ok());
    assert_eq!(
        TargetError::ClassOutOfRange {
            class: 3,
            classes: 3
        }
        .to_string(),
        "class index 3 is out of range for 3 classes"
    );
}

/// `loss::argmax`, the crate's one arg-max (float, Q16 and int8 outputs): the first of
/// equal largest entries; NaN never wins, wherever it stands (before, the first entry
/// won whenever it was NaN); `None` for no entry or only NaNs.
#[test]
fn argmax_rules() {
    use typenet::fixed::Q16;
    use typenet::loss::argmax;
    let nan = f64::NAN;
    assert_eq!(argmax(&[0.1, 0.7, 0.7, 0.2]), Some(1));
    assert_eq!(argmax(&[nan, 0.2, 0.9]), Some(2));
    assert_eq!(argmax(&[0.3, nan, 0.2]), Some(0));
    assert_eq!(argmax(&[0.3, 0.4, nan]), Some(1));
    assert_eq!(argmax(&[nan, -1.0]), Some(1));
    assert_eq!(argmax(&[f64::NEG_INFINITY, nan]), Some(0));
    assert_eq!(argmax(&[f64::INFINITY, 1e308]), Some(0));
    assert_eq!(argmax(&[nan, nan, nan]), None);
    assert_eq!(argmax::<f64>(&[]), None);
    assert_eq!(argmax(&[f32::NAN, 0.0_f32]), Some(1));
    assert_eq!(argmax(&[-128_i8, 127, 127, -5]), Some(1));
    assert_eq!(argmax(&[-128_i8]), Some(0));
    assert_eq!(argmax::<i8>(&[]), None);
    let q = |v: f64| Q16::from_f64(v);
    assert_eq!(argmax(&[q(-0.5), q(0.25), q(0.125)]), Some(1));
}

/// Accuracy follows the same rule: an output whose first entry is NaN does not predict
/// class 0, and an output of NaNs predicts nothing, not even against a target of NaNs.
#[test]
fn a_nan_output_is_not_a_correct_prediction() {
    use typenet::loss::Scored;
    let nan = f64::NAN;
    let out: Arr<f64, U3> = GenericArray::from_array([nan, 0.2, 0.1]);
    assert!(!Scored::<f64, U3>::is_correct(&0usize, &out));
    assert!(Scored::<f64, U3>::is_correct(&1usize, &out));
    let all_nan: Arr<f64, U3> = GenericArray::from_array([nan; 3]);
    for class in 0..3 {
        assert!(!Scored::<f64, U3>::is_correct(&class, &all_nan));
    }
    assert!(!all_nan.is_correct(&all_nan));
}
