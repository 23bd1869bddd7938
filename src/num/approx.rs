//! Deterministic polynomial approximations of the activation functions: `exp`, `ln_1p`,
//! `tanh`, `sigmoid` and `softplus`, for `f32` and `f64`.
//!
//! # The contract: the same bits everywhere
//! Every function here is built from IEEE 754 `+`, `−`, `×`, `÷` and comparisons in
//! the binary format of its argument, each rounded separately (round to nearest, ties to
//! even), plus integer operations on the bit patterns (`to_bits`/`from_bits`). There is
//! no fused multiply-add (no `mul_add`; Rust never contracts `a * b + c` on its own), no
//! call into `std` or `libm`, no lookup table and no platform function. The result is
//! therefore a pure function of the input bits and is the same on every x86 SIMD level,
//! on `no_std` targets and on Cortex-M cores with a single-precision FPU (`f32`
//! functions use only `f32` arithmetic). Subnormal numbers must not be flushed to zero
//! (the Rust default on every target this crate supports).
//!
//! A NaN argument is returned unchanged (same bits), so NaN payloads are the same on
//! every target too. The only NaN created here is `ln_1p` of an argument below −1,
//! which returns the canonical quiet NaN `f32::NAN` / `f64::NAN`.
//!
//! # Structure
//! - `exp`: Cody–Waite range reduction x = k·ln 2 + r, |r| ≤ ln 2 / 2 (+ a rounding
//!   margin), with k = round(x·log₂e) obtained by the "add 1.5·2^p" trick (so k is also
//!   read from the bits, with no float-to-int conversion), e^r = 1 + r + r²·Q(r), then
//!   multiplication by 2^k as two exact powers of two so that subnormal results are
//!   rounded once.
//! - `ln_1p`: u = 1 + x with the correction term c = ((1 + x) − u)/u, u = 2^k·m with
//!   m ∈ [√½, √2), f = m − 1, s = f/(2 + f) and ln(1 + f) = f − f²/2 + s·(f²/2 + R(s²))
//!   (the classical fdlibm arrangement, with our own R).
//! - `tanh` (`f32`): x + x³·P(x²) for |x| < 1, 1 − N(|x|)/D(|x|) with the sign of x
//!   above (a rational function: one division and no exponential, so half the latency
//!   of the form below), 1 from 9.010914 on. `tanh` (`f64`): x + x³·P(x²) for
//!   |x| < 0.625, 1 − 2/(e^{2|x|} + 1) with the sign of x above.
//! - `sigmoid`: with e = e^{−|x|} ∈ (0, 1]: 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0
//!   (one division, no cancellation, no overflow).
//! - `softplus`: max(x, 0) + ln_1p(e^{−|x|}).
//!
//! Both sides of every choice are computed and one is selected, so the functions have
//! no data-dependent branches and the slice forms (`*_slice_f32`, `*_slice_f64`)
//! auto-vectorise; a slice form gives exactly the bits of its scalar function.
//!
//! # Coefficients
//! The polynomial coefficients were fitted once with a script (not part of the
//! repository) in 50-digit arithmetic (mpmath): a weighted least-squares fit on 400
//! Chebyshev nodes refined by 60 Lawson iterations, which approaches the minimax
//! (equi-oscillating) polynomial for the relative error of the final function, then
//! rounded to the nearest `f32`/`f64`. The rational function of the `f32` tanh
//! (1 − tanh x ≈ N(x)/D(x) on [1, 9.0109]) was fitted the same way for the absolute
//! error (tanh x ∈ [0.76, 1) there, where an ulp is 2^−24 throughout), with Loeb's
//! iterations (each least-squares solve of f·D − N weighted by the last D). The fitted
//! error, before rounding of the coefficients and of the arithmetic, is given next to
//! each set.
//!
//! # Error measure
//! Errors are stated in ulps of the exact result y: |computed − y| / ulp(y) with
//! ulp(y) = 2^(max(e, e_min) − p + 1), where 2^e ≤ |y| < 2^(e+1), p is the precision
//! (24 or 53 bits) and e_min the exponent of the smallest normal number (−126 or
//! −1022). Below the smallest normal the ulp is thus the subnormal spacing
//! (2^−149 or 2^−1074), an absolute error floor. A correctly rounded function has an
//! error ≤ 0.5 ulp. The bounds on the `f32` functions are measured over all 2^32
//! inputs (`tests/approx.rs`, `TYPENET_EXHAUSTIVE=1`), the bounds on the `f64` functions
//! over 2^22 sampled inputs per function (random bit patterns, uniform over the useful
//! range, log-uniform magnitudes, runs of consecutive floats at the seams) against a
//! double-double reference: the largest error seen, not a proof.

