//! `f32` kernels for x86-64 CPUs with AVX-512F or AVX, each with FMA, chosen at run time.
//!
//! Each function here computes bit for bit what its portable twin in the parent module
//! computes (see the order rules there): every product is added by one fused
//! multiply-add (`VFMADD`, rounded once, as `f32::mul_add`), a dot product's eight running sums are the eight lanes of a 256-bit
//! half register, reduced as the portable code adds them (`add_sums`), and sums over samples or
//! rows run in the same order. What changes is how much is done per instruction and how
//! often a weight is loaded: the affine kernel keeps a tile of rows × samples of dot
//! products in registers, the outer-product kernel a tile of ∂E/∂W for every sample of
//! the block (so a block of 16 reads and writes ∂E/∂W once, not four times), the transpose
//! kernel a tile of ∂E/∂a columns for the whole pass over W. With AVX-512, groups of 16
//! samples through a layer of at most 1024 inputs instead put the samples in the lanes
//! (`affine_lanes`): each running sum s_l is then a register of 16 samples, and no sum
//! is reduced across lanes; and on packed weights, blocks of 8 samples through rows of
//! 128 to 1024 inputs sum the running sums one after the other (`packed_blocks`), so
//! that one register per tile and sample, not eight, is live; one sample through rows
//! of 128 inputs or more (no upper limit) advances three tiles at a time
//! (`packed_single`), each input broadcast once for the three.
//!
//! The only `unsafe` operations are unaligned loads and stores of whole `[f32; N]`
//! arrays (always in bounds: the pointer comes from a reference to the array), AVX-512
//! masked loads and stores of the first lanes of a shorter slice (the columns past the
//! last whole register: the mask enables exactly the slice's lanes), the
//! reinterpretation of a vector register as an array of lanes, the view of the first
//! entries of `packed_blocks`'s uninitialised buffer as initialised once the loop before
//! has written each of them, and the calls into the `#[target_feature]` functions after
//! the CPU has been checked. CI runs this module's
//! fixed cases under Miri with the features enabled at build time:
//! `RUSTFLAGS="-C target-feature=+avx,+fma,+avx512f" cargo +nightly miri test --lib kernel::x86`
//! (Miri has no `vpermt2ps`: under Miri it runs as a lane-by-lane copy, the rest of the
//! code, masked loads and stores included, as it is).

use super::{Column, DISPATCH_MIN_WEIGHTS, OnLine, TILE, add_sums, dot};
use core::arch::x86_64::*;
use core::mem::MaybeUninit;
use typenum::Unsigned;

/// Which kernels the running CPU can execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// The portable code.
    Portable,
    /// 256-bit AVX kernels.
    Avx,
    /// 512-bit AVX-512F kernels.
    Avx512,
}

/// The widest kernels this CPU runs (`is_x86_feature_detected!` caches its answer).
#[inline]
pub(crate) fn level() -> Level {
    if has_avx512() {
        Level::Avx512
    } else if has_avx() {
        Level::Avx
    } else {
        Level::Portable
    }
}

/// Whether the CPU runs the AVX-512 kernels: AVX-512F and FMA
/// (`is_x86_feature_detected!` caches its answers).
#[inline]
fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma")
}

/// Whether the CPU runs the AVX kernels: AVX and FMA.
#[inline]
fn has_avx() -> bool {
    std::arch::is_x86_feature_detected!("avx") && std::arch::is_x86_feature_detected!("fma")
}

/// `f`, inlined into a function compiled for AVX-512F and FMA.
#[target_feature(enable = "avx512f,fma")]
fn in_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// `f`, inlined into a function compiled for AVX and FMA.
#[target_feature(enable = "avx,fma")]
fn in_avx<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// [`super::wide`]: `f` inlined into a function compiled for AVX-512F or AVX.
#[inline(always)]
pub(crate) fn wide<R>(f: impl FnOnce() -> R) -> R {
    match level() {
        // SAFETY: `level` found AVX-512F and FMA on this CPU.
        Level::Avx512 => unsafe { in_avx512(f) },
        // SAFETY: `level` found AVX and FMA on this CPU.
        Level::Avx => unsafe { in_avx(f) },
        Level::Portable => f(),
    }
}

/// [`super::with_kernels`]: `f` inlined into a function compiled for AVX with FMA when
/// the CPU has them (every CPU of [`Level::Avx512`] or [`Level::Avx`]).
#[inline(always)]
pub(crate) fn fma<R>(f: impl FnOnce() -> R) -> R {
    match level() {
        // SAFETY: `level` found AVX (implied by AVX-512F) and FMA on this CPU.
        Level::Avx512 | Level::Avx => unsafe { in_avx(f) },
        Level::Portable => f(),
    }
}

/// The choice every `*_at` function makes: `$kernel` of the `avx512` or the `avx`
/// module when `level` names it, `$shapes_ok` holds and the CPU has the feature
/// (checked again: `level` is a parameter, the tests pass each one), else `$portable`.
macro_rules! at_level {
    ($level:expr, $shapes_ok:expr, $kernel:ident $(::<$($g:tt),*>)? ($($arg:expr),*), $portable:expr) => {
        match $level {
            Level::Avx512 if $shapes_ok && has_avx512() => {
                // SAFETY: the CPU has AVX-512F and FMA (checked on the line above).
                unsafe { avx512::$kernel $(::<$($g),*>)? ($($arg),*) }
            }
            Level::Avx if $shapes_ok && has_avx() => {
                // SAFETY: the CPU has AVX and FMA (checked on the line above).
                unsafe { avx::$kernel $(::<$($g),*>)? ($($arg),*) }
            }
            _ => $portable,
        }
    };
}

/// [`super::affine`] on the widest kernels available, for rows of `I` inputs: the
/// kernels are compiled for that count when `I` is not `U0` (a layer's input size, known
/// when compiling: the rows of a tile are then constant offsets from one pointer, which
/// frees the registers that held one pointer per row), and read it from the slices when
/// it is `U0`.
#[inline]
pub(crate) fn affine<I: Unsigned, const B: usize>(
    w: &[f32],
    bias: &[f32],
    xs: [&[f32]; B],
    zs: [&mut [f32]; B],
) {
    if w.len() < DISPATCH_MIN_WEIGHTS {
        return super::affine(w, bias, xs, zs);
    }
    affine_at::<I, B>(level(), w, bias, xs, zs);
}

/// [`affine`] on the kernels of `level`, which the CPU must support. Slices whose
/// lengths do not match (or not `I`, unless `I` is `U0`) go to the portable code.
pub(crate) fn affine_at<I: Unsigned, const B: usize>(
    level: Level,
    w: &[f32],
    bias: &[f32],
    xs: [&[f32]; B],
    mut zs: [&mut [f32]; B],
) {
    let inputs = xs.first().map_or(0, |x| x.len());
    let shapes_ok = inputs > 0
        && (I::USIZE == 0 || I::USIZE == inputs)
        && w.len() == inputs * bias.len()
        && xs.iter().all(|x| x.len() == inputs)
        && zs.iter().all(|z| z.len() == bias.len());
    at_level!(
        level,
        shapes_ok,
        affine::<I, B>(w, bias, &xs, &mut zs),
        super::affine(w, bias, xs, zs)
    )
}

/// Whether a layer of `inputs` × `outputs` weights runs faster packed (see
/// [`super::pack`]): on AVX-512F or AVX, from as many weights as the row kernels
/// dispatch at (smaller layers stay inline on the portable row code).
pub(crate) fn packs(inputs: usize, outputs: usize) -> bool {
    inputs * outputs >= DISPATCH_MIN_WEIGHTS && level() != Level::Portable
}

/// [`super::packed_affine`] on the widest kernels available (the same bits).
#[inline(always)]
pub(crate) fn packed_affine<const B: usize>(
    tiles: &[Column<f32>],
    bias: &[f32],
    xs: [&[f32]; B],
    zs: [&mut [f32]; B],
) {
    packed_affine_at(level(), tiles, bias, xs, zs);
}

/// [`packed_affine`] on the kernels of `level`, which the CPU must support. Slices
/// whose lengths do not match go to the portable code.
#[inline]
pub(crate) fn packed_affine_at<const B: usize>(
    level: Level,
    tiles: &[Column<f32>],
    bias: &[f32],
    xs: [&[f32]; B],
    mut zs: [&mut [f32]; B],
) {
    let inputs = xs.first().map_or(0, |x| x.len());
    let shapes_ok = inputs > 0
        && xs.iter().all(|x| x.len() == inputs)
        && zs.iter().all(|z| z.len() == bias.len())
        && tiles.len() == super::packed_len(inputs, bias.len());
    at_level!(
        level,
        shapes_ok,
        packed_affine(tiles, bias, &xs, &mut zs),
        super::packed_affine(tiles, bias, xs, zs)
    )
}

/// The input count of the kernels for `I`: `I` itself, or the slices' when `I` is `U0`.
#[inline(always)]
fn input_count<I: Unsigned>(x: &[f32]) -> usize {
    if I::USIZE > 0 { I::USIZE } else { x.len() }
}

/// [`super::outer`] on the widest kernels available.
#[inline]
pub(crate) fn outer<const B: usize>(
    g: &mut [f32],
    gb: &mut [f32],
    xis: [&[f32]; B],
    a: [&[f32]; B],
    from_zero: bool,
) {
    if g.len() < DISPATCH_MIN_WEIGHTS {
        return portable_outer(g, gb, xis, a, from_zero);
    }
    outer_at(level(), g, gb, xis, a, from_zero);
}

/// [`super::outer`], into `g` and `gb` zeroed first when `from_zero`.
#[inline(always)]
fn portable_outer<const B: usize>(
    g: &mut [f32],
    gb: &mut [f32],
    xis: [&[f32]; B],
    a: [&[f32]; B],
    from_zero: bool,
) {
    if from_zero {
        g.fill(0.0);
        gb.fill(0.0);
    }
    super::outer(g, gb, xis, a);
}

