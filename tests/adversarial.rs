//! Regression tests for the defects of issue 11 ("bad input never panics and never
//! lies"): each input here used to panic, slip a wrong value in, or give a wrong result
//! without an error. The expected values are worked out by hand in the comments.

use std::iter;
use typenet::fixed::Q16;
use typenet::generic_array::GenericArray;
use typenet::loss::MeanSquaredError;
use typenet::optim::{Sgd, clip_global_norm, global_norm};
use typenet::train::Trainer;
use typenet::{Network, network};

// ---- items 5 and 6: global norms computed without overflow ---------------------

/// Q16 gradients of true norm 400 (240² + 320² = 400²): the sum of squares is far
/// beyond Q16's range (32768), but the norm is not; clipping to 1 gives 0.6 and 0.8.
#[test]
fn q16_norm_of_400_is_exact_and_clips_to_one() {
    type G = network!(Q16; 1 -> 2 Identity);
    let q = Q16::from_f64;
    let mut g = G::from_params(&[q(240.0), q(320.0), q(0.0), q(0.0)]).unwrap();
    assert_eq!(global_norm(&g), q(400.0));
    assert_eq!(clip_global_norm(&mut g, Q16::ONE), q(400.0));
    let after = global_norm(&g).to_f64();
    assert!(
        (after - 1.0).abs() <= 4.0 / 65536.0,
        "norm after clipping {after}"
    );
    let p: Vec<f64> = g.params().map(|v| v.to_f64()).collect();
    assert!(
        (p[0] - 0.6).abs() <= 2.0 / 65536.0 && (p[1] - 0.8).abs() <= 2.0 / 65536.0,
        "{p:?}"
    );
}

/// Small Q16 gradients whose squares are below the resolution: 100 entries of 0.001
/// have norm 0.01, not 0.
#[test]
fn q16_norm_of_small_entries_is_not_zero() {
    type G = network!(Q16; 9 -> 10 Identity);
    let g = G::from_params(&[Q16::from_f64(0.001); 100]).unwrap();
    // each entry is round(0.001 · 65536) = 66 units; the norm is 10 · 66 units
    assert_eq!(global_norm(&g), Q16::from_bits(660));
}

/// f32 gradients [3e38, 3e38]: finite entries whose norm, √2 · 3e38 ≈ 4.24e38, exceeds
/// f32::MAX (3.40e38). The norm itself rounds to +∞ (documented), but clipping must
/// still scale them to norm 1: each entry becomes 1/√2.
#[test]
fn f32_norm_beyond_f32_max_still_clips() {
    type G = network!(f32; 1 -> 1 Identity);
    let mut g = G::from_params(&[3e38, 3e38]).unwrap();
    assert_eq!(global_norm(&g), f32::INFINITY);
    clip_global_norm(&mut g, 1.0);
    let after = global_norm(&g);
    assert!((after - 1.0).abs() <= 1e-6, "norm after clipping {after}");
    for p in g.params() {
        assert!((p - std::f32::consts::FRAC_1_SQRT_2).abs() <= 1e-6, "{p}");
    }
}

/// Tiny f32 entries whose squares underflow to 0 still have their norm: √2 · 1e-30.
#[test]
fn f32_norm_of_tiny_entries_is_not_zero() {
    type G = network!(f32; 1 -> 1 Identity);
    let g = G::from_params(&[1e-30, 1e-30]).unwrap();
    let n = global_norm(&g);
    assert!(
        ((f64::from(n) - 2f64.sqrt() * 1e-30) / 1e-30).abs() < 1e-6,
        "{n:e}"
    );
}

// ---- item 7: Q16 batch averages are exact ---------------------------------------

type Q1 = network!(Q16; 1 -> 1 Identity);

/// `count` copies of one sample on a Q16 `1 -> 1 Identity` network with w = b = 0:
/// a = 0, t = 0.5, E = (0 − 0.5)² = 0.25, ∂E/∂b = 2(0 − 0.5) = −1 and
/// ∂E/∂w = x · (−1) = −0.25 for x = 0.25. Returns (mean loss, ∂E/∂w, ∂E/∂b).
fn q16_batch(count: usize) -> (Q16, Q16, Q16) {
    let mut net = Q1::from_params(&[Q16::ZERO, Q16::ZERO]).unwrap();
    let mut trainer = Trainer::new(Sgd::new(Q16::ZERO));
    let x = GenericArray::from_array([Q16::from_f64(0.25)]);
    let t = GenericArray::from_array([Q16::from_f64(0.5)]);
    let loss = trainer
        .step(&mut net, &MeanSquaredError, iter::repeat_n((&x, &t), count))
        .unwrap();
    let g: Vec<Q16> = trainer.grads().params().copied().collect();
    (loss, g[0], g[1])
}

