//! Post-training int8 quantization (`typenet::quant`):
//!
//! - the acceptance test: the trained digits network, calibrated on the training part
//!   of `digits.csv`, classifies the held-out images within 1 percentage point of f32;
//! - the fixed-point primitives against exact `i128` arithmetic (proptest);
//! - the int8 activations (tables, softmax) against f64, with their maximum errors;
//! - random networks with every activation: dequantized int8 outputs within the error
//!   bound derived from the scales (proptest);
//! - calibration errors;
//! - the weight format: layout, round trip, every error, scalar mismatch both ways, and
//!   no panic on 120 000 random and mutated buffers (proptest);
//! - `static_qnetwork!` against the run-time decoder.
//!
//! `cargo test --release --test quant -- --nocapture` prints the measured figures.

// The digits example's data loading and split (its `main` and training are not used).
#[allow(dead_code)]
#[path = "../examples/03-digits.rs"]
mod digits;

use proptest::prelude::*;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;
use typenet::format::{self, BufferTooSmall, FileError, LoadError};
use typenet::generic_array::GenericArray;
use typenet::loss::argmax;
use typenet::quant::{
    self, Calibration, Multiplier, QActivation, QNetwork, QParams, Quantize, QuantizeError,
    Quantized, Range,
};
use typenet::{
    Activation, Arr, LeakyReLU, Network, Sigmoid, Softmax, Softplus, Tanh, Trace, network,
};

// ---------------------------------------------------------------------------------------
// The digits network
// ---------------------------------------------------------------------------------------

type DigitsNet = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
type QDigits = Quantized<DigitsNet>;

const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/digits.tnet");
const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/heldout.bin");

fn digits_net() -> DigitsNet {
    format::from_bytes(&std::fs::read(WEIGHTS).unwrap()).unwrap()
}

/// The held-out images: 64 pixels 0..=16, then the label.
fn heldout() -> Vec<([u8; 64], usize)> {
    let bytes = std::fs::read(HELDOUT).unwrap();
    assert_eq!(bytes.len() % 65, 0);
    bytes
        .chunks_exact(65)
        .map(|c| (c[..64].try_into().unwrap(), usize::from(c[64])))
        .collect()
}

fn pixels_to_input(pixels: &[u8; 64]) -> Arr<f32, typenet::typenum::U64> {
    GenericArray::from_array(std::array::from_fn::<f32, 64, _>(|k| {
        f32::from(pixels[k]) / 16.0
    }))
}

/// The training part of `digits.csv`, split exactly as `examples/03-digits.rs` split it
/// before training the network in `embedded/data/` (its seeded 80/20 split), scaled to
/// [0, 1]. Checks on the way that the other part is the held-out file, so no held-out
/// image is used for calibration.
fn training_inputs() -> Vec<Arr<f32, typenet::typenum::U64>> {
    let images = digits::load(digits::DATA).unwrap();
    let (train, test, _) = digits::split(&images);
    let held = heldout();
    assert_eq!(test.len(), held.len());
    for ((pixels, digit), (held_pixels, held_digit)) in test.iter().zip(&held) {
        assert_eq!((pixels, usize::from(*digit)), (held_pixels, *held_digit));
    }
    train
        .iter()
        .map(|(pixels, _)| digits::input(pixels))
        .collect()
}

#[test]
fn digits_int8_accuracy_is_within_one_point_of_f32() {
    let net = digits_net();
    let calibration = training_inputs();
    assert_eq!(calibration.len(), 1438);
    let q: QDigits = quant::quantize(&net, &calibration).unwrap();

    let images = heldout();
    let (mut f32_correct, mut int8_correct, mut agree) = (0usize, 0usize, 0usize);
    let mut max_prob_error = 0.0f32;
    for (pixels, label) in &images {
        let x = pixels_to_input(pixels);
        let p = net.forward(&x);
        let y = q.forward(&q.quantize_input(&x));
        let (pf, pq) = (argmax(&p), argmax(&y));
        f32_correct += usize::from(pf == Some(*label));
        int8_correct += usize::from(pq == Some(*label));
        agree += usize::from(pf == pq);
        for (a, b) in q.dequantize_output(&y).iter().zip(&p) {
            max_prob_error = max_prob_error.max((a - b).abs());
        }
    }
    let n = images.len() as f64;
    let (f32_acc, int8_acc) = (f32_correct as f64 / n, int8_correct as f64 / n);
    println!(
        "digits held-out: f32 {f32_correct}/{} = {:.2} %, int8 {int8_correct}/{} = {:.2} %, \
         same prediction on {agree}, largest |p_int8 - p_f32| = {max_prob_error:.4}",
        images.len(),
        100.0 * f32_acc,
        images.len(),
        100.0 * int8_acc,
    );
    let (hidden, logits) = (q.layer(1).unwrap(), q.layer(2).unwrap());
    println!(
        "digits scales: input {:?}, hidden ReLU {:?}, logits {:?}",
        q.input_params(),
        hidden.output,
        logits.pre_activation
    );
    assert_eq!(f32_correct, 348);
    assert!(
        (f32_acc - int8_acc).abs() <= 0.01,
        "int8 accuracy {int8_acc:.4} is more than 1 point from f32's {f32_acc:.4}"
    );

    // The weight file gives back the same network, hence the same predictions.
    let bytes = quant::to_vec(&q);
    assert_eq!(bytes.len(), QDigits::ENCODED_LEN);
    let back: QDigits = quant::from_bytes(&bytes).unwrap();
    assert_eq!(back, q);
}