// ---------------------------------------------------------------------------------------
// f32
// ---------------------------------------------------------------------------------------

/// ln 2 rounded to 15 significant bits (0x3f317200): k·LN2_HI_F32 is exact for |k| ≤ 2^9.
const LN2_HI_F32: f32 = f32::from_bits(0x3f31_7200);
/// ln 2 − LN2_HI_F32, rounded.
const LN2_LO_F32: f32 = f32::from_bits(0x35bf_be8e);
/// 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer, read from the bits.
const ROUND_F32: f32 = 12_582_912.0;

/// e^r ≈ 1 + r + r²·(E0 + r·(E1 + r·(E2 + r·(E3 + r·E4)))) on |r| ≤ 0.347;
/// fitted relative error 2^−28.3.
const EXP_F32: [f32; 5] = [
    0.499_999_94,
    0.166_665_2,
    0.041_668_396,
    0.008_368_797,
    0.001_381_443_1,
];

/// tanh x ≈ x + x·z·P(z), z = x², P of degree 6, on |x| < 1; fitted relative error 2^−27.7.
const TANH_SMALL_F32: [f32; 7] = [
    -0.333_332_96,
    0.133_323_45,
    -0.053_879_8,
    0.021_486_653,
    -0.007_946_101,
    0.002_301_360_2,
    -0.000_358_450_8,
];

/// 1 − tanh x ≈ N(x)/D(x) on 1 ≤ x ≤ 9.010914, N and D of degree 6 (D's constant term
/// is 1); fitted absolute error 2^−28.6.
const TANH_NUM_F32: [f32; 7] = [
    0.997_913_36,
    -0.675_038_46,
    0.195_393_9,
    -0.030_900_765,
    0.002_808_370_4,
    -0.000_138_682_49,
    2.898_928_2e-6,
];

/// D's coefficients of degree 0 to 6, see [`TANH_NUM_F32`].
const TANH_DEN_F32: [f32; 7] = [
    1.0,
    0.312_715_65,
    0.539_329,
    0.130_556_52,
    0.066_586_52,
    0.003_119_191_4,
    0.003_182_334_6,
];

/// tanh x rounds to 1 from here on.
const TANH_ONE_F32: f32 = 9.010_914;

/// (2·atanh s − 2s)/s ≈ z·(L0 + z·(L1 + z·L2)), z = s² ≤ 0.0295; fitted absolute error 2^−29.2.
const LOG_F32: [f32; 3] = [0.666_667_76, 0.399_775_36, 0.298_718_66];

#[inline(always)]
fn abs_f32(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & 0x7fff_ffff)
}

#[inline(always)]
fn with_sign_of_f32(magnitude: f32, sign: f32) -> f32 {
    f32::from_bits((magnitude.to_bits() & 0x7fff_ffff) | (sign.to_bits() & 0x8000_0000))
}

/// 2^k for −126 ≤ k ≤ 127, from the bits.
#[inline(always)]
fn pow2_f32(k: i32) -> f32 {
    f32::from_bits((k.wrapping_add(127) as u32) << 23)
}

/// c_0 + c_1·x + … + c_6·x^6 by Estrin's scheme: three levels of dependent operations
/// after x⁴, where Horner's scheme takes twelve. (Two calls at the same x compute x² and
/// x⁴ once: the compiler shares the identical products.)
#[inline(always)]
fn estrin6_f32(c: &[f32; 7], x: f32) -> f32 {
    let x2 = x * x;
    let x4 = x2 * x2;
    (c[0] + c[1] * x) + x2 * (c[2] + c[3] * x) + x4 * ((c[4] + c[5] * x) + x2 * c[6])
}

