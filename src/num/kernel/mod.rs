//! The three matrix kernels of a dense layer, and the rule every implementation of them
//! keeps: **the same bits as the portable code**.
//!
//! For a block of `B` samples (B = 1 on the per-sample path), layer i computes
//!
//! ```text
//! forward     z_s = W^i a_s^{i−1} + b^i                        (affine)
//! backward    ∂E/∂W^i += Σ_s ξ_s^i (a_s^{i−1})ᵀ,  ∂E/∂b^i += Σ_s ξ_s^i   (outer)
//!             ∂E/∂a_s^{i−1} += (W^i)ᵀ ξ_s^i                     (transpose)
//! ```
//!
//! The portable versions below fix the order of every floating-point operation:
//!
//! - a dot product w_k · x keeps eight running sums, s_l = Σ_c w_{k,8c+l} x_{8c+l} over
//!   the whole chunks of eight in order, adds them as
//!   `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))` ([`add_sums`]), adds the
//!   leftover products one at a time, and z_k = b_k + that sum;
//! - ∂E/∂W and ∂E/∂b add the samples' terms in sample order;
//! - (W^i)ᵀ ξ adds row k's term for k = 0, 1, … in order;
//! - every "add a product" is the scalar type's [`Arith::mul_add`]: for `f32` a **fused
//!   multiply-add**, the product and the sum rounded once ([`fused_f32`]), which x86
//!   (`VFMADD`) and the Cortex-M4F/M7/M33 (`VFMA.F32`) execute in one instruction; for
//!   `f64` and [`Q16`](crate::fixed::Q16), the product rounded, then the sum.
//!
//! A fourth kernel computes the forward pass of one sample on W copied into column
//! tiles ([`pack`], used by [`Packed`](crate::Packed)): with the 16 rows of a tile in
//! the lanes of a register, each running sum s_l of the 16 dot products is one
//! register, so the order above holds with no sum across lanes.
//!
//! Lane j of an eight-lane vector register is exactly s_j, so the order is that of SIMD
//! code too: [`Scalar`](crate::Scalar) routes `f32` layers to the kernels of the
//! `x86` module when the running CPU has AVX-512F or AVX, each with FMA (detected at run
//! time, with `std` on x86-64), which multiply-add with `VFMADD` and reduce the eight
//! sums in the same order, and on the Cortex-M cores with a single-precision FPU (the
//! `thumbv7em`/`thumbv8m.main`/`thumbv8.1m.main` hard-float targets) the forward pass to the `vfp`
//! module, whose assembly keeps the eight sums in eight registers and accumulates with
//! `VFMA.F32`. A network therefore gives the same bits on every machine, with or without
//! those kernels, and on a microcontroller: the firmware checks in CI depend on it, the
//! tests of the `x86` module compare every kernel level with the code below, bit for
//! bit, and the device test `embedded/src/bin/f32_kernels.rs` does the same for `vfp` on
//! the Cortex-M4F.
//!
//! History (both changes give networks other bits than before them): until `6e56d41`
//! (BENCHMARKS.md, round six) the `f32` rule was the `f64` one (product rounded, then
//! sum), which on a core with FMA units halves the multiply-adds per cycle (Intel's two
//! 512-bit FMA ports run a product or a sum each, not both); until `cd57096` (round
//! seven) the eight running sums were added in a chain, `s0 + s1 + … + s7` left to
//! right: seven additions one after the other for each output, which a small layer (a
//! 2-8-8-1 network, 8 inputs per row) waits for at every layer, where the tree takes
//! three.

#[cfg(any(
    test,
    all(not(feature = "std"), not(typenet_vfma)),
    all(target_os = "windows", not(target_feature = "fma"))
))]
mod soft_fma;
#[cfg(typenet_vfma)]
pub(crate) mod vfp;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) mod x86;

#[cfg(feature = "alloc")]
extern crate alloc;

use num_traits::{Num, NumAssignOps};

/// The arithmetic the portable kernels use: a ring with compound assignment and the
/// type's multiply-add. Every [`Scalar`](crate::Scalar) is one (`mul_add` is
/// [`Scalar::kernel_mul_add`](crate::Scalar::kernel_mul_add)).
pub(crate) trait Arith: Num + NumAssignOps + Copy {
    /// `self · a + b` by the type's rule: for `f32` rounded once ([`fused_f32`]), for
    /// `f64` and [`Q16`](crate::fixed::Q16) the product rounded, then the sum.
    fn mul_add(self, a: Self, b: Self) -> Self;
}