#[test]
fn digits_parameters_are_those_the_docs_give_firmware() {
    let q: QDigits = quant::quantize(&digits_net(), training_inputs()).unwrap();
    let input = q.input_params();
    assert_eq!(input.zero_point, -128);
    assert_eq!(input.scale, 1.0 / 255.0);
    assert_eq!(q.output_params(), QParams::SOFTMAX);
    // x_q = (255 p + 7) / 16 - 128 for a raw pixel p, as the module docs say.
    for p in 0u8..=16 {
        let x = f32::from(p) / 16.0;
        let integer = ((255 * i32::from(p) + 7) / 16 - 128) as i8;
        assert_eq!(input.quantize(x), integer, "pixel {p}");
    }
    let hidden = q.layer(1).unwrap();
    assert!(hidden.folded);
    assert_eq!(
        hidden.output.zero_point, -128,
        "a ReLU output range starts at 0"
    );
    assert_eq!((hidden.inputs, hidden.outputs), (64, 64));
    let out = q.layer(2).unwrap();
    assert!(!out.folded);
    assert_eq!(out.activation, "softmax");
    assert!(q.layer(3).is_none() && q.layer(0).is_none());
    // Per-channel scales: each row's largest weight is ±127.
    for k in 0..64 {
        let row = &hidden.weights[k * 64..(k + 1) * 64];
        assert_eq!(row.iter().map(|w| w.unsigned_abs()).max(), Some(127));
    }
}

// ---------------------------------------------------------------------------------------
// Fixed-point primitives
// ---------------------------------------------------------------------------------------

/// 4 · |r − clamp(exact)| ≤ 3 · den, with exact = num / den, all in i128.
fn within_three_quarters(r: i32, num: i128, den: i128) -> bool {
    let lo = i128::from(i32::MIN) * den;
    let hi = i128::from(i32::MAX) * den;
    let target = num.clamp(lo, hi);
    4 * (i128::from(r) * den - target).abs() <= 3 * den
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    /// `requantize` is the exact rational x·m·2^(shift−31) rounded down or up (within
    /// 3/4), saturated to the i32 range, for every x, every mantissa (even negative and
    /// unnormalised ones a file could hold) and every shift.
    #[test]
    fn requantize_agrees_with_the_exact_rational(
        x in any::<i32>(),
        multiplier in any::<i32>(),
        shift in any::<i8>(),
    ) {
        let r = quant::requantize(x, Multiplier { multiplier, shift });
        let s = i32::from(shift).clamp(-31, 31);
        let num = i128::from(x) * i128::from(multiplier) * (1i128 << s.max(0));
        let den = 1i128 << (31 + (-s).max(0));
        prop_assert!(within_three_quarters(r, num, den), "r = {r}, exact = {num}/{den}");
    }

    /// The same on the inputs that matter: accumulators of realistic size and
    /// multipliers from `quantize_multiplier`; and against the real multiplier M
    /// itself, within 3/4 plus M's own encoding error.
    #[test]
    fn requantize_with_quantized_multipliers(
        x in -(1i32 << 24)..(1i32 << 24),
        log2 in -34.0f64..34.0,
    ) {
        let real = log2.exp2();
        let m = quant::quantize_multiplier(real);
        let r = quant::requantize(x, m);
        let s = i32::from(m.shift);
        let num = i128::from(x) * i128::from(m.multiplier) * (1i128 << s.max(0));
        let den = 1i128 << (31 + (-s).max(0));
        prop_assert!(within_three_quarters(r, num, den));
        let exact = f64::from(x) * real;
        if exact.abs() < 2e9 {
            prop_assert!(
                (f64::from(r) - exact).abs() <= 0.75 + exact.abs() * 2f64.powi(-30) + 1e-9,
                "r = {r}, x·M = {exact}"
            );
        }
    }

    /// `quantize_multiplier` has relative error at most 2^−31 where it does not clamp.
    #[test]
    fn quantized_multipliers_are_accurate(log2 in -31.0f64..30.0) {
        let real = log2.exp2();
        let m = quant::quantize_multiplier(real);
        prop_assert!(m.multiplier >= 1 << 30);
        prop_assert!((-31..=30).contains(&m.shift));
        prop_assert!((m.to_f64() - real).abs() <= real * 2f64.powi(-31));
    }

    /// The two gemmlowp primitives against their definitions.
    #[test]
    fn high_mul_and_divide_by_pot(a in any::<i32>(), b in any::<i32>(), e in 0u32..32) {
        let h = quant::saturating_rounding_doubling_high_mul(a, b);
        if a == i32::MIN && b == i32::MIN {
            prop_assert_eq!(h, i32::MAX);
        } else {
            // round half away from zero of a·b / 2^31
            let p = i128::from(a) * i128::from(b);
            prop_assert!(2 * (i128::from(h) << 31).abs_diff(p) <= 1 << 31);
            let tie = (i128::from(h) << 31) - p;
            if tie.abs() == 1 << 30 {
                prop_assert_eq!(h.signum() as i128, p.signum());
            }
        }
        let d = quant::rounding_divide_by_pot(a, e);
        let q = (f64::from(a) / 2f64.powi(e as i32)).abs();
        let expect = (q + 0.5).floor() * f64::from(a.signum());
        prop_assert_eq!(f64::from(d), expect);
    }
}

