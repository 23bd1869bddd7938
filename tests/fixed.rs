//! Q16.16 fixed point: arithmetic against f64, the transcendental functions' maximum
//! errors over dense grids, gradients of a Q16 network against f64 gradients, and XOR
//! trained in Q16.

use proptest::prelude::*;
use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::loss::MeanSquaredError;
use typenet::optim::Sgd;
use typenet::train::Trainer;
use typenet::{Network, Scalar, Trace, network};

/// One unit in the last place: 2^−16.
const ULP: f64 = 1.0 / 65536.0;

fn q(x: f64) -> Q16 {
    Q16::from_f64(x)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_sub_are_exact_in_range(a in -10000.0f64..10000.0, b in -10000.0f64..10000.0) {
        let (qa, qb) = (q(a), q(b));
        prop_assert_eq!((qa + qb).to_f64(), qa.to_f64() + qb.to_f64());
        prop_assert_eq!((qa - qb).to_f64(), qa.to_f64() - qb.to_f64());
    }

    #[test]
    fn mul_rounds_to_nearest(a in -150.0f64..150.0, b in -150.0f64..150.0) {
        let (qa, qb) = (q(a), q(b));
        let exact = qa.to_f64() * qb.to_f64();
        prop_assert!(((qa * qb).to_f64() - exact).abs() <= ULP / 2.0);
    }

    #[test]
    fn div_truncates(a in -1000.0f64..1000.0, b in 0.01f64..100.0, neg in any::<bool>()) {
        let qb = if neg { -q(b) } else { q(b) };
        let qa = q(a);
        let exact = qa.to_f64() / qb.to_f64();
        let got = (qa / qb).to_f64();
        prop_assume!(exact.abs() < 32000.0);
        prop_assert!((got - exact).abs() < ULP, "{} vs {}", got, exact);
        prop_assert!(got.abs() <= exact.abs() + 1e-12, "truncation toward zero");
    }
}

#[test]
fn saturation_and_division_by_zero() {
    assert_eq!(Q16::MAX + Q16::ONE, Q16::MAX);
    assert_eq!(Q16::MIN - Q16::ONE, Q16::MIN);
    assert_eq!(-Q16::MIN, Q16::MAX);
    assert_eq!(q(300.0) * q(300.0), Q16::MAX);
    assert_eq!(q(-300.0) * q(300.0), Q16::MIN);
    assert_eq!(Q16::ONE / Q16::ZERO, Q16::MAX);
    assert_eq!(-Q16::ONE / Q16::ZERO, Q16::MIN);
    assert_eq!(Q16::ZERO / Q16::ZERO, Q16::ZERO);
    assert_eq!(q(1e9), Q16::MAX);
    assert_eq!(q(f64::NAN), Q16::ZERO);
    assert_eq!(q(0.5).to_bits(), 32768);
}

/// The largest error of `f` against `g` over `xs`, in units of the last place, relative
/// to max(1, |g|) for functions whose values grow (`relative`).
fn max_error(
    xs: impl Iterator<Item = f64>,
    f: impl Fn(Q16) -> Q16,
    g: impl Fn(f64) -> f64,
    relative: bool,
) -> f64 {
    xs.map(|x| {
        let qx = q(x);
        let exact = g(qx.to_f64());
        let scale = if relative { exact.abs().max(1.0) } else { 1.0 };
        ((f(qx).to_f64() - exact) / scale).abs() / ULP
    })
    .fold(0.0, f64::max)
}

fn grid(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
    (0..=n).map(move |k| lo + (hi - lo) * k as f64 / n as f64)
}