/// `x · a + b` rounded once (IEEE 754 fusedMultiplyAdd): **the multiply-add of every
/// `f32` dot product, ∂E/∂W and (W^i)ᵀ ξ**, on every target. With `std`, Rust's
/// `f32::mul_add` (one `VFMADD` where the code is compiled for FMA, as the x86 kernels
/// and every pass run through [`with_kernels`] are; a call to the C library's `fmaf`
/// elsewhere, correctly rounded in glibc, musl and Apple's libm), except on Windows
/// built without FMA, whose C runtime's `fmaf` is not correctly rounded on a CPU without
/// FMA: there, as on the cores without an FPU, the integer code of `soft_fma`; on the
/// Cortex-M cores with a single-precision FPU, one `VFMA.F32`
/// ([`vfp::fma`]); on other targets without `std` (the Cortex-M0/M3), in integer
/// arithmetic (`soft_fma`).
#[inline(always)]
pub(crate) fn fused_f32(x: f32, a: f32, b: f32) -> f32 {
    #[cfg(all(
        feature = "std",
        not(all(target_os = "windows", not(target_feature = "fma")))
    ))]
    {
        x.mul_add(a, b)
    }
    #[cfg(all(feature = "std", target_os = "windows", not(target_feature = "fma")))]
    {
        soft_fma::fmaf(x, a, b)
    }
    #[cfg(all(not(feature = "std"), typenet_vfma))]
    {
        vfp::fma(x, a, b)
    }
    #[cfg(all(not(feature = "std"), not(typenet_vfma)))]
    {
        soft_fma::fmaf(x, a, b)
    }
}

/// Runs `f` where the `f32` multiply-add is one instruction: with `std` on x86-64,
/// inlined into a function compiled for AVX with FMA when the CPU has them (the default
/// target has no FMA, and `f32::mul_add` would call `fmaf` for each product; AVX-512
/// here made a 2-8-8-1 forward pass a quarter slower than AVX, its 512-bit registers
/// used for a few lanes); elsewhere `f` itself. The passes of a network (`forward`, a
/// training step) run through it, and the functions between it and a layer's loops
/// (and the activations' passes) are always inlined on x86-64, so the small layers'
/// loops multiply-add in one instruction too and φ runs in AVX registers, whatever the
/// build profile: left to `#[inline]`, a build with one codegen unit kept
/// `Dense::add_outer` out of line, each multiply-add a call to `fmaf` (a 2-8-8-1
/// training step 3.8 times as long), and one with fat LTO compiled the activations for
/// SSE2 (BENCHMARKS.md, round ten). The bits do not depend on it.
#[inline(always)]
pub(crate) fn with_kernels<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        x86::fma(f)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    {
        f()
    }
}

/// A layer's shape for the kernels: `inputs` columns, `w.len() / inputs` rows.
/// Below this many weights a layer stays on the portable code, which inlines into the
/// caller; above it, a call through the run-time dispatch costs less than it saves.
pub(crate) const DISPATCH_MIN_WEIGHTS: usize = 256;

/// The name of the `f32` kernels this process runs: `"avx512f"` or `"avx"` (AVX-512F
/// or AVX, each with FMA, chosen at run time with `std` on x86-64, see
/// [`Scalar::affine_kernel`](crate::Scalar::affine_kernel)), `"vfp"` on the Cortex-M
/// cores with a single-precision FPU (`thumbv7em-none-eabihf`,
/// `thumbv8m.main-none-eabihf`, `thumbv8.1m.main-none-eabihf`: the forward kernel in `VLDM`/`VFMA.F32` assembly, the
/// others portable), or `"portable"`. Whichever it is,
/// results are the same bits.
///
/// ```
/// let name = typenet::kernel_level();
/// assert!(["avx512f", "avx", "vfp", "portable"].contains(&name));
/// ```
pub fn kernel_level() -> &'static str {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        match x86::level() {
            x86::Level::Avx512 => "avx512f",
            x86::Level::Avx => "avx",
            x86::Level::Portable => "portable",
        }
    }
    #[cfg(typenet_vfma)]
    {
        "vfp"
    }
    #[cfg(not(any(all(feature = "std", target_arch = "x86_64"), typenet_vfma)))]
    {
        "portable"
    }
}

/// Passes over fewer elements than this run on AVX (as [`with_kernels`] runs them), not
/// AVX-512.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) const WIDE_MIN_LEN: usize = 128;