// ---------------------------------------------------------------------------------------
// Int8 activations
// ---------------------------------------------------------------------------------------

fn phi<A: Activation<f64>>(z: f64) -> f64 {
    let mut a = [0.0];
    A::default().forward(&[z], &mut a);
    a[0]
}

/// The largest error of A's table, in steps of the output scale, over many random
/// parameter pairs: each entry against φ of the entry's z, rounded to the grid.
fn table_error<A: QActivation<Table = [i8; 256]>>(rng: &mut Pcg64) -> f64 {
    let mut worst = 0.0f64;
    for _ in 0..2000 {
        let u = |rng: &mut Pcg64| f64::from(rng.next_u32()) / f64::from(u32::MAX);
        let zr = Range {
            min: -(0.01 + 8.0 * u(rng)) as f32,
            max: (0.01 + 8.0 * u(rng)) as f32,
        };
        let zp = zr.params();
        let mut ar = Range::ZERO;
        ar.include(&[
            phi::<A>(f64::from(zr.min)) as f32,
            phi::<A>(f64::from(zr.max)) as f32,
        ]);
        let ap = A::output_params(ar);
        let table = A::build_table(zp, ap);
        let (lo, hi) = ap.bounds();
        for q in -128i16..=127 {
            let z = f64::from(zp.dequantize(q as i8));
            let exact = phi::<A>(z).clamp(f64::from(lo), f64::from(hi));
            let got = f64::from(ap.dequantize(table[(q + 128) as usize]));
            worst = worst.max((got - exact).abs() / f64::from(ap.scale));
        }
    }
    worst
}

#[test]
fn lookup_tables_are_correctly_rounded() {
    let mut rng = Pcg64::seed_from_u64(7);
    for (name, err) in [
        ("leaky_relu", table_error::<LeakyReLU>(&mut rng)),
        ("tanh", table_error::<Tanh>(&mut rng)),
        ("sigmoid", table_error::<Sigmoid>(&mut rng)),
        ("softplus", table_error::<Softplus>(&mut rng)),
    ] {
        println!("{name} table: largest error {err:.4} output steps (bound 0.5)");
        assert!(err <= 0.5 + 1e-4, "{name}: {err}");
    }
}

#[test]
fn integer_softmax_is_within_its_bound() {
    let mut rng = Pcg64::seed_from_u64(11);
    let n = 10usize;
    let bound = 1.0 / 256.0 + (1.0 + n as f64) / 65536.0;
    let mut worst = 0.0f64;
    for round in 0..40_000 {
        let scale = 0.002 + 0.5 * f64::from(rng.next_u32()) / f64::from(u32::MAX);
        let zp = QParams {
            scale: scale as f32,
            zero_point: rng.next_u32() as i8,
        };
        let table = quant::softmax_table(zp);
        // Spread logits over the whole int8 range, or a narrow band (close probabilities).
        let z: Vec<i8> = (0..n)
            .map(|_| {
                if round % 2 == 0 {
                    rng.next_u32() as i8
                } else {
                    (rng.next_u32() % 16) as i8
                }
            })
            .collect();
        let mut a = vec![0i8; n];
        quant::softmax(&table, &z, &mut a);
        let real: Vec<f64> = z.iter().map(|&q| f64::from(zp.dequantize(q))).collect();
        let max = real.iter().copied().fold(f64::MIN, f64::max);
        let sum: f64 = real.iter().map(|v| (v - max).exp()).sum();
        for (k, &q) in a.iter().enumerate() {
            let p = (real[k] - max).exp() / sum;
            let got = f64::from(QParams::SOFTMAX.dequantize(q));
            worst = worst.max((got - p).abs());
        }
    }
    println!(
        "integer softmax: largest error {worst:.6} = {:.3}/256 against the f64 softmax of \
         the int8 logits (bound {:.6})",
        worst * 256.0,
        bound
    );
    assert!(worst <= bound);
}