#[test]
fn q16_mean_of_10_000_samples_is_exact() {
    let (loss, gw, gb) = q16_batch(10_000);
    assert_eq!(loss, Q16::from_f64(0.25));
    assert_eq!(gw, Q16::from_f64(-0.25));
    assert_eq!(gb, Q16::from_f64(-1.0));
}

/// 70 000 samples on a `1 -> 4 Identity` network (w = b = 0, x = 1, t = 0.5 for each
/// output): E = (1/4) Σ (0 − 0.5)² = 0.25 and ∂E/∂b_k = ∂E/∂w_k = 2 · (−0.5)/4 = −0.25,
/// whose sums (70 000 · 0.25 = 17 500) fit Q16's range: the means are exact (the old
/// truncated reciprocal of 70 000 gave a mean loss of 0.534).
#[test]
fn q16_mean_of_70_000_samples_is_exact() {
    type Q4 = network!(Q16; 1 -> 4 Identity);
    let mut net = Q4::from_params(&[Q16::ZERO; 8]).unwrap();
    let mut trainer = Trainer::new(Sgd::new(Q16::ZERO));
    let x = GenericArray::from_array([Q16::ONE]);
    let t = GenericArray::from_array([Q16::from_f64(0.5); 4]);
    let loss = trainer
        .step(
            &mut net,
            &MeanSquaredError,
            iter::repeat_n((&x, &t), 70_000),
        )
        .unwrap();
    assert_eq!(loss, Q16::from_f64(0.25));
    assert!(trainer.grads().params().all(|&g| g == Q16::from_f64(-0.25)));
}

/// 70 000 gradients of −1 sum to −70 000, beyond Q16's range: the sum saturates, so
/// the step is refused (it used to apply a mean of −0.468) and changes nothing.
#[test]
fn q16_gradient_sum_beyond_the_range_is_refused() {
    let mut net = Q1::from_params(&[Q16::ONE, Q16::ONE]).unwrap();
    let mut trainer = Trainer::new(Sgd::new(Q16::ONE));
    let x = GenericArray::from_array([Q16::ZERO]);
    let t = GenericArray::from_array([Q16::from_f64(1.5)]);
    let r = trainer.step(
        &mut net,
        &MeanSquaredError,
        iter::repeat_n((&x, &t), 70_000),
    );
    assert_eq!(r, Err(typenet::TrainError::NonFiniteGradient));
    assert_eq!(net, Q1::from_params(&[Q16::ONE, Q16::ONE]).unwrap());
}

/// Exact division by a count, rounded to nearest.
#[test]
fn q16_div_count_rounds_to_nearest() {
    use typenet::Scalar;
    assert_eq!(Q16::from_f64(2500.0).div_count(10_000), Q16::from_f64(0.25));
    assert_eq!(Q16::from_bits(5).div_count(2), Q16::from_bits(3));
    assert_eq!(Q16::from_bits(-5).div_count(2), Q16::from_bits(-3));
    assert_eq!(Q16::from_bits(7).div_count(3), Q16::from_bits(2));
    assert_eq!(Q16::MIN.div_count(1), Q16::MIN);
    // floats keep multiplying by the reciprocal, bit for bit as before
    assert_eq!(1.0f32.div_count(3), 1.0f32 * (1.0 / 3.0));
    assert_eq!(0.7f64.div_count(10), 0.7 * (1.0 / 10.0));
}

// ---- item 11: the clip norm is checked where it is given ------------------------

#[test]
fn negative_or_nan_clip_norm_is_rejected() {
    type Net = network!(f64; 1 -> 1 Identity);
    let t = || Trainer::<f64, Net, _>::new(Sgd::new(0.1));
    assert!(t().try_with_clip_norm(-1.0).is_err());
    assert!(t().try_with_clip_norm(f64::NAN).is_err());
    let err = t().try_with_clip_norm(-1.0).unwrap_err();
    assert!(err.to_string().contains("-1"), "{err}");
    let ok = t().try_with_clip_norm(0.5).unwrap();
    assert_eq!(ok.clip_norm(), Some(0.5));
    assert!(t().try_with_clip_norm(0.0).is_ok());
}