/// Runs `f`, compiled (once it is inlined, which the single call lets the compiler
/// do) for the CPU's vectors: with `std` on x86-64, the widest it has (AVX-512F or AVX)
/// from `WIDE_MIN_LEN` elements on and AVX below; the target's own elsewhere. For
/// element-wise passes over a whole network's parameters (an optimizer step, scaling
/// and checking a gradient), whose results do not depend on the vector width; the
/// compiler never reorders a floating-point sum, so a loop that adds in sequence stays
/// in sequence.
///
/// `len` is the number of elements the pass visits: below `WIDE_MIN_LEN` (128) the
/// 512-bit loops' set-up costs more than it saves, and `f` runs in the function of
/// [`with_kernels`], compiled for AVX with FMA. (It ran inline in the caller before,
/// compiled for the target's baseline, where a small network's fully unrolled update
/// took one of two forms from build to build: see `train::optim::two_pass`.)
#[inline(always)]
pub(crate) fn wide<R>(len: usize, f: impl FnOnce() -> R) -> R {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        if len < WIDE_MIN_LEN {
            return with_kernels(f);
        }
        x86::wide(f)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    {
        let _ = len;
        f()
    }
}

/// The sum of a dot product's eight running sums in the crate's order (see the module
/// docs): `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`, three levels of
/// additions. Written once for every form a running sum takes (a scalar, an array of a
/// tile's lanes, a vector register), `add` being its addition; the Cortex-M assembly
/// (`vfp`'s `reduce!`) spells the same tree in `VADD.F32`s.
#[inline(always)]
pub(crate) fn add_sums<V: Copy>(s: [V; 8], add: impl Fn(V, V) -> V) -> V {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = s;
    add(add(add(s0, s1), add(s2, s3)), add(add(s4, s5), add(s6, s7)))
}

/// Σ_j a_j b_j in the crate's fixed order (see the module docs).
// On x86-64, always inlined into `with_kernels`'s function compiled for FMA (a small
// layer's rows call it there).
#[cfg_attr(target_arch = "x86_64", inline(always))]
#[cfg_attr(not(target_arch = "x86_64"), inline)]
pub(crate) fn dot<T: Arith>(a: &[T], b: &[T]) -> T {
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b.as_chunks::<8>();
    let z = T::zero();
    let (mut s0, mut s1, mut s2, mut s3, mut s4, mut s5, mut s6, mut s7) = (z, z, z, z, z, z, z, z);
    for (x, y) in ca.iter().zip(cb) {
        s0 = x[0].mul_add(y[0], s0);
        s1 = x[1].mul_add(y[1], s1);
        s2 = x[2].mul_add(y[2], s2);
        s3 = x[3].mul_add(y[3], s3);
        s4 = x[4].mul_add(y[4], s4);
        s5 = x[5].mul_add(y[5], s5);
        s6 = x[6].mul_add(y[6], s6);
        s7 = x[7].mul_add(y[7], s7);
    }
    let mut sum = add_sums([s0, s1, s2, s3, s4, s5, s6, s7], |a, b| a + b);
    for (&x, &y) in ra.iter().zip(rb) {
        sum = x.mul_add(y, sum);
    }
    sum
}

/// z_s = W x_s + b for each sample; `w` holds `bias.len()` rows of `xs[s].len()`
/// columns, row after row; every `zs[s]` has `bias.len()` entries and is overwritten.
#[inline]
pub(crate) fn affine<T: Arith, const B: usize>(
    w: &[T],
    bias: &[T],
    xs: [&[T]; B],
    zs: [&mut [T]; B],
) {
    let inputs = xs.first().map_or(0, |x| x.len());
    let mut zs = zs;
    for z in zs.iter_mut() {
        z.copy_from_slice(bias);
    }
    if inputs == 0 {
        return;
    }
    for (k, row) in w.chunks_exact(inputs).enumerate() {
        for (z, x) in zs.iter_mut().zip(xs) {
            z[k] += dot(row, x);
        }
    }
}

/// [`affine`] for `f32`, whichever kernel `f32` layers run on this target: the
/// reference of the device test `embedded/src/bin/f32_kernels.rs`, which compares it
/// bit for bit with [`Scalar::affine_kernel`](crate::Scalar::affine_kernel) (the `vfp`
/// assembly on the Cortex-M4F). Not part of the API.
#[doc(hidden)]
pub fn portable_affine_f32<const B: usize>(
    w: &[f32],
    bias: &[f32],
    xs: [&[f32]; B],
    zs: [&mut [f32]; B],
) {
    affine(w, bias, xs, zs);
}

/// A buffer on a cache line of its own on 64-bit hosts: the passes' buffers (z^i of a
/// block) and the x86 kernels' (inputs turned or transposed for a block). Such a buffer
/// is loaded and stored a vector register at a time; at the alignment of its scalars,
/// where it starts modulo 32 or 64 bytes follows the sizes of the callers' frames, and a
/// 16-byte offset makes half of the 256- or 512-bit accesses straddle two lines.
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), repr(align(64)))]
pub(crate) struct OnLine<X>(pub(crate) X);