/// [`super::outer`] on the kernels of `level`, which the CPU must support; with
/// `from_zero` into `g` and `gb` taken as zero (not read): the bits of zeroing them
/// first.
pub(crate) fn outer_at<const B: usize>(
    level: Level,
    g: &mut [f32],
    gb: &mut [f32],
    xis: [&[f32]; B],
    a: [&[f32]; B],
    from_zero: bool,
) {
    let inputs = a.first().map_or(0, |a| a.len());
    let shapes_ok = inputs > 0
        && g.len() == inputs * gb.len()
        && a.iter().all(|a| a.len() == inputs)
        && xis.iter().all(|xi| xi.len() == gb.len());
    at_level!(
        level,
        shapes_ok,
        outer(g, gb, &xis, &a, from_zero),
        portable_outer(g, gb, xis, a, from_zero)
    )
}

/// [`super::transpose`] on the widest kernels available.
#[inline]
pub(crate) fn transpose<const B: usize>(w: &[f32], xis: [&[f32]; B], gs: [&mut [f32]; B]) {
    if w.len() < DISPATCH_MIN_WEIGHTS {
        return super::transpose(w, xis, gs);
    }
    transpose_at(level(), w, xis, gs);
}

/// [`super::transpose`] on the kernels of `level`, which the CPU must support.
pub(crate) fn transpose_at<const B: usize>(
    level: Level,
    w: &[f32],
    xis: [&[f32]; B],
    gs: [&mut [f32]; B],
) {
    let inputs = gs.first().map_or(0, |g| g.len());
    let outputs = xis.first().map_or(0, |xi| xi.len());
    let shapes_ok = inputs > 0
        && w.len() == inputs * outputs
        && gs.iter().all(|g| g.len() == inputs)
        && xis.iter().all(|xi| xi.len() == outputs);
    at_level!(
        level,
        shapes_ok,
        transpose(w, &xis, gs),
        super::transpose(w, xis, gs)
    )
}

/// The eight running sums in the first eight lanes of `l`, added as the portable dot
/// product adds them ([`add_sums`]).
#[inline(always)]
fn sum8(l: &[f32]) -> f32 {
    add_sums(core::array::from_fn(|j| l[j]), |a, b| a + b)
}

/// Row `k` of a matrix of `inputs` columns stored row after row.
#[inline(always)]
fn row(w: &[f32], inputs: usize, k: usize) -> &[f32] {
    &w[k * inputs..(k + 1) * inputs]
}

/// The first `n` whole chunks of `N` values of `s`.
#[inline(always)]
fn chunks<const N: usize>(s: &[f32], n: usize) -> &[[f32; N]] {
    &s.as_chunks::<N>().0[..n]
}