#[test]
#[should_panic(expected = "clip norm")]
fn with_clip_norm_panics_on_a_negative_norm() {
    type Net = network!(f64; 1 -> 1 Identity);
    let _ = Trainer::<f64, Net, _>::new(Sgd::new(0.1)).with_clip_norm(-1.0);
}

#[test]
#[should_panic(expected = "clip norm")]
fn clip_global_norm_panics_on_nan() {
    type G = network!(f64; 1 -> 1 Identity);
    let mut g = G::from_params(&[3.0, 4.0]).unwrap();
    clip_global_norm(&mut g, f64::NAN);
}

// ---- item 8: scales that cannot be represented are errors -------------------------

/// Calibration inputs in [0, 3e-36] make the input scale 3e-36/255 ≈ 1.2e-38; a bias of
/// 1e10 then needs a weight scale of 1e10 / (1.2e-38 · 2^30) ≈ 8e38, beyond f32::MAX.
/// It used to fall back to scale 1 and output 0 instead of 1e10.
#[test]
fn weight_scale_beyond_f32_is_an_error() {
    use typenet::quant::{self, QuantizeError, ScaleKind};
    type Net = network!(f32; 1 -> 1 Identity);
    let net = Net::from_params(&[1.0, 1e10]).unwrap();
    let inputs = [
        GenericArray::from_array([0.0f32]),
        GenericArray::from_array([3e-36f32]),
    ];
    let err = quant::quantize(&net, inputs).unwrap_err();
    assert_eq!(
        err,
        QuantizeError::ScaleOutOfRange {
            layer: 1,
            scale: ScaleKind::Weight
        }
    );
    assert!(err.to_string().contains("layer 1"), "{err}");
}

/// A range so narrow that its scale (width / 255) is below f32's normal numbers: it
/// used to be replaced by 1/255 silently.
#[test]
fn input_scale_below_f32_normals_is_an_error() {
    use typenet::quant::{self, QuantizeError, ScaleKind};
    type Net = network!(f32; 1 -> 1 Identity);
    let net = Net::from_params(&[1.0, 0.0]).unwrap();
    let inputs = [
        GenericArray::from_array([0.0f32]),
        GenericArray::from_array([1e-37f32]),
    ];
    assert_eq!(
        quant::quantize(&net, inputs).unwrap_err(),
        QuantizeError::ScaleOutOfRange {
            layer: 0,
            scale: ScaleKind::Input
        }
    );
}

/// Inputs up to 1e12 (input scale 1e12/255) through weights [1, −1] on equal inputs:
/// z is always 0 (its scale 1/255), so the multiplier s_in · s_w / s_z =
/// (1e12/255) · (1/127) · 255 ≈ 7.9e9 exceeds 2^30, the largest one representable.
#[test]
fn multiplier_beyond_2_pow_30_is_an_error() {
    use typenet::quant::{self, QuantizeError, ScaleKind};
    type Net = network!(f32; 2 -> 1 Identity);
    let net = Net::from_params(&[1.0, -1.0, 0.0]).unwrap();
    let inputs = [
        GenericArray::from_array([0.0f32, 0.0]),
        GenericArray::from_array([1e12f32, 1e12]),
    ];
    assert_eq!(
        quant::quantize(&net, inputs).unwrap_err(),
        QuantizeError::ScaleOutOfRange {
            layer: 1,
            scale: ScaleKind::Multiplier
        }
    );
}

// ---- item 3: serde applies the loaders' finiteness rule ---------------------------

#[cfg(feature = "serde")]
mod serde_values {
    use super::*;

    type Net = network!(f32; 2 -> 1 Identity);

    fn json_with(value: &str) -> String {
        let net = Net::from_params(&[1.5, 0.0, 0.0]).unwrap();
        serde_json::to_string(&net)
            .unwrap()
            .replacen("1.5", value, 1)
    }

    #[test]
    fn json_beyond_f32_is_an_error_naming_the_parameter() {
        for v in ["1e39", "-1e39"] {
            let err = serde_json::from_str::<Net>(&json_with(v)).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains("parameter 0") && msg.contains("layer 1"),
                "{msg}"
            );
        }
        // in range: read as before
        let net: Net = serde_json::from_str(&json_with("2.5")).unwrap();
        assert_eq!(net.params().next(), Some(&2.5));
    }
}