// ---------------------------------------------------------------------------------------
// Random networks: int8 against f32 within the bound derived from the scales
// ---------------------------------------------------------------------------------------

/// The bound of the module docs on |dequantized int8 output − f32 output|, per output,
/// for the input recorded in `trace` (which must lie in the calibrated ranges):
///
/// - input: s_0/2 per entry;
/// - per layer and output k, with ε the bounds of the layer's inputs x:
///   δ_k = Σ_j |ŵ_kj| ε_j + (s_w[k]/2) Σ_j |x_j| + s_in s_w[k]/2 (input, weight and bias
///   rounding), then ε_t = δ_k + |acc|·2^−30 + 1.5 s_t after requantization (rounding
///   below one step, the clamp to the calibrated range half a step, the multiplier's
///   encoding 2^−31 relative);
/// - ReLU and identity: ε_t; a table with Lipschitz constant L: L ε_t + s_a;
///   softmax: max_k ε_t / 2 + 1/256 + (1 + n)/2^16.
fn bound<Q: QNetwork, N: Network<f32>>(q: &Q, trace: &Trace<f32, N>) -> Vec<f64> {
    let mut eps = vec![f64::from(q.input_params().scale) / 2.0; N::INPUTS];
    for i in 1..=N::DEPTH {
        let l = q.layer(i).unwrap();
        let x = trace.a(i - 1).unwrap();
        let z = trace.z(i).unwrap();
        let s_in = f64::from(l.input.scale);
        let s_t = f64::from(l.requant_params().scale);
        let sum_abs_x: f64 = x.iter().map(|v| f64::from(v.abs())).sum();
        let eps_t: Vec<f64> = (0..l.outputs)
            .map(|k| {
                let s_w = f64::from(l.weight_scales[k]);
                let row = &l.weights[k * l.inputs..(k + 1) * l.inputs];
                let input: f64 = row
                    .iter()
                    .zip(&eps)
                    .map(|(&w, e)| (s_w * f64::from(w)).abs() * e)
                    .sum();
                let delta = input + s_w / 2.0 * sum_abs_x + s_in * s_w / 2.0;
                let acc = f64::from(z[k].abs()) + delta;
                delta + acc * 2f64.powi(-30) + 1.5 * s_t
            })
            .collect();
        let s_a = f64::from(l.output.scale);
        eps = match l.activation {
            "relu" | "identity" => eps_t,
            "softmax" => {
                let worst = eps_t.iter().copied().fold(0.0, f64::max);
                let n = l.outputs as f64;
                vec![worst / 2.0 + 1.0 / 256.0 + (1.0 + n) / 65536.0; l.outputs]
            }
            name => {
                let lipschitz = if name == "sigmoid" { 0.25 } else { 1.0 };
                eps_t.iter().map(|e| lipschitz * e + s_a).collect()
            }
        };
    }
    eps
}

/// Quantizes `net` calibrated on `inputs` and checks every output on those inputs
/// against [`bound`]; returns the largest ratio error / bound.
fn check_network<N>(params: &[f32], inputs: &[Vec<f32>]) -> Result<f64, TestCaseError>
where
    N: Network<f32> + Quantize<N::Input>,
    Quantized<N>: QNetwork<Input = N::Input, Output = <N as Network<f32>>::Output>,
{
    let net = N::from_params(params).unwrap();
    let xs: Vec<Arr<f32, N::Input>> = inputs
        .iter()
        .map(|v| GenericArray::from_slice(&v[..N::INPUTS]).clone())
        .collect();
    let q = quant::quantize(&net, &xs).unwrap();
    let mut trace = Trace::<f32, N>::new();
    let mut worst = 0.0f64;
    for x in &xs {
        let exact = net.forward_trace(x, &mut trace).clone();
        let got = q.dequantize_output(&q.forward(&q.quantize_input(x)));
        let bounds = bound(&q, &trace);
        for k in 0..N::OUTPUTS {
            let err = f64::from((got[k] - exact[k]).abs());
            prop_assert!(
                err <= bounds[k] + 1e-4,
                "output {k}: int8 {} vs f32 {}, error {err} above the bound {}",
                got[k],
                exact[k],
                bounds[k]
            );
            worst = worst.max(err / bounds[k]);
        }
    }
    Ok(worst)
}

type Smooth = network!(f32; 3 -> 6 Tanh -> 5 Sigmoid -> 4 Softplus -> 3 Softmax);
type Rectified = network!(f32; 4 -> 7 ReLU -> 6 LeakyReLU -> 3 Identity);
type Mixed = network!(f32; 2 -> 5 LeakyReLU -> 4 Sigmoid -> 2 Tanh);
type OneSoftmax = network!(f32; 5 -> 4 Softmax);