/// The loads and stores, the forward kernel's entry, and the ∂E/∂W and (W^i)ᵀ ξ
/// kernels, the same for both register widths: `$v` holds `$n`
/// lanes; `$feature` is the target feature of every function; `samples_in_lanes` names
/// the function that takes the block's first samples with one sample per lane (or none,
/// returning 0), `packed_blocks` the one that takes them in blocks on packed weights (or
/// none); the `affine` pairs are
/// the forward tiles (`affine_samples::<I, RP or R, S>`, written per width), the
/// `packed` counts the groups of samples of the packed forward kernel, `packed_single`
/// the function that takes a sample left over after the groups, `outer`'s
/// `(R, J)` the ∂E/∂W tile (R rows × J registers of columns, kept in registers while
/// every sample of the block is added) and the `(S, J)` pairs the transpose tiles
/// (S samples, J registers of columns), tried in order on the block.
macro_rules! shared_kernels {
    (
        feature: $feature:literal, vector: $v:ty, lanes: $n:literal,
        loadu: $loadu:ident, storeu: $storeu:ident,
        set1: $set1:ident, add: $add:ident, fmadd: $fmadd:ident,
        samples_in_lanes: $in_lanes:ident,
        packed_blocks: $blocks:ident,
        affine: [$(($ar:literal, $as:literal)),*],
        packed: [$($ps:literal),*],
        packed_single: $single:ident,
        outer: ($or:literal, $oj:literal),
        transpose: [$(($ts:literal, $tj:literal)),*]
    ) => {
    /// Loads one register of lanes.
    #[inline]
    #[target_feature(enable = $feature)]
    fn load(a: &[f32; $n]) -> $v {
        // SAFETY: `a` is a reference to a register's worth of f32; the load has no
        // alignment requirement.
        unsafe { $loadu(a.as_ptr()) }
    }

    /// Stores one register of lanes.
    #[inline]
    #[target_feature(enable = $feature)]
    fn store(a: &mut [f32; $n], v: $v) {
        // SAFETY: `a` is an exclusive reference to a register's worth of f32; no
        // alignment requirement.
        unsafe { $storeu(a.as_mut_ptr(), v) }
    }

    /// The lanes of a register.
    #[inline]
    #[target_feature(enable = $feature)]
    fn lanes(v: $v) -> [f32; $n] {
        // SAFETY: the vector type and the array have the same size, and every bit
        // pattern is a valid f32.
        unsafe { core::mem::transmute::<$v, [f32; $n]>(v) }
    }

    /// The forward kernel: the first samples of the block through `$in_lanes` (none, or
    /// groups of as many samples as a register has lanes), the others in groups, each
    /// group through every row by `affine_samples`.
    #[allow(clippy::int_plus_one)] // `s + 1 <= B` when a group is one sample
    #[target_feature(enable = $feature)]
    pub(super) fn affine<I: Unsigned, const B: usize>(
        w: &[f32],
        bias: &[f32],
        xs: &[&[f32]; B],
        zs: &mut [&mut [f32]; B],
    ) {
        let mut s = $in_lanes::<I, B>(w, bias, xs, zs);
        $(
            while s + $as <= B {
                affine_samples::<I, $ar, $as>(w, bias, &xs[s..s + $as], &mut zs[s..s + $as]);
                s += $as;
            }
        )*
    }

    /// [`super::super::packed_affine`] on vectors: the block's first samples through
    /// `$blocks` (none, or blocks of samples whose running sums are summed one after
    /// the other), the others in groups, in order, each group through every tile by
    /// `packed_samples`, and a last sample left over by the groups through `$single`.
    #[allow(clippy::int_plus_one)] // `s + 1 <= B` when a group is one sample
    #[target_feature(enable = $feature)]
    pub(super) fn packed_affine<const B: usize>(
        tiles: &[Column<f32>],
        bias: &[f32],
        xs: &[&[f32]; B],
        zs: &mut [&mut [f32]; B],
    ) {
        let mut s = $blocks(tiles, bias, xs, zs);
        $(
            while s + $ps <= B {
                packed_samples::<$ps>(tiles, bias, &xs[s..s + $ps], &mut zs[s..s + $ps]);
                s += $ps;
            }
        )*
        while s < B {
            $single(tiles, bias, xs[s], &mut *zs[s]);
            s += 1;
        }
    }

    /// `S` samples through every tile: a tile's [`TILE`] rows in `TILE / $n` passes of
    /// `$n` rows, each keeping, per sample, the eight running sums as eight registers
    /// (row r's s_l in lane r), fed by the inputs l, l + 8, … broadcast to every lane;
    /// then the tree of [`add_sums`], the leftover products and the bias register by
    /// register. The same operations in the same order as the portable code, no sum
    /// across lanes, and each column of weights loaded once for the `S` samples.
    #[inline]
    #[target_feature(enable = $feature)]
    fn packed_samples<const S: usize>(
        tiles: &[Column<f32>],
        bias: &[f32],
        xs: &[&[f32]],
        zs: &mut [&mut [f32]],
    ) {
        let inputs = xs[0].len();
        let xc: [(&[[f32; 8]], &[f32]); S] = core::array::from_fn(|s| xs[s].as_chunks::<8>());
        let tiles = tiles.chunks_exact(inputs);
        for (t, (tile, bt)) in tiles.zip(bias.chunks(TILE)).enumerate() {
            let (groups, rest) = tile.as_chunks::<8>();
            let b: [f32; TILE] = match bt.as_chunks::<TILE>() {
                ([whole], _) => *whole,
                _ => core::array::from_fn(|r| bt.get(r).copied().unwrap_or(0.0)),
            };
            let (b, _) = b.as_chunks::<$n>();
            for (h, b) in b.iter().enumerate() {
                let part = |column: &Column<f32>| -> $v { load(&column.0.as_chunks::<$n>().0[h]) };
                let mut acc = [[$set1(0.0); 8]; S];
                for (c, group) in groups.iter().enumerate() {
                    // Each sample's chunk c of inputs (one bounds check per chunk).
                    let xg: [&[f32; 8]; S] = core::array::from_fn(|s| &xc[s].0[c]);
                    for (l, column) in group.iter().enumerate() {
                        let w = part(column);
                        for (acc, xg) in acc.iter_mut().zip(&xg) {
                            acc[l] = $fmadd(w, $set1(xg[l]), acc[l]);
                        }
                    }
                }
                for ((acc, (_, xr)), z) in acc.into_iter().zip(&xc).zip(zs.iter_mut()) {
                    let mut sum = add_sums(acc, |a, b| $add(a, b));
                    for (column, &x) in rest.iter().zip(*xr) {
                        sum = $fmadd(part(column), $set1(x), sum);
                    }
                    let out = $add(load(b), sum);
                    // Rows t·TILE + h·$n + p of this pass that exist: all of them (one
                    // store) or the first ones of the last tile.
                    let first = (h * $n).min(bt.len());
                    let last = (h * $n + $n).min(bt.len());
                    let z = &mut z[t * TILE + first..t * TILE + last];
                    match z.as_chunks_mut::<$n>() {
                        ([whole], _) => store(whole, out),
                        _ => z.copy_from_slice(&lanes(out)[..last - first]),
                    }
                }
            }
        }
    }

    /// ∂E/∂b, then ∂E/∂W in tiles of `$or` rows × `$oj` registers of columns, each
    /// tile loaded once, given the block's terms in sample order and stored once; then
    /// the leftover columns, one partly loaded register per row, in the same order.
    #[target_feature(enable = $feature)]
    pub(super) fn outer<const B: usize>(
        g: &mut [f32],
        gb: &mut [f32],
        xis: &[&[f32]; B],
        a: &[&[f32]; B],
        from_zero: bool,
    ) {
        let (gbc, gbr) = gb.as_chunks_mut::<$n>();
        let whole = gbc.len();
        for (c, gc) in gbc.iter_mut().enumerate() {
            let mut v = if from_zero { $set1(0.0) } else { load(gc) };
            for xi in xis {
                v = $add(v, load(&xi.as_chunks::<$n>().0[c]));
            }
            store(gc, v);
        }
        for (k, b) in gbr.iter_mut().enumerate() {
            if from_zero {
                *b = 0.0;
            }
            for xi in xis {
                *b += xi[$n * whole + k];
            }
        }
        let inputs = a[0].len();
        let n = inputs / $n;
        let mut c = 0;
        while c + $oj <= n {
            outer_columns::<B, $oj>(g, c, xis, a, from_zero);
            c += $oj;
        }
        while c < n {
            outer_columns::<B, 1>(g, c, xis, a, from_zero);
            c += 1;
        }
        if $n * n < inputs {
            outer_rest::<B>(g, xis, a, from_zero);
        }
    }

    /// The columns past the last whole register of ∂E/∂W (fewer than `$n`), each row's
    /// in one partly loaded register, in tiles of `$or` rows, then single rows.
    #[inline]
    #[target_feature(enable = $feature)]
    fn outer_rest<const B: usize>(
        g: &mut [f32],
        xis: &[&[f32]; B],
        a: &[&[f32]; B],
        from_zero: bool,
    ) {
        row_tiles(
            g,
            a[0].len(),
            |g, k| outer_rest_tile::<B, $or>(g, k, xis, a, from_zero),
            |g, k| outer_rest_tile::<B, 1>(g, k, xis, a, from_zero),
        );
    }

    /// Rows k0 .. k0 + R of [`outer_rest`] (`g` holds exactly those rows): their last
    /// columns in R registers, each given ξ_{s,k} a_s for s = 0, 1, … in order.
    #[inline]
    #[target_feature(enable = $feature)]
    fn outer_rest_tile<const B: usize, const R: usize>(
        g: &mut [f32],
        k0: usize,
        xis: &[&[f32]; B],
        a: &[&[f32]; B],
        from_zero: bool,
    ) {
        let inputs = a[0].len();
        let first = $n * (inputs / $n);
        let part = |r: usize| r * inputs + first..(r + 1) * inputs;
        let mut acc: [$v; R] = core::array::from_fn(|r| {
            if from_zero { $set1(0.0) } else { load_part(&g[part(r)]) }
        });
        for (xi, a) in xis.iter().zip(a) {
            let a = load_part(&a[first..]);
            for (r, acc) in acc.iter_mut().enumerate() {
                *acc = $fmadd($set1(xi[k0 + r]), a, *acc);
            }
        }
        for (r, acc) in acc.into_iter().enumerate() {
            store_part(&mut g[part(r)], acc);
        }
    }

    /// Chunks c0 .. c0 + J of the columns of ∂E/∂W, every row: the samples' chunks
    /// stay in the first-level cache while the row tiles pass.
    #[inline]
    #[target_feature(enable = $feature)]
    fn outer_columns<const B: usize, const J: usize>(
        g: &mut [f32],
        c0: usize,
        xis: &[&[f32]; B],
        a: &[&[f32]; B],
        from_zero: bool,
    ) {
        let av: [&[[f32; $n]; J]; B] = core::array::from_fn(|s| {
            let chunks = &a[s].as_chunks::<$n>().0[c0..c0 + J];
            chunks.try_into().unwrap_or_else(|_| unreachable!())
        });
        row_tiles(
            g,
            a[0].len(),
            |g, k| outer_tile::<B, $or, J>(g, k, c0, xis, &av, from_zero),
            |g, k| outer_tile::<B, 1, J>(g, k, c0, xis, &av, from_zero),
        );
    }

    /// The rows of ∂E/∂W (`inputs` columns each) in tiles of `$or` rows, then single
    /// rows: `tile(rows, k)` and `row(rows, k)` with the tile's rows of `g` and its
    /// first row's index k, in order.
    #[inline(always)]
    fn row_tiles(
        g: &mut [f32],
        inputs: usize,
        mut tile: impl FnMut(&mut [f32], usize),
        mut row: impl FnMut(&mut [f32], usize),
    ) {
        let mut tiles = g.chunks_exact_mut($or * inputs);
        let mut k = 0;
        for rows in tiles.by_ref() {
            tile(rows, k);
            k += $or;
        }
        for rows in tiles.into_remainder().chunks_exact_mut(inputs) {
            row(rows, k);
            k += 1;
        }
    }

    /// Rows k0 .. k0 + R (`g` holds exactly those rows), chunks c0 .. c0 + J of ∂E/∂W
    /// in R × J registers, each given ξ_{s,k} a_s for s = 0, 1, … in order.
    #[inline]
    #[target_feature(enable = $feature)]
    fn outer_tile<const B: usize, const R: usize, const J: usize>(
        g: &mut [f32],
        k0: usize,
        c0: usize,
        xis: &[&[f32]; B],
        av: &[&[[f32; $n]; J]; B],
        from_zero: bool,
    ) {
        let inputs = g.len() / R;
        let mut rows = g.chunks_exact_mut(inputs);
        let mut grows: [&mut [[f32; $n]; J]; R] = core::array::from_fn(|_| {
            let row = rows.next().unwrap_or_default();
            (&mut row.as_chunks_mut::<$n>().0[c0..c0 + J])
                .try_into()
                .unwrap_or_else(|_| unreachable!())
        });
        let mut acc: [[$v; J]; R] = core::array::from_fn(|r| {
            core::array::from_fn(|j| if from_zero { $set1(0.0) } else { load(&grows[r][j]) })
        });
        for (xi, av) in xis.iter().zip(av) {
            let xi: &[f32; R] = xi[k0..k0 + R].try_into().unwrap_or_else(|_| unreachable!());
            for j in 0..J {
                let a = load(&av[j]);
                for r in 0..R {
                    acc[r][j] = $fmadd($set1(xi[r]), a, acc[r][j]);
                }
            }
        }
        for (grow, acc) in grows.iter_mut().zip(&acc) {
            for (gc, &v) in grow.iter_mut().zip(acc) {
                store(gc, v);
            }
        }
    }

    #[target_feature(enable = $feature)]
    #[allow(clippy::int_plus_one)] // as in `outer`
    pub(super) fn transpose<const B: usize>(w: &[f32], xis: &[&[f32]; B], mut gs: [&mut [f32]; B]) {
        let mut s = 0;
        $(
            while s + $ts <= B {
                transpose_samples::<$ts, $tj>(w, &xis[s..s + $ts], &mut gs[s..s + $ts]);
                s += $ts;
            }
        )*
    }

    /// ∂E/∂a of `S` samples in tiles of `J` chunks of columns (one register each), then
    /// single chunks, then the leftover columns in one partly loaded register per
    /// sample; the rows in order throughout.
    #[inline]
    #[target_feature(enable = $feature)]
    fn transpose_samples<const S: usize, const J: usize>(
        w: &[f32],
        xis: &[&[f32]],
        gs: &mut [&mut [f32]],
    ) {
        let inputs = gs[0].len();
        let n = inputs / $n;
        let mut c = 0;
        while c + J <= n {
            transpose_tile::<S, J>(w, c, xis, gs);
            c += J;
        }
        while c < n {
            transpose_tile::<S, 1>(w, c, xis, gs);
            c += 1;
        }
        if $n * n < inputs {
            // The columns past the last whole register, in one partly loaded register
            // per sample, for the whole pass over the rows of W.
            let first = $n * n;
            let mut acc: [$v; S] = core::array::from_fn(|s| load_part(&gs[s][first..]));
            for (k, r) in w.chunks_exact(inputs).enumerate() {
                let wv = load_part(&r[first..]);
                for (acc, xi) in acc.iter_mut().zip(xis) {
                    *acc = $fmadd($set1(xi[k]), wv, *acc);
                }
            }
            for (g, acc) in gs.iter_mut().zip(acc) {
                store_part(&mut g[first..], acc);
            }
        }
    }

    /// Chunks c0 .. c0 + J of the columns of ∂E/∂a for `S` samples, kept in registers for the
    /// whole pass over the rows of W.
    #[inline]
    #[target_feature(enable = $feature)]
    fn transpose_tile<const S: usize, const J: usize>(
        w: &[f32],
        c0: usize,
        xis: &[&[f32]],
        gs: &mut [&mut [f32]],
    ) {
        let inputs = gs[0].len();
        let n = inputs / $n;
        let mut acc: [[$v; J]; S] = core::array::from_fn(|s| {
            let gc = chunks::<$n>(gs[s], n);
            core::array::from_fn(|j| load(&gc[c0 + j]))
        });
        for (k, r) in w.chunks_exact(inputs).enumerate() {
            let rc = chunks::<$n>(r, n);
            let wv: [$v; J] = core::array::from_fn(|j| load(&rc[c0 + j]));
            for s in 0..S {
                let x = $set1(xis[s][k]);
                for j in 0..J {
                    acc[s][j] = $fmadd(x, wv[j], acc[s][j]);
                }
            }
        }
        for (g, acc) in gs.iter_mut().zip(&acc) {
            let gc = &mut g.as_chunks_mut::<$n>().0;
            for (j, &v) in acc.iter().enumerate() {
                store(&mut gc[c0 + j], v);
            }
        }
    }
    };
}

mod avx512 {
    use super::*;

    /// Tiles 0 .. `$count` three at a time, then two, then one: `$call` with `$t` the
    /// first tile of each group and `$n` its size (a literal, for a const parameter).
    macro_rules! by_three_tiles {
        ($count:expr, |$t:ident, $n:ident| $call:expr) => {{
            let count = $count;
            let mut $t = 0;
            while $t + 3 <= count {
                by_three_tiles!(@with $n = 3, $call);
                $t += 3;
            }
            while $t + 2 <= count {
                by_three_tiles!(@with $n = 2, $call);
                $t += 2;
            }
            if $t < count {
                by_three_tiles!(@with $n = 1, $call);
            }
        }};
        (@with $n:ident = $v:literal, $call:expr) => {{
            const $n: usize = $v;
            $call
        }};
    }

    /// The mask of the first `n` lanes (all 16 for `n` ≥ 16).
    #[inline]
    fn first_lanes(n: usize) -> __mmask16 {
        ((1u32 << n.min(16)) - 1) as u16
    }