// ---- items 2, 4 and 11: safetensors -------------------------------------------------

#[cfg(feature = "safetensors")]
mod safetensors_values {
    use super::*;
    use typenet::safetensors::{self, SafetensorsError};

    type Net = network!(f32; 1 -> 1 Identity -> 1 Identity);

    #[test]
    fn duplicate_layer_names_are_an_error() {
        let net = Net::from_params(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        let err = safetensors::to_safetensors_named(&net, &["x", "x"]).unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::DuplicateName { name } if name == "x"),
            "{err}"
        );
        let bytes = safetensors::to_safetensors_named(&net, &["x", "y"]).unwrap();
        let err = safetensors::from_safetensors_named::<f32, Net>(&bytes, &["x", "x"]).unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::DuplicateName { name } if name == "x"),
            "{err}"
        );
    }

    type Q = network!(Q16; 1 -> 2 Identity);
    type F64 = network!(f64; 1 -> 2 Identity);

    #[test]
    fn q16_round_trips_through_f64_tensors() {
        let q = Q16::from_bits;
        let net = Q::from_params(&[q(1), q(-3), q(i32::MAX), q(i32::MIN)]).unwrap();
        let bytes = safetensors::to_safetensors(&net).unwrap();
        let back: Q = safetensors::from_safetensors(&bytes).unwrap();
        assert_eq!(back, net);
        // the values are Q16's exact values, as F64
        let wide: F64 = safetensors::from_safetensors(&bytes).unwrap();
        let want = [
            1.0 / 65536.0,
            -3.0 / 65536.0,
            32768.0 - 1.0 / 65536.0,
            -32768.0,
        ];
        assert_eq!(wide.params().copied().collect::<Vec<_>>(), want);
    }

    fn f64_file(values: [f64; 4]) -> Vec<u8> {
        safetensors::to_safetensors(&F64::from_params(&values).unwrap()).unwrap()
    }

    #[test]
    fn values_beyond_q16_are_an_error_and_in_range_values_round() {
        let err =
            safetensors::from_safetensors::<Q16, Q>(&f64_file([0.0, 1e9, 0.0, 0.0])).unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::OutOfRange { name, index: 1, .. } if name == "0.weight"),
            "{err}"
        );
        assert!(err.to_string().contains("out of range for Q16.16"), "{err}");
        assert!(
            safetensors::from_safetensors::<Q16, Q>(&f64_file([0.0, 0.0, 0.0, -32768.5])).is_err()
        );
        // in range: the nearest value (1e-9 is below half a unit: 0, documented)
        let q: Q = safetensors::from_safetensors(&f64_file([1e-9, 3.0 / 131072.0, -32768.0, 0.1]))
            .unwrap();
        let bits: Vec<i32> = q.params().map(|v| v.to_bits()).collect();
        assert_eq!(bits, [0, 2, i32::MIN, 6554]);
    }

    #[test]
    fn f64_beyond_f32_says_out_of_range() {
        type Net32 = network!(f32; 1 -> 2 Identity);
        let err = safetensors::from_safetensors::<f32, Net32>(&f64_file([0.0, 0.0, 1e300, 0.0]))
            .unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::OutOfRange { name, index: 0, .. } if name == "0.bias"),
            "{err}"
        );
        assert!(err.to_string().contains("out of range for f32"), "{err}");
        let err = safetensors::from_safetensors::<f32, Net32>(&f64_file([0.0, f64::NAN, 0.0, 0.0]))
            .unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::NonFinite { name } if name == "0.weight"),
            "{err}"
        );
    }
}

// ---- the review of 2026-12-06: settings, Q16 averages and models ---------------------

mod settings {
    //! Hyper-parameters outside their ranges were accepted (a negative learning rate
    //! or momentum trained away from the target with every step `Ok`; a Huber δ ≤ 0 gave
    //! negative losses or a zero gradient), Q16 averages over many samples came out
    //! wrong, a Q16 update that saturated was applied, and `Fit` reserved one report per
    //! epoch up front (`epochs(usize::MAX)` panicked with "capacity overflow").