/// e^x without the NaN pass-through (a NaN gives some NaN).
#[inline(always)]
fn exp_core_f32(x: f32) -> f32 {
    // Clamp: e^89 overflows and e^−104 < 2^−150 rounds to 0; NaN passes unchanged.
    let x = if x > 89.0 { 89.0 } else { x };
    let x = if x < -104.0 { -104.0 } else { x };
    let t = x * core::f32::consts::LOG2_E + ROUND_F32;
    let kf = t - ROUND_F32;
    let k = (t.to_bits() as i32).wrapping_sub(0x4b40_0000);
    // x − k·LN2_HI is exact (k has ≤ 8 bits, LN2_HI 15); r = hi − lo is rounded, but
    // the sum below adds hi and lo separately.
    let hi = x - kf * LN2_HI_F32;
    let lo = kf * LN2_LO_F32;
    let r = hi - lo;
    // q = r²·Q(r), Q by Estrin's scheme (five levels of dependent operations from r
    // where Horner's takes eight).
    let [e0, e1, e2, e3, e4] = EXP_F32;
    let r2 = r * r;
    let q = r2 * ((e0 + r * e1) + r2 * ((e2 + r * e3) + r2 * e4));
    // p = 1 + hi + (q − lo) rounded once: 1 + hi = h + h_err exactly (Fast2Sum,
    // |hi| < 1), computed while the polynomial is, so three additions follow q (seven
    // before).
    let h = 1.0 + hi;
    let h_err = (1.0 - h) + hi;
    let p = h + ((q - lo) + h_err);
    // 2^k as two factors, both normal for −150 ≤ k ≤ 128: p·2^k1 is exact and the
    // second product rounds once, also to a subnormal.
    let k1 = k >> 1;
    let k2 = k.wrapping_sub(k1);
    p * pow2_f32(k1) * pow2_f32(k2)
}

/// e^x for `f32`.
///
/// Error ≤ 0.79 ulp over all `f32` inputs (exhaustive test; measure in the module
/// docs), results normal or subnormal; monotonic over all inputs. Edges: e^x = +∞ for
/// x ≥ 88.72284 (the first input whose exact result rounds past `f32::MAX`), +0 for
/// x ≤ −103.972084, subnormal for −103.972084 < x ≤ −87.33655; e^±0 = 1 and
/// e^x = 1 for subnormal x; e^+∞ = +∞, e^−∞ = +0; NaN → the same NaN.
#[inline]
pub fn exp_f32(x: f32) -> f32 {
    let y = exp_core_f32(x);
    if x.is_nan() { x } else { y }
}

/// ln(1 + x) for x ≥ 0 or NaN-free x > −1, without the edge cases.
#[inline(always)]
fn ln_1p_core_f32(x: f32) -> f32 {
    let u = 1.0 + x;
    // c = ((1 + x) − u)/u, the part of 1 + x lost in u: exact numerators (for u ≥ 2,
    // u − x is exact by Sterbenz; for u < 2, u − 1 is).
    let c = if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    };
    let c = c / u;
    // u = 2^k·m with m ∈ [√½, √2).
    let iu = u.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = ((iu >> 23) as i32).wrapping_sub(127);
    let m = f32::from_bits((iu & 0x007f_ffff) + 0x3f35_04f3);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let [l0, l1, l2] = LOG_F32;
    let r = z * (l0 + z * (l1 + z * l2));
    let hfsq = 0.5 * f * f;
    let dk = k as f32;
    dk * LN2_HI_F32 - ((hfsq - (s * (hfsq + r) + (dk * LN2_LO_F32 + c))) - f)
}

/// ln(1 + x) for `f32`.
///
/// Error ≤ 0.87 ulp over all `f32` inputs (exhaustive test); monotonic except at one
/// pair of adjacent inputs (exhaustive count). Edges: ln_1p(±0) = ±0,
/// ln_1p(x) = x for |x| < 2^−24 (subnormals included); ln_1p(−1) = −∞;
/// ln_1p(x < −1) = NaN (`f32::NAN`), also for −∞; ln_1p(+∞) = +∞; NaN → the same NaN.
#[inline]
pub fn ln_1p_f32(x: f32) -> f32 {
    let y = ln_1p_core_f32(x);
    let y = if x == 0.0 { x } else { y };
    let y = if x == f32::INFINITY { x } else { y };
    let y = if x == -1.0 { f32::NEG_INFINITY } else { y };
    let y = if x < -1.0 { f32::NAN } else { y };
    if x.is_nan() { x } else { y }
}

