//! Activation parameters live in the type: a LeakyReLU of slope 0.2 computes 0.2·z,
//! keeps its slope through every format (typenet weight files at run time and through
//! `static_network!`, serde, safetensors, int8), and a file of slope 0.2 does not load
//! into a network of slope 0.01 (an architecture error in every format).

use typenet::format::{self, LoadError};
use typenet::generic_array::GenericArray;
use typenet::{Activation, LeakyReLU, Network, network, static_network};

type Leaky02 = network!(f32; 2 -> 3 LeakyReLU(0.2) -> 1 Identity);
type Leaky001 = network!(f32; 2 -> 3 LeakyReLU -> 1 Identity);

/// Parameter k is k/8 − 0.75, as in `tests/data/leaky02_f32.tnet`.
fn params() -> Vec<f32> {
    (0..13).map(|k| k as f32 / 8.0 - 0.75).collect()
}

fn sample() -> Leaky02 {
    Leaky02::from_params(&params()).unwrap()
}

/// FNV-1a 64 written out from its definition, independent of the crate.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The fingerprint of `layers` (inputs, outputs, name), from the format's definition.
fn fingerprint(layers: &[(u32, u32, &str)]) -> u64 {
    let mut bytes = Vec::new();
    for &(i, o, name) in layers.iter().rev() {
        bytes.extend_from_slice(&i.to_le_bytes());
        bytes.extend_from_slice(&o.to_le_bytes());
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(b';');
    }
    fnv1a(&bytes)
}

#[test]
fn slope_0_2_forward_and_backward() {
    // One layer, W = I, b = 0: a = φ(x).
    type One = network!(f64; 2 -> 2 LeakyReLU(0.2));
    let net = One::from_params(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]).unwrap();
    let y = net.forward(&GenericArray::from_array([-1.5, 2.0]));
    assert_eq!(y.as_slice(), &[-1.5 * 0.2, 2.0]);
    let mut xi = [0.0; 2];
    let act = LeakyReLU::<{ LeakyReLU::slope(0.2) }>;
    act.backward(&[-1.5, 2.0], &[-0.3, 2.0], &[1.0, 1.0], &mut xi);
    assert_eq!(xi, [0.2, 1.0]);
    // The default slope is still 0.01.
    type Default = network!(f64; 2 -> 2 LeakyReLU);
    let net = Default::from_params(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]).unwrap();
    let y = net.forward(&GenericArray::from_array([-1.5, 2.0]));
    assert_eq!(y.as_slice(), &[-1.5 * 0.01, 2.0]);
}

#[test]
fn the_slope_is_part_of_the_type_and_its_views() {
    // `LeakyReLU` is `LeakyReLU(0.01)`: the same type.
    let same: network!(f32; 2 -> 3 LeakyReLU(0.01) -> 1 Identity) = Leaky001::zeroed();
    assert_eq!(same, Leaky001::zeroed());
    // `zeroed` keeps the slope: it is the type's.
    let zero = Leaky02::zeroed();
    assert_eq!(zero.layer(1).unwrap().slope(), Some(0.2));
    assert_eq!(Leaky02::layer_shape(1).unwrap().slope(), Some(0.2));
    assert_eq!(Leaky001::layer_shape(1).unwrap().slope(), Some(0.01));
    assert_eq!(Leaky02::layer_shape(2).unwrap().slope(), None);
    assert_eq!(
        Leaky02::layer_shape(1).unwrap().activation,
        "leaky_relu(0x3fc999999999999a)"
    );
    assert_eq!(
        format!("{:?}", LeakyReLU::<{ LeakyReLU::slope(0.2) }>),
        "LeakyReLU(0.2)"
    );
    assert!(
        format!("{zero:?}").contains("activation: LeakyReLU(0.2)"),
        "{zero:?}"
    );
    assert_eq!(
        <Leaky02 as Network<f32>>::architecture().to_string(),
        "2 -> 3 LeakyReLU(0.2) -> 1 Identity"
    );
    assert_eq!(
        <Leaky001 as Network<f32>>::architecture().to_string(),
        "2 -> 3 LeakyReLU -> 1 Identity"
    );
}

#[test]
fn the_fingerprint_carries_the_slope_and_keeps_the_default() {
    assert_eq!(
        <Leaky02 as format::Fingerprint<f32>>::FINGERPRINT,
        fingerprint(&[(2, 3, "leaky_relu(0x3fc999999999999a)"), (3, 1, "identity")])
    );
    // 0.01 keeps the name of the files written before the slope was a parameter.
    assert_eq!(
        <Leaky001 as format::Fingerprint<f32>>::FINGERPRINT,
        fingerprint(&[(2, 3, "leaky_relu"), (3, 1, "identity")])
    );
}

#[test]
fn weight_file_round_trip_and_mismatch() {
    let net = sample();
    let bytes = format::to_bytes(&net);
    assert_eq!(&bytes[..], include_bytes!("data/leaky02_f32.tnet"));
    let back: Leaky02 = format::from_bytes(&bytes).unwrap();
    assert_eq!(back, net);
    let err = format::from_bytes::<f32, Leaky001>(&bytes).unwrap_err();
    assert!(
        matches!(err, LoadError::ArchitectureMismatch { .. }),
        "{err:?}"
    );
    // Both fingerprints as Python computes them (tests/data/README.md).
    assert_eq!(
        err.to_string(),
        "the file was written for another architecture (sizes or activations differ): \
         expected 2 -> 3 LeakyReLU -> 1 Identity (fingerprint 0x66f31e40d51a8737), \
         the file's fingerprint is 0xf8e59a78081c0917"
    );
    // And the other way round.
    let bytes = format::to_bytes(&Leaky001::from_params(&params()).unwrap());
    assert!(matches!(
        format::from_bytes::<f32, Leaky02>(&bytes),
        Err(LoadError::ArchitectureMismatch { .. })
    ));
}