    use std::fmt::Debug;
    use std::ops::ControlFlow;
    use typenet::fit::Fit;
    use typenet::fixed::Q16;
    use typenet::loss::{Huber, MeanSquaredError};
    use typenet::optim::{Adam, Optimizer, RmsProp, Sgd};
    use typenet::train::{ParallelTrainer, Trainer, evaluate};
    use typenet::{Arr, Network, TrainError, network};

    type Small = network!(f64; 2 -> 3 Tanh -> 1 Identity);
    type Pair = (
        Arr<f64, typenet::typenum::U2>,
        Arr<f64, typenet::typenum::U1>,
    );

    fn small() -> Small {
        let p: Vec<f64> = (0..Small::PARAMS)
            .map(|k| (k as f64 * 0.37).sin())
            .collect();
        Small::from_params(&p).unwrap()
    }

    fn batch() -> Vec<Pair> {
        (0..5)
            .map(|k| {
                let x = k as f64 / 4.0;
                ([x, 1.0 - x].into(), [x * x].into())
            })
            .collect()
    }

    fn bits<T: typenet::Scalar, N: Network<T>>(net: &N) -> Vec<u64> {
        net.params().map(|p| p.to_f64().to_bits()).collect()
    }

    /// The step is refused as a bad `name`, and neither the network nor the optimizer
    /// changed.
    fn refused<O: Optimizer<f64, Small> + Debug>(what: &str, optimizer: O, name: &str) {
        let mut trainer = Trainer::new(optimizer);
        let mut net = small();
        let before = (bits(&net), format!("{:?}", trainer.optimizer));
        match trainer.step(&mut net, &MeanSquaredError, batch()) {
            Err(TrainError::HyperParameter(e)) => {
                assert_eq!(e.name(), name, "{what}: {e}");
                assert!(e.to_string().contains(" must be "), "{what}: {e}");
            }
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(
            (bits(&net), format!("{:?}", trainer.optimizer)),
            before,
            "{what}: the refused step changed something"
        );
    }

    fn accepted<O: Optimizer<f64, Small>>(what: &str, optimizer: O) {
        let mut trainer = Trainer::new(optimizer);
        let mut net = small();
        assert!(
            trainer.step(&mut net, &MeanSquaredError, batch()).is_ok(),
            "{what}"
        );
    }

    #[test]
    fn optimizers_refuse_hyper_parameters_outside_their_ranges() {
        let lr = "the learning rate η";
        refused("SGD η < 0", Sgd::new(-0.1), lr);
        refused("SGD η NaN", Sgd::new(f64::NAN), lr);
        refused("SGD η ∞", Sgd::new(f64::INFINITY), lr);
        refused(
            "SGD μ = 1",
            Sgd::new(0.1).with_momentum(1.0),
            "the momentum μ",
        );
        refused(
            "SGD μ < 0",
            Sgd::new(0.1).with_momentum(-5.0),
            "the momentum μ",
        );
        refused(
            "Nesterov μ > 1",
            Sgd::new(0.1).with_nesterov(1.5),
            "the momentum μ",
        );
        let decay = "the weight decay λ";
        refused("SGD λ < 0", Sgd::new(0.1).with_weight_decay(-1.0), decay);
        refused("Adam η < 0", Adam::new(-0.001), lr);
        refused("Adam β₁ = 1", Adam::new(0.1).with_betas(1.0, 0.999), "β₁");
        refused("Adam β₂ = 1", Adam::new(0.1).with_betas(0.9, 1.0), "β₂");
        refused("Adam β₁ < 0", Adam::new(0.1).with_betas(-0.1, 0.999), "β₁");
        refused("Adam ε < 0", Adam::new(0.1).with_epsilon(-1e-8), "ε");
        refused(
            "AdamW λ NaN",
            Adam::adamw(0.1).with_weight_decay(f64::NAN),
            decay,
        );
        refused("RMSprop η < 0", RmsProp::new(-1.0), lr);
        refused("RMSprop α > 1", RmsProp::new(0.1).with_alpha(1.5), "α");
        // PyTorch's rule: Nesterov momentum needs a momentum (with μ = 0 the step was
        // plain SGD without a word).
        refused(
            "Nesterov μ = 0",
            Sgd::new(0.1).with_nesterov(0.0),
            "the momentum μ",
        );
        // The ends of the ranges are settings.
        accepted("SGD η = 0", Sgd::new(0.0));
        accepted("SGD μ = 0.99", Sgd::new(0.1).with_momentum(0.99));
        accepted("SGD λ = −0", Sgd::new(0.1).with_weight_decay(-0.0));
        accepted("Adam β = 0", Adam::new(0.1).with_betas(0.0, 0.0));
        accepted("Adam ε = 0", Adam::new(0.1).with_epsilon(0.0));
        accepted("RMSprop α = 1", RmsProp::new(0.1).with_alpha(1.0));
    }

    #[test]
    fn huber_delta_must_be_finite_and_positive() {
        for delta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let loss = Huber { delta };
            let is_delta = |r: &Result<_, TrainError>| matches!(r, Err(TrainError::HyperParameter(e)) if e.name() == "Huber's δ");
            let mut net = small();
            let before = bits(&net);
            let mut trainer = Trainer::new(Adam::new(0.01));
            assert!(
                is_delta(&trainer.step(&mut net, &loss, batch())),
                "δ = {delta}"
            );
            let mut parallel = ParallelTrainer::new(Adam::new(0.01)).with_threads(2);
            assert!(
                is_delta(&parallel.step(&mut net, &loss, batch())),
                "δ = {delta}"
            );
            assert_eq!(bits(&net), before, "δ = {delta}");
            assert_eq!(trainer.optimizer.steps(), 0);
            assert!(
                is_delta(&evaluate(&net, &loss, batch()).map(|e| e.loss)),
                "δ = {delta}"
            );
        }
        let mut net = small();
        let e = Trainer::new(Sgd::new(0.1)).step(&mut net, &Huber { delta: 0.5 }, batch());
        assert!(e.unwrap() > 0.0);
    }