#[test]
fn transcendental_functions_meet_their_stated_errors() {
    // exp: within 2 units of the last place, relative to max(1, e^x)
    let e = max_error(grid(-12.0, 10.0, 200_000), Scalar::exp, f64::exp, true);
    assert!(e <= 2.0, "exp: {e} ulp");
    // ln: within 4 units over (2^-16, 32768)
    let l = max_error(
        grid(0.001, 30000.0, 200_000).chain(grid(1e-4, 2.0, 100_000)),
        Scalar::ln,
        f64::ln,
        false,
    );
    assert!(l <= 4.0, "ln: {l} ulp");
    // tanh: within 4 units
    let t = max_error(grid(-15.0, 15.0, 200_000), Scalar::tanh, f64::tanh, false);
    assert!(t <= 4.0, "tanh: {t} ulp");
    // sqrt: the floor of the exact root, so within 1 unit
    let s = max_error(
        grid(0.0, 30000.0, 200_000).chain(grid(0.0, 2.0, 100_000)),
        Scalar::sqrt,
        f64::sqrt,
        false,
    );
    assert!(s < 1.0, "sqrt: {s} ulp");
    assert_eq!(Scalar::sqrt(q(4.0)), q(2.0));
    assert_eq!(Scalar::ln(Q16::ZERO), Q16::MIN);
    assert_eq!(Scalar::exp(q(20.0)), Q16::MAX);
    assert_eq!(Scalar::exp(q(-20.0)), Q16::ZERO);
}

type NetQ = network!(Q16; 2 -> 4 Tanh -> 3 Sigmoid -> 1 Identity);
type NetF = network!(f64; 2 -> 4 Tanh -> 3 Sigmoid -> 1 Identity);

#[test]
fn q16_gradients_match_f64_within_the_resolution() {
    // Each gradient entry of this network goes through at most ~30 rounded operations
    // (dot products of 2-4 terms, three activations and their derivatives, two
    // transposed products), each off by at most 4 units of 2^-16, and the values are
    // below 4 in magnitude: 30·4·4 = 480 units bounds the difference; 2^-16 · 480 ≈ 7.3e-3.
    let bound = 480.0 * ULP;
    for seed in 0..50u64 {
        let p: Vec<f64> = (0..NetF::PARAMS)
            .map(|k| (((k as u64 * 2654435761 + seed * 97) % 1000) as f64 / 500.0 - 1.0) * 0.9)
            .collect();
        let pq: Vec<Q16> = p.iter().map(|&v| q(v)).collect();
        // the f64 network gets the Q16-rounded weights, so only the arithmetic differs
        let pf: Vec<f64> = pq.iter().map(|v| v.to_f64()).collect();
        let (nq, nf) = (
            NetQ::from_params(&pq).unwrap(),
            NetF::from_params(&pf).unwrap(),
        );
        let x = [
            ((seed % 7) as f64 - 3.0) / 2.0,
            ((seed % 5) as f64 - 2.0) / 2.0,
        ];
        let xq = GenericArray::from_array(x.map(q));
        let xf = GenericArray::from_array(xq.into_array::<2>().map(|v| v.to_f64()));
        let (mut tq, mut tf) = (Trace::<Q16, NetQ>::new(), Trace::<f64, NetF>::new());
        let (mut gq, mut gf) = (NetQ::zeroed(), NetF::zeroed());
        let yq = nq.forward_trace(&xq, &mut tq)[0];
        let yf = nf.forward_trace(&xf, &mut tf)[0];
        assert!((yq.to_f64() - yf).abs() <= bound, "output {} vs {}", yq, yf);
        let t = 0.25;
        nq.backward(&mut tq, &GenericArray::from_array([yq - q(t)]), &mut gq);
        nf.backward(&mut tf, &GenericArray::from_array([yf - t]), &mut gf);
        for (k, (a, b)) in gq.params().zip(gf.params()).enumerate() {
            assert!(
                (a.to_f64() - b).abs() <= bound,
                "seed {seed}, gradient {k}: {a} vs {b}"
            );
        }
    }
}

/// Glorot-initialised parameters from a fixed seed, the same for both scalars.
fn xor_init() -> Vec<f64> {
    use rand_core::SeedableRng;
    type Xor = network!(f64; 2 -> 4 Tanh -> 1 Sigmoid);
    let mut net = Xor::zeroed();
    typenet::init::initialize(&mut net, &mut rand_pcg::Pcg32::seed_from_u64(3));
    net.params().copied().collect()
}