/// Rows per tile of a packed weight matrix (see [`pack`]): one 512-bit register of `f32`.
pub(crate) const TILE: usize = 16;

/// One column of a packed tile: the weights from one input to the [`TILE`] rows of the
/// tile. 64-byte aligned, so that an `f32` column is one cache line and one aligned
/// 512-bit load.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Column<T>(pub(crate) [T; TILE]);

/// How many columns [`pack`] writes for `outputs` rows of `inputs` columns: `inputs`
/// per tile of [`TILE`] rows, the last tile padded with zero rows.
#[cfg(feature = "alloc")]
pub(crate) const fn packed_len(inputs: usize, outputs: usize) -> usize {
    outputs.div_ceil(TILE) * inputs
}

/// Appends W (`outputs` rows of `inputs` columns, row after row) to `out` in column
/// tiles: for each tile of [`TILE`] rows, column j of those rows, j = 0, 1, …; rows
/// past `outputs` are zero. A tile is then read front to back while the [`TILE`] dot
/// products of its rows advance together.
#[cfg(feature = "alloc")]
pub(crate) fn pack<T: Arith>(
    w: &[T],
    inputs: usize,
    outputs: usize,
    out: &mut alloc::vec::Vec<Column<T>>,
) {
    out.reserve(packed_len(inputs, outputs));
    for first in (0..outputs).step_by(TILE) {
        for j in 0..inputs {
            out.push(Column(core::array::from_fn(|r| {
                let k = first + r;
                if k < outputs {
                    w[k * inputs + j]
                } else {
                    T::zero()
                }
            })));
        }
    }
}

/// [`affine`] on W packed by [`pack`]: z_s = W x_s + b for each sample, in the same
/// order, bit for bit.
#[inline]
pub(crate) fn packed_affine<T: Arith, const B: usize>(
    tiles: &[Column<T>],
    bias: &[T],
    xs: [&[T]; B],
    zs: [&mut [T]; B],
) {
    for (x, z) in xs.into_iter().zip(zs) {
        packed_affine_sample(tiles, bias, x, z);
    }
}

/// [`packed_affine`] for one sample. Each tile keeps the eight running sums s_l of its
/// [`TILE`] rows as eight arrays of [`TILE`] lanes (row r's s_l in lane r), fed by the
/// inputs l, l + 8, …, then adds them ([`add_sums`]), the leftover products one at
/// a time and the bias, lane by lane: no sum crosses lanes.
#[inline]
fn packed_affine_sample<T: Arith>(tiles: &[Column<T>], bias: &[T], x: &[T], z: &mut [T]) {
    let inputs = x.len();
    if inputs == 0 {
        z.copy_from_slice(bias);
        return;
    }
    let (xc, xr) = x.as_chunks::<8>();
    let tiles = tiles.chunks_exact(inputs);
    for ((tile, zt), bt) in tiles.zip(z.chunks_mut(TILE)).zip(bias.chunks(TILE)) {
        let (groups, rest) = tile.as_chunks::<8>();
        let mut s = [[T::zero(); TILE]; 8];
        for (group, xs) in groups.iter().zip(xc) {
            for ((s, column), &x) in s.iter_mut().zip(group).zip(xs) {
                for (s, &w) in s.iter_mut().zip(&column.0) {
                    *s = w.mul_add(x, *s);
                }
            }
        }
        let mut sum = add_sums(s, |a, b| core::array::from_fn(|r| a[r] + b[r]));
        for (column, &x) in rest.iter().zip(xr) {
            for (sum, &w) in sum.iter_mut().zip(&column.0) {
                *sum = w.mul_add(x, *sum);
            }
        }
        for ((z, &b), &sum) in zt.iter_mut().zip(bt).zip(&sum) {
            *z = b + sum;
        }
    }
}

/// g_{kj} += Σ_s ξ_{s,k} a_{s,j} and gb_k += Σ_s ξ_{s,k}, the samples in order; `g` has
/// `gb.len()` rows of `a[s].len()` columns.
#[inline]
pub(crate) fn outer<T: Arith, const B: usize>(
    g: &mut [T],
    gb: &mut [T],
    xis: [&[T]; B],
    a: [&[T]; B],
) {
    let inputs = a.first().map_or(0, |a| a.len());
    if inputs == 0 {
        for (k, b) in gb.iter_mut().enumerate() {
            for xi in xis {
                *b += xi[k];
            }
        }
        return;
    }
    for (k, (row, b)) in g.chunks_exact_mut(inputs).zip(gb.iter_mut()).enumerate() {
        for (xi, a) in xis.iter().zip(a) {
            let xi = xi[k];
            *b += xi;
            for (w, &a) in row.iter_mut().zip(a.iter()) {
                *w = xi.mul_add(a, *w);
            }
        }
    }
}