/// tanh x for `f32`.
///
/// Error ≤ 1.53 ulp over all `f32` inputs (exhaustive test). Odd: tanh(−x) = −tanh(x)
/// bit for bit. Not monotonic at the last bit: 645 840 pairs of adjacent inputs give a
/// decreasing result (exhaustive count; the price of the rational function below,
/// which takes half the latency of the exponential and division it replaced). Edges:
/// tanh(±0) = ±0, tanh(x) = x for |x| < 2^−12 (subnormals included); tanh(x) = ±1
/// exactly for |x| ≥ 9.010914 and for ±∞, never beyond; NaN → the same NaN.
#[inline]
pub fn tanh_f32(x: f32) -> f32 {
    let a = abs_f32(x);
    // |x| < 1: odd polynomial.
    let z = a * a;
    let small = a + a * (z * estrin6_f32(&TANH_SMALL_F32, z));
    // 1 ≤ |x| < 9.010914: 1 − N/D ≥ 0.76, no cancellation; |x| is clamped so that N
    // and D stay finite (the clamped lanes are replaced by 1 below).
    let b = if a < TANH_ONE_F32 { a } else { TANH_ONE_F32 };
    let big = 1.0 - estrin6_f32(&TANH_NUM_F32, b) / estrin6_f32(&TANH_DEN_F32, b);
    let y = if a < 1.0 { small } else { big };
    let y = if a < TANH_ONE_F32 { y } else { 1.0 };
    // Computed on |x| and given the sign of x at the end: odd, and tanh(−0) = −0.
    let y = with_sign_of_f32(y, x);
    if x.is_nan() { x } else { y }
}

/// The logistic function 1/(1 + e^−x) for `f32`.
///
/// Error ≤ 1.97 ulp over all `f32` inputs (exhaustive test; the largest errors are at
/// x < −2, where e^x's own rounding and the division add up). Not monotonic at the last
/// bit: 703 570 pairs of adjacent inputs give a decreasing result. Edges:
/// sigmoid(±0) = 0.5; 1 exactly for x ≥ 17.32868 and +∞; for x ≤ −16.982107 the bits of
/// [`exp_f32`]`(x)` (e^x/(1 + e^x) rounds to e^x there), so subnormal for
/// x ≤ −87.33655 and +0 for x ≤ −103.972084 and −∞; never outside [0, 1];
/// NaN → the same NaN.
#[inline]
pub fn sigmoid_f32(x: f32) -> f32 {
    let e = exp_core_f32(-abs_f32(x));
    // d = 1 + e rounds; d_lo = 1 + e − d exactly (Fast2Sum). With q = num/d,
    // num/(d + d_lo) = q − q·d_lo/d to first order, and 1/d is q (x ≥ 0) or 1 − q (x < 0).
    let d = 1.0 + e;
    let d_lo = e - (d - 1.0);
    let num = if x < 0.0 { e } else { 1.0 };
    let q = num / d;
    let w = if x < 0.0 { 1.0 - q } else { q };
    let y = q - q * w * d_lo;
    if x.is_nan() { x } else { y }
}

/// softplus(x) = ln(1 + e^x) for `f32`, computed as max(x, 0) + ln_1p(e^−|x|).
///
/// Error ≤ 1.59 ulp over all `f32` inputs (exhaustive test). Not monotonic at the last
/// bit: 2 398 724 pairs of adjacent inputs give a decreasing result. Edges:
/// softplus(0) = ln 2 rounded; softplus(x) = x exactly for x ≥ 14.556091 and +∞ for +∞;
/// for x ≤ −16.412014 the bits of [`exp_f32`]`(x)`, so subnormal for x ≤ −87.33655 and
/// +0 for x ≤ −103.972084 and −∞; never negative; NaN → the same NaN.
#[inline]
pub fn softplus_f32(x: f32) -> f32 {
    let e = exp_core_f32(-abs_f32(x));
    let l = ln_1p_core_f32(e);
    let pos = if x > 0.0 { x } else { 0.0 };
    let y = pos + l;
    if x.is_nan() { x } else { y }
}

// ---------------------------------------------------------------------------------------
// f64
// ---------------------------------------------------------------------------------------

/// ln 2 rounded to 32 significant bits: k·LN2_HI_F64 is exact for |k| ≤ 2^21.
const LN2_HI_F64: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
/// ln 2 − LN2_HI_F64, rounded.
const LN2_LO_F64: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1.5·2^52: adding it rounds a float of magnitude < 2^51 to an integer, read from the bits.
const ROUND_F64: f64 = 6_755_399_441_055_744.0;