    /// The first `a.len()` lanes loaded from `a` (at most 16), the others zero.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn load_part(a: &[f32]) -> __m512 {
        let mask = first_lanes(a.len());
        // SAFETY: the mask enables lanes 0 .. min(a.len(), 16), which are in `a`; an
        // AVX-512 masked load neither reads nor faults on the disabled lanes.
        unsafe { _mm512_maskz_loadu_ps(mask, a.as_ptr()) }
    }

    /// Stores the first `a.len()` lanes of `v` (at most 16) into `a`.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn store_part(a: &mut [f32], v: __m512) {
        let mask = first_lanes(a.len());
        // SAFETY: the mask enables lanes 0 .. min(a.len(), 16), which are in `a`; an
        // AVX-512 masked store neither writes nor faults on the disabled lanes.
        unsafe { _mm512_mask_storeu_ps(a.as_mut_ptr(), mask, v) }
    }

    /// `[lo, hi]`: two rows' chunks of eight in the two halves of one register.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn pair(lo: &[f32; 8], hi: &[f32; 8]) -> __m512 {
        // SAFETY: `lo` and `hi` are references to 8 f32 each; no alignment requirement.
        let (lo, hi) = unsafe { (_mm256_loadu_ps(lo.as_ptr()), _mm256_loadu_ps(hi.as_ptr())) };
        _mm512_castpd_ps(_mm512_insertf64x4::<1>(
            _mm512_castpd256_pd512(_mm256_castps_pd(lo)),
            _mm256_castps_pd(hi),
        ))
    }

    /// `[x, x]`: a chunk of eight in both halves.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn twice(x: &[f32; 8]) -> __m512 {
        // SAFETY: `x` is a reference to 8 f32; no alignment requirement.
        let x = unsafe { _mm256_loadu_ps(x.as_ptr()) };
        _mm512_castpd_ps(_mm512_broadcast_f64x4(_mm256_castps_pd(x)))
    }

    /// Permutation indices of the three stages of [`sums`] (bit 4 picks the second
    /// operand of `vpermt2ps`).
    const fn stage_indices(stage: usize, variant: usize) -> [i32; 16] {
        let mut idx = [0i32; 16];
        let mut p = 0;
        while p < 16 {
            idx[p] = match stage {
                // (dot 4q + p/4, lane 4·variant + p%4) out of registers 2q, 2q + 1
                1 => (p / 8) * 16 + 8 * ((p / 4) % 2) + 4 * variant + p % 4,
                // (dot 8g + p/2, lane 2e + p%2), e%2 = variant, out of stage-1 pairs
                2 => (p / 8) * 16 + 4 * ((p / 2) % 4) + 2 * variant + p % 2,
                // (dot p, lane 2·(j/2) + variant) out of the two stage-2 groups
                _ => (p / 8) * 16 + 2 * (p % 8) + variant,
            } as i32;
            p += 1;
        }
        idx
    }

    const STAGES: [[[i32; 16]; 2]; 3] = [
        [stage_indices(1, 0), stage_indices(1, 1)],
        [stage_indices(2, 0), stage_indices(2, 1)],
        [stage_indices(3, 0), stage_indices(3, 1)],
    ];

    /// `vpermt2ps`: lane p = lane `idx[p] % 16` of `a` (bit 4 clear) or of `b` (set).
    #[cfg(not(miri))]
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn permute2(a: __m512, idx: __m512i, b: __m512) -> __m512 {
        _mm512_permutex2var_ps(a, idx, b)
    }

    /// Miri has no `vpermt2ps`: the same permutation lane by lane (the unsafe loads and
    /// stores around it are what Miri is there to check).
    #[cfg(miri)]
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn permute2(a: __m512, idx: __m512i, b: __m512) -> __m512 {
        // SAFETY: 64-byte vector types reinterpreted as arrays of 16 lanes.
        let (a, b, idx) = unsafe {
            (
                core::mem::transmute::<__m512, [f32; 16]>(a),
                core::mem::transmute::<__m512, [f32; 16]>(b),
                core::mem::transmute::<__m512i, [i32; 16]>(idx),
            )
        };
        let out: [f32; 16] = core::array::from_fn(|p| {
            let i = idx[p] as usize;
            if i & 16 == 0 { a[i & 15] } else { b[i & 15] }
        });
        // SAFETY: as above.
        unsafe { core::mem::transmute::<[f32; 16], __m512>(out) }
    }

    /// The 16 dot products held by eight registers (register m: dot 2m in its low
    /// half, dot 2m + 1 in its high half, eight running sums each), as lane p = the sum
    /// of dot p's eight sums. A transpose in three stages of eight two-register
    /// permutations puts lane j of all 16 dots into register T_j; then the T_j are
    /// added as the portable code adds eight sums ([`add_sums`]), 16 dots at a time.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn sums(a: [__m512; 8]) -> [f32; 16] {
        let idx = |stage: usize, variant: usize| {
            // SAFETY: a reference to 16 i32 is 64 readable bytes; no alignment needed.
            unsafe { _mm512_loadu_si512(STAGES[stage][variant].as_ptr().cast()) }
        };
        let (i10, i11, i20, i21, i30, i31) = (
            idx(0, 0),
            idx(0, 1),
            idx(1, 0),
            idx(1, 1),
            idx(2, 0),
            idx(2, 1),
        );
        // b[q][h]: dots 4q .. 4q+3, lanes 4h .. 4h+3
        let b: [[__m512; 2]; 4] = core::array::from_fn(|q| {
            [
                permute2(a[2 * q], i10, a[2 * q + 1]),
                permute2(a[2 * q], i11, a[2 * q + 1]),
            ]
        });
        // c[g][e]: dots 8g .. 8g+7, lanes 2e, 2e+1
        let c: [[__m512; 4]; 2] = core::array::from_fn(|g| {
            core::array::from_fn(|e| {
                let i = if e % 2 == 0 { i20 } else { i21 };
                permute2(b[2 * g][e / 2], i, b[2 * g + 1][e / 2])
            })
        });
        // t[j]: lane j of dots 0 .. 15
        let t: [__m512; 8] = core::array::from_fn(|j| {
            let i = if j % 2 == 0 { i30 } else { i31 };
            permute2(c[0][j / 2], i, c[1][j / 2])
        });
        lanes(add_sums(t, |a, b| _mm512_add_ps(a, b)))
    }

    /// One sample through packed tiles, three tiles at a time (then two, then one): 24
    /// running sums, s_l of the three tiles' rows in three registers, so each input
    /// broadcast serves three multiply-adds and a step loads three columns and one input
    /// for three multiply-adds (`packed_samples` for one sample: one column and one
    /// input for each). The same operations in the same order.
    /// Rows of fewer than [`BLOCK_MIN_CHUNKS`] chunks go through `packed_samples` (a
    /// 16-64-64-4 network took 7 % longer this way: 0.56 → 0.60 s at batch 1).
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn packed_single(tiles: &[Column<f32>], bias: &[f32], x: &[f32], z: &mut [f32]) {
        if x.len() < 8 * BLOCK_MIN_CHUNKS {
            return packed_samples::<1>(tiles, bias, &[x], &mut [z]);
        }
        by_three_tiles!(bias.len().div_ceil(TILE), |t, T| packed_one::<T>(
            tiles, bias, t, x, z
        ));
    }

    /// Tiles t0 .. t0 + T of [`packed_single`].
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn packed_one<const T: usize>(
        tiles: &[Column<f32>],
        bias: &[f32],
        t0: usize,
        x: &[f32],
        z: &mut [f32],
    ) {
        let inputs = x.len();
        let (xc, xr) = x.as_chunks::<8>();
        let n = xc.len();
        let tile: [&[Column<f32>]; T] =
            core::array::from_fn(|t| &tiles[(t0 + t) * inputs..(t0 + t + 1) * inputs]);
        let mut groups = tile.map(|t| t.as_chunks::<8>().0[..n].iter());
        let mut acc = [[_mm512_setzero_ps(); 8]; T];
        for xg in xc {
            let cols: [&[Column<f32>; 8]; T] =
                core::array::from_fn(|t| groups[t].next().unwrap_or_else(|| unreachable!()));
            for (l, &xl) in xg.iter().enumerate() {
                let xv = _mm512_set1_ps(xl);
                for t in 0..T {
                    acc[t][l] = _mm512_fmadd_ps(load(&cols[t][l].0), xv, acc[t][l]);
                }
            }
        }
        for (t, acc) in acc.into_iter().enumerate() {
            tile_out(acc, &tile[t][8 * n..], xr, bias, (t0 + t) * TILE, z);
        }
    }

    /// The end of one sample's dot products with a tile's rows `first ..`, as
    /// `packed_samples` ends them: the tree of the running sums `s` ([`add_sums`]), the
    /// leftover products (`rest`, the tile's columns past its whole chunks, times `xr`)
    /// in order, the bias; stored into the rows of `z` that exist.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn tile_out(
        s: [__m512; 8],
        rest: &[Column<f32>],
        xr: &[f32],
        bias: &[f32],
        first: usize,
        z: &mut [f32],
    ) {
        let bt = &bias[first..(first + TILE).min(bias.len())];
        let mut sum = add_sums(s, |a, b| _mm512_add_ps(a, b));
        for (column, &x) in rest.iter().zip(xr) {
            sum = _mm512_fmadd_ps(load(&column.0), _mm512_set1_ps(x), sum);
        }
        let out = _mm512_add_ps(load_part(bt), sum);
        let z = &mut z[first..first + bt.len()];
        match z.as_chunks_mut::<16>() {
            ([whole], _) => store(whole, out),
            _ => store_part(z, out),
        }
    }

    /// Samples per block of [`packed_blocks`].
    const BLOCK_SAMPLES: usize = 8;

    /// The fewest whole chunks of eight inputs for which [`packed_blocks`] takes a block.
    const BLOCK_MIN_CHUNKS: usize = 16;

    /// Packed tiles for blocks of [`BLOCK_SAMPLES`] samples, for layers of
    /// [`BLOCK_MIN_CHUNKS`] chunks of eight inputs up to [`LANE_INPUTS`] inputs: the
    /// block's first samples, 8 at a time. Returns how many samples it took.
    ///
    /// `packed_samples` keeps a sample's eight running sums s_0 … s_7 in eight registers,
    /// so three samples fill 24 registers and each weight column loaded serves three
    /// multiply-adds against three broadcast inputs: four loads for three multiply-adds,
    /// more than the two load ports give the two FMA units. Here the running sums are
    /// summed one after the other instead: s_l of every row and sample of the block over
    /// the inputs l, l + 8, … (the same multiply-adds in the same order, each s_l starting
    /// from zero), kept aside while s_{l+1} is summed, so a pass holds one register per
    /// (tile, sample): three tiles × eight samples (then two, then one), three columns
    /// and eight broadcasts for 24 multiply-adds. Then, as in `packed_samples`, the tree of [`add_sums`], the
    /// leftover products and the bias, register by register ([`tile_out`]). The block's inputs are
    /// first copied chunk by chunk into `xb[c][l][s]` (input 8c + l of sample s), so that
    /// the eight broadcasts of a step read one run of eight values.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn packed_blocks<const B: usize>(
        tiles: &[Column<f32>],
        bias: &[f32],
        xs: &[&[f32]; B],
        zs: &mut [&mut [f32]; B],
    ) -> usize {
        // The buffer in two sizes, so that a smaller layer takes less stack.
        match xs.first().map_or(0, |x| x.len()) {
            n if n < 8 * BLOCK_MIN_CHUNKS => 0,
            0..=256 => blocks_in::<B, 32>(tiles, bias, xs, zs),
            257..=LANE_INPUTS => blocks_in::<B, { LANE_INPUTS / 8 }>(tiles, bias, xs, zs),
            _ => 0,
        }
    }

    /// [`packed_blocks`] with a buffer for up to `CAP` chunks of eight inputs (a call of
    /// its own, so that the callers' frames do not hold the buffer).
    #[inline(never)]
    #[target_feature(enable = "avx512f,fma")]
    fn blocks_in<const B: usize, const CAP: usize>(
        tiles: &[Column<f32>],
        bias: &[f32],
        xs: &[&[f32]; B],
        zs: &mut [&mut [f32]; B],
    ) -> usize {
        let inputs = xs.first().map_or(0, |x| x.len());
        let n = inputs / 8;
        let count = bias.len().div_ceil(TILE);
        // Not cleared: each block writes the first n entries before it reads them (a
        // 32 KiB clear per call took 3 % of a 784-128-64-10 pass at batch 32).
        let mut xb = OnLine([const { MaybeUninit::<[[f32; BLOCK_SAMPLES]; 8]>::uninit() }; CAP]);
        let xb = &mut xb.0;
        let mut s = 0;
        while s + BLOCK_SAMPLES <= B {
            let (xs, zs) = (&xs[s..s + BLOCK_SAMPLES], &mut zs[s..s + BLOCK_SAMPLES]);
            for (c, xb) in xb[..n].iter_mut().enumerate() {
                let rows: [__m256; 8] =
                    core::array::from_fn(|s| load8(&xs[s].as_chunks::<8>().0[c]));
                let mut chunk = [[0.0; BLOCK_SAMPLES]; 8];
                for (l, v) in chunk.iter_mut().zip(transpose8(rows)) {
                    store8(l, v);
                }
                xb.write(chunk);
            }
            // SAFETY: entries 0 .. n (n ≤ CAP: `packed_blocks` picks CAP ≥ inputs / 8) were
            // all written by the loop above, and `MaybeUninit<X>` has the layout of X.
            let xb: &[[[f32; BLOCK_SAMPLES]; 8]] =
                unsafe { core::slice::from_raw_parts(xb[..n].as_ptr().cast(), n) };
            by_three_tiles!(count, |t, T| packed_pass::<T>(tiles, bias, t, xb, xs, zs));
            s += BLOCK_SAMPLES;
        }
        s
    }

    /// Loads eight lanes.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn load8(a: &[f32; 8]) -> __m256 {
        // SAFETY: `a` is a reference to 8 f32; no alignment requirement.
        unsafe { _mm256_loadu_ps(a.as_ptr()) }
    }

    /// Stores eight lanes.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn store8(a: &mut [f32; 8], v: __m256) {
        // SAFETY: `a` is an exclusive reference to 8 f32; no alignment requirement.
        unsafe { _mm256_storeu_ps(a.as_mut_ptr(), v) }
    }

    /// The 8 × 8 transpose of eight registers: lane j of register i becomes lane i of
    /// register j (moves only).
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn transpose8(r: [__m256; 8]) -> [__m256; 8] {
        // t[2q], t[2q + 1]: rows 2q and 2q + 1 interleaved (low / high pair of each half).
        let t: [__m256; 8] = core::array::from_fn(|i| {
            let (p, q) = (r[i & !1], r[i | 1]);
            if i % 2 == 0 {
                _mm256_unpacklo_ps(p, q)
            } else {
                _mm256_unpackhi_ps(p, q)
            }
        });
        // u[4h + m]: lane m (low half) and 4 + m (high half) of rows 4h .. 4h + 3.
        let u: [__m256; 8] = core::array::from_fn(|i| {
            let (h, m) = (i / 4, i % 4);
            let (p, q) = (t[4 * h + m / 2], t[4 * h + 2 + m / 2]);
            if m % 2 == 0 {
                _mm256_shuffle_ps::<0x44>(p, q)
            } else {
                _mm256_shuffle_ps::<0xee>(p, q)
            }
        });
        core::array::from_fn(|j| {
            let (p, q) = (u[j % 4], u[4 + j % 4]);
            if j < 4 {
                _mm256_permute2f128_ps::<0x20>(p, q)
            } else {
                _mm256_permute2f128_ps::<0x31>(p, q)
            }
        })
    }

    /// Tiles t0 .. t0 + T of [`packed_blocks`] for the block's samples (`xb` their whole
    /// chunks, transposed; `xs` for the leftover inputs).
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn packed_pass<const T: usize>(
        tiles: &[Column<f32>],
        bias: &[f32],
        t0: usize,
        xb: &[[[f32; BLOCK_SAMPLES]; 8]],
        xs: &[&[f32]],
        zs: &mut [&mut [f32]],
    ) {
        const S: usize = BLOCK_SAMPLES;
        let inputs = xs[0].len();
        let n = xb.len();
        let tile: [&[Column<f32>]; T] =
            core::array::from_fn(|t| &tiles[(t0 + t) * inputs..(t0 + t + 1) * inputs]);
        let cols: [&[[Column<f32>; 8]]; T] = tile.map(|t| &t.as_chunks::<8>().0[..n]);
        // part[l][t][s]: running sum s_l of tile t0 + t's rows for sample s.
        let mut part = [[[_mm512_setzero_ps(); S]; T]; 8];
        for (l, part) in part.iter_mut().enumerate() {
            let mut acc = [[_mm512_setzero_ps(); S]; T];
            let mut cols = cols.map(|c| c.iter());
            for xb in xb {
                let w: [__m512; T] = core::array::from_fn(|t| match cols[t].next() {
                    Some(chunk) => load(&chunk[l].0),
                    None => _mm512_setzero_ps(),
                });
                for (s, &x) in xb[l].iter().enumerate() {
                    let x = _mm512_set1_ps(x);
                    for t in 0..T {
                        acc[t][s] = _mm512_fmadd_ps(w[t], x, acc[t][s]);
                    }
                }
            }
            *part = acc;
        }
        for t in 0..T {
            for s in 0..S {
                let sums = core::array::from_fn(|l| part[l][t][s]);
                let (rest, xr) = (&tile[t][8 * n..], &xs[s][8 * n..]);
                tile_out(sums, rest, xr, bias, (t0 + t) * TILE, zs[s]);
            }
        }
    }

    /// The widest layer [`affine_lanes`] takes: its inputs, 16 samples of them turned
    /// into one register per input, fit in 64 KiB on the stack (the buffer of a layer
    /// of 257 to 1024 inputs; 16 KiB up to 256, 4 KiB up to 64).
    const LANE_INPUTS: usize = 1024;

    /// Samples in lanes, for rows of at most [`LANE_INPUTS`] inputs: the block's first
    /// samples in groups of 16, each group with sample s in lane s of every register.
    /// Returns how many samples it took (0 for longer rows).
    ///
    /// Each of the eight running sums s_l of the dot products of a row (the portable
    /// order) is then a register of 16 samples' s_l, fed by the inputs l, l + 8, …, and
    /// the tree of [`add_sums`], the leftover products and the bias are added register by
    /// register: the same operations in the same order as the portable code, with no
    /// horizontal reduction (the row kernel reduces eight lanes per dot product, which
    /// costs more than the arithmetic when a row has few chunks, and its pairs of rows
    /// cost a shuffle per load). The inputs are turned into columns of 16 samples, and
    /// the outputs back, 16 × 16 at a time in registers.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn affine_lanes<I: Unsigned, const B: usize>(
        w: &[f32],
        bias: &[f32],
        xs: &[&[f32]; B],
        zs: &mut [&mut [f32]; B],
    ) -> usize {
        // The buffer of columns in three sizes, so that a small layer does not clear 64 KiB.
        match xs.first().map_or(0, |x| x.len()) {
            0..=64 => lanes_in::<I, B, 64>(w, bias, xs, zs),
            65..=256 => lanes_in::<I, B, 256>(w, bias, xs, zs),
            257..=LANE_INPUTS => lanes_in::<I, B, LANE_INPUTS>(w, bias, xs, zs),
            _ => 0,
        }
    }

    /// [`affine_lanes`] with a buffer for up to `CAP` inputs.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn lanes_in<I: Unsigned, const B: usize, const CAP: usize>(
        w: &[f32],
        bias: &[f32],
        xs: &[&[f32]; B],
        zs: &mut [&mut [f32]; B],
    ) -> usize {
        let inputs = xs.first().map_or(0, |x| x.len());
        // xt[i]: input i of the group's 16 samples (each group overwrites the first
        // `inputs` entries).
        let mut xt = OnLine([[0.0f32; 16]; CAP]);
        let xt = &mut xt.0;
        let outputs = bias.len();
        let whole = inputs / 16;
        let mut s = 0;
        while s + 16 <= B {
            let group = &xs[s..s + 16];
            // Whole blocks of 16 inputs turned in registers, the leftover inputs one by one.
            for c in 0..whole {
                let block: [__m512; 16] =
                    core::array::from_fn(|lane| load(&group[lane].as_chunks::<16>().0[c]));
                for (column, v) in xt[16 * c..16 * c + 16].iter_mut().zip(transpose16(block)) {
                    store(column, v);
                }
            }
            for (lane, x) in group.iter().enumerate() {
                for (column, &v) in xt[16 * whole..inputs].iter_mut().zip(&x[16 * whole..]) {
                    column[lane] = v;
                }
            }
            let xt = &xt[..inputs];
            let zs = &mut zs[s..s + 16];
            // Whole tiles of 16 rows turned back in registers: one store per sample.
            let mut k = 0;
            while k + 16 <= outputs {
                let zt = lane_rows::<I, 16>(w, bias, k, xt);
                for (z, v) in zs.iter_mut().zip(transpose16(zt)) {
                    store(&mut z[k..k + 16].as_chunks_mut::<16>().0[0], v);
                }
                k += 16;
            }
            while k < outputs {
                let [z] = lane_rows::<I, 1>(w, bias, k, xt);
                for (z_s, &v) in zs.iter_mut().zip(&lanes(z)) {
                    z_s[k] = v;
                }
                k += 1;
            }
            s += 16;
        }
        s
    }

    /// The 16 × 16 transpose of 16 registers: lane j of register i becomes lane i of
    /// register j. Pairs of rows interleaved by single lanes, then by pairs of lanes,
    /// then 128-bit quarters gathered in two steps (moves only: the values are not
    /// changed).
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn transpose16(r: [__m512; 16]) -> [__m512; 16] {
        // a[2i] / a[2i + 1]: rows 2i and 2i + 1, lanes interleaved, each quarter's low /
        // high half.
        let a: [__m512; 16] = core::array::from_fn(|i| {
            let (p, q) = (r[i & !1], r[i | 1]);
            if i % 2 == 0 {
                _mm512_unpacklo_ps(p, q)
            } else {
                _mm512_unpackhi_ps(p, q)
            }
        });
        // b[4g + m], quarter L: column 4L + m of rows 4g .. 4g + 3.
        let b: [__m512; 16] = core::array::from_fn(|i| {
            let (g, m) = (i / 4, i % 4);
            let p = _mm512_castps_pd(a[4 * g + m / 2]);
            let q = _mm512_castps_pd(a[4 * g + 2 + m / 2]);
            _mm512_castpd_ps(if m % 2 == 0 {
                _mm512_unpacklo_pd(p, q)
            } else {
                _mm512_unpackhi_pd(p, q)
            })
        });
        // c[h][m]: [columns m, 8 + m | m, 8 + m] and [4 + m, 12 + m | 4 + m, 12 + m] of
        // rows 8h .. 8h + 3 | 8h + 4 .. 8h + 7.
        let c: [[[__m512; 2]; 4]; 2] = core::array::from_fn(|h| {
            core::array::from_fn(|m| {
                let (p, q) = (b[8 * h + m], b[8 * h + 4 + m]);
                [
                    _mm512_shuffle_f32x4::<0x88>(p, q),
                    _mm512_shuffle_f32x4::<0xdd>(p, q),
                ]
            })
        });
        core::array::from_fn(|j| {
            let (m, v) = (j % 4, (j / 4) % 2);
            let (p, q) = (c[0][m][v], c[1][m][v]);
            if j < 8 {
                _mm512_shuffle_f32x4::<0x88>(p, q)
            } else {
                _mm512_shuffle_f32x4::<0xdd>(p, q)
            }
        })
    }

    /// Rows k0 .. k0 + R for the 16 samples of `xt` (one register per input): z_k of
    /// the 16 samples, one register per row; for a known input count of at least
    /// [`LANE_SUMS_MIN_CHUNKS`] chunks, [`LANE_SUMS_ROWS`] rows at a time by
    /// [`lane_sums`]; otherwise (and for the rows left) three rows at a time (24 running
    /// sums), then one. One call per tile, so that the loop over its rows is not a loop
    /// of calls.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn lane_rows<I: Unsigned, const R: usize>(
        w: &[f32],
        bias: &[f32],
        k0: usize,
        xt: &[[f32; 16]],
    ) -> [__m512; R] {
        let mut out = [_mm512_setzero_ps(); R];
        let mut r = 0;
        if I::USIZE >= 8 * LANE_SUMS_MIN_CHUNKS && xt.len() == I::USIZE {
            while r + LANE_SUMS_ROWS <= R {
                let out = &mut out[r..r + LANE_SUMS_ROWS];
                lane_sums::<I, LANE_SUMS_ROWS>(w, bias, k0 + r, xt, out);
                r += LANE_SUMS_ROWS;
            }
        }
        while r + 3 <= R {
            lane_group::<3>(w, bias, k0 + r, xt, &mut out[r..r + 3]);
            r += 3;
        }
        while r < R {
            lane_group::<1>(w, bias, k0 + r, xt, &mut out[r..r + 1]);
            r += 1;
        }
        out
    }

    /// Rows per call of [`lane_sums`].
    const LANE_SUMS_ROWS: usize = 16;

    /// Chunks of eight inputs per span of [`lane_sums`].
    const LANE_SUMS_SPAN: usize = 16;

    /// The fewest whole chunks of eight inputs for which [`lane_rows`] uses [`lane_sums`].
    const LANE_SUMS_MIN_CHUNKS: usize = 16;

    /// Rows k0 .. k0 + G of [`lane_rows`] into `out`, the running sums summed one after
    /// the other (as in `packed_pass`): s_l of the G rows over the inputs l, l + 8, …,
    /// one register per row, kept aside while s_{l+1} is summed; then the tree, the
    /// leftover products and the bias. Each input register loaded serves G
    /// multiply-adds, against three in [`lane_group`], whose 24 running sums fill the
    /// registers.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn lane_sums<I: Unsigned, const G: usize>(
        w: &[f32],
        bias: &[f32],
        k: usize,
        xt: &[[f32; 16]],
        out: &mut [__m512],
    ) {
        // The input count is a constant: row r's weight j is `block[r * inputs + j]`,
        // at a constant offset from one pointer, and no index needs a check in the loop.
        let inputs = I::USIZE;
        let xt = &xt[..inputs];
        let n = inputs / 8;
        let (xc, rest) = xt.as_chunks::<8>();
        let block = &w[k * inputs..(k + G) * inputs];
        let mut part = [[_mm512_setzero_ps(); G]; 8];
        // The chunks in spans of LANE_SUMS_SPAN, so that the span's inputs and weights
        // stay in the L1 cache while the eight sums run over them (each s_l picks up
        // where it stopped: the order of its additions is unchanged).
        for c0 in (0..n).step_by(LANE_SUMS_SPAN) {
            let span = &xc[c0..n.min(c0 + LANE_SUMS_SPAN)];
            for (l, part) in part.iter_mut().enumerate() {
                let mut acc = *part;
                for (c, chunk) in (c0..).zip(span) {
                    let x = load(&chunk[l]);
                    for (r, acc) in acc.iter_mut().enumerate() {
                        let wk = block[r * inputs + 8 * c + l];
                        *acc = _mm512_fmadd_ps(_mm512_set1_ps(wk), x, *acc);
                    }
                }
                *part = acc;
            }
        }
        for (r, out) in out.iter_mut().enumerate() {
            let mut sum = add_sums(core::array::from_fn(|l| part[l][r]), |a, b| {
                _mm512_add_ps(a, b)
            });
            for (x, &wk) in rest
                .iter()
                .zip(&block[r * inputs + 8 * n..(r + 1) * inputs])
            {
                sum = _mm512_fmadd_ps(_mm512_set1_ps(wk), load(x), sum);
            }
            *out = _mm512_add_ps(_mm512_set1_ps(bias[k + r]), sum);
        }
    }

    /// Rows k0 .. k0 + G of [`lane_rows`] into `out`.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn lane_group<const G: usize>(
        w: &[f32],
        bias: &[f32],
        k: usize,
        xt: &[[f32; 16]],
        out: &mut [__m512],
    ) {
        let inputs = xt.len();
        let (xc, rest) = xt.as_chunks::<8>();
        let rows: [&[f32]; G] = core::array::from_fn(|r| row(w, inputs, k + r));
        let row_chunks: [&[[f32; 8]]; G] = rows.map(|r| chunks(r, xc.len()));
        let mut acc = [[_mm512_setzero_ps(); 8]; G];
        for (c, chunk) in xc.iter().enumerate() {
            for (l, x) in chunk.iter().enumerate() {
                let x = load(x);
                for r in 0..G {
                    let wv = _mm512_set1_ps(row_chunks[r][c][l]);
                    acc[r][l] = _mm512_fmadd_ps(wv, x, acc[r][l]);
                }
            }
        }
        for (r, (out, acc)) in out.iter_mut().zip(&acc).enumerate() {
            let mut sum = add_sums(*acc, |a, b| _mm512_add_ps(a, b));
            for (x, &wk) in rest.iter().zip(&rows[r][8 * xc.len()..]) {
                sum = _mm512_fmadd_ps(_mm512_set1_ps(wk), load(x), sum);
            }
            *out = _mm512_add_ps(_mm512_set1_ps(bias[k + r]), sum);
        }
    }

    /// `S` samples through every row: tiles of `RP` row pairs, then single pairs, then
    /// a last odd row on the portable code.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn affine_samples<I: Unsigned, const RP: usize, const S: usize>(
        w: &[f32],
        bias: &[f32],
        xs: &[&[f32]],
        zs: &mut [&mut [f32]],
    ) {
        let outputs = bias.len();
        let inputs = input_count::<I>(xs[0]);
        let mut k = 0;
        while k + 2 * RP <= outputs {
            affine_tile::<I, RP, S>(w, bias, k, xs, zs);
            k += 2 * RP;
        }
        while k + 2 <= outputs {
            affine_tile::<I, 1, S>(w, bias, k, xs, zs);
            k += 2;
        }
        if k < outputs {
            let r = row(w, inputs, k);
            for (x, z) in xs.iter().zip(zs.iter_mut()) {
                z[k] = bias[k] + dot(r, x);
            }
        }
    }

    /// Rows k0 .. k0 + 2·RP for `S` samples: 2·RP·S dot products, RP·S registers.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn affine_tile<I: Unsigned, const RP: usize, const S: usize>(
        w: &[f32],
        bias: &[f32],
        k0: usize,
        xs: &[&[f32]],
        zs: &mut [&mut [f32]],
    ) {
        let inputs = input_count::<I>(xs[0]);
        let n = inputs / 8;
        let rows: [[&[[f32; 8]]; 2]; RP] = core::array::from_fn(|r| {
            [
                chunks(row(w, inputs, k0 + 2 * r), n),
                chunks(row(w, inputs, k0 + 2 * r + 1), n),
            ]
        });
        let xc: [&[[f32; 8]]; S] = core::array::from_fn(|s| chunks(xs[s], n));
        let mut acc = [[_mm512_setzero_ps(); S]; RP];
        for c in 0..n {
            let wv: [__m512; RP] = core::array::from_fn(|r| pair(&rows[r][0][c], &rows[r][1][c]));
            for s in 0..S {
                let x = twice(&xc[s][c]);
                for r in 0..RP {
                    acc[r][s] = _mm512_fmadd_ps(wv[r], x, acc[r][s]);
                }
            }
        }
        // Register m = r·S + s holds row k0 + 2r (low half) and k0 + 2r + 1 (high half)
        // of sample s; eight registers at a time are reduced together.
        let tail = 8 * n < inputs;
        if S == 1 && RP == 8 && !tail {
            // One sample, 16 rows, no leftover columns: lane p of the reduced sums is
            // row k0 + p, so z = b + sum is one vector addition and one store.
            let group: &[__m512; 8] = &acc.as_flattened().as_chunks::<8>().0[0];
            let sum = load(&sums(*group));
            let b: &[f32; 16] = &bias[k0..k0 + 16].as_chunks::<16>().0[0];
            let z: &mut [f32; 16] = &mut zs[0][k0..k0 + 16].as_chunks_mut::<16>().0[0];
            store(z, _mm512_add_ps(load(b), sum));
            return;
        }
        let regs = acc.as_flattened();
        let (groups, rest) = regs.as_chunks::<8>();
        // Tiles have at most 16 registers (32 dot products).
        let mut buf = [0.0f32; 32];
        let all = &mut buf[..2 * RP * S];
        for (g, group) in groups.iter().enumerate() {
            all[16 * g..16 * g + 16].copy_from_slice(&sums(*group));
        }
        for (i, &v) in rest.iter().enumerate() {
            let l = lanes(v);
            let m = 8 * groups.len() + i;
            all[2 * m] = sum8(&l[..8]);
            all[2 * m + 1] = sum8(&l[8..]);
        }
        // Entry 2m + h is row k0 + 2r + h of sample s, m = r·S + s.
        for (m, pair) in all.as_chunks::<2>().0.iter().enumerate() {
            let (r, s) = (m / S, m % S);
            for (h, &sum) in pair.iter().enumerate() {
                let k = k0 + 2 * r + h;
                let mut sum = sum;
                if tail {
                    for (&w, &x) in row(w, inputs, k)[8 * n..].iter().zip(&xs[s][8 * n..]) {
                        sum = w.mul_add(x, sum);
                    }
                }
                zs[s][k] = bias[k] + sum;
            }
        }
    }

    shared_kernels!(
        feature: "avx512f,fma", vector: __m512, lanes: 16,
        loadu: _mm512_loadu_ps, storeu: _mm512_storeu_ps,
        set1: _mm512_set1_ps, add: _mm512_add_ps, fmadd: _mm512_fmadd_ps,
        samples_in_lanes: affine_lanes,
        packed_blocks: packed_blocks,
        affine: [(4, 4), (8, 1)],
        packed: [3, 2],
        packed_single: packed_single,
        outer: (4, 4),
        transpose: [(4, 4), (1, 8)]
    );
}

