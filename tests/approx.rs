//! Accuracy and edge-case tests of the polynomial activations (`typenet::approx`).
//!
//! Error measure (the one in the module docs): |computed − exact| / ulp(exact), with
//! ulp(y) = 2^(max(e, e_min) − p + 1) for 2^e ≤ |y| < 2^(e+1): the subnormal spacing is
//! an absolute error floor below the smallest normal. An overflowed result (±∞) counts
//! as ±2^128 (±2^1024) when the exact result would round to a finite number.
//!
//! References: for `f32`, the `f64` functions of `std` (their own error, ≤ 1–2 ulp of
//! `f64`, is 2^−29 of an `f32` ulp); for `f64`, a double-double evaluation written here
//! (relative error < 2^−95 on the ranges used).
//!
//! The exhaustive check of every `f32` input runs only with `TYPENET_EXHAUSTIVE=1`, in
//! release mode:
//!
//! ```text
//! TYPENET_EXHAUSTIVE=1 cargo test --release --test approx -- --nocapture exhaustive
//! ```
//!
//! `TYPENET_EXHAUSTIVE_PART=i/n` (n a power of two) runs only the i-th of n equal parts,
//! for CI jobs in parallel. It uses all cores (`TYPENET_THREADS` overrides the count),
//! prints the largest error
//! of each function and fails if any input exceeds the stated bound or if a slice form
//! differs from its scalar function; it also prints how many adjacent inputs give a
//! decreasing result (not a failure) and checks a 2^22-input f64 sample. Measured on
//! 2 shared cores: 1 188 s (2^32 × 5 functions, the `std` f64 reference dominating).

// `!(e <= bound)` is deliberate throughout: a NaN error counts as a failure.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use typenet::approx::*;

// ---------------------------------------------------------------------------------------
// Stated bounds (the same numbers as in the doc comments of src/num/approx.rs): the
// f32 bounds are the maxima over all 2^32 inputs (exhaustive run), rounded up to 0.01;
// the f64 bounds are the maxima over the 2^22 samples of the exhaustive run (whose
// first 2^20 are the default release sample), rounded up to 0.01.
// ---------------------------------------------------------------------------------------

const EXP_F32_ULP: f64 = 0.79;
const LN_1P_F32_ULP: f64 = 0.87;
const TANH_F32_ULP: f64 = 1.53;
const SIGMOID_F32_ULP: f64 = 1.97;
const SOFTPLUS_F32_ULP: f64 = 1.59;

const EXP_F64_ULP: f64 = 0.77;
const LN_1P_F64_ULP: f64 = 0.79;
const TANH_F64_ULP: f64 = 1.30;
const SIGMOID_F64_ULP: f64 = 1.68;
const SOFTPLUS_F64_ULP: f64 = 1.37;

// ---------------------------------------------------------------------------------------
// f32: references and error measure
// ---------------------------------------------------------------------------------------