/// gs_{s,j} += Σ_k ξ_{s,k} w_{kj}, the rows in order; `w` has `xis[s].len()` rows of
/// `gs[s].len()` columns.
#[inline]
pub(crate) fn transpose<T: Arith, const B: usize>(w: &[T], xis: [&[T]; B], gs: [&mut [T]; B]) {
    let inputs = gs.first().map_or(0, |g| g.len());
    if inputs == 0 {
        return;
    }
    let mut gs = gs;
    for (k, row) in w.chunks_exact(inputs).enumerate() {
        for (g, xi) in gs.iter_mut().zip(&xis) {
            let xi = xi[k];
            for (g, &w) in g.iter_mut().zip(row.iter()) {
                *g = xi.mul_add(w, *g);
            }
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::{dot, outer, pack, packed_affine, transpose};

    /// x = 1 + ε: x² = 1 + 2ε + ε², so x² − (1 + 2ε) is ε² when the product and the
    /// sum are rounded once, and 0 when the product is rounded first.
    const X: f32 = 1.0 + f32::EPSILON;
    const C: f32 = -(1.0 + 2.0 * f32::EPSILON);
    const E2: f32 = f32::EPSILON * f32::EPSILON;

    /// The `f32` rule is the fused multiply-add in every portable kernel: the running
    /// sums and the leftovers of a dot product, ∂E/∂W and (W^i)ᵀ ξ.
    #[test]
    fn f32_kernels_add_each_product_rounded_once() {
        // Leftover products (two inputs): C first, then X · X.
        assert_eq!(dot(&[1.0, X], &[C, X]), E2);
        // Running sum s_0 (sixteen inputs: chunk 0 then chunk 1 in lane 0).
        let (mut a, mut b) = ([0.0_f32; 16], [0.0_f32; 16]);
        (a[0], b[0], a[8], b[8]) = (1.0, C, X, X);
        assert_eq!(dot(&a, &b), E2);
        // ∂E/∂W: g = C, then g += ξ a with ξ = a = X.
        let (mut g, mut gb) = ([C], [0.0]);
        outer(&mut g, &mut gb, [&[X][..]], [&[X][..]]);
        assert_eq!(g, [E2]);
        // (W^i)ᵀ ξ: rows k = 0 (w = C, ξ = 1), then k = 1 (w = X, ξ = X).
        let mut gs = [0.0_f32];
        transpose(&[C, X], [&[1.0, X][..]], [&mut gs[..]]);
        assert_eq!(gs, [E2]);
    }

    /// The eight running sums are added as a tree: each pair of ones below meets first
    /// (1 + 1 = 2) in the tree, while any other order adds them to 2^24 one at a time,
    /// which rounds each away (2^24 + 1 is a tie, rounded to even). The four cases catch
    /// the chain `s0 + … + s7`, the reversed chain, and trees that combine the halves or
    /// the pairs in another order (each case fails at least one of them).
    #[test]
    fn running_sums_are_added_as_a_tree() {
        let big = 16_777_216.0_f32;
        assert_eq!(
            (big + 1.0) + 1.0,
            big,
            "adding the ones one at a time gives 2^24"
        );
        for a in [
            [big, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
            [1.0, 1.0, 0.0, 0.0, big, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, big, 0.0, 1.0, 1.0],
            [big, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0],
        ] {
            assert_eq!(dot(&a, &[1.0; 8]), big + 2.0, "{a:?}");
        }
        let a = [big, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        // The same for f64 at 2^53, and in a tile's lanes (the packed kernel).
        let big64 = 9_007_199_254_740_992.0_f64;
        let a64 = [big64, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(dot(&a64, &[1.0; 8]), big64 + 2.0);
        let mut tiles = std::vec::Vec::new();
        pack(&a, 8, 1, &mut tiles);
        let mut z = [0.0_f32];
        packed_affine(&tiles, &[0.0], [&[1.0; 8][..]], [&mut z[..]]);
        assert_eq!(z, [big + 2.0]);
    }

    /// `f64` keeps the product rounded, then the sum.
    #[test]
    fn f64_kernels_round_the_product_first() {
        let x = 1.0 + f64::EPSILON;
        assert_eq!(dot(&[1.0, x], &[-(1.0 + 2.0 * f64::EPSILON), x]), 0.0);
    }
}