mod avx {
    use super::*;

    /// The first `a.len()` lanes loaded from `a` (at most 8), the others zero, through
    /// an array: AVX's masked move (`vmaskmovps`) may fault on a disabled lane past the
    /// end of memory on some CPUs (AMD documents it as implementation dependent).
    #[inline]
    #[target_feature(enable = "avx,fma")]
    fn load_part(a: &[f32]) -> __m256 {
        let mut lanes = [0.0f32; 8];
        let n = a.len().min(8);
        lanes[..n].copy_from_slice(&a[..n]);
        load(&lanes)
    }

    /// Stores the first `a.len()` lanes of `v` (at most 8) into `a`, through an array
    /// (see [`load_part`]).
    #[inline]
    #[target_feature(enable = "avx,fma")]
    fn store_part(a: &mut [f32], v: __m256) {
        let n = a.len().min(8);
        a[..n].copy_from_slice(&lanes(v)[..n]);
    }

    /// No samples-in-lanes kernel at this width: every sample goes through the rows.
    #[inline]
    #[allow(clippy::extra_unused_type_parameters)] // the signature of `affine_lanes`
    fn no_lanes<I, const B: usize>(
        _: &[f32],
        _: &[f32],
        _: &[&[f32]; B],
        _: &mut [&mut [f32]; B],
    ) -> usize {
        0
    }