fn ref_exp_f32(x: f32) -> f64 {
    f64::from(x).exp()
}
fn ref_ln_1p_f32(x: f32) -> f64 {
    f64::from(x).ln_1p()
}
fn ref_tanh_f32(x: f32) -> f64 {
    f64::from(x).tanh()
}
fn ref_sigmoid_f32(x: f32) -> f64 {
    let x = f64::from(x);
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
fn ref_softplus_f32(x: f32) -> f64 {
    let x = f64::from(x);
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// 2^e as an f64 (−1074 ≤ e ≤ 1023).
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// floor(log2 |v|) for a nonzero finite normal f64.
fn exponent(v: f64) -> i32 {
    ((v.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

/// Error in f32 ulps of `y` against the exact value `r` (given as an f64).
fn err_f32(y: f32, r: f64) -> f64 {
    if r.is_nan() || y.is_nan() {
        return if r.is_nan() && y.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if (r as f32).is_infinite() {
        // The correctly rounded result overflows: only the same infinity is right.
        return if y == r as f32 { 0.0 } else { f64::INFINITY };
    }
    let yv = if y.is_infinite() {
        pow2(128).copysign(f64::from(y))
    } else {
        f64::from(y)
    };
    let e = if r == 0.0 {
        -126
    } else {
        exponent(r).max(-126)
    };
    (yv - r).abs() / pow2(e - 23)
}

/// Every f32 function under test: name, function, reference, bound, slice form.
type F32Case = (
    &'static str,
    fn(f32) -> f32,
    fn(f32) -> f64,
    f64,
    fn(&mut [f32]),
);

const F32_CASES: [F32Case; 5] = [
    ("exp_f32", exp_f32, ref_exp_f32, EXP_F32_ULP, exp_slice_f32),
    (
        "ln_1p_f32",
        ln_1p_f32,
        ref_ln_1p_f32,
        LN_1P_F32_ULP,
        ln_1p_slice_f32,
    ),
    (
        "tanh_f32",
        tanh_f32,
        ref_tanh_f32,
        TANH_F32_ULP,
        tanh_slice_f32,
    ),
    (
        "sigmoid_f32",
        sigmoid_f32,
        ref_sigmoid_f32,
        SIGMOID_F32_ULP,
        sigmoid_slice_f32,
    ),
    (
        "softplus_f32",
        softplus_f32,
        ref_softplus_f32,
        SOFTPLUS_F32_ULP,
        softplus_slice_f32,
    ),
];

// ---------------------------------------------------------------------------------------
// Double-double reference for f64
// ---------------------------------------------------------------------------------------

/// hi + lo, |lo| ≤ ulp(hi)/2.
#[derive(Clone, Copy, Debug)]
struct Dd {
    hi: f64,
    lo: f64,
}

fn dd(x: f64) -> Dd {
    Dd { hi: x, lo: 0.0 }
}
fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd {
        hi: s,
        lo: (a - (s - bb)) + (b - bb),
    }
}
fn quick_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd {
        hi: s,
        lo: b - (s - a),
    }
}
fn add(a: Dd, b: Dd) -> Dd {
    let s = two_sum(a.hi, b.hi);
    let t = two_sum(a.lo, b.lo);
    let r = quick_two_sum(s.hi, s.lo + t.hi);
    quick_two_sum(r.hi, r.lo + t.lo)
}
fn neg(a: Dd) -> Dd {
    Dd {
        hi: -a.hi,
        lo: -a.lo,
    }
}
fn sub(a: Dd, b: Dd) -> Dd {
    add(a, neg(b))
}
fn mul(a: Dd, b: Dd) -> Dd {
    let p = a.hi * b.hi;
    let e = a.hi.mul_add(b.hi, -p);
    quick_two_sum(p, e + (a.hi * b.lo + a.lo * b.hi))
}
fn div(a: Dd, b: Dd) -> Dd {
    let q1 = a.hi / b.hi;
    let r = sub(a, mul(b, dd(q1)));
    let q2 = r.hi / b.hi;
    let r = sub(r, mul(b, dd(q2)));
    let q3 = r.hi / b.hi;
    add(quick_two_sum(q1, q2), dd(q3))
}
fn scale(a: Dd, k: i32) -> Dd {
    let k1 = k / 2;
    let k2 = k - k1;
    Dd {
        hi: a.hi * pow2(k1) * pow2(k2),
        lo: a.lo * pow2(k1) * pow2(k2),
    }
}

const LN2: Dd = Dd {
    hi: core::f64::consts::LN_2,
    lo: 2.319_046_813_846_299_6e-17,
};

/// 1/n! in double-double, 0 ≤ n ≤ 34.
fn inv_fact(n: usize) -> Dd {
    static TABLE: std::sync::OnceLock<Vec<Dd>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![dd(1.0)];
        for k in 1..=34 {
            let prev = t[k - 1];
            t.push(div(prev, dd(k as f64)));
        }
        t
    })[n]
}

/// The exact value v·2^k (kept apart so that subnormal and overflowing values keep
/// their full precision).
#[derive(Clone, Copy, Debug)]
struct Exact {
    v: Dd,
    k: i32,
}

fn exact(v: Dd) -> Exact {
    Exact { v, k: 0 }
}

/// e^x = v·2^k, v ∈ [0.7, 1.42], for finite x.
fn dd_exp(x: Dd) -> Exact {
    let k = (x.hi / core::f64::consts::LN_2).round();
    let r = sub(x, mul(dd(k), LN2));
    let s = scale(r, -10);
    // Horner on 1/n!, n ≤ 12 (|s| < 2^−10.5: the remainder is < 2^−140).
    let mut sum = inv_fact(12);
    for n in (0..12).rev() {
        sum = add(mul(sum, s), inv_fact(n));
    }
    for _ in 0..10 {
        sum = mul(sum, sum);
    }
    Exact {
        v: sum,
        k: k as i32,
    }
}

/// e^x − 1 for |x| ≤ 1 (Taylor series).
fn dd_expm1_small(x: Dd) -> Dd {
    // x·(1/1! + x·(1/2! + … + x/34!)): the remainder is < 2^−120 for |x| ≤ 1.
    let mut sum = inv_fact(34);
    for n in (1..34).rev() {
        sum = add(mul(sum, x), inv_fact(n));
    }
    mul(sum, x)
}

/// ln(1 + x) for x = v·2^k > −1.
fn dd_ln1p(x: Exact) -> Exact {
    let xv = scale(x.v, x.k);
    if x.v.hi == 0.0 {
        return exact(dd(0.0));
    }
    if xv.hi.abs() < 1e-4 {
        // ln(1 + x) = x·(1 − x/2 + x²/3 − …): keep x as v·2^k.
        let mut sum = dd(0.0);
        let mut pw = dd(1.0);
        for n in 1..=14 {
            let t = div(pw, dd(f64::from(n)));
            sum = if n % 2 == 1 { add(sum, t) } else { sub(sum, t) };
            pw = mul(pw, xv);
        }
        return Exact {
            v: mul(x.v, sum),
            k: x.k,
        };
    }
    if xv.hi > 1e100 {
        // ln(1 + x) = e·ln 2 + ln(m) + ln(1 + 1/x), m = x/2^e ∈ [1, 2); 1/x < 2^−332.
        let e = exponent(xv.hi);
        let m = scale(xv, -e);
        let lm = dd_ln1p(exact(sub(m, dd(1.0))));
        return exact(add(mul(dd(f64::from(e)), LN2), scale(lm.v, lm.k)));
    }
    // One Newton step from the f64 value: y1 = y0 + (1 + x)·e^−y0 − 1.
    let y0 = xv.hi.ln_1p();
    let e = dd_exp(dd(-y0));
    let w = sub(mul(add(dd(1.0), xv), scale(e.v, e.k)), dd(1.0));
    exact(add(dd(y0), w))
}

fn dd_tanh(x: f64) -> Exact {
    let a = x.abs();
    let t = if a == 0.0 {
        dd(0.0)
    } else if a > 40.0 {
        Dd {
            hi: 1.0,
            lo: -2.0 * (-2.0 * a).exp(),
        }
    } else if a < 0.5 {
        let m = dd_expm1_small(dd(2.0 * a));
        div(m, add(m, dd(2.0)))
    } else {
        let e = dd_exp(dd(2.0 * a));
        sub(dd(1.0), div(dd(2.0), add(scale(e.v, e.k), dd(1.0))))
    };
    exact(if x < 0.0 { neg(t) } else { t })
}

fn dd_sigmoid(x: f64) -> Exact {
    if x >= 0.0 {
        let e = dd_exp(dd(-x));
        exact(div(dd(1.0), add(dd(1.0), scale(e.v, e.k))))
    } else {
        let e = dd_exp(dd(x));
        Exact {
            v: div(e.v, add(dd(1.0), scale(e.v, e.k))),
            k: e.k,
        }
    }
}

fn dd_softplus(x: f64) -> Exact {
    if x > 0.0 {
        let l = dd_ln1p(dd_exp(dd(-x)));
        exact(add(dd(x), scale(l.v, l.k)))
    } else {
        dd_ln1p(dd_exp(dd(x)))
    }
}

/// Error in f64 ulps of `y` against the exact value `r`.
fn err_f64(y: f64, r: Exact) -> f64 {
    if y.is_nan() {
        return f64::INFINITY;
    }
    if r.v.hi == 0.0 {
        return (y / pow2(-1074)).abs();
    }
    let e = exponent(r.v.hi) + r.k;
    // Does the exact value round past f64::MAX?
    let max_half_ulp_past = 1024;
    let rounds_to_inf = e >= max_half_ulp_past
        || (e == 1023 && {
            // v·2^(k−1023) ≥ 2 − 2^−53 ⇔ the value ≥ 2^1024 − 2^970.
            let w = scale(r.v, r.k - 1023);
            sub(w, dd(2.0 - pow2(-53))).hi >= 0.0
        });
    if rounds_to_inf {
        return if y == f64::INFINITY.copysign(r.v.hi) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let ys = if y.is_infinite() {
        pow2(1024 - r.k - 1).copysign(y) * 2.0
    } else {
        // y·2^−k, exact (y's bits shift; |y·2^−k| is near |v|).
        let k1 = -r.k / 2;
        y * pow2(k1) * pow2(-r.k - k1)
    };
    let ulp_scaled = {
        let ue = e.max(-1022) - 52 - r.k;
        let u1 = ue / 2;
        pow2(u1) * pow2(ue - u1)
    };
    let diff = (ys - r.v.hi) - r.v.lo;
    diff.abs() / ulp_scaled
}

fn ref_exp_f64(x: f64) -> Exact {
    if x > 710.0 {
        return Exact {
            v: dd(1.0),
            k: 2000,
        };
    }
    if x < -800.0 {
        return exact(dd(0.0));
    }
    dd_exp(dd(x))
}
fn ref_ln_1p_f64(x: f64) -> Exact {
    dd_ln1p(exact(dd(x)))
}
fn ref_tanh_f64(x: f64) -> Exact {
    dd_tanh(x)
}
fn ref_sigmoid_f64(x: f64) -> Exact {
    if x < -800.0 {
        return exact(dd(0.0));
    }
    if x > 800.0 {
        return exact(dd(1.0));
    }
    dd_sigmoid(x.max(-800.0))
}
fn ref_softplus_f64(x: f64) -> Exact {
    if x < -800.0 {
        return exact(dd(0.0));
    }
    if x > 800.0 {
        return exact(dd(x));
    }
    dd_softplus(x)
}

/// Every f64 function under test: name, function, reference, bound, domain of the
/// reference (finite inputs for which it is computed; edges are tested separately),
/// the "useful range" sampled uniformly.
type F64Case = (
    &'static str,
    fn(f64) -> f64,
    fn(f64) -> Exact,
    f64,
    (f64, f64),
    (f64, f64),
);

const F64_CASES: [F64Case; 5] = [
    (
        "exp_f64",
        exp_f64,
        ref_exp_f64,
        EXP_F64_ULP,
        (-1e308, 1e308),
        (-746.0, 710.0),
    ),
    (
        "ln_1p_f64",
        ln_1p_f64,
        ref_ln_1p_f64,
        LN_1P_F64_ULP,
        (-1.0, f64::MAX),
        (-1.0, 10.0),
    ),
    (
        "tanh_f64",
        tanh_f64,
        ref_tanh_f64,
        TANH_F64_ULP,
        (-1e308, 1e308),
        (-20.0, 20.0),
    ),
    (
        "sigmoid_f64",
        sigmoid_f64,
        ref_sigmoid_f64,
        SIGMOID_F64_ULP,
        (-1e308, 1e308),
        (-746.0, 40.0),
    ),
    (
        "softplus_f64",
        softplus_f64,
        ref_softplus_f64,
        SOFTPLUS_F64_ULP,
        (-1e308, 1e308),
        (-746.0, 40.0),
    ),
];

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * pow2(-53)
    }
}

/// f64 inputs for one function: random bit patterns (whole range), uniform over the
/// useful range, log-uniform magnitudes 2^−1074..2^10 of both signs, and runs of
/// consecutive floats at the branch points.
fn f64_inputs(n: usize, seed: u64, useful: (f64, f64)) -> Vec<f64> {
    let mut rng = Rng(seed);
    let mut xs = Vec::with_capacity(n + 4096);
    for i in 0..n {
        let x = match i % 3 {
            0 => f64::from_bits(rng.next()),
            1 => useful.0 + (useful.1 - useful.0) * rng.unit(),
            _ => {
                let e = -1074.0 + 1084.0 * rng.unit();
                let m = 1.0 + rng.unit();
                let v = m * pow2(e as i32);
                if rng.next() & 1 == 0 { v } else { -v }
            }
        };
        xs.push(x);
    }
    for centre in [
        0.625f64,
        0.34657359027997264,
        0.5,
        1.0,
        2.0,
        core::f64::consts::SQRT_2,
    ] {
        for s in [centre, -centre, centre - 1.0] {
            let b = s.to_bits();
            for d in 0..128u64 {
                xs.push(f64::from_bits(b.wrapping_add(d).wrapping_sub(64)));
            }
        }
    }
    xs
}

/// Max error of each f64 function over `n` sampled inputs; fails past the bound.
fn check_f64_sampled(n: usize) {
    let mut failed = false;
    for (i, (name, f, reference, bound, domain, useful)) in F64_CASES.into_iter().enumerate() {
        let mut worst = (0.0f64, 0.0f64);
        for x in f64_inputs(n, 0x5eed + i as u64, useful) {
            if !(x >= domain.0 && x <= domain.1) || x == -1.0 {
                continue;
            }
            let y = f(x);
            let e = err_f64(y, reference(x));
            if !(e <= worst.0) {
                worst = (e, x);
            }
        }
        println!(
            "{name}: max error {:.4} ulp at x = {:e} ({:#x}); bound {bound}; {n} samples",
            worst.0,
            worst.1,
            worst.1.to_bits()
        );
        failed |= !(worst.0 <= bound);
    }
    assert!(
        !failed,
        "a function exceeds its bound (see the printed errors)"
    );
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn sampled_f32_over_the_whole_range() {
    // 2^20 bit patterns spread over all 2^32 (stride 4096, odd offset), both signs.
    let mut failed = false;
    for (name, f, reference, bound, _) in F32_CASES {
        let mut worst = (0.0f64, 0.0f32);
        for i in 0..(1u32 << 20) {
            let x = f32::from_bits(i.wrapping_mul(4096).wrapping_add(0x9e3));
            let e = err_f32(f(x), reference(x));
            if !(e <= worst.0) {
                worst = (e, x);
            }
        }
        println!(
            "{name}: max error {:.4} ulp at x = {:e} (2^20 samples)",
            worst.0, worst.1
        );
        failed |= !(worst.0 <= bound);
    }
    assert!(
        !failed,
        "a function exceeds its bound (see the printed errors)"
    );
}

#[test]
fn dense_f32_on_the_useful_range() {
    // 2^22 evenly spaced points in [−20, 20] and 2^20 in [−110, 110], each function.
    let mut failed = false;
    for (name, f, reference, bound, _) in F32_CASES {
        let mut worst = 0.0f64;
        for (half, n) in [(20.0f64, 1u32 << 22), (110.0, 1 << 20)] {
            for i in 0..=n {
                let x = (-half + 2.0 * half * f64::from(i) / f64::from(n)) as f32;
                worst = worst.max(err_f32(f(x), reference(x)));
            }
        }
        println!("{name}: max error {worst:.4} ulp on the dense grids");
        failed |= !(worst <= bound);
    }
    assert!(
        !failed,
        "a function exceeds its bound (see the printed errors)"
    );
}

#[test]
fn sampled_f64_against_double_double() {
    let n = std::env::var("TYPENET_APPROX_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) {
            20_000
        } else {
            1 << 20
        });
    check_f64_sampled(n);
}

#[test]
fn double_double_reference_agrees_with_std() {
    // The reference itself, against std at well-conditioned points (≤ 1 f64 ulp apart).
    for x in [
        -700.5f64, -20.25, -1.5, -0.3, 1e-5, 0.3, 0.7, 3.0, 50.0, 700.0,
    ] {
        assert!(err_f64(x.exp(), ref_exp_f64(x)) < 1.0, "exp {x}");
        assert!(err_f64(x.tanh(), ref_tanh_f64(x)) < 2.0, "tanh {x}");
        if x > -1.0 {
            assert!(err_f64(x.ln_1p(), ref_ln_1p_f64(x)) < 1.0, "ln_1p {x}");
        }
    }
    assert!(err_f64(1e300f64.ln_1p(), ref_ln_1p_f64(1e300)) < 1.0);
    assert!(err_f64(core::f64::consts::LN_2, ref_softplus_f64(0.0)) <= 0.5);
    assert!(err_f64(0.5, ref_sigmoid_f64(0.0)) == 0.0);
}

#[test]
fn nan_in_nan_out_same_bits() {
    let nans32 = [
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7fc0_1234),
        f32::from_bits(0xff80_0001),
    ];
    for (name, f, _, _, _) in F32_CASES {
        for n in nans32 {
            assert_eq!(f(n).to_bits(), n.to_bits(), "{name}({:#x})", n.to_bits());
        }
    }
    let nans64 = [f64::NAN, -f64::NAN, f64::from_bits(0x7ff8_0000_0000_1234)];
    for (name, f, ..) in F64_CASES {
        for n in nans64 {
            assert_eq!(f(n).to_bits(), n.to_bits(), "{name}({:#x})", n.to_bits());
        }
    }
    assert_eq!(ln_1p_f32(-1.5).to_bits(), f32::NAN.to_bits());
    assert_eq!(ln_1p_f32(f32::NEG_INFINITY).to_bits(), f32::NAN.to_bits());
    assert_eq!(ln_1p_f64(-1.5).to_bits(), f64::NAN.to_bits());
    assert_eq!(ln_1p_f64(f64::NEG_INFINITY).to_bits(), f64::NAN.to_bits());
}