fn params_and_inputs(count: usize) -> impl Strategy<Value = (Vec<f32>, Vec<Vec<f32>>)> {
    (
        prop::collection::vec(-1.5f32..1.5, count),
        prop::collection::vec(prop::collection::vec(-2.0f32..2.0, 5), 1..24),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn smooth_activations_within_the_bound((p, x) in params_and_inputs(Smooth::PARAMS)) {
        check_network::<Smooth>(&p, &x)?;
    }

    #[test]
    fn rectifiers_and_identity_within_the_bound((p, x) in params_and_inputs(Rectified::PARAMS)) {
        check_network::<Rectified>(&p, &x)?;
    }

    #[test]
    fn mixed_within_the_bound((p, x) in params_and_inputs(Mixed::PARAMS)) {
        check_network::<Mixed>(&p, &x)?;
    }

    #[test]
    fn single_softmax_layer_within_the_bound((p, x) in params_and_inputs(OneSoftmax::PARAMS)) {
        check_network::<OneSoftmax>(&p, &x)?;
    }
}

/// How tight the bound is: the largest ratio error / bound and the largest errors,
/// over a fixed sample of random networks (printed with `--nocapture`).
#[test]
fn bound_tightness_report() {
    let mut rng = Pcg64::seed_from_u64(3);
    let mut uniform = |lo: f32, hi: f32| lo + (hi - lo) * (rng.next_u32() as f32 / u32::MAX as f32);
    let mut worst = [0.0f64; 4];
    for _ in 0..200 {
        let inputs: Vec<Vec<f32>> = (0..16)
            .map(|_| (0..5).map(|_| uniform(-2.0, 2.0)).collect())
            .collect();
        let p: Vec<f32> = (0..Smooth::PARAMS.max(Rectified::PARAMS))
            .map(|_| uniform(-1.5, 1.5))
            .collect();
        worst[0] = worst[0].max(check_network::<Smooth>(&p[..Smooth::PARAMS], &inputs).unwrap());
        worst[1] =
            worst[1].max(check_network::<Rectified>(&p[..Rectified::PARAMS], &inputs).unwrap());
        worst[2] = worst[2].max(check_network::<Mixed>(&p[..Mixed::PARAMS], &inputs).unwrap());
        worst[3] =
            worst[3].max(check_network::<OneSoftmax>(&p[..OneSoftmax::PARAMS], &inputs).unwrap());
    }
    println!(
        "largest error / bound: tanh-sigmoid-softplus-softmax {:.3}, relu-leaky-identity {:.3}, \
         leaky-sigmoid-tanh {:.3}, softmax {:.3}",
        worst[0], worst[1], worst[2], worst[3]
    );
    assert!(worst.iter().all(|&w| w <= 1.0));
}

// ---------------------------------------------------------------------------------------
// Calibration
// ---------------------------------------------------------------------------------------

type Small = network!(f32; 3 -> 4 Tanh -> 3 ReLU -> 2 Softmax);
type QSmall = Quantized<Small>;

fn small() -> (Small, QSmall) {
    let p: Vec<f32> = (0..Small::PARAMS)
        .map(|k| ((k * 37 % 23) as f32 - 11.0) / 8.0)
        .collect();
    let net = Small::from_params(&p).unwrap();
    let xs: Vec<Arr<f32, typenet::typenum::U3>> = (0..30)
        .map(|k| {
            let t = k as f32 / 29.0;
            GenericArray::from_array([t, 1.0 - 2.0 * t, (3.0 * t).sin()])
        })
        .collect();
    let q = quant::quantize(&net, xs.iter()).unwrap();
    (net, q)
}

#[test]
fn calibration_errors() {
    let (net, _) = small();
    let none: [Arr<f32, typenet::typenum::U3>; 0] = [];
    assert_eq!(
        quant::quantize(&net, none).unwrap_err(),
        QuantizeError::NoCalibrationData
    );
    let nan = GenericArray::from_array([0.0, f32::NAN, 1.0]);
    assert_eq!(
        quant::quantize(&net, [nan]).unwrap_err(),
        QuantizeError::NonFiniteCalibration { layer: 0 }
    );
    let big = Small::from_params(&[1e30; Small::PARAMS]).unwrap();
    assert_eq!(
        quant::quantize(&big, [GenericArray::from_array([1e30, 1e30, 1e30])]).unwrap_err(),
        QuantizeError::NonFiniteCalibration { layer: 1 }
    );
    let mut broken = net.clone();
    broken.rest.weights[1][2] = f32::NAN;
    assert_eq!(
        quant::quantize(&broken, [GenericArray::from_array([0.0, 0.0, 0.0])]).unwrap_err(),
        QuantizeError::NonFiniteParameter { layer: 2 }
    );
    for e in [
        QuantizeError::NoCalibrationData,
        QuantizeError::NonFiniteCalibration { layer: 0 },
        QuantizeError::NonFiniteCalibration { layer: 2 },
        QuantizeError::NonFiniteParameter { layer: 1 },
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn calibration_records_each_layer_and_streams() {
    let (net, q) = small();
    let mut c = Calibration::<Small>::new();
    let x = GenericArray::from_array([0.5, -0.25, 2.0]);
    c.observe(&net, &x);
    assert_eq!(c.samples(), 1);
    assert_eq!(
        c.input,
        Range {
            min: -0.25,
            max: 2.0
        }
    );
    let mut trace = Trace::<f32, Small>::new();
    net.forward_trace(&x, &mut trace);
    for i in 1..=Small::DEPTH {
        let (z, a) = c.layer(i).unwrap();
        for (r, v) in [(z, trace.z(i).unwrap()), (a, trace.a(i).unwrap())] {
            let lo = v.iter().copied().fold(0.0f32, f32::min);
            let hi = v.iter().copied().fold(0.0f32, f32::max);
            assert_eq!((r.min, r.max), (lo, hi), "layer {i}");
        }
    }
    assert!(c.layer(4).is_none());
    // The streamed calibration and the iterator one agree.
    let xs: Vec<Arr<f32, typenet::typenum::U3>> = (0..30)
        .map(|k| {
            let t = k as f32 / 29.0;
            GenericArray::from_array([t, 1.0 - 2.0 * t, (3.0 * t).sin()])
        })
        .collect();
    let mut c = Calibration::<Small>::default();
    for x in &xs {
        c.observe(&net, x);
    }
    assert_eq!(c.quantize(&net).unwrap(), q);
}

// ---------------------------------------------------------------------------------------
// The weight format
// ---------------------------------------------------------------------------------------

fn f32_at(b: &[u8], at: usize) -> f32 {
    f32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Reads the file by the table of the module docs, independently of the crate's reader.
#[test]
fn layout_is_as_documented() {
    let (_, q) = small();
    let b = quant::to_vec(&q);
    assert_eq!(&b[0..4], b"TNET");
    assert_eq!(u16::from_le_bytes([b[4], b[5]]), 1);
    assert_eq!(b[6], 4, "int8 code");
    assert_eq!(b[7], 0);
    let fingerprint = u64::from_le_bytes(b[8..16].try_into().unwrap());
    assert_eq!(
        fingerprint,
        Small::FINGERPRINT_STATE,
        "the f32 network's fingerprint"
    );
    assert_eq!(i32_at(&b, 16) as usize, Small::PARAMS);
    assert_eq!(f32_at(&b, 20), q.input_params().scale);
    assert_eq!(b[24] as i8, q.input_params().zero_point);
    let mut at = 25;
    for (i, table) in [(1, 256), (2, 0), (3, 512)] {
        let l = q.layer(i).unwrap();
        let (inputs, outputs) = (l.inputs, l.outputs);
        assert_eq!(f32_at(&b, at), l.pre_activation.scale);
        assert_eq!(b[at + 4] as i8, l.pre_activation.zero_point);
        assert_eq!(f32_at(&b, at + 5), l.output.scale);
        assert_eq!(b[at + 9] as i8, l.output.zero_point);
        for k in 0..outputs {
            assert_eq!(f32_at(&b, at + 10 + 4 * k), l.weight_scales[k]);
            assert_eq!(
                i32_at(&b, at + 10 + 4 * outputs + 4 * k),
                l.multipliers[k].multiplier
            );
            assert_eq!(b[at + 10 + 8 * outputs + k] as i8, l.multipliers[k].shift);
            assert_eq!(i32_at(&b, at + 10 + 9 * outputs + 4 * k), l.bias[k]);
        }
        let w = at + 10 + 13 * outputs;
        for (n, &wq) in l.weights.iter().enumerate() {
            assert_eq!(b[w + n] as i8, wq);
        }
        at = w + inputs * outputs + table;
    }
    assert_eq!(at, b.len());
    assert_eq!(b.len(), quant::encoded_len::<QSmall>());
    // The softmax table ends the file: entry 0 is 2^15.
    assert_eq!(u16::from_le_bytes([b[at - 512], b[at - 511]]), 1 << 15);
    assert_eq!(
        QDigits::ENCODED_LEN,
        25 + (10 + 13 * 64 + 64 * 64) + (10 + 13 * 10 + 64 * 10 + 512)
    );
}

#[test]
fn round_trip_and_buffers() {
    let (_, q) = small();
    let mut buf = [0u8; QSmall::ENCODED_LEN];
    assert_eq!(quant::write_to(&q, &mut buf), Ok(QSmall::ENCODED_LEN));
    assert_eq!(quant::from_bytes::<QSmall>(&buf).unwrap(), q);
    let mut short = [7u8; 30];
    assert_eq!(
        q.write_to(&mut short),
        Err(BufferTooSmall {
            needed: QSmall::ENCODED_LEN,
            found: 30
        })
    );
    assert_eq!(short, [7; 30]);
    let mut long = vec![0u8; QSmall::ENCODED_LEN + 9];
    assert_eq!(q.write_to(&mut long), Ok(QSmall::ENCODED_LEN));
    assert_eq!(&long[..QSmall::ENCODED_LEN], &buf[..]);
}

#[test]
fn scalar_mismatch_both_ways() {
    let q: QDigits = quant::quantize(&digits_net(), training_inputs()).unwrap();
    let int8 = quant::to_vec(&q);
    assert_eq!(
        format::from_bytes::<f32, DigitsNet>(&int8).unwrap_err(),
        LoadError::ScalarMismatch {
            expected: 1,
            found: 4
        }
    );
    let f32_file = std::fs::read(WEIGHTS).unwrap();
    assert_eq!(
        quant::from_bytes::<QDigits>(&f32_file).unwrap_err(),
        LoadError::ScalarMismatch {
            expected: 4,
            found: 1
        }
    );
}

#[test]
fn each_error_is_distinct() {
    let (_, q) = small();
    let good = quant::to_vec(&q);
    let load = |b: &[u8]| quant::from_bytes::<QSmall>(b).unwrap_err();
    assert_eq!(load(&good[..10]), LoadError::TooShort { found: 10 });
    let mut b = good.clone();
    b[1] = b'X';
    assert_eq!(load(&b), LoadError::BadMagic);
    let mut b = good.clone();
    b[4] = 2;
    assert_eq!(load(&b), LoadError::UnsupportedVersion { found: 2 });
    let mut b = good.clone();
    b[7] = 0x80;
    assert_eq!(load(&b), LoadError::UnknownFlags { found: 0x80 });
    type OtherAct = Quantized<network!(f32; 3 -> 4 Sigmoid -> 3 ReLU -> 2 Softmax)>;
    assert!(matches!(
        quant::from_bytes::<OtherAct>(&good),
        Err(LoadError::ArchitectureMismatch { .. })
    ));
    let mut b = good.clone();
    b[16] ^= 1;
    assert_eq!(
        load(&b),
        LoadError::ParamCountMismatch {
            expected: Small::PARAMS,
            found: Small::PARAMS ^ 1
        }
    );
    assert_eq!(
        load(&good[..good.len() - 1]),
        LoadError::LengthMismatch {
            expected: good.len(),
            found: good.len() - 1
        }
    );
    let mut b = good.clone();
    b.push(0);
    assert_eq!(
        load(&b),
        LoadError::LengthMismatch {
            expected: good.len(),
            found: good.len() + 1
        }
    );
    // NonFinite counts the f32 fields: 0 the input scale, then s_z, s_a, s_w[..] of
    // layer 1 (1, 2, 3..=6), then layer 2's s_z (7).
    for (index, at) in [
        (0, 20),
        (1, 25),
        (2, 30),
        (4, 39),
        (7, 25 + QSmallFirst::RECORD_LEN),
    ] {
        let mut b = good.clone();
        b[at..at + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
        assert_eq!(load(&b), LoadError::NonFinite { index }, "at {at}");
        // A scale of 0 or below maps every value to one step or flips signs.
        for v in [0.0f32, -0.0, -0.5] {
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
            assert_eq!(
                load(&b),
                LoadError::NonPositiveScale { index },
                "{v} at {at}"
            );
        }
    }
}

/// The first layer of `QSmall` alone, for its record length.
type QSmallFirst = quant::QDense<
    typenet::typenum::U3,
    typenet::typenum::U4,
    Tanh,
    quant::QDense<
        typenet::typenum::U4,
        typenet::typenum::U3,
        typenet::ReLU,
        quant::QDense<typenet::typenum::U3, typenet::typenum::U2, Softmax, typenet::End>,
    >,
>;

#[test]
fn quantized_is_the_parallel_nested_type() {
    let (_, q) = small();
    let _same: QSmallFirst = q;
    assert_eq!(QSmallFirst::RECORD_LEN, 10 + 13 * 4 + 4 * 3 + 256);
    assert_eq!(QSmall::DEPTH, 3);
    assert_eq!((QSmall::INPUTS, QSmall::OUTPUTS), (3, 2));
}

#[test]
fn save_and_load_files() {
    let dir = std::env::temp_dir().join(format!("typenet-quant-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("small.tnet");
    let (_, q) = small();
    quant::save(&q, &path).unwrap();
    assert_eq!(quant::load::<QSmall>(&path).unwrap(), q);
    assert!(matches!(
        quant::load::<QSmall>(dir.join("missing.tnet")),
        Err(FileError::Read { .. })
    ));
    std::fs::write(&path, b"TNET").unwrap();
    assert!(matches!(
        quant::load::<QSmall>(&path),
        Err(FileError::Format(LoadError::TooShort { found: 4 }))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Loads `bytes`; whatever comes back, running the network must not panic either.
/// Returns whether it loaded.
fn load_and_run(bytes: &[u8]) -> bool {
    match quant::from_bytes::<QSmall>(bytes) {
        Ok(q) => {
            for x in [[-128i8, 0, 127], [5, -7, 64], [127, 127, 127]] {
                let _ = q.forward(&GenericArray::from_array(x));
            }
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

fn good_small_file() -> &'static [u8] {
    static FILE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    FILE.get_or_init(|| quant::to_vec(&small().1))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40_000))]

    /// Random byte strings of any length.
    #[test]
    fn random_buffers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        load_and_run(&bytes);
    }

    /// A valid header followed by a random body of exactly the right length (drawn
    /// from a seeded generator, which is much faster than a proptest vector of 950
    /// bytes): every table, multiplier, shift, bias and weight value reaches `forward`.
    #[test]
    fn random_bodies_never_panic(seed in any::<u64>()) {
        let mut bytes = good_small_file()[..20].to_vec();
        bytes.resize(QSmall::ENCODED_LEN, 0);
        Pcg64::seed_from_u64(seed).fill_bytes(&mut bytes[20..]);
        load_and_run(&bytes);
    }

    /// A valid file with bytes replaced, then truncated or extended: never a panic, and
    /// a changed header is never accepted.
    #[test]
    fn mutated_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in prop_oneof![Just(None), (0usize..1100).prop_map(Some)],
        extra in prop::collection::vec(any::<u8>(), 0..3),
    ) {
        let good = good_small_file();
        let mut bytes = good.to_vec();
        for (at, v) in edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        if let Some(n) = cut {
            bytes.truncate(n);
        }
        bytes.extend_from_slice(&extra);
        if load_and_run(&bytes) {
            prop_assert_eq!(&bytes[..20], &good[..20], "a changed header was accepted");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Networks built at compile time from int8 weight files
// ---------------------------------------------------------------------------------------

type Smooth2 = network!(f32; 3 -> 4 LeakyReLU -> 4 Sigmoid -> 3 Softplus -> 2 Identity);

/// `Small` and `Smooth2` quantized, as written to `tests/quant_data/` (see the README
/// there for the two lines that wrote them).
fn static_data_networks() -> (QSmall, Quantized<Smooth2>) {
    let p: Vec<f32> = (0..Smooth2::PARAMS)
        .map(|k| ((k * 29 % 19) as f32 - 9.0) / 7.0)
        .collect();
    let net = Smooth2::from_params(&p).unwrap();
    let xs: Vec<Arr<f32, typenet::typenum::U3>> = (0..30)
        .map(|k| {
            let t = k as f32 / 29.0;
            GenericArray::from_array([2.0 * t - 1.0, t * t, (5.0 * t).cos()])
        })
        .collect();
    (small().1, quant::quantize(&net, &xs).unwrap())
}

static STATIC_SMALL: QSmall = typenet::static_qnetwork!(
    3 -> 4 Tanh -> 3 ReLU -> 2 Softmax;
    include_bytes!("quant_data/small_int8.tnet")
);
const STATIC_SMOOTH: Quantized<Smooth2> = typenet::static_qnetwork!(
    3 -> 4 LeakyReLU -> 4 Sigmoid -> 3 Softplus -> 2 Identity;
    include_bytes!("quant_data/smooth_int8.tnet")
);

#[test]
fn static_qnetwork_equals_the_runtime_decoder() {
    let small: QSmall = quant::from_bytes(include_bytes!("quant_data/small_int8.tnet")).unwrap();
    assert_eq!(STATIC_SMALL, small);
    let smooth: Quantized<Smooth2> =
        quant::from_bytes(include_bytes!("quant_data/smooth_int8.tnet")).unwrap();
    assert_eq!(STATIC_SMOOTH, smooth);
    // The files hold what `quantize` makes of the two networks (up to the last bit of
    // the platform's float functions in calibration, hence the loose comparison).
    let (a, b) = static_data_networks();
    assert_eq!(a.layer(1).unwrap().weights, small.layer(1).unwrap().weights);
    assert_eq!(
        b.layer(3).unwrap().weights,
        smooth.layer(3).unwrap().weights
    );
    let x = GenericArray::from_array([-20i8, 64, 3]);
    assert_eq!(STATIC_SMALL.forward(&x), small.forward(&x));
    assert_eq!(STATIC_SMOOTH.forward(&x), smooth.forward(&x));
}