    type Q = network!(Q16; 1 -> 1 Identity);
    type QPair = (
        Arr<Q16, typenet::typenum::U1>,
        Arr<Q16, typenet::typenum::U1>,
    );

    /// `count` samples of input 0 and target 0 through w = 0, b = `b`: each loss is b².
    fn q_data(count: usize) -> Vec<QPair> {
        let zero = Q16::from_f64(0.0);
        vec![([zero].into(), [zero].into()); count]
    }

    fn q_net(b: f64) -> Q {
        Q::from_params(&[Q16::from_f64(0.0), Q16::from_f64(b)]).unwrap()
    }

    /// 400 losses of 100 sum past Q16's range (32 768): `evaluate` said 81.92; 40 000
    /// losses of 0.25 sum to 10 000, in range, but 40 000 is not a Q16: it said 0.305.
    #[test]
    fn q16_evaluate_refuses_a_sum_that_overflowed_and_divides_exactly() {
        let r = evaluate(&q_net(10.0), &MeanSquaredError, q_data(400));
        assert!(matches!(r, Err(TrainError::NonFiniteLoss)), "{r:?}");
        let e = evaluate(&q_net(0.5), &MeanSquaredError, q_data(40_000)).unwrap();
        assert_eq!(e.loss, Q16::from_f64(0.25));
        assert_eq!(e.samples, 40_000);
    }

    /// `Fit`'s train loss summed each batch's mean times its size in Q16, then divided
    /// by the sample count as a Q16 (40 000 saturated at 32 768): 40 batches of 1 000
    /// samples of loss 0.0625 gave 2 500 / 32 768 = 0.076.
    #[test]
    fn q16_fit_train_loss_over_40_000_samples_is_exact() {
        let mut net = q_net(0.25);
        let mut trainer = Trainer::new(Sgd::new(Q16::from_f64(0.0)));
        let history = Fit::new(MeanSquaredError)
            .epochs(2)
            .batch_size(1_000)
            .seed(1)
            .run(&mut net, &mut trainer, &q_data(40_000))
            .unwrap();
        for r in &history.reports {
            assert_eq!(r.train_loss, Q16::from_f64(0.0625), "epoch {}", r.epoch);
        }
    }

    /// w − η·g = −100 − 1000·100 saturates at −32 768: applied and `Ok` before.
    #[test]
    fn q16_update_that_saturates_is_refused() {
        let q = Q16::from_f64;
        let mut net = Q::from_params(&[q(-100.0), q(0.0)]).unwrap();
        let grads = Q::from_params(&[q(100.0), q(0.0)]).unwrap();
        let before = bits(&net);
        for r in [
            Sgd::<Q16, Q>::new(q(1000.0)).step(&mut net, &grads),
            Sgd::<Q16, Q>::new(q(1000.0))
                .with_momentum(q(0.5))
                .step(&mut net, &grads),
        ] {
            assert_eq!(r, Err(TrainError::NonFiniteUpdate));
        }
        assert_eq!(bits(&net), before);
        // In range: applied.
        Sgd::<Q16, Q>::new(q(10.0)).step(&mut net, &grads).unwrap();
        assert_eq!(net.params().next().copied(), Some(q(-1100.0)));
    }