    /// One sample through the tiles (at this width, every sample goes through
    /// `packed_samples` in groups of one already).
    #[inline]
    #[target_feature(enable = "avx,fma")]
    fn one_sample(tiles: &[Column<f32>], bias: &[f32], x: &[f32], z: &mut [f32]) {
        packed_samples::<1>(tiles, bias, &[x], &mut [z]);
    }

    /// No packed-block kernel at this width: every sample goes through the tiles in groups.
    #[inline]
    fn no_blocks<const B: usize>(
        _: &[Column<f32>],
        _: &[f32],
        _: &[&[f32]; B],
        _: &mut [&mut [f32]; B],
    ) -> usize {
        0
    }

    #[inline]
    #[target_feature(enable = "avx,fma")]
    fn affine_samples<I: Unsigned, const R: usize, const S: usize>(
        w: &[f32],
        bias: &[f32],
        xs: &[&[f32]],
        zs: &mut [&mut [f32]],
    ) {
        let outputs = bias.len();
        let mut k = 0;
        while k + R <= outputs {
            affine_tile::<I, R, S>(w, bias, k, xs, zs);
            k += R;
        }
        while k < outputs {
            affine_tile::<I, 1, S>(w, bias, k, xs, zs);
            k += 1;
        }
    }

    /// Rows k0 .. k0 + R for `S` samples, one register per dot product.
    #[inline]
    #[target_feature(enable = "avx,fma")]
    fn affine_tile<I: Unsigned, const R: usize, const S: usize>(
        w: &[f32],
        bias: &[f32],
        k0: usize,
        xs: &[&[f32]],
        zs: &mut [&mut [f32]],
    ) {
        let inputs = input_count::<I>(xs[0]);
        let n = inputs / 8;
        let rows: [&[[f32; 8]]; R] = core::array::from_fn(|r| chunks(row(w, inputs, k0 + r), n));
        let xc: [&[[f32; 8]]; S] = core::array::from_fn(|s| chunks(xs[s], n));
        let mut acc = [[_mm256_setzero_ps(); S]; R];
        for c in 0..n {
            let wv: [__m256; R] = core::array::from_fn(|r| load(&rows[r][c]));
            for s in 0..S {
                let x = load(&xc[s][c]);
                for r in 0..R {
                    acc[r][s] = _mm256_fmadd_ps(wv[r], x, acc[r][s]);
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            let k = k0 + r;
            for (s, &v) in acc.iter().enumerate() {
                let mut sum = sum8(&lanes(v));
                for (&w, &x) in row(w, inputs, k)[8 * n..].iter().zip(&xs[s][8 * n..]) {
                    sum = w.mul_add(x, sum);
                }
                zs[s][k] = bias[k] + sum;
            }
        }
    }

    shared_kernels!(
        feature: "avx,fma", vector: __m256, lanes: 8,
        loadu: _mm256_loadu_ps, storeu: _mm256_storeu_ps,
        set1: _mm256_set1_ps, add: _mm256_add_ps, fmadd: _mm256_fmadd_ps,
        samples_in_lanes: no_lanes,
        packed_blocks: no_blocks,
        affine: [(2, 4), (4, 1)],
        packed: [1],
        packed_single: one_sample,
        outer: (2, 4),
        transpose: [(4, 2), (1, 8)]
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::{vec, vec::Vec};

    /// The kernel levels this CPU can run.
    fn levels() -> Vec<Level> {
        let mut levels = vec![Level::Portable];
        if has_avx() {
            levels.push(Level::Avx);
        }
        if has_avx512() {
            levels.push(Level::Avx512);
        }
        levels
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Values of mixed magnitudes and signs, so that a different order of additions
    /// gives different bits.
    fn values(len: usize) -> impl Strategy<Value = Vec<f32>> {
        proptest::collection::vec(
            prop_oneof![-1.0f32..1.0, -1000.0f32..1000.0, -1e-3f32..1e-3],
            len,
        )
    }

    /// Weights, biases, the samples' inputs, their errors ξ, a starting ∂E/∂W.
    type Case = (Vec<f32>, Vec<f32>, Vec<Vec<f32>>, Vec<Vec<f32>>, Vec<f32>);

    /// One case: a layer of `inputs` × `outputs` and `B` samples of inputs and errors.
    fn case<const B: usize>(inputs: usize, outputs: usize) -> impl Strategy<Value = Case> {
        (
            values(inputs * outputs),
            values(outputs),
            proptest::collection::vec(values(inputs), B),
            proptest::collection::vec(values(outputs), B),
            values(inputs * outputs),
        )
    }

    /// Every level's three kernels against the portable code, bit for bit.
    fn check<const B: usize>(inputs: usize, case: Case) -> Result<(), TestCaseError> {
        check_in::<typenum::U0, B>(inputs, case)
    }

    /// [`check`] with the forward kernels compiled for `I` inputs (`U0`: read from the
    /// slices); slices of another length than `I` must go to the portable code.
    fn check_in<I: Unsigned, const B: usize>(
        inputs: usize,
        (w, bias, xs, xis, g0): Case,
    ) -> Result<(), TestCaseError> {
        let outputs = bias.len();
        let xs: [&[f32]; B] = core::array::from_fn(|s| &xs[s][..]);
        let xis: [&[f32]; B] = core::array::from_fn(|s| &xis[s][..]);

        let mut z_ref = vec![vec![0.0f32; outputs]; B];
        let mut it = z_ref.iter_mut();
        super::super::affine(
            &w,
            &bias,
            xs,
            core::array::from_fn(|_| &mut it.next().unwrap()[..]),
        );
        let (mut g_ref, mut gb_ref) = (g0.clone(), bias.clone());
        super::super::outer(&mut g_ref, &mut gb_ref, xis, xs);
        // Into zero: the portable kernel on zeroed ∂E/∂W and ∂E/∂b.
        let (mut g_zero, mut gb_zero) = (vec![0.0; g0.len()], vec![0.0; outputs]);
        super::super::outer(&mut g_zero, &mut gb_zero, xis, xs);
        let mut t_ref = xs.map(|x| x.to_vec());
        let mut it = t_ref.iter_mut();
        super::super::transpose(
            &w,
            xis,
            core::array::from_fn(|_| &mut it.next().unwrap()[..]),
        );

        let mut tiles = Vec::new();
        super::super::pack(&w, inputs, outputs, &mut tiles);
        for level in levels() {
            // A forward kernel, run on outputs filled with NaN, against the portable one.
            let forward_matches = |name: &str, kernel: &dyn Fn([&mut [f32]; B])| {
                let mut z = vec![vec![f32::NAN; outputs]; B];
                let mut it = z.iter_mut();
                kernel(core::array::from_fn(|_| &mut it.next().unwrap()[..]));
                for (z, z_ref) in z.iter().zip(&z_ref) {
                    prop_assert_eq!(
                        bits(z),
                        bits(z_ref),
                        "{}, {:?}, {} inputs",
                        name,
                        level,
                        inputs
                    );
                }
                Ok(())
            };
            forward_matches("affine", &|zs| affine_at::<I, B>(level, &w, &bias, xs, zs))?;
            forward_matches("packed affine", &|zs| {
                packed_affine_at(level, &tiles, &bias, xs, zs)
            })?;
            let (mut g, mut gb) = (g0.clone(), bias.clone());
            outer_at(level, &mut g, &mut gb, xis, xs, false);
            prop_assert_eq!(bits(&g), bits(&g_ref), "outer, {:?}", level);
            prop_assert_eq!(bits(&gb), bits(&gb_ref), "outer bias, {:?}", level);
            // `from_zero` on ∂E/∂W and ∂E/∂b filled with NaN: the values there are not read.
            let (mut g, mut gb) = (vec![f32::NAN; g0.len()], vec![f32::NAN; outputs]);
            outer_at(level, &mut g, &mut gb, xis, xs, true);
            prop_assert_eq!(bits(&g), bits(&g_zero), "outer from zero, {:?}", level);
            prop_assert_eq!(
                bits(&gb),
                bits(&gb_zero),
                "outer bias from zero, {:?}",
                level
            );
            let mut t = xs.map(|x| x.to_vec());
            let mut it = t.iter_mut();
            transpose_at(
                level,
                &w,
                xis,
                core::array::from_fn(|_| &mut it.next().unwrap()[..]),
            );
            for (t, t_ref) in t.iter().zip(&t_ref) {
                prop_assert_eq!(bits(t), bits(t_ref), "transpose, {:?}", level);
            }
        }
        Ok(())
    }

    // Too slow under Miri (proptest's generation is interpreted too); Miri runs the
    // fixed cases of `miri_cases` below instead.
    #[cfg(not(miri))]
    macro_rules! kernels_match_portable {
        ($($name:ident: $b:literal),*) => {$(
            proptest! {
                #![proptest_config(ProptestConfig::with_cases(48))]
                #[test]
                fn $name(case in (1usize..70, 1usize..40).prop_flat_map(|(i, o)| (Just(i), case::<$b>(i, o)))) {
                    check::<$b>(case.0, case.1)?;
                }
            }
        )*};
    }

    #[cfg(not(miri))]
    kernels_match_portable!(
        one_sample: 1, two_samples: 2, three_samples: 3, four_samples: 4, five_samples: 5,
        eight_samples: 8, nine_samples: 9, thirteen_samples: 13, sixteen_samples: 16,
        seventeen_samples: 17, thirty_two_samples: 32
    );

    // Rows long enough for the packed blocks of eight samples (at least 128 inputs), one
    // to three tiles at a time (up to 56 rows: three tiles and a partial fourth).
    #[cfg(not(miri))]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn long_rows_eight_samples(case in (128usize..200, 1usize..56).prop_flat_map(|(i, o)| (Just(i), case::<8>(i, o)))) {
            check::<8>(case.0, case.1)?;
        }
        #[test]
        fn long_rows_seventeen_samples(case in (128usize..200, 1usize..56).prop_flat_map(|(i, o)| (Just(i), case::<17>(i, o)))) {
            check::<17>(case.0, case.1)?;
        }
    }

    /// A fixed case of `inputs` × `outputs` and `B` samples, values from a small
    /// generator (mixed magnitudes and signs).
    fn fixed_case<const B: usize>(inputs: usize, outputs: usize, seed: u32) -> Case {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let unit = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            unit * [1.0, 1000.0, 1e-3][(state & 3) as usize % 3]
        };
        let mut values = |n: usize| (0..n).map(|_| next()).collect::<Vec<f32>>();
        (
            values(inputs * outputs),
            values(outputs),
            (0..B).map(|_| values(inputs)).collect(),
            (0..B).map(|_| values(outputs)).collect(),
            values(inputs * outputs),
        )
    }

    /// Shapes that reach every tile, pair, odd-row and leftover-column branch of both
    /// kernel sets (1, 4, 8, 9, 16 and 17 samples; 37 = 2·16 + 5, 69 = 4·16 + 5, 129 =
    /// 16·8 + 1 and 8 = 8 + 0 columns; 71, 17, 8 and 3 rows). The test Miri runs on the unsafe code (see the module docs); natively it
    /// is one more set of cases.
    #[test]
    fn miri_cases() {
        for (inputs, outputs) in [(37, 17), (8, 3)] {
            check::<1>(inputs, fixed_case::<1>(inputs, outputs, 1)).unwrap();
            check::<4>(inputs, fixed_case::<4>(inputs, outputs, 2)).unwrap();
            check::<9>(inputs, fixed_case::<9>(inputs, outputs, 3)).unwrap();
            // 17 samples: 16 in lanes (rows of at most 1024 inputs), one through the rows.
            check::<17>(inputs, fixed_case::<17>(inputs, outputs, 5)).unwrap();
        }
        // 69 inputs: a whole tile of four registers of ∂E/∂W columns and five columns
        // past it (masked), 8 rows (the masked rows' last tile empty), 16 samples in
        // lanes with the middle-sized buffer.
        check::<16>(69, fixed_case::<16>(69, 8, 7)).unwrap();
        // 129 inputs (16 chunks of eight and one left over), 17 rows (two tiles, the
        // last one of one row), 8 samples: a packed block of eight samples.
        check::<8>(129, fixed_case::<8>(129, 17, 8)).unwrap();
        // One sample through 129 inputs and 71 rows (`packed_single`): five tiles, three
        // then two at a time, the last of seven rows (masked), one input left over.
        check::<1>(129, fixed_case::<1>(129, 71, 9)).unwrap();
        // The kernels compiled for a known input count (and a mismatched slice).
        check_sized::<typenum::U37, 4>(17, 6);
        // `wide`: a pass compiled for the CPU's vectors, the same bits as inline: 629
        // values (the widest vectors) and 35 (below `WIDE_MIN_LEN`: `with_kernels`'s AVX).
        let step = |w: &[f32], g: &[f32]| -> Vec<f32> {
            w.iter()
                .zip(g)
                .map(|(&w, &g)| w - 0.37 * (g + 0.01 * w))
                .collect()
        };
        for (inputs, outputs) in [(37, 17), (5, 7)] {
            let (w, _, _, _, g) = fixed_case::<1>(inputs, outputs, 4);
            let inline = step(&w, &g);
            let wide = super::super::wide(w.len(), || step(&w, &g));
            assert_eq!(bits(&wide), bits(&inline));
        }
        // Under Miri the CPU features are those the build enables (`.ci/run` passes
        // `-C target-feature=+avx,+fma,+avx512f`): make sure the wide kernels did run.
        if cfg!(all(miri, target_feature = "avx512f")) {
            assert!(levels().contains(&Level::Avx512));
        }
    }

    /// The kernels at an input count known when compiling (what a `Dense` layer calls),
    /// and at one more input, which must go to the portable code.
    fn check_sized<I: Unsigned, const B: usize>(outputs: usize, seed: u32) {
        for inputs in [I::USIZE, I::USIZE + 1] {
            check_in::<I, B>(inputs, fixed_case::<B>(inputs, outputs, seed)).unwrap();
        }
    }

    #[test]
    #[cfg(not(miri))]
    fn kernels_for_a_known_input_count_match_portable() {
        use typenum::{U8, U13, U37, U64, U128, U130, U256, U784, U1024, U2048};
        for (outputs, seed) in [(3, 1), (17, 2), (40, 3)] {
            check_sized::<U8, 1>(outputs, seed);
            check_sized::<U13, 4>(outputs, seed);
            check_sized::<U37, 9>(outputs, seed);
            check_sized::<U64, 17>(outputs, seed);
            check_sized::<U128, 1>(outputs, seed);
            check_sized::<U784, 8>(outputs, seed);
            // Samples in lanes with each size of its buffer of columns, at its
            // boundaries (`check_sized` also runs one input more), and past it.
            check_sized::<U64, 16>(outputs, seed);
            check_sized::<U128, 16>(outputs, seed);
            check_sized::<U256, 16>(outputs, seed);
            check_sized::<U784, 17>(outputs, seed);
            // `lane_sums` with leftover inputs (130 = 16 chunks of eight and two).
            check_sized::<U130, 16>(outputs, seed);
            check_sized::<U1024, 16>(outputs, seed);
            check_sized::<U2048, 16>(outputs, seed);
        }
    }

    /// The comparisons above can fail: one running sum instead of eight gives other
    /// bits on these values.
    #[test]
    fn a_different_order_gives_different_bits() {
        let a: Vec<f32> = (0..64)
            .map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 1.37)
            .collect();
        let b: Vec<f32> = (0..64).map(|i| 1.0 / (1.0 + i as f32)).collect();
        let one_sum = a.iter().zip(&b).fold(0.0f32, |s, (x, y)| s + x * y);
        assert_ne!(one_sum.to_bits(), dot(&a, &b).to_bits());
    }
}
