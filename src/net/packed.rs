//! [`Packed`]: a network's weights copied once into column tiles, for inference
//! (feature `alloc`).

extern crate alloc;

use crate::net::arr::Arr;
use crate::net::error::BatchLengthError;
use crate::net::layers::AffineKernels;
use crate::net::network::{Network, in_blocks};
use crate::num::kernel::{Column, pack, packed_len, with_kernels};
use crate::num::scalar::Scalar;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

/// A network prepared for inference: each W^i copied once into tiles of
/// 16 rows stored column by column, so that the 16 dot products of a tile advance
/// together in the lanes of one vector register and no sum is reduced across lanes.
/// Row by row (the layout of [`Dense`](crate::Dense), which training and the file
/// formats use), every dot product ends in a horizontal sum of its running sums.
///
/// [`forward`](Packed::forward) gives **the same bits** as [`Network::forward`]: the
/// same operations in the same order (see [`Scalar::affine_kernel`]), only in other
/// registers. Layers are packed where that is faster: `f32` layers of at least 256
/// weights, with `std` on x86-64 when the CPU has AVX-512F or AVX (16-64-64-4 at
/// batch 1: 293 ns instead of 491, see `BENCHMARKS.md`); the other layers, and
/// every layer on other targets, run the kernels of [`Network::forward`]. The copy
/// takes as much memory as the packed weights (a layer's rows rounded up to a multiple
/// of 16), allocated once when it is built; `forward` does not allocate.
///
/// A `Packed` owns its network (in a `Box`, so that a large network built with
/// [`BoxedNetwork`](crate::BoxedNetwork) never passes through the stack:
/// [`from_box`](Packed::from_box)), so the weights cannot change behind the copy; to
/// train again, take the network back with [`into_network`](Packed::into_network) and
/// pack it again afterwards.
///
/// ```
/// use typenet::{network, Network, Packed};
/// type Net = network!(f32; 3 -> 20 Tanh -> 2 Identity);
/// let params: Vec<f32> = (0..Net::PARAMS).map(|i| (i as f32 * 0.37).sin()).collect();
/// let net = Net::from_params(&params)?;
/// let x = [0.5, -1.0, 2.0].into();
/// let expected = net.forward(&x);
/// let packed = Packed::new(net);
/// assert_eq!(packed.forward(&x), expected);
/// # Ok::<(), typenet::ParamCountError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Packed<T: Scalar, N: Network<T>> {
    net: Box<N>,
    /// Every layer's tiles, layer 1 first.
    tiles: Vec<Column<T>>,
    /// Layer i's tiles: `tiles[layers[i − 1]]`, `None` for a layer left to its row
    /// kernel.
    layers: Vec<Option<Range<usize>>>,
}

impl<T: Scalar, N: Network<T>> Packed<T, N> {
    /// Copies the weights of `net` into column tiles, each layer where that is faster
    /// (`f32` layers of at least 256 weights on x86-64 with AVX-512F or AVX); `net` is
    /// moved into a `Box`. For a network already on the heap, [`from_box`](Packed::from_box).
    pub fn new(net: N) -> Self {
        Self::from_box(Box::new(net))
    }

    /// [`new`](Packed::new) for a network on the heap (built with
    /// [`BoxedNetwork`](crate::BoxedNetwork)), which stays where it is.
    pub fn from_box(net: Box<N>) -> Self {
        let packed = |i: &usize| net.layer(*i).filter(|l| T::packs(l.inputs, l.outputs));
        let len = (1..=N::DEPTH)
            .filter_map(|i| packed(&i))
            .map(|l| packed_len(l.inputs, l.outputs))
            .sum();
        let mut tiles = Vec::with_capacity(len);
        let mut layers = Vec::with_capacity(N::DEPTH);
        for i in 1..=N::DEPTH {
            layers.push(packed(&i).map(|layer| {
                let start = tiles.len();
                pack(layer.weights, layer.inputs, layer.outputs, &mut tiles);
                start..tiles.len()
            }));
        }
        Packed { net, tiles, layers }
    }

    /// Inference: a^N for the input a^0 = `x`, bit for bit what
    /// [`Network::forward`] gives.
    #[inline]
    pub fn forward(&self, x: &Arr<T, N::Input>) -> Arr<T, N::Output> {
        if self.tiles.is_empty() {
            // Nothing packed: the network's own pass, without a look per layer.
            return self.net.forward(x);
        }
        let [y] = with_kernels(
            #[inline(always)]
            || self.net.forward_block_with([x], self),
        );
        y
    }

    /// Inference over a batch: `ys[s]` = a^N of `xs[s]`, bit for bit what
    /// [`Network::forward_batch`] (and `forward`) gives, in blocks of samples whose
    /// packed columns are each read once per block.
    ///
    /// # Errors
    /// [`BatchLengthError`] when `xs` and `ys` differ in length; `ys` is then untouched.
    pub fn forward_batch(
        &self,
        xs: &[Arr<T, N::Input>],
        ys: &mut [Arr<T, N::Output>],
    ) -> Result<(), BatchLengthError> {
        if self.tiles.is_empty() {
            return self.net.forward_batch(xs, ys);
        }
        in_blocks(
            xs,
            ys,
            |xs| {
                with_kernels(
                    #[inline(always)]
                    || self.net.forward_block_with(xs, self),
                )
            },
            |x| self.forward(x),
        )
    }

    /// How many layers run on packed weights (the others run the kernels of
    /// [`Network::forward`]); 0 on targets without packed kernels.
    pub fn packed_layers(&self) -> usize {
        self.layers.iter().flatten().count()
    }

    /// The network whose weights were packed.
    pub fn network(&self) -> &N {
        &self.net
    }

    /// The network, given back (to train it, for example); the packed copy is dropped.
    pub fn into_network(self) -> Box<N> {
        self.net
    }
}

#[doc(hidden)]
impl<T: Scalar, N: Network<T>> AffineKernels<T> for Packed<T, N> {
    /// Layer `i` on its packed columns, if it was packed.
    #[inline]
    fn affine<const B: usize>(
        &self,
        i: usize,
        bias: &[T],
        xs: [&[T]; B],
        zs: [&mut [T]; B],
    ) -> bool {
        let tiles = self.layers.get(i.wrapping_sub(1)).cloned().flatten();
        match tiles.and_then(|r| self.tiles.get(r)) {
            Some(tiles) => {
                T::packed_affine_kernel(tiles, bias, xs, zs);
                true
            }
            None => false,
        }
    }
}