/// e^r ≈ 1 + r + r²·(E0 + r·(E1 + … + r·E9)) on |r| ≤ 0.347; fitted relative error 2^−57.9.
const EXP_F64: [f64; 10] = [
    0.500_000_000_000_001_1,
    0.166_666_666_666_664_1,
    0.041_666_666_666_528_934,
    0.008_333_333_333_495_925,
    0.001_388_888_894_399_941_7,
    0.000_198_412_695_042_996_81,
    2.480_149_267_497_488_8e-5,
    2.755_758_758_690_841_4e-6,
    2.763_041_252_761_770_4e-7,
    2.499_994_266_734_527e-8,
];

/// tanh x ≈ x + x·z·P(z), z = x², P of degree 11, on |x| ≤ 0.625; fitted relative
/// error 2^−61.2.
const TANH_F64: [f64; 12] = [
    -0.333_333_333_333_333_15,
    0.133_333_333_333_297_44,
    -0.053_968_253_966_059_02,
    0.021_869_488_468_717_87,
    -0.008_863_234_312_610_612,
    0.003_592_114_000_142_859_7,
    -0.001_455_725_949_559_448_2,
    0.000_589_451_804_617_450_4,
    -0.000_237_011_744_559_573_93,
    9.155_843_514_811_393e-5,
    -3.018_724_238_873_048_7e-5,
    6.042_477_315_466_652e-6,
];

/// (2·atanh s − 2s)/s ≈ z·(L0 + z·(L1 + … + z·L6)), z = s² ≤ 0.0295; fitted absolute
/// error 2^−58.5.
const LOG_F64: [f64; 7] = [
    0.666_666_666_666_673_4,
    0.399_999_999_994_143_15,
    0.285_714_287_424_764_73,
    0.222_221_985_633_429_07,
    0.181_835_648_732_869_67,
    0.153_140_356_814_109_1,
    0.147_961_068_597_071_42,
];

#[inline(always)]
fn abs_f64(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & 0x7fff_ffff_ffff_ffff)
}

#[inline(always)]
fn with_sign_of_f64(magnitude: f64, sign: f64) -> f64 {
    f64::from_bits(
        (magnitude.to_bits() & 0x7fff_ffff_ffff_ffff) | (sign.to_bits() & 0x8000_0000_0000_0000),
    )
}

/// 2^k for −1022 ≤ k ≤ 1023, from the bits.
#[inline(always)]
fn pow2_f64(k: i32) -> f64 {
    f64::from_bits((k.wrapping_add(1023) as u32 as u64) << 52)
}

/// e^x without the NaN pass-through (a NaN gives some NaN).
#[inline(always)]
fn exp_core_f64(x: f64) -> f64 {
    // Clamp: e^710 overflows and e^−746 < 2^−1075 rounds to 0; NaN passes unchanged.
    let x = if x > 710.0 { 710.0 } else { x };
    let x = if x < -746.0 { -746.0 } else { x };
    let t = x * core::f64::consts::LOG2_E + ROUND_F64;
    let kf = t - ROUND_F64;
    // The low 32 bits of t hold k (two's complement) for |k| < 2^31.
    let k = t.to_bits() as u32 as i32;
    let hi = x - kf * LN2_HI_F64;
    let lo = kf * LN2_LO_F64;
    let r = hi - lo;
    let [e0, e1, e2, e3, e4, e5, e6, e7, e8, e9] = EXP_F64;
    let q = r
        * r
        * (e0
            + r * (e1
                + r * (e2
                    + r * (e3 + r * (e4 + r * (e5 + r * (e6 + r * (e7 + r * (e8 + r * e9)))))))));
    // p = 1 + hi + (q − lo) with the two large additions compensated (Fast2Sum), so
    // that the result is rounded once: hi + t = s + s_err, 1 + s = p + p_err exactly.
    let t = q - lo;
    let s = hi + t;
    let s_err = t - (s - hi);
    let p = 1.0 + s;
    let p_err = (1.0 - p) + s;
    let p = p + (p_err + s_err);
    let k1 = k >> 1;
    let k2 = k.wrapping_sub(k1);
    p * pow2_f64(k1) * pow2_f64(k2)
}