static STATIC: Leaky02 = static_network!(f32; 2 -> 3 LeakyReLU(0.2) -> 1 Identity;
    include_bytes!("data/leaky02_f32.tnet"));

#[test]
fn static_network_with_a_slope() {
    let runtime: Leaky02 = format::from_bytes(include_bytes!("data/leaky02_f32.tnet")).unwrap();
    assert_eq!(STATIC, runtime);
    assert_eq!(STATIC, sample());
    let x = GenericArray::from_array([1.0_f32, -2.0]);
    assert_eq!(STATIC.forward(&x), sample().forward(&x));
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip_and_mismatch() {
    let json = serde_json::to_string(&sample()).unwrap();
    assert!(
        json.starts_with(r#"{"layers":[[2,3,"leaky_relu(0x3fc999999999999a)"],[3,1,"identity"]]"#),
        "{json}"
    );
    let back: Leaky02 = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sample());
    assert!(serde_json::from_str::<Leaky001>(&json).is_err());
    let json001 = serde_json::to_string(&Leaky001::from_params(&params()).unwrap()).unwrap();
    assert!(serde_json::from_str::<Leaky02>(&json001).is_err());
}

#[cfg(feature = "safetensors")]
#[test]
fn safetensors_round_trip_and_mismatch() {
    use typenet::safetensors::{self, SafetensorsError};
    let bytes = safetensors::to_safetensors(&sample()).unwrap();
    let back: Leaky02 = safetensors::from_safetensors(&bytes).unwrap();
    assert_eq!(back, sample());
    let err = safetensors::from_safetensors::<f32, Leaky001>(&bytes).unwrap_err();
    match &err {
        SafetensorsError::ActivationMismatch {
            name,
            expected,
            found,
        } => {
            assert_eq!(name, "0.activation");
            assert_eq!(*expected, "leaky_relu");
            assert_eq!(found, "leaky_relu(0x3fc999999999999a)");
        }
        other => panic!("expected an activation mismatch, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "the file was written for another architecture (activations differ): its metadata \
         `0.activation` is `leaky_relu(0x3fc999999999999a)`, the network's activation is `leaky_relu`"
    );
}

/// The int8 network of [`sample`], calibrated on 64 fixed inputs.
fn quantized_sample() -> typenet::quant::Quantized<Leaky02> {
    typenet::quant::quantize(&sample(), calibration()).unwrap()
}

fn calibration() -> Vec<GenericArray<f32, typenet::typenum::U2>> {
    (0..64)
        .map(|k| GenericArray::from_array([k as f32 / 16.0 - 2.0, 1.5 - k as f32 / 21.0]))
        .collect()
}

/// `tests/data/leaky02_int8.tnet` is `quant::save(&quantized_sample(), ..)`, a fixture for
/// the compile-time decoder (as in `tests/quant_data/README.md`).
static STATIC_INT8: typenet::quant::Quantized<Leaky02> = typenet::static_qnetwork!(
    2 -> 3 LeakyReLU(0.2) -> 1 Identity; include_bytes!("data/leaky02_int8.tnet"));

#[test]
fn static_qnetwork_with_a_slope() {
    let bytes = include_bytes!("data/leaky02_int8.tnet");
    let runtime = typenet::quant::from_bytes::<typenet::quant::Quantized<Leaky02>>(bytes).unwrap();
    assert_eq!(STATIC_INT8, runtime);
    assert_eq!(STATIC_INT8, quantized_sample());
}

#[test]
fn int8_round_trip_and_mismatch() {
    use typenet::quant::{self, QNetwork, Quantized};
    let q = quantized_sample();
    let bytes = quant::to_vec(&q);
    assert_eq!(quant::from_bytes::<Quantized<Leaky02>>(&bytes).unwrap(), q);
    let err = quant::from_bytes::<Quantized<Leaky001>>(&bytes).unwrap_err();
    assert!(
        matches!(err, LoadError::ArchitectureMismatch { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("(sizes or activations differ): expected 2 -> 3 LeakyReLU -> 1 Identity ("),
        "{err}"
    );
    // The table is built with the slope 0.2: the hidden layer's int8 activation
    // follows 0.2·z (within an output step and a pre-activation step) where z < 0.
    let layer = q.layer(1).unwrap();
    let (zp, ap) = (layer.pre_activation, layer.output);
    let table = <LeakyReLU<{ LeakyReLU::slope(0.2) }> as quant::QActivation>::build_table(zp, ap);
    let table001 = <LeakyReLU as quant::QActivation>::build_table(zp, ap);
    let mut negative = 0;
    for zq in -128i32..=127 {
        let z = zp.scale * (zq - i32::from(zp.zero_point)) as f32;
        let a =
            ap.scale * (i32::from(table[(zq + 128) as usize]) - i32::from(ap.zero_point)) as f32;
        let expected = if z > 0.0 { z } else { 0.2 * z };
        let clamped = expected.clamp(
            ap.scale * (-128 - i32::from(ap.zero_point)) as f32,
            ap.scale * (127 - i32::from(ap.zero_point)) as f32,
        );
        assert!(
            (a - clamped).abs() <= ap.scale * 0.5 + 1e-6,
            "z = {z}: {a} vs {clamped}"
        );
        if z < -4.0 * ap.scale {
            negative += 1;
            assert_ne!(
                table[(zq + 128) as usize],
                table001[(zq + 128) as usize],
                "z = {z}"
            );
        }
    }
    assert!(
        negative > 0,
        "the calibration must give negative pre-activations"
    );
}
