//! Public-API tests of network types: every depth, the type-level facts, the canonical
//! parameter order, composition, and f32/f64 against an independent reference.

use typenet::generic_array::GenericArray;
use typenet::typenum::{U1, U2, U3, U4, U5, U8, U11, U12, U19, U28, U69, Unsigned};
use typenet::{
    Dense, Depth, End, InputSize, Network, OutputSize, ParamCount, ParamCountError, Scalar,
    Sigmoid, Tanh, Trace, network,
};

/// A plain reference forward pass over nested `Vec`s, written from MATH.md and the
/// documented PyTorch layout (W row k = incoming weights of neuron k, then b), with no
/// code from the crate: layer sizes and activation names only.
fn reference_forward(sizes: &[usize], acts: &[&str], params: &[f64], x: &[f64]) -> Vec<f64> {
    let mut a = x.to_vec();
    let mut off = 0;
    for (l, act) in acts.iter().enumerate() {
        let (m_in, m_out) = (sizes[l], sizes[l + 1]);
        let w = &params[off..off + m_in * m_out];
        let b = &params[off + m_in * m_out..off + m_in * m_out + m_out];
        off += m_in * m_out + m_out;
        let z: Vec<f64> = (0..m_out)
            .map(|k| b[k] + (0..m_in).map(|j| w[k * m_in + j] * a[j]).sum::<f64>())
            .collect();
        a = match *act {
            "identity" => z,
            "tanh" => z.iter().map(|v| v.tanh()).collect(),
            "sigmoid" => z.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect(),
            "relu" => z.iter().map(|v| v.max(0.0)).collect(),
            "leaky_relu" => z
                .iter()
                .map(|&v| if v > 0.0 { v } else { 0.01 * v })
                .collect(),
            "softplus" => z.iter().map(|v| (1.0 + v.exp()).ln()).collect(),
            "softmax" => {
                let e: Vec<f64> = z.iter().map(|v| v.exp()).collect();
                let s: f64 = e.iter().sum();
                e.iter().map(|v| v / s).collect()
            }
            other => panic!("unknown activation {other}"),
        };
    }
    assert_eq!(off, params.len(), "reference consumed every parameter");
    a
}

/// Deterministic, irregular parameters in [-1, 1].
fn params(n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| (((k * 37 + 11) % 23) as f64 - 11.0) / 11.0)
        .collect()
}

fn input(n: usize) -> Vec<f64> {
    (0..n).map(|k| ((k * 5 % 7) as f64 - 3.0) / 4.0).collect()
}

/// Runs `N` in f64 and compares with the reference; also checks the layer views.
fn check_against_reference<N: Network<f64>>(sizes: &[usize], acts: &[&str]) {
    assert_eq!(N::INPUTS, sizes[0]);
    assert_eq!(N::OUTPUTS, *sizes.last().unwrap());
    assert_eq!(N::DEPTH, acts.len());
    let expected_params: usize = sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    assert_eq!(N::PARAMS, expected_params);

    let p = params(N::PARAMS);
    let net = N::from_params(&p).unwrap();
    let x = input(N::INPUTS);
    let y = net.forward(GenericArray::<f64, N::Input>::from_slice(&x));
    let r = reference_forward(sizes, acts, &p, &x);
    for (k, (&y, &r)) in y.iter().zip(&r).enumerate() {
        assert!(
            (y - r).abs() <= 1e-12 * (1.0 + r.abs()),
            "output {k}: {y} vs reference {r}"
        );
    }
    for (i, act) in acts.iter().enumerate() {
        let layer = net.layer(i + 1).unwrap();
        assert_eq!((layer.inputs, layer.outputs), (sizes[i], sizes[i + 1]));
        assert_eq!(layer.activation, *act);
        assert_eq!(layer.weights.len(), sizes[i] * sizes[i + 1]);
    }
    assert!(net.layer(0).is_none());
    assert!(net.layer(acts.len() + 1).is_none());
}

#[test]
fn depth_one() {
    check_against_reference::<network!(f64; 3 -> 2 Sigmoid)>(&[3, 2], &["sigmoid"]);
}

#[test]
fn depth_two() {
    check_against_reference::<network!(f64; 2 -> 8 Tanh -> 1 Sigmoid)>(
        &[2, 8, 1],
        &["tanh", "sigmoid"],
    );
}

