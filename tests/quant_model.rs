//! Int8 quantization of networks whose shape is data (`typenet::quant::{ModelCalibration,
//! QModel}`, `typenet::model::Model::forward`) against the typed path, which is the
//! reference: for typed networks covering every activation (Identity, ReLU, LeakyReLU
//! of the default slope and of 0.2, Tanh, Sigmoid, Softplus, Softmax), seeded weights
//! and seeded calibration inputs,
//!
//! - the untyped calibration ranges equal `Calibration`'s, bit for bit;
//! - `QModel::to_bytes` equals `quant::to_vec` of the typed int8 network, and
//!   `QModel::from_bytes` of that file is the quantized `QModel`;
//! - `Model::forward` equals `Network::forward` (f32) and `QModel::forward` equals
//!   `QNetwork::forward`, bit for bit, on many inputs (and on the general integer path,
//!   through a file whose layers do not qualify for the kernel's fast path);
//! - the errors: a wrong input length, a file of another shape or scalar type, a cut or
//!   non-finite file (the typed reader's `LoadError`), no calibration samples, a NaN
//!   parameter or calibration input (the typed `QuantizeError`s);
//! - the trained digits network of `embedded/data/digits.tnet`, quantized through the
//!   `Model` path with the calibration of `examples/firmware/digits_int8.rs`, gives the
//!   committed `embedded/data/digits_int8.tnet` byte for byte.

// The digits example's data loading and split (its `main` and training are not used).
#[allow(dead_code)]
#[path = "../examples/03-digits.rs"]
mod digits;

use proptest::prelude::*;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;
use typenet::format::{self, LoadError};
use typenet::generic_array::GenericArray;
use typenet::model::{Model, ModelError, Shape};
use typenet::quant::{
    self, Calibration, ModelCalibration, ObserveError, QModel, QNetwork, Quantize, QuantizeError,
    Quantized, Range,
};
use typenet::{Arr, InputLengthError, InputSize, Network, network};

/// Uniform in [lo, hi) from 24 random bits.
fn uniform(rng: &mut Pcg64, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// A typed network with seeded weights in [−1, 1).
fn seeded<N: Network<f32>>(seed: u64) -> N {
    let mut rng = Pcg64::seed_from_u64(seed);
    let params: Vec<f32> = (0..N::PARAMS)
        .map(|_| uniform(&mut rng, -1.0, 1.0))
        .collect();
    N::from_params(&params).unwrap()
}

/// `count` seeded inputs in [−2, 2).
fn inputs(n: usize, count: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..count)
        .map(|_| (0..n).map(|_| uniform(&mut rng, -2.0, 2.0)).collect())
        .collect()
}

fn bits(r: Range) -> (u32, u32) {
    (r.min.to_bits(), r.max.to_bits())
}