/// e^x for `f64`.
///
/// Error ≤ 0.77 ulp over 2^22 sampled inputs over the whole range (test against a
/// double-double reference; measure in the module docs). Edges: e^x = +∞ for
/// x ≥ 709.7827128933841 (the exact result rounds past `f64::MAX`), +0 for
/// x ≤ −745.1332191019412, subnormal for x ≤ −708.3964185322642; e^±0 = 1 and e^x = 1
/// for subnormal x; e^+∞ = +∞, e^−∞ = +0; NaN → the same NaN.
#[inline]
pub fn exp_f64(x: f64) -> f64 {
    let y = exp_core_f64(x);
    if x.is_nan() { x } else { y }
}

/// ln(1 + x) for `f64` without the edge cases.
#[inline(always)]
fn ln_1p_core_f64(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    };
    let c = c / u;
    let iu = u
        .to_bits()
        .wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd);
    let k = ((iu >> 52) as i32).wrapping_sub(1023);
    let m = f64::from_bits((iu & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_667f_3bcd);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let [l0, l1, l2, l3, l4, l5, l6] = LOG_F64;
    let r = z * (l0 + z * (l1 + z * (l2 + z * (l3 + z * (l4 + z * (l5 + z * l6))))));
    let hfsq = 0.5 * f * f;
    let dk = f64::from(k);
    dk * LN2_HI_F64 - ((hfsq - (s * (hfsq + r) + (dk * LN2_LO_F64 + c))) - f)
}

/// ln(1 + x) for `f64`.
///
/// Error ≤ 0.79 ulp over 2^22 sampled inputs (double-double reference). Edges:
/// ln_1p(±0) = ±0, ln_1p(x) = x for |x| < 2^−53 (subnormals included); ln_1p(−1) = −∞;
/// ln_1p(x < −1) = NaN (`f64::NAN`), also for −∞; ln_1p(+∞) = +∞; NaN → the same NaN.
#[inline]
pub fn ln_1p_f64(x: f64) -> f64 {
    let y = ln_1p_core_f64(x);
    let y = if x == 0.0 { x } else { y };
    let y = if x == f64::INFINITY { x } else { y };
    let y = if x == -1.0 { f64::NEG_INFINITY } else { y };
    let y = if x < -1.0 { f64::NAN } else { y };
    if x.is_nan() { x } else { y }
}

/// tanh x for `f64`.
///
/// Error ≤ 1.30 ulp over 2^22 sampled inputs (double-double reference). Odd:
/// tanh(−x) = −tanh(x) bit for bit. Edges: tanh(±0) = ±0, tanh(x) = x for
/// |x| < 2^−27 (subnormals included); tanh(x) = ±1 exactly for
/// |x| ≥ 19.061547465398498 and for ±∞; NaN → the same NaN.
#[inline]
pub fn tanh_f64(x: f64) -> f64 {
    let a = abs_f64(x);
    let z = a * a;
    let [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11] = TANH_F64;
    let p = t0
        + z * (t1
            + z * (t2
                + z * (t3
                    + z * (t4
                        + z * (t5
                            + z * (t6 + z * (t7 + z * (t8 + z * (t9 + z * (t10 + z * t11))))))))));
    let small = a + a * (z * p);
    let e = exp_core_f64(a + a);
    let big = 1.0 - 2.0 / (e + 1.0);
    // Computed on |x| and given the sign of x at the end: odd, and tanh(−0) = −0.
    let y = with_sign_of_f64(if a < 0.625 { small } else { big }, x);
    if x.is_nan() { x } else { y }
}

/// The logistic function 1/(1 + e^−x) for `f64`.
///
/// Error ≤ 1.68 ulp over 2^22 sampled inputs (double-double reference). Edges:
/// sigmoid(±0) = 0.5; 1 exactly for x ≥ 37.42994775023705 and +∞; for very negative x
/// the bits of [`exp_f64`]`(x)` (tested at x ≤ −40), subnormal for
/// x ≤ −708.3964185322642 and +0 for x ≤ −745.1332191019412 and −∞; never outside
/// [0, 1]; NaN → the same NaN.
#[inline]
pub fn sigmoid_f64(x: f64) -> f64 {
    let e = exp_core_f64(-abs_f64(x));
    // d = 1 + e rounds; d_lo = 1 + e − d exactly (Fast2Sum). With q = num/d,
    // num/(d + d_lo) = q − q·d_lo/d to first order, and 1/d is q (x ≥ 0) or 1 − q (x < 0).
    let d = 1.0 + e;
    let d_lo = e - (d - 1.0);
    let num = if x < 0.0 { e } else { 1.0 };
    let q = num / d;
    let w = if x < 0.0 { 1.0 - q } else { q };
    let y = q - q * w * d_lo;
    if x.is_nan() { x } else { y }
}

