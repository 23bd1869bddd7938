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