fn f32_bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Everything the module docs promise, for the typed network `N` with seed `seed`.
fn agrees_with_the_typed_path<N>(seed: u64)
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
    Quantized<N>: QNetwork<Input = InputSize<f32, N>>,
{
    let net: N = seeded(seed);
    let model = Model::from_network(&net).unwrap();
    let calibration_inputs = inputs(N::INPUTS, 64, seed + 1);

    // Calibration: the same ranges.
    let mut typed = Calibration::<N>::new();
    let mut untyped = ModelCalibration::new(model.shape());
    for x in &calibration_inputs {
        typed.observe(&net, &Arr::<f32, N::Input>::from_slice(x).clone());
        untyped.observe(&model, x).unwrap();
    }
    assert_eq!(untyped.samples(), typed.samples());
    assert_eq!(bits(untyped.input()), bits(typed.input));
    for i in 1..=N::DEPTH {
        let (tz, ta) = typed.layer(i).unwrap();
        let (uz, ua) = untyped.layer(i).unwrap();
        assert_eq!((bits(uz), bits(ua)), (bits(tz), bits(ta)), "layer {i}");
    }
    assert_eq!(untyped.layer(0), None);
    assert_eq!(untyped.layer(N::DEPTH + 1), None);

    // Quantization: the same file, which reads back as the same QModel.
    let q: Quantized<N> = typed.quantize(&net).unwrap();
    let qm = untyped.quantize(&model).unwrap();
    let file = quant::to_vec(&q);
    assert_eq!(qm.to_bytes(), file);
    assert_eq!(QModel::from_bytes(&file, model.shape()).unwrap(), qm);
    assert_eq!(qm.input_params(), q.input_params());
    assert_eq!(qm.output_params(), q.output_params());
    assert_eq!(qm.shape(), model.shape());

    // Inference, f32 and int8, on inputs inside and outside the calibrated ranges and
    // on every kind of int8 input.
    let mut rng = Pcg64::seed_from_u64(seed + 2);
    for x in inputs(N::INPUTS, 300, seed + 3) {
        let typed_x = Arr::<f32, N::Input>::from_slice(&x).clone();
        assert_eq!(
            f32_bits(&model.forward(&x).unwrap()),
            f32_bits(&net.forward(&typed_x))
        );
        let xq = qm.quantize_input(&x);
        assert_eq!(xq, q.quantize_input(&typed_x).to_vec());
        let y = qm.forward(&xq).unwrap();
        let typed_y = q.forward(&Arr::<i8, N::Input>::from_slice(&xq).clone());
        assert_eq!(y, typed_y.to_vec());
        assert_eq!(
            f32_bits(&qm.dequantize_output(&y)),
            f32_bits(&q.dequantize_output(&typed_y))
        );
        let raw: Vec<i8> = (0..N::INPUTS).map(|_| rng.next_u32() as i8).collect();
        assert_eq!(
            qm.forward(&raw).unwrap(),
            q.forward(&Arr::<i8, N::Input>::from_slice(&raw).clone())
                .to_vec()
        );
    }

    // The general integer path: every multiplier's shift made positive (outside the
    // kernel's fast path), in the file both readers read.
    let mut slow = file.clone();
    let mut at = format::HEADER_LEN + 5;
    for i in 1..=N::DEPTH {
        let layer = q.layer(i).unwrap();
        let (inputs, outputs) = (layer.inputs, layer.outputs);
        for k in 0..outputs {
            slow[at + 10 + 8 * outputs + k] = 1;
        }
        let table = match layer.activation {
            "identity" | "relu" => 0,
            "softmax" => 512,
            _ => 256,
        };
        at += 10 + 13 * outputs + outputs * inputs + table;
    }
    assert_eq!(at, file.len());
    let typed_slow: Quantized<N> = quant::from_bytes(&slow).unwrap();
    let untyped_slow = QModel::from_bytes(&slow, model.shape()).unwrap();
    assert_eq!(untyped_slow.to_bytes(), slow);
    for _ in 0..100 {
        let raw: Vec<i8> = (0..N::INPUTS).map(|_| rng.next_u32() as i8).collect();
        assert_eq!(
            untyped_slow.forward(&raw).unwrap(),
            typed_slow
                .forward(&Arr::<i8, N::Input>::from_slice(&raw).clone())
                .to_vec()
        );
    }
}

type Folded = network!(f32; 5 -> 7 Identity -> 6 ReLU -> 4 Softmax);
type Leaky = network!(f32; 9 -> 8 LeakyReLU -> 5 LeakyReLU(0.2) -> 3 Tanh);
type Smooth = network!(f32; 4 -> 6 Sigmoid -> 5 Softplus -> 2 Identity);
// 33 · 19 weights: the f32 layer goes through the run-time kernel dispatch; odd widths
// take the int8 kernel's four-, two- and one-row passes.
type Wide = network!(f32; 33 -> 19 ReLU -> 7 Tanh -> 3 Softmax);
type Single = network!(f32; 1 -> 1 Sigmoid);

#[test]
fn identity_relu_softmax_agree_with_the_typed_path() {
    agrees_with_the_typed_path::<Folded>(1);
    agrees_with_the_typed_path::<Folded>(2);
}

#[test]
fn leaky_relus_and_tanh_agree_with_the_typed_path() {
    agrees_with_the_typed_path::<Leaky>(3);
    agrees_with_the_typed_path::<Leaky>(4);
}

#[test]
fn sigmoid_softplus_identity_agree_with_the_typed_path() {
    agrees_with_the_typed_path::<Smooth>(5);
}

#[test]
fn wide_layers_agree_with_the_typed_path() {
    agrees_with_the_typed_path::<Wide>(6);
    agrees_with_the_typed_path::<Single>(7);
}