#[test]
fn infinities_zeros_and_saturation_f32() {
    let inf = f32::INFINITY;
    assert_eq!(exp_f32(inf), inf);
    assert_eq!(exp_f32(-inf).to_bits(), 0);
    assert_eq!(exp_f32(0.0), 1.0);
    assert_eq!(exp_f32(-0.0), 1.0);
    assert_eq!(exp_f32(f32::from_bits(1)), 1.0);
    // Overflow and underflow thresholds.
    assert!(exp_f32(88.722_83).is_finite());
    assert_eq!(exp_f32(88.722_84), inf);
    assert_eq!(exp_f32(-103.972_07).to_bits(), 1);
    assert_eq!(exp_f32(-103.972_084).to_bits(), 0);
    assert!(exp_f32(-87.336_55) < f32::MIN_POSITIVE && exp_f32(-87.336_55) > 0.0);
    assert!(exp_f32(-87.336_54) >= f32::MIN_POSITIVE);
    assert_eq!(exp_f32(1.0), core::f32::consts::E);

    assert_eq!(ln_1p_f32(inf), inf);
    assert_eq!(ln_1p_f32(-1.0), -inf);
    assert_eq!(ln_1p_f32(0.0).to_bits(), 0.0f32.to_bits());
    assert_eq!(ln_1p_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(ln_1p_f32(f32::from_bits(1)), f32::from_bits(1));
    assert_eq!(ln_1p_f32(-f32::from_bits(1)), -f32::from_bits(1));
    assert_eq!(ln_1p_f32(1e-8), 1e-8);
    assert!((ln_1p_f32(f32::MAX) - 88.722_84).abs() < 1e-4);

    assert_eq!(tanh_f32(inf), 1.0);
    assert_eq!(tanh_f32(-inf), -1.0);
    assert_eq!(tanh_f32(0.0).to_bits(), 0.0f32.to_bits());
    assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(tanh_f32(f32::from_bits(1)), f32::from_bits(1));
    assert_eq!(tanh_f32(1e-5), 1e-5);
    for x in [9.010_914f32, 10.0, 1e4, 1e30, f32::MAX] {
        assert_eq!(tanh_f32(x), 1.0, "{x}");
        assert_eq!(tanh_f32(-x), -1.0, "{x}");
    }
    assert!(tanh_f32(9.010_913) < 1.0);

    assert_eq!(sigmoid_f32(0.0), 0.5);
    assert_eq!(sigmoid_f32(-0.0), 0.5);
    assert_eq!(sigmoid_f32(inf), 1.0);
    assert_eq!(sigmoid_f32(-inf).to_bits(), 0);
    for x in [17.328_68f32, 1e4, f32::MAX] {
        assert_eq!(sigmoid_f32(x), 1.0, "{x}");
    }
    assert!(sigmoid_f32(17.328_678) < 1.0);
    for x in [-1e4f32, -104.0, -f32::MAX] {
        assert_eq!(sigmoid_f32(x).to_bits(), 0, "{x}");
    }
    for x in [-16.982_107f32, -20.0, -50.0, -87.0, -90.0, -100.0] {
        assert_eq!(sigmoid_f32(x), exp_f32(x), "{x}");
    }

    assert_eq!(softplus_f32(inf), inf);
    assert_eq!(softplus_f32(-inf).to_bits(), 0);
    assert_eq!(softplus_f32(0.0), core::f32::consts::LN_2);
    for x in [14.556_091f32, 20.0, 1e4, f32::MAX] {
        assert_eq!(softplus_f32(x), x, "{x}");
    }
    assert!(softplus_f32(14.556_09) > 14.556_09);
    for x in [-1e4f32, -104.0, -f32::MAX] {
        assert_eq!(softplus_f32(x).to_bits(), 0, "{x}");
    }
    for x in [-16.412_014f32, -20.0, -50.0, -87.0, -90.0, -100.0] {
        assert_eq!(softplus_f32(x), exp_f32(x), "{x}");
    }
}

#[test]
fn infinities_zeros_and_saturation_f64() {
    let inf = f64::INFINITY;
    assert_eq!(exp_f64(inf), inf);
    assert_eq!(exp_f64(-inf).to_bits(), 0);
    assert_eq!(exp_f64(0.0), 1.0);
    assert_eq!(exp_f64(-0.0), 1.0);
    assert_eq!(exp_f64(f64::from_bits(1)), 1.0);
    assert!(exp_f64(709.782_712_893_384).is_finite());
    assert_eq!(exp_f64(709.782_712_893_384_1), inf);
    assert!(exp_f64(-708.396_418_532_264_2) < f64::MIN_POSITIVE);
    assert!(exp_f64(-708.396_418_532_264) >= f64::MIN_POSITIVE);
    assert_eq!(exp_f64(-745.133_219_101_941_1).to_bits(), 1);
    assert_eq!(exp_f64(-745.133_219_101_941_3).to_bits(), 0);
    assert!(exp_f64(-708.4) < f64::MIN_POSITIVE && exp_f64(-708.4) > 0.0);

    assert_eq!(ln_1p_f64(inf), inf);
    assert_eq!(ln_1p_f64(-1.0), -inf);
    assert_eq!(ln_1p_f64(0.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(ln_1p_f64(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(ln_1p_f64(f64::from_bits(1)), f64::from_bits(1));
    assert_eq!(ln_1p_f64(1e-17), 1e-17);

    assert_eq!(tanh_f64(inf), 1.0);
    assert_eq!(tanh_f64(-inf), -1.0);
    assert_eq!(tanh_f64(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(tanh_f64(f64::from_bits(1)), f64::from_bits(1));
    assert_eq!(tanh_f64(1e-9), 1e-9);
    assert!(tanh_f64(19.061_547_465_398_49) < 1.0);
    for x in [19.061_547_465_398_498f64, 1e4, f64::MAX] {
        assert_eq!(tanh_f64(x), 1.0, "{x}");
        assert_eq!(tanh_f64(-x), -1.0, "{x}");
    }

    assert_eq!(sigmoid_f64(0.0), 0.5);
    assert_eq!(sigmoid_f64(inf), 1.0);
    assert_eq!(sigmoid_f64(-inf).to_bits(), 0);
    assert!(sigmoid_f64(37.429_947_750_237_04) < 1.0);
    for x in [37.429_947_750_237_05f64, 1e4, f64::MAX] {
        assert_eq!(sigmoid_f64(x), 1.0, "{x}");
    }
    for x in [-1e4f64, -746.0, -f64::MAX] {
        assert_eq!(sigmoid_f64(x).to_bits(), 0, "{x}");
    }
    for x in [-40.0f64, -100.0, -700.0, -720.0] {
        assert_eq!(sigmoid_f64(x), exp_f64(x), "{x}");
    }

    assert_eq!(softplus_f64(inf), inf);
    assert_eq!(softplus_f64(-inf).to_bits(), 0);
    assert_eq!(softplus_f64(0.0), core::f64::consts::LN_2);
    for x in [33.271_064_666_877_38f64, 40.0, 1e4, f64::MAX] {
        assert_eq!(softplus_f64(x), x, "{x}");
    }
    for x in [-1e4f64, -746.0, -f64::MAX] {
        assert_eq!(softplus_f64(x).to_bits(), 0, "{x}");
    }
    for x in [-36.287_711_133_098_49f64, -40.0, -100.0, -700.0, -720.0] {
        assert_eq!(softplus_f64(x), exp_f64(x), "{x}");
    }
}

#[test]
fn odd_and_complementary_symmetries() {
    let mut rng = Rng(7);
    for _ in 0..100_000 {
        let x = f32::from_bits(rng.next() as u32);
        if x.is_nan() {
            continue;
        }
        assert_eq!(tanh_f32(-x).to_bits(), (-tanh_f32(x)).to_bits(), "{x}");
        let y = f64::from_bits(rng.next());
        if !y.is_nan() {
            assert_eq!(tanh_f64(-y).to_bits(), (-tanh_f64(y)).to_bits(), "{y}");
        }
        for v in [sigmoid_f32(x), softplus_f32(x), exp_f32(x)] {
            assert!(v >= 0.0, "{x}");
        }
        assert!((0.0..=1.0).contains(&sigmoid_f32(x)));
        assert!((-1.0..=1.0).contains(&tanh_f32(x)));
    }
}

/// Non-decreasing over runs of consecutive floats at the branch points and reduction
/// boundaries (the exhaustive run counts the decreases over every f32 input: none for
/// exp, one for ln_1p, many single steps for `f32` tanh, sigmoid and softplus).
#[test]
fn monotonic_at_the_seams() {
    let mut seams32: Vec<f32> = vec![0.0, 0.625, -0.625, 1.0, -1.0, 16.982_107, -16.412_014];
    for k in -150..=128 {
        seams32.push((k as f32 + 0.5) * core::f32::consts::LN_2);
        seams32.push((k as f32 + 0.5) * core::f32::consts::LN_2 / 2.0);
    }
    for s in [0.414_213_57f32, -0.292_893_2, 2.0, 1.0, 3.0] {
        seams32.push(s);
    }
    for (name, f, ..) in F32_CASES {
        for &s in &seams32 {
            // tanh, sigmoid and softplus are not monotonic everywhere (rounding wiggles,
            // counted by the exhaustive run); their own seam is the select at x = 0.
            if matches!(name, "tanh_f32" | "sigmoid_f32" | "softplus_f32") && s != 0.0 {
                continue;
            }
            let mut prev = f32::NEG_INFINITY;
            let mut x = s;
            for _ in 0..200 {
                x = f32::from_bits(if x > 0.0 {
                    x.to_bits() - 1
                } else {
                    x.to_bits() + 1
                });
            }
            for _ in 0..400 {
                let y = f(x);
                if !y.is_nan() {
                    assert!(y >= prev, "{name} decreases at {x:e}");
                    prev = y;
                }
                x = next_up_f32(x);
            }
        }
    }
    for (name, f, ..) in F64_CASES {
        for s in [
            0.0f64,
            0.625,
            -0.625,
            0.346_573_590_279_972_65,
            -0.346_573_590_279_972_65,
            1.0,
        ] {
            if matches!(name, "sigmoid_f64" | "softplus_f64") && s != 0.0 {
                continue;
            }
            let mut prev = f64::NEG_INFINITY;
            let mut x = s;
            for _ in 0..200 {
                x = -next_up_f64(-x);
            }
            for _ in 0..400 {
                let y = f(x);
                if !y.is_nan() {
                    assert!(y >= prev, "{name} decreases at {x:e}");
                    prev = y;
                }
                x = next_up_f64(x);
            }
        }
    }
}

fn next_up_f32(x: f32) -> f32 {
    if x == 0.0 {
        f32::from_bits(1)
    } else if x > 0.0 {
        f32::from_bits(x.to_bits() + 1)
    } else {
        f32::from_bits(x.to_bits() - 1)
    }
}
fn next_up_f64(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

#[test]
fn slice_forms_equal_the_scalar_functions() {
    let mut rng = Rng(11);
    let xs32: Vec<f32> = (0..10_007)
        .map(|_| f32::from_bits(rng.next() as u32))
        .collect();
    let xs32b: Vec<f32> = (0..10_007).map(|i| (i as f32 - 5000.0) / 97.0).collect();
    for (name, f, _, _, slice) in F32_CASES {
        for xs in [&xs32, &xs32b] {
            let mut ys = xs.clone();
            slice(&mut ys);
            for (x, y) in xs.iter().zip(&ys) {
                assert_eq!(y.to_bits(), f(*x).to_bits(), "{name}({x:e})");
            }
        }
    }
    let slices64: [fn(&mut [f64]); 5] = [
        exp_slice_f64,
        ln_1p_slice_f64,
        tanh_slice_f64,
        sigmoid_slice_f64,
        softplus_slice_f64,
    ];
    let xs64: Vec<f64> = (0..10_007)
        .map(|i| {
            if i % 2 == 0 {
                f64::from_bits(rng.next())
            } else {
                (i as f64 - 5000.0) / 97.0
            }
        })
        .collect();
    for ((name, f, ..), slice) in F64_CASES.into_iter().zip(slices64) {
        let mut ys = xs64.clone();
        slice(&mut ys);
        for (x, y) in xs64.iter().zip(&ys) {
            assert_eq!(y.to_bits(), f(*x).to_bits(), "{name}({x:e})");
        }
    }
}

/// Inputs whose correctly rounded result is known without a reference (saturated,
/// underflowed or linear ranges, NaN), per function in the order of `F32_CASES`. The
/// exhaustive run skips the reference where the function returns exactly this value
/// (an error ≤ 0.5 ulp) and computes it otherwise. Each claim is argued in its comment.
const KNOWN_F32: [fn(f32) -> Option<f32>; 5] = [
    // exp: e^x rounds to +∞ from 88.72284 (exact threshold 88.7228391…), to +0 below
    // ln 2^−150 = −103.9720771 (and −103.972084 < that); |x| < 2·10^−8 < 2^−25 ⇒
    // |e^x − 1| < half ulp.
    |x| {
        if x >= 88.722_84 {
            Some(f32::INFINITY)
        } else if x <= -103.972_084 {
            Some(0.0)
        } else if x.abs() < 2e-8 {
            Some(1.0)
        } else {
            None
        }
    },
    // ln_1p: x < −1 ⇒ NaN; |x| < 2^−26 ⇒ |ln(1 + x) − x| ≤ x²/2 < half ulp of x.
    |x| {
        if x < -1.0 {
            Some(f32::NAN)
        } else if x.abs() < 1.4e-8 {
            Some(x)
        } else {
            None
        }
    },
    // tanh: |x| ≥ 9.1 ⇒ 1 − tanh|x| < 2e^−18.2 < 2^−25; |x| < 2^−13 ⇒ |x|³/3 < half ulp.
    |x| {
        if x.abs() >= 9.1 {
            Some(1.0f32.copysign(x))
        } else if x.abs() < 1.2e-4 {
            Some(x)
        } else {
            None
        }
    },
    // sigmoid: x ≥ 17.4 ⇒ 1 − σ < e^−17.4 < 2^−25; x ≤ −104 ⇒ σ < e^x < 2^−150;
    // |x| < 2^−27 ⇒ |σ − ½| ≤ |x|/4 < 2^−29 < half ulp below ½.
    |x| {
        if x >= 17.4 {
            Some(1.0)
        } else if x <= -104.0 {
            Some(0.0)
        } else if x.abs() < 7e-9 {
            Some(0.5)
        } else {
            None
        }
    },
    // softplus: x ≥ 16 ⇒ ln(1 + e^−x) < e^−16 < 2^−21 = half ulp of x; x ≤ −104 ⇒
    // softplus < e^x < 2^−150.
    |x| {
        if x >= 16.0 {
            Some(x)
        } else if x <= -104.0 {
            Some(0.0)
        } else {
            None
        }
    },
];

/// Every f32 bit pattern through every f32 function (release mode, TYPENET_EXHAUSTIVE=1).
#[test]
fn exhaustive_f32() {
    if !env_flag("TYPENET_EXHAUSTIVE") {
        println!("skipped: set TYPENET_EXHAUSTIVE=1 (release mode) to check all 2^32 inputs");
        return;
    }
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};
    let threads = std::env::var("TYPENET_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    const CHUNK_BITS: u32 = 16;
    const CHUNKS: u32 = 1 << (32 - CHUNK_BITS);
    let start = std::time::Instant::now();
    // Per function: (max error, argument), slice mismatches, monotonicity breaks.
    // Per function: ((max error, argument), slice mismatches, monotonicity breaks).
    type Tally = ((f64, f32), u64, u64);
    let results: Mutex<Vec<Tally>> = Mutex::new(vec![((0.0, 0.0), 0, 0); 5]);
    // TYPENET_EXHAUSTIVE_PART=i/n checks only the i-th of n equal parts of the inputs
    // (0 ≤ i < n, n a power of two ≤ 65536), so CI can spread the run over jobs; the f64
    // sample runs in part 0.
    let (part, parts) = std::env::var("TYPENET_EXHAUSTIVE_PART")
        .ok()
        .and_then(|v| {
            let (i, n) = v.split_once('/')?;
            Some((i.parse::<u32>().ok()?, n.parse::<u32>().ok()?))
        })
        .unwrap_or((0, 1));
    assert!(
        parts.is_power_of_two() && parts <= CHUNKS && part < parts,
        "bad TYPENET_EXHAUSTIVE_PART"
    );
    let first = part * (CHUNKS / parts);
    let end = first + CHUNKS / parts;
    let next = AtomicU32::new(first);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut local = [((0.0f64, 0.0f32), 0u64, 0u64); 5];
                let mut xs = vec![0.0f32; 1 << CHUNK_BITS];
                let mut ys = xs.clone();
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= end {
                        break;
                    }
                    for (j, x) in xs.iter_mut().enumerate() {
                        *x = f32::from_bits((c << CHUNK_BITS) | j as u32);
                    }
                    if c.is_multiple_of(CHUNKS / 16) {
                        println!(
                            "  chunk {c}/{CHUNKS} at {:.0} s",
                            start.elapsed().as_secs_f64()
                        );
                    }
                    for (i, (_, f, reference, _, slice)) in F32_CASES.into_iter().enumerate() {
                        ys.copy_from_slice(&xs);
                        slice(&mut ys);
                        let (worst, mismatches, breaks) = &mut local[i];
                        // Within a chunk the bit patterns run in one direction of x
                        // (up for positive, down for negative numbers).
                        let mut prev = f32::NAN;
                        for (&x, &y) in xs.iter().zip(&ys) {
                            if y.to_bits() != f(x).to_bits() {
                                *mismatches += 1;
                            }
                            let e = match KNOWN_F32[i](x) {
                                Some(k) if k.to_bits() == y.to_bits() => 0.0,
                                _ if x.is_nan() => {
                                    if y.to_bits() == x.to_bits() {
                                        0.0
                                    } else {
                                        f64::INFINITY
                                    }
                                }
                                _ => err_f32(y, reference(x)),
                            };
                            if !(e <= worst.0) {
                                *worst = (e, x);
                            }
                            if !x.is_nan() && !prev.is_nan() {
                                let ok = if x.is_sign_negative() {
                                    y <= prev
                                } else {
                                    y >= prev
                                };
                                if !ok {
                                    *breaks += 1;
                                }
                            }
                            prev = y;
                        }
                    }
                }
                let mut r = results.lock().unwrap();
                for i in 0..5 {
                    if !(local[i].0.0 <= r[i].0.0) {
                        r[i].0 = local[i].0;
                    }
                    r[i].1 += local[i].1;
                    r[i].2 += local[i].2;
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    println!(
        "f32 inputs {:#010x}..={:#010x} (part {part}/{parts} of 2^32), {threads} threads, {:.1} s",
        first << CHUNK_BITS,
        (u64::from(end) << CHUNK_BITS) - 1,
        start.elapsed().as_secs_f64()
    );
    let mut failed = false;
    for ((name, _, _, bound, _), ((worst, at), mismatches, breaks)) in
        F32_CASES.into_iter().zip(results)
    {
        println!(
            "{name}: max error {worst:.4} ulp at x = {at:e} ({:#010x}); bound {bound}; \
             slice≠scalar {mismatches}; monotonicity breaks {breaks}",
            at.to_bits()
        );
        failed |= !(worst <= bound) || mismatches != 0;
    }
    // A larger f64 sample in the same run.
    if part == 0 {
        check_f64_sampled(1 << 22);
    }
    assert!(
        !failed,
        "an f32 function exceeds its bound, differs from its slice form or is not monotonic"
    );
}