    /// Adam's default ε = 1e-8 is 0 in Q16: with a gradient of 0.05, v̂ is 0 and the step
    /// η·m̂/(√v̂ + ε) divides by 0 and saturates. From w = −0.5 the result reached the end
    /// of the range and was refused, from w = 0.5 it landed at −32 767.5 and was applied.
    /// RMSprop the same with g = 0.001 (g² rounds to 0).
    #[test]
    fn q16_steps_that_saturate_inside_the_rule_are_refused() {
        let q = Q16::from_f64;
        for w in [-0.5, 0.5] {
            let mut net = Q::from_params(&[q(w), q(0.0)]).unwrap();
            let before = bits(&net);
            let grads = Q::from_params(&[q(0.05), q(0.0)]).unwrap();
            let mut adam = Adam::<Q16, Q>::new(q(0.01));
            assert_eq!(
                adam.step(&mut net, &grads),
                Err(TrainError::NonFiniteUpdate),
                "Adam, w = {w}"
            );
            assert_eq!(adam.steps(), 0);
            let grads = Q::from_params(&[q(0.001), q(0.0)]).unwrap();
            let mut rms = RmsProp::<Q16, Q>::new(q(0.01));
            assert_eq!(
                rms.step(&mut net, &grads),
                Err(TrainError::NonFiniteUpdate),
                "RMSprop, w = {w}"
            );
            assert_eq!(bits(&net), before, "w = {w}");
        }
        // With an ε that Q16 holds, the same Adam step is applied: v̂ still rounds to
        // 0, so the step is η·m̂/ε ≈ 0.01 · 0.05 / 0.001 = 0.5.
        let mut net = Q::from_params(&[q(0.5), q(0.0)]).unwrap();
        let grads = Q::from_params(&[q(0.05), q(0.0)]).unwrap();
        let mut adam = Adam::<Q16, Q>::new(q(0.01)).with_epsilon(q(0.001));
        adam.step(&mut net, &grads).unwrap();
        let w = net.params().next().unwrap().to_f64();
        assert!(w.abs() < 0.01, "w = {w}");
    }

    /// A schedule's negative η is refused before the epoch's step, with its epoch, as a
    /// NaN one is (it was refused by the optimizer after the epoch's shuffle).
    #[test]
    fn fit_refuses_a_negative_scheduled_rate_with_its_epoch() {
        struct Negative;
        impl typenet::optim::Schedule for Negative {
            fn learning_rate(&self, epoch: usize) -> f64 {
                if epoch < 2 { 0.01 } else { -0.01 }
            }
        }
        let mut net = small();
        let mut trainer = Trainer::new(Sgd::new(0.01));
        let err = Fit::new(MeanSquaredError)
            .epochs(4)
            .batch_size(2)
            .schedule(&Negative)
            .run(&mut net, &mut trainer, &batch())
            .unwrap_err();
        assert_eq!(err, TrainError::NonFiniteLearningRate { epoch: 2 });
        assert!(err.to_string().contains("negative"), "{err}");
    }