#[test]
fn wrong_input_lengths_are_errors() {
    let net: Folded = seeded(8);
    let model = Model::from_network(&net).unwrap();
    let length = InputLengthError {
        expected: 5,
        found: 4,
    };
    assert_eq!(model.forward(&[0.0; 4]), Err(length));
    let mut calibration = ModelCalibration::new(model.shape());
    assert_eq!(
        calibration.observe(&model, &[0.0; 4]),
        Err(ObserveError::InputLength(length))
    );
    assert_eq!(calibration.samples(), 0);
    calibration.observe(&model, &[0.5; 5]).unwrap();
    let q = calibration.quantize(&model).unwrap();
    assert_eq!(
        q.forward(&[0; 6]),
        Err(InputLengthError {
            expected: 5,
            found: 6
        })
    );
    assert_eq!(
        ObserveError::InputLength(length).to_string(),
        "the input has 4 values but the network takes 5 (M_0)"
    );
}

#[test]
fn a_model_of_another_shape_is_refused() {
    let model = Model::from_network(&seeded::<Folded>(9)).unwrap();
    let other = Model::from_network(&seeded::<Smooth>(9)).unwrap();
    let mut calibration = ModelCalibration::new(model.shape());
    assert_eq!(
        calibration.observe(&other, &[0.0; 4]),
        Err(ObserveError::ShapeMismatch)
    );
    calibration.observe(&model, &[0.5; 5]).unwrap();
    assert_eq!(
        calibration.quantize(&other),
        Err(QuantizeError::ShapeMismatch)
    );
    assert_eq!(
        QuantizeError::ShapeMismatch.to_string(),
        "the model's architecture is not the one the calibration was made for"
    );
}