/// softplus(x) = ln(1 + e^x) for `f64`, computed as max(x, 0) + ln_1p(e^−|x|).
///
/// Error ≤ 1.37 ulp over 2^22 sampled inputs (double-double reference). Edges:
/// softplus(0) = ln 2 rounded; softplus(x) = x exactly for x ≥ 33.27106466687738 and +∞
/// for +∞; for x ≤ −36.28771113309849 the bits of [`exp_f64`]`(x)`, so subnormal for
/// x ≤ −708.3964185322642 and +0 for x ≤ −745.1332191019412 and −∞; never negative;
/// NaN → the same NaN.
#[inline]
pub fn softplus_f64(x: f64) -> f64 {
    let e = exp_core_f64(-abs_f64(x));
    let l = ln_1p_core_f64(e);
    let pos = if x > 0.0 { x } else { 0.0 };
    let y = pos + l;
    if x.is_nan() { x } else { y }
}

// ---------------------------------------------------------------------------------------
// Slice forms
// ---------------------------------------------------------------------------------------

macro_rules! slice_forms {
    ($($(#[$doc:meta])* $name:ident: $t:ty => $f:ident;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(xs: &mut [$t]) {
            for x in xs.iter_mut() {
                *x = $f(*x);
            }
        }
    )*};
}

slice_forms! {
    /// Applies [`exp_f32`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    exp_slice_f32: f32 => exp_f32;
    /// Applies [`ln_1p_f32`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    ln_1p_slice_f32: f32 => ln_1p_f32;
    /// Applies [`tanh_f32`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    tanh_slice_f32: f32 => tanh_f32;
    /// Applies [`sigmoid_f32`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    sigmoid_slice_f32: f32 => sigmoid_f32;
    /// Applies [`softplus_f32`] to every element in place (vectorised; the same bits as
    /// the scalar function).
    softplus_slice_f32: f32 => softplus_f32;
    /// Applies [`exp_f64`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    exp_slice_f64: f64 => exp_f64;
    /// Applies [`ln_1p_f64`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    ln_1p_slice_f64: f64 => ln_1p_f64;
    /// Applies [`tanh_f64`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    tanh_slice_f64: f64 => tanh_f64;
    /// Applies [`sigmoid_f64`] to every element in place (vectorised; the same bits as the
    /// scalar function).
    sigmoid_slice_f64: f64 => sigmoid_f64;
    /// Applies [`softplus_f64`] to every element in place (vectorised; the same bits as
    /// the scalar function).
    softplus_slice_f64: f64 => softplus_f64;
}

/// The functions above by argument type, for [`Scalar`](crate::Scalar)'s `f32` and
/// `f64` implementations (which call nothing else for these functions).
pub(crate) trait Functions: Sized {
    /// e^x.
    fn exp(self) -> Self;
    /// ln(1 + x).
    fn ln_1p(self) -> Self;
    /// tanh x.
    fn tanh(self) -> Self;
    /// 1 / (1 + e^−x).
    fn sigmoid(self) -> Self;
    /// ln(1 + e^x).
    fn softplus(self) -> Self;
}

macro_rules! functions {
    ($t:ty, $exp:ident, $ln_1p:ident, $tanh:ident, $sigmoid:ident, $softplus:ident) => {
        impl Functions for $t {
            #[inline]
            fn exp(self) -> Self { $exp(self) }
            #[inline]
            fn ln_1p(self) -> Self { $ln_1p(self) }
            #[inline]
            fn tanh(self) -> Self { $tanh(self) }
            #[inline]
            fn sigmoid(self) -> Self { $sigmoid(self) }
            #[inline]
            fn softplus(self) -> Self { $softplus(self) }
        }
    };
}

functions!(f32, exp_f32, ln_1p_f32, tanh_f32, sigmoid_f32, softplus_f32);
functions!(f64, exp_f64, ln_1p_f64, tanh_f64, sigmoid_f64, softplus_f64);