    #[test]
    fn fit_with_usize_max_epochs_runs_until_stopped() {
        let mut net = small();
        let mut trainer = Trainer::new(Sgd::new(0.01));
        let history = Fit::new(MeanSquaredError)
            .epochs(usize::MAX)
            .batch_size(2)
            .seed(3)
            .on_epoch(|r| {
                if r.epoch == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .run(&mut net, &mut trainer, &batch())
            .unwrap();
        assert_eq!(history.reports.len(), 3);
        assert!(history.stopped_early);
    }
}

mod models {
    //! A model (an architecture read at run time) could not say a user's activation
    //! and quietly used the identity; an int8 file could hold scales ≤ 0 and be read
    //! for layers whose sums an int8 layer cannot hold.

    use typenet::format::LoadError;
    use typenet::model::{ActivationKind, Model, ModelError, Shape};
    use typenet::quant::QModel;
    use typenet::{ElementWise, Network, Scalar, network};

    #[derive(Clone, Copy, Debug, Default)]
    struct Square;
    impl ElementWise for Square {
        const NAME: &'static str = "square";
        fn phi<T: Scalar>(&self, z: T) -> T {
            z * z
        }
        fn dphi<T: Scalar>(&self, z: T, _a: T) -> T {
            z + z
        }
    }

    /// `Model::from_network` gave `1 -> 1 Identity`, whose forward of 3 is 3, for a
    /// network whose forward of 3 is 9.
    #[test]
    fn a_model_cannot_hold_a_users_activation() {
        type N = network!(f32; 1 -> 2 Tanh -> 1 Square);
        let net = N::from_params(&[1.0; N::PARAMS]).unwrap();
        let unknown = ModelError::UnknownActivation {
            layer: 2,
            name: "square",
        };
        assert_eq!(Model::from_network(&net).unwrap_err(), unknown);
        assert_eq!(Shape::of::<f32, N>().unwrap_err(), unknown);
        assert!(unknown.to_string().contains("`square`"), "{unknown}");
        // A model of the crate's activations still converts to this type's neighbour.
        type M = network!(f32; 1 -> 2 Tanh -> 1 Identity);
        assert!(Model::from_network(&M::from_params(&[1.0; M::PARAMS]).unwrap()).is_ok());
    }

    /// `typenet convert --scalar q16` prints `network!(typenet::fixed::Q16; …)`; its
    /// architecture parses with that prefix too.
    #[test]
    fn an_architecture_may_name_q16_by_its_path() {
        let shape: Shape = "typenet::fixed::Q16; 2 -> 3 ReLU".parse().unwrap();
        assert_eq!(shape, "2 -> 3 ReLU".parse().unwrap());
        assert!("i32; 2 -> 3 ReLU".parse::<Shape>().is_err());
        for text in ["0 -> 3 ReLU", "2 -> 0 ReLU", "2"] {
            assert!(text.parse::<Shape>().is_err(), "{text}");
        }
    }

    #[test]
    fn non_finite_leaky_relu_slopes_are_not_activations() {
        for bits in ["7ff8000000000000", "7ff0000000000000", "fff0000000000000"] {
            let name = format!("leaky_relu(0x{bits})");
            assert_eq!(ActivationKind::from_name(&name), None, "{name}");
        }
        let slope = format!("leaky_relu(0x{:016x})", (-1.5f64).to_bits());
        assert!(ActivationKind::from_name(&slope).is_some());
    }

    /// `Model::new` took a shape of 0 inputs, a layer of 0 outputs or no layer (which
    /// `Shape`'s parser refuses), so a reader could hand one on.
    #[test]
    fn shapes_no_network_has_are_refused() {
        let good: Shape = "2 -> 3 ReLU".parse().unwrap();
        assert!(Model::new(good.clone(), vec![0.0; 9]).is_ok());
        let mut no_inputs = good.clone();
        no_inputs.inputs = 0;
        let mut empty_layer = good.clone();
        empty_layer.layers[0].outputs = 0;
        let mut no_layer = good.clone();
        no_layer.layers.clear();
        for (what, shape, params) in [
            ("0 inputs", no_inputs, 3),
            ("0 outputs", empty_layer, 0),
            ("no layer", no_layer, 0),
        ] {
            let invalid =
                |r: Result<Model, ModelError>| matches!(r, Err(ModelError::InvalidShape(_)));
            assert!(
                invalid(Model::new(shape.clone(), vec![0.0; params])),
                "{what}"
            );
            assert!(
                invalid(Model::from_weight_file::<f32>(&[], shape)),
                "{what}"
            );
        }
    }

    /// 70 000 inputs of weight −128 against inputs 255 steps from the zero point sum to
    /// −2.28e9, past i32: the loader took such a layer (and wrapped), the quantizer did
    /// not.
    #[test]
    fn an_int8_model_of_more_than_65_536_inputs_is_refused() {
        let shape: Shape = "70000 -> 1 Identity".parse().unwrap();
        let err = QModel::from_bytes(&[], &shape).unwrap_err();
        assert!(matches!(err, ModelError::InvalidShape(_)), "{err}");
        assert!(err.to_string().contains("65 536"), "{err}");
        assert_eq!(
            LoadError::NonPositiveScale { index: 3 }.to_string(),
            "scale 3 in the int8 weight file is zero or negative (it must be > 0)"
        );
    }
}