#[test]
fn files_of_another_shape_or_scalar_and_bad_files_are_the_typed_errors() {
    let net: Folded = seeded(10);
    let model = Model::from_network(&net).unwrap();
    let xs = inputs(5, 20, 11);
    let q: Quantized<Folded> = quant::quantize(
        &net,
        xs.iter()
            .map(|x| *Arr::<f32, typenet::typenum::U5>::from_slice(x)),
    )
    .unwrap();
    let file = quant::to_vec(&q);

    // Another shape: the fingerprint differs.
    let other: Shape = "5 -> 7 Identity -> 6 ReLU -> 4 Sigmoid".parse().unwrap();
    match QModel::from_bytes(&file, &other) {
        Err(ModelError::FingerprintMismatch {
            found,
            expected,
            shape,
        }) => {
            assert_eq!(found, Folded::FINGERPRINT_STATE);
            assert_eq!(expected, other.fingerprint());
            assert_eq!(shape, "5 -> 7 Identity -> 6 ReLU -> 4 Sigmoid");
        }
        e => panic!("{e:?}"),
    }

    // The f32 file of the same network: a scalar mismatch, as for the typed reader.
    let f32_file = format::to_bytes(&net).to_vec();
    let typed = quant::from_bytes::<Quantized<Folded>>(&f32_file).unwrap_err();
    assert_eq!(
        typed,
        LoadError::ScalarMismatch {
            expected: 4,
            found: 1
        }
    );
    assert_eq!(
        QModel::from_bytes(&f32_file, model.shape()),
        Err(ModelError::Load(typed))
    );
    // and the other way round, through the header checks the two readers share
    let typed = format::from_bytes::<f32, Folded>(&file).unwrap_err();
    assert_eq!(
        typed,
        LoadError::ScalarMismatch {
            expected: 1,
            found: 4
        }
    );
    assert_eq!(
        Model::from_weight_file::<f32>(&file, model.shape().clone()),
        Err(ModelError::Load(typed))
    );

    // Cut short, one byte too long, and a NaN scale in each place one can be: the
    // typed reader's errors.
    let mut longer = file.clone();
    longer.push(0);
    let mut cases = vec![file[..file.len() - 1].to_vec(), longer, file[..10].to_vec()];
    let mut at = format::HEADER_LEN;
    let mut nan_at = vec![at];
    at += 5;
    for i in 1..=3 {
        let layer = q.layer(i).unwrap();
        let o = layer.outputs;
        nan_at.extend([at, at + 5]);
        nan_at.extend((0..o).map(|k| at + 10 + 4 * k));
        let table = match layer.activation {
            "softmax" => 512,
            _ => 0,
        };
        at += 10 + 13 * o + o * layer.inputs + table;
    }
    for &p in &nan_at {
        let mut bad = file.clone();
        bad[p..p + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        cases.push(bad);
    }
    for bytes in &cases {
        let typed = quant::from_bytes::<Quantized<Folded>>(bytes).unwrap_err();
        assert_eq!(
            QModel::from_bytes(bytes, model.shape()),
            Err(ModelError::Load(typed))
        );
    }
    // The NaN scales are counted in file order, input first.
    let last = nan_at.len() - 1;
    assert_eq!(
        QModel::from_bytes(&cases[3 + last], model.shape()),
        Err(ModelError::Load(LoadError::NonFinite { index: last }))
    );
}

/// The same error from both paths, for a network and calibration inputs.
fn same_quantize_error<N>(net: &N, xs: &[Vec<f32>]) -> QuantizeError
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
{
    let model = Model::from_network(net).unwrap();
    let mut typed = Calibration::<N>::new();
    let mut untyped = ModelCalibration::new(model.shape());
    for x in xs {
        typed.observe(net, &Arr::<f32, N::Input>::from_slice(x).clone());
        untyped.observe(&model, x).unwrap();
    }
    let e = typed.quantize(net).unwrap_err();
    assert_eq!(untyped.quantize(&model).unwrap_err(), e);
    e
}

#[test]
fn calibration_errors_are_the_typed_ones() {
    let net: Leaky = seeded(12);
    assert_eq!(
        same_quantize_error(&net, &[]),
        QuantizeError::NoCalibrationData
    );
    let mut nan_input = inputs(9, 5, 13);
    nan_input[2][4] = f32::NAN;
    assert_eq!(
        same_quantize_error(&net, &nan_input),
        QuantizeError::NonFiniteCalibration { layer: 0 }
    );
    // A huge weight: z^1_0 = f32::MAX · 2 + … overflows to infinity.
    let mut params: Vec<f32> = net.params().copied().collect();
    params[0] = f32::MAX;
    let huge = Leaky::from_params(&params).unwrap();
    let mut xs = inputs(9, 5, 14);
    xs[3][0] = 2.0;
    assert_eq!(
        same_quantize_error(&huge, &xs),
        QuantizeError::NonFiniteCalibration { layer: 1 }
    );
    // A NaN parameter of layer 2 is named before anything else.
    let mut params: Vec<f32> = net.params().copied().collect();
    params[9 * 8 + 8 + 3] = f32::NAN;
    let nan = Leaky::from_params(&params).unwrap();
    assert_eq!(
        same_quantize_error(&nan, &[]),
        QuantizeError::NonFiniteParameter { layer: 2 }
    );
}

/// The int8 files of `Folded` and `Leaky` (every kind of table), quantized once.
fn files() -> &'static (Vec<u8>, Vec<u8>) {
    static FILES: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        fn file<N>(seed: u64) -> Vec<u8>
        where
            N: Network<f32> + Quantize<InputSize<f32, N>>,
            Quantized<N>: QNetwork<Input = InputSize<f32, N>>,
        {
            let net: N = seeded(seed);
            let xs = inputs(N::INPUTS, 30, seed + 1);
            let q = quant::quantize(
                &net,
                xs.iter()
                    .map(|x| Arr::<f32, N::Input>::from_slice(x).clone()),
            )
            .unwrap();
            quant::to_vec(&q)
        }
        (file::<Folded>(15), file::<Leaky>(16))
    })
}