#[test]
fn depth_three() {
    check_against_reference::<network!(f64; 4 -> 5 ReLU -> 3 Softplus -> 2 Softmax)>(
        &[4, 5, 3, 2],
        &["relu", "softplus", "softmax"],
    );
}

#[test]
fn depth_six() {
    type Six = network!(f64; 3 -> 5 Tanh -> 4 LeakyReLU -> 6 Sigmoid -> 3 ReLU -> 4 Softplus -> 2 Identity);
    check_against_reference::<Six>(
        &[3, 5, 4, 6, 3, 4, 2],
        &[
            "tanh",
            "leaky_relu",
            "sigmoid",
            "relu",
            "softplus",
            "identity",
        ],
    );
}

#[test]
fn depth_eight_with_wide_layers() {
    type Eight = network!(f64; 5 -> 16 Tanh -> 16 Tanh -> 12 ReLU -> 9 Softplus -> 7 Sigmoid -> 7 LeakyReLU -> 5 Identity -> 3 Softmax);
    check_against_reference::<Eight>(
        &[5, 16, 16, 12, 9, 7, 7, 5, 3],
        &[
            "tanh",
            "tanh",
            "relu",
            "softplus",
            "sigmoid",
            "leaky_relu",
            "identity",
            "softmax",
        ],
    );
}

#[test]
fn macro_and_nested_spelling_are_the_same_type() {
    type Spelled = Dense<f32, U2, U8, Tanh, Dense<f32, U8, U1, Sigmoid, End>>;
    let n: Spelled = <network!(f32; 2 -> 8 Tanh -> 1 Sigmoid)>::zeroed();
    assert_eq!(Spelled::PARAMS, 33);
    let _ = n;
}

#[test]
fn type_level_facts() {
    type Net = network!(f32; 4 -> 3 Tanh -> 2 ReLU -> 5 Softmax);
    // 4·3+3 + 3·2+2 + 2·5+5 = 15 + 8 + 15 = 38
    fn same<A: Unsigned, B: Unsigned>() -> bool {
        core::any::TypeId::of::<A>() == core::any::TypeId::of::<B>()
    }
    assert!(same::<InputSize<f32, Net>, U4>());
    assert!(same::<OutputSize<f32, Net>, U5>());
    assert!(same::<Depth<f32, Net>, U3>());
    assert_eq!(<ParamCount<f32, Net> as Unsigned>::USIZE, 38);
    assert_eq!(
        (Net::INPUTS, Net::OUTPUTS, Net::DEPTH, Net::PARAMS),
        (4, 5, 3, 38)
    );
    // Facts usable in const contexts, e.g. to size a buffer.
    const P: usize = <network!(f32; 4 -> 3 Tanh -> 2 ReLU -> 5 Softmax) as Network<f32>>::PARAMS;
    let buf = [0.0_f32; P];
    assert_eq!(buf.len(), 38);
}