fn xor_data<T: Scalar>() -> Vec<(
    GenericArray<T, typenet::typenum::U2>,
    GenericArray<T, typenet::typenum::U1>,
)> {
    [
        ([0.0, 0.0], 0.0),
        ([0.0, 1.0], 1.0),
        ([1.0, 0.0], 1.0),
        ([1.0, 1.0], 0.0),
    ]
    .iter()
    .map(|(x, t)| {
        (
            GenericArray::from_array(x.map(T::from_f64)),
            GenericArray::from_array([T::from_f64(*t)]),
        )
    })
    .collect()
}

/// XOR with SGD, η = 2, 2000 full-batch steps: trained in Q16 it must reach the same
/// correct outputs as the same run in f64 (which the second test checks).
#[test]
fn xor_trains_in_q16() {
    type Xor = network!(Q16; 2 -> 4 Tanh -> 1 Sigmoid);
    let p: Vec<Q16> = xor_init().iter().map(|&v| q(v)).collect();
    let mut net = Xor::from_params(&p).unwrap();
    let data = xor_data::<Q16>();
    let mut trainer = Trainer::new(Sgd::new(q(2.0)));
    for _ in 0..2000 {
        trainer.step(&mut net, &MeanSquaredError, &data).unwrap();
    }
    for (x, t) in &data {
        let y = net.forward(x)[0].to_f64();
        assert!((y - t[0].to_f64()).abs() < 0.1, "XOR {x:?}: {y}");
    }
}

#[test]
fn xor_same_run_in_f64() {
    type Xor = network!(f64; 2 -> 4 Tanh -> 1 Sigmoid);
    let mut net = Xor::from_params(&xor_init()).unwrap();
    let data = xor_data::<f64>();
    let mut trainer = Trainer::new(Sgd::new(2.0));
    for _ in 0..2000 {
        trainer.step(&mut net, &MeanSquaredError, &data).unwrap();
    }
    for (x, t) in &data {
        let y = net.forward(x)[0];
        assert!((y - t[0]).abs() < 0.1, "XOR {x:?}: {y}");
    }
}

#[test]
fn q16_networks_round_trip_through_the_weight_format() {
    let p: Vec<Q16> = (0..NetQ::PARAMS).map(|k| q(k as f64 / 8.0 - 1.0)).collect();
    let net = NetQ::from_params(&p).unwrap();
    let bytes = typenet::format::to_bytes(&net);
    assert_eq!(bytes[6], 3, "scalar code of Q16.16");
    assert_eq!(
        typenet::format::from_bytes::<Q16, NetQ>(&bytes).unwrap(),
        net
    );
    // A Q16 file is not an f32 file, and the reverse.
    type NetF32 = network!(f32; 2 -> 4 Tanh -> 3 Sigmoid -> 1 Identity);
    assert!(matches!(
        typenet::format::from_bytes::<f32, NetF32>(&bytes),
        Err(typenet::format::LoadError::ScalarMismatch {
            expected: 1,
            found: 3
        })
    ));
    let f = typenet::format::to_bytes(&NetF32::zeroed());
    assert!(typenet::format::from_bytes::<Q16, NetQ>(&f).is_err());
}

#[test]
fn sigmoid_meets_its_stated_error() {
    // The Sigmoid activation in Q16 is the generic overflow-free logistic: e^−|z| from
    // `exp` and one division; stated maximum error (module docs): 2 units of 2^-16.
    use typenet::Activation;
    let worst = grid(-20.0, 20.0, 200_000)
        .map(|x| {
            let z = [q(x)];
            let mut a = [Q16::ZERO];
            typenet::Sigmoid.forward(&z, &mut a);
            let exact = 1.0 / (1.0 + (-z[0].to_f64()).exp());
            (a[0].to_f64() - exact).abs() / ULP
        })
        .fold(0.0, f64::max);
    assert!(worst <= 2.0, "sigmoid: {worst} ulp");
}