/// Reads `bytes` with both readers: the same verdict (the typed `LoadError`, or a
/// fingerprint mismatch for both), and for a file both read, the same file written
/// back and the same outputs for `x`.
fn same_reading<N>(bytes: &[u8], x: &[i8]) -> Result<(), TestCaseError>
where
    N: Network<f32> + Quantize<InputSize<f32, N>>,
    Quantized<N>: QNetwork<Input = InputSize<f32, N>>,
{
    let shape = Shape::of::<f32, N>().unwrap();
    match (
        quant::from_bytes::<Quantized<N>>(bytes),
        QModel::from_bytes(bytes, &shape),
    ) {
        (Ok(typed), Ok(untyped)) => {
            prop_assert_eq!(untyped.to_bytes(), bytes.to_vec());
            prop_assert_eq!(
                untyped.forward(x).unwrap(),
                typed
                    .forward(&Arr::<i8, N::Input>::from_slice(x).clone())
                    .to_vec()
            );
        }
        (
            Err(LoadError::ArchitectureMismatch { .. }),
            Err(ModelError::FingerprintMismatch { .. }),
        ) => {}
        (Err(typed), untyped) => prop_assert_eq!(untyped, Err(ModelError::Load(typed))),
        (Ok(_), untyped) => prop_assert!(false, "typed read it, untyped: {untyped:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    /// Every byte string a file can be mutated into: the two readers agree, and the
    /// networks they read (any multiplier, shift, table, bias) compute the same outputs,
    /// without panicking.
    #[test]
    fn any_file_reads_and_runs_as_the_typed_reader_reads_and_runs_it(
        leaky in any::<bool>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..24),
        cut in prop::option::weighted(0.1, any::<prop::sample::Index>()),
        x in prop::collection::vec(any::<i8>(), 9),
    ) {
        let (folded, leaky_file) = files();
        let mut bytes = if leaky { leaky_file.clone() } else { folded.clone() };
        // mostly past the header, where a mutated file still reads
        for (at, value) in edits {
            let at = format::HEADER_LEN + at.index(bytes.len() - format::HEADER_LEN);
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        if leaky {
            same_reading::<Leaky>(&bytes, &x)?;
        } else {
            same_reading::<Folded>(&bytes, &x[..5])?;
        }
    }

    /// Random bytes, header included.
    #[test]
    fn random_bytes_are_refused_as_the_typed_reader_refuses_them(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        header in any::<bool>(),
    ) {
        let mut bytes = bytes;
        if header {
            // a valid header in front, so the later checks are reached
            let file = &files().0;
            bytes.splice(0..0, file[..format::HEADER_LEN].iter().copied());
        }
        same_reading::<Folded>(&bytes, &[0; 5])?;
    }
}

#[test]
fn a_layer_wider_than_an_int8_layer_takes_is_refused() {
    let shape: Shape = "65537 -> 1 Identity".parse().unwrap();
    let model = Model::new(shape.clone(), vec![0.0; 65_538]).unwrap();
    let mut calibration = ModelCalibration::new(&shape);
    calibration.observe(&model, &vec![1.0; 65_537]).unwrap();
    assert_eq!(
        calibration.quantize(&model),
        Err(QuantizeError::TooManyInputs { layer: 1 })
    );
}

// ---------------------------------------------------------------------------------------
// The digits network
// ---------------------------------------------------------------------------------------

const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/digits.tnet");
const INT8_WEIGHTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/embedded/data/digits_int8.tnet"
);
const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/heldout.bin");

/// The committed int8 digits network, made again through the `Model` path: the f32
/// weights read as a `Model` of the architecture given as text, calibrated on the
/// training part of the split of `examples/03-digits.rs` (the inputs of
/// `examples/firmware/digits_int8.rs`, which made the file), and the held-out images
/// classified as the typed network classifies them.
#[test]
fn the_committed_int8_digits_network_is_made_again_through_the_model_path() {
    let shape: Shape = "64 -> 64 ReLU -> 10 Softmax".parse().unwrap();
    let model = Model::from_weight_file::<f32>(&std::fs::read(WEIGHTS).unwrap(), shape).unwrap();
    let images = digits::load(digits::DATA).unwrap();
    let (train, test, _) = digits::split(&images);
    let heldout = std::fs::read(HELDOUT).unwrap();
    assert_eq!(test.len() * 65, heldout.len());

    let mut calibration = ModelCalibration::new(model.shape());
    for (pixels, _) in &train {
        calibration
            .observe(&model, &digits::input(pixels)[..])
            .unwrap();
    }
    let q = calibration.quantize(&model).unwrap();
    let committed = std::fs::read(INT8_WEIGHTS).unwrap();
    assert_eq!(q.to_bytes(), committed);
    assert_eq!(QModel::from_bytes(&committed, model.shape()).unwrap(), q);

    type QDigits = Quantized<network!(f32; 64 -> 64 ReLU -> 10 Softmax)>;
    let typed: QDigits = quant::from_bytes(&committed).unwrap();
    for image in heldout.chunks_exact(65) {
        let x: Vec<f32> = image[..64].iter().map(|&p| f32::from(p) / 16.0).collect();
        let xq = q.quantize_input(&x);
        assert_eq!(
            q.forward(&xq).unwrap(),
            typed
                .forward(&GenericArray::from_slice(&xq).clone())
                .to_vec()
        );
    }
}