#[test]
fn canonical_order_is_pytorch_state_dict_order() {
    // nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)) flattens as
    // 0.weight (3×2, row-major), 0.bias (3), 2.weight (1×3), 2.bias (1).
    type Net = network!(f64; 2 -> 3 Tanh -> 1 Identity);
    let p: Vec<f64> = (0..Net::PARAMS).map(|k| k as f64).collect();
    let net = Net::from_params(&p).unwrap();
    assert_eq!(net.weights[0][..], [0.0, 1.0]); // w^1_{1,·}
    assert_eq!(net.weights[2][..], [4.0, 5.0]); // w^1_{3,·}
    assert_eq!(net.bias[..], [6.0, 7.0, 8.0]);
    assert_eq!(net.rest.weights[0][..], [9.0, 10.0, 11.0]);
    assert_eq!(net.rest.bias[..], [12.0]);
    let l1 = net.layer(1).unwrap();
    assert_eq!(l1.weights, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let back: Vec<f64> = net.params().copied().collect();
    assert_eq!(back, p);
    let mut out = vec![0.0; Net::PARAMS];
    net.write_params(&mut out).unwrap();
    assert_eq!(out, p);
}

#[test]
fn hand_computed_forward() {
    // W^1 = [[1, 2], [−1, 0]], b^1 = [0, 1], identity; W^2 = [[3, −2]], b^2 = [0.5].
    // x = [1, 1]: z^1 = [3, 0], a^2 = 3·3 − 2·0 + 0.5 = 9.5.
    type Net = network!(f32; 2 -> 2 ReLU -> 1 Identity);
    let net = Net::from_params(&[1.0, 2.0, -1.0, 0.0, 0.0, 1.0, 3.0, -2.0, 0.5]).unwrap();
    let y = net.forward(&GenericArray::from_array([1.0_f32, 1.0]));
    assert_eq!(y[0], 9.5);
}

#[test]
fn wrong_parameter_count_is_an_error() {
    type Net = network!(f32; 2 -> 3 Tanh -> 1 Identity);
    assert_eq!(
        Net::from_params(&[0.0; 12]).unwrap_err(),
        ParamCountError {
            expected: 13,
            found: 12
        }
    );
    assert!(Net::from_params(&[0.0; 14]).is_err());
    assert!(Net::from_params(&[]).is_err());
    let mut net = Net::from_params(&[1.0; 13]).unwrap();
    assert!(net.set_params(&[2.0; 5]).is_err());
    assert!(
        net.params().all(|&p| p == 1.0),
        "a failed set_params leaves the network unchanged"
    );
    let mut short = [0.0_f32; 3];
    assert!(net.write_params(&mut short).is_err());
    assert_eq!(short, [0.0; 3]);
    let msg = ParamCountError {
        expected: 13,
        found: 12,
    }
    .to_string();
    assert!(msg.contains("12") && msg.contains("13"), "{msg}");
}

#[test]
fn params_mut_reaches_every_parameter_once() {
    type Net = network!(f32; 3 -> 4 Tanh -> 2 Softmax);
    let mut net = Net::zeroed();
    for (k, p) in net.params_mut().enumerate() {
        *p = k as f32;
    }
    let seen: Vec<f32> = net.params().copied().collect();
    assert_eq!(seen, (0..Net::PARAMS).map(|k| k as f32).collect::<Vec<_>>());
    let layer = net.layer_mut(2).unwrap();
    layer.bias[1] = -1.0;
    assert_eq!(net.rest.bias[1], -1.0);
}

#[test]
fn chained_networks_are_one_network() {
    type Front = network!(f64; 3 -> 4 Tanh -> 2 Sigmoid);
    type Back = network!(f64; 2 -> 5 ReLU -> 3 Softmax);
    type Whole = network!(f64; 3 -> 4 Tanh -> 2 Sigmoid -> 5 ReLU -> 3 Softmax);
    let pf = params(Front::PARAMS);
    let pb: Vec<f64> = params(Back::PARAMS + 7)[7..].to_vec();
    let front = Front::from_params(&pf).unwrap();
    let back = Back::from_params(&pb).unwrap();
    let x = GenericArray::from_array([0.3, -0.7, 1.1]);
    let separate = back.forward(&front.forward(&x));

    let whole: Whole = front.clone().then(back.clone());
    assert_eq!(Whole::DEPTH, 4);
    assert_eq!(Whole::PARAMS, Front::PARAMS + Back::PARAMS);
    assert_eq!(whole.forward(&x), separate);
    let all: Vec<f64> = whole.params().copied().collect();
    assert_eq!(all, [pf.clone(), pb.clone()].concat());

    // Backward across the seam: ∂E/∂a^0 of the whole equals the chain of the parts.
    let g_out = GenericArray::from_array([0.2, -0.1, 0.4]);
    let mut tw = Trace::<f64, Whole>::new();
    let mut gw = Whole::zeroed();
    whole.forward_trace(&x, &mut tw);
    let gx_whole = whole.backward(&mut tw, &g_out, &mut gw);

    let (mut tf, mut tb) = (Trace::<f64, Front>::new(), Trace::<f64, Back>::new());
    let (mut gf, mut gb) = (Front::zeroed(), Back::zeroed());
    let mid = *front.forward_trace(&x, &mut tf);
    back.forward_trace(&mid, &mut tb);
    let g_mid = back.backward(&mut tb, &g_out, &mut gb);
    let gx_parts = front.backward(&mut tf, &g_mid, &mut gf);
    for (a, b) in gx_whole.iter().zip(gx_parts.iter()) {
        assert!((a - b).abs() < 1e-15);
    }
    let grads_parts: Vec<f64> = gf.params().chain(gb.params()).copied().collect();
    let grads_whole: Vec<f64> = gw.params().copied().collect();
    assert_eq!(grads_whole, grads_parts);
}

#[test]
fn trace_records_every_layer() {
    type Net = network!(f64; 2 -> 3 Tanh -> 2 Identity);
    let net = Net::from_params(&params(Net::PARAMS)).unwrap();
    let x = GenericArray::from_array([0.5, -0.25]);
    let mut trace = Trace::<f64, Net>::new();
    let y = *net.forward_trace(&x, &mut trace);
    assert_eq!(y, net.forward(&x));
    assert_eq!(trace.output(), &y);
    let z1 = trace.z(1).unwrap();
    let a1 = trace.a(1).unwrap();
    for (z, a) in z1.iter().zip(a1) {
        assert_eq!(typenet::Scalar::tanh(*z), *a); // the crate's tanh (num::approx)
    }
    assert_eq!(trace.a(2).unwrap(), &y[..]);
    assert!(trace.z(0).is_none() && trace.z(3).is_none() && trace.a(3).is_none());
}

#[test]
fn gradients_accumulate_over_a_batch() {
    type Net = network!(f64; 2 -> 3 Tanh -> 1 Sigmoid);
    let net = Net::from_params(&params(Net::PARAMS)).unwrap();
    let xs = [[0.0, 1.0], [1.0, 0.5]];
    let mut trace = Trace::<f64, Net>::new();
    let mut sum = Net::zeroed();
    let mut each = Vec::new();
    for x in xs {
        let x = GenericArray::from_array(x);
        let mut single = Net::zeroed();
        net.forward_trace(&x, &mut trace);
        net.backward(&mut trace, &GenericArray::from_array([1.0]), &mut single);
        net.forward_trace(&x, &mut trace);
        net.backward(&mut trace, &GenericArray::from_array([1.0]), &mut sum);
        each.push(single);
    }
    for ((s, a), b) in sum.params().zip(each[0].params()).zip(each[1].params()) {
        assert!((s - (a + b)).abs() < 1e-15);
    }
    sum.set_zero();
    assert!(sum.params().all(|&p| p == 0.0));
}

#[test]
fn f32_and_f64_networks_agree() {
    type N32 = network!(f32; 4 -> 6 Tanh -> 5 Softplus -> 3 Softmax);
    type N64 = network!(f64; 4 -> 6 Tanh -> 5 Softplus -> 3 Softmax);
    let p = params(N64::PARAMS);
    let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
    let n64 = N64::from_params(&p).unwrap();
    let n32 = N32::from_params(&p32).unwrap();
    let x = [0.1, -0.4, 0.9, 0.3];
    let y64 = n64.forward(&GenericArray::from_array(x));
    let y32 = n32.forward(&GenericArray::from_array(x.map(|v| v as f32)));
    for (a, b) in y64.iter().zip(y32.iter()) {
        // outputs are probabilities in (0, 1): f32 carries ~7 significant digits
        assert!((a - b.to_f64()).abs() < 1e-6, "{a} vs {b}");
    }
}

// Named sizes beyond the macro's literal range go in parentheses.
#[test]
fn macro_accepts_typenum_sizes() {
    type Net = network!(f32; (U11) -> (U12) Tanh -> 1 Identity);
    assert_eq!(Net::PARAMS, 11 * 12 + 12 + 12 + 1);
    type Odd = network!(f32; (U69) -> (U28) ReLU -> (U19) Identity);
    assert_eq!(Odd::PARAMS, 69 * 28 + 28 + 28 * 19 + 19);
}

// A user-defined activation, named by an identifier in scope.
#[derive(Clone, Copy, Debug, Default)]
struct Cube;
impl typenet::ElementWise for Cube {
    const NAME: &'static str = "cube";
    fn phi<T: Scalar>(&self, z: T) -> T {
        z * z * z
    }
    fn dphi<T: Scalar>(&self, z: T, _a: T) -> T {
        T::from_f64(3.0) * z * z
    }
}

#[test]
fn custom_activation_in_the_macro() {
    type Net = network!(f64; 1 -> 1 Cube);
    let net = Net::from_params(&[2.0, 0.0]).unwrap();
    assert_eq!(net.forward(&GenericArray::from_array([1.5]))[0], 27.0);
}

/// z_k = b_k + Σ_j w_kj x_j in the order `src/num/kernel/mod.rs` documents for every
/// target: eight running sums s_l = Σ_c w_{k,8c+l} x_{8c+l} over the whole chunks of
/// eight, added as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), then the leftover
/// products one at a time, each product added by a fused multiply-add; written here from
/// that description alone.
#[cfg(not(all(target_os = "windows", not(target_feature = "fma"))))]
fn documented_z(w: &[f32], b: &[f32], x: &[f32]) -> Vec<f32> {
    let n = x.len();
    let chunks = n / 8;
    b.iter()
        .enumerate()
        .map(|(k, &bk)| {
            let row = &w[k * n..(k + 1) * n];
            let mut s = [0.0_f32; 8];
            for c in 0..chunks {
                for (l, s) in s.iter_mut().enumerate() {
                    *s = row[8 * c + l].mul_add(x[8 * c + l], *s);
                }
            }
            let mut sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            for j in 8 * chunks..n {
                sum = row[j].mul_add(x[j], sum);
            }
            bk + sum
        })
        .collect()
}

/// One `Identity` layer of `N::INPUTS` → `N::OUTPUTS` against [`documented_z`], bit for
/// bit, on irregular values whose sums come out differently in another order.
#[cfg(not(all(target_os = "windows", not(target_feature = "fma"))))]
fn check_documented_order<N: Network<f32>>() {
    let (n_in, n_out) = (N::INPUTS, N::OUTPUTS);
    assert_eq!(N::PARAMS, n_in * n_out + n_out, "one layer: W, then b");
    // Magnitudes spread over 2^-7 .. 2^7, signs mixed: reordering changes the rounding.
    let value = |k: usize| {
        let m = ((k * 7919 + 13) % 1009) as f32 / 1009.0 + 0.5;
        let e = ((k * 31 + 5) % 15) as i32 - 7;
        let s = if (k * 17 + 3) % 5 < 2 { -1.0 } else { 1.0 };
        s * m * 2f32.powi(e)
    };
    let params: Vec<f32> = (0..N::PARAMS).map(value).collect();
    let net = N::from_params(&params).unwrap();
    let (w, b) = params.split_at(n_in * n_out);
    for t in 0..4 {
        let x: Vec<f32> = (0..n_in).map(|j| value(1000 * t + 7 * j + 1)).collect();
        let want = documented_z(w, b, &x);
        let got = net.forward_slice(&x).unwrap();
        let (want, got): (Vec<u32>, Vec<u32>) = (
            want.iter().map(|v| v.to_bits()).collect(),
            got.iter().map(|v| v.to_bits()).collect(),
        );
        assert_eq!(got, want, "{n_in} -> {n_out}, input {t}");
    }
}

/// The forward pass of an `f32` layer sums in the documented order whatever path the
/// layer takes on this machine: fewer than eight inputs, whole chunks only, chunks and
/// leftovers, small layers (fewer than 256 weights, the compiled-in loops) and larger
/// ones (the kernels chosen at run time). Not built on Windows without FMA, where the
/// reference's `f32::mul_add` is the C runtime's `fmaf`, not correctly rounded on a CPU
/// without FMA (the crate uses its own there: `src/num/kernel/mod.rs`).
#[test]
#[cfg(not(all(target_os = "windows", not(target_feature = "fma"))))]
fn f32_forward_sums_in_the_documented_order() {
    check_documented_order::<network!(f32; 3 -> 5 Identity)>();
    check_documented_order::<network!(f32; 8 -> 8 Identity)>();
    check_documented_order::<network!(f32; 8 -> 1 Identity)>();
    check_documented_order::<network!(f32; 11 -> 7 Identity)>();
    check_documented_order::<network!(f32; 16 -> 3 Identity)>();
    check_documented_order::<network!(f32; 20 -> 12 Identity)>();
    check_documented_order::<network!(f32; 9 -> 27 Identity)>();
    check_documented_order::<network!(f32; 17 -> 16 Identity)>();
    check_documented_order::<network!(f32; 37 -> 40 Identity)>();
}
