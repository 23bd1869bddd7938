//! Weight initialisation from any `rand_core` 0.9 `RngCore`, reproducible on every
//! platform; [`initialize_seeded`] needs no generator crate at all.

use crate::net::network::Network;
pub use crate::net::scheme::Init;
use crate::num::scalar::Scalar;
use crate::train::rng::{SplitMix64, standard_normal, uniform01};
use rand_core::RngCore;

impl Init {
    /// Draws one weight for a layer with the given fan-in and fan-out from `rng`, a
    /// `rand_core` **0.9** [`RngCore`] (the version re-exported as
    /// `typenet::rand_core`).
    pub fn sample<R: RngCore + ?Sized>(self, fan_in: usize, fan_out: usize, rng: &mut R) -> f64 {
        let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
        match self {
            Init::GlorotUniform => uniform_symmetric(rng, libm::sqrt(6.0 / (fi + fo))),
            Init::GlorotNormal => standard_normal(rng) * libm::sqrt(2.0 / (fi + fo)),
            Init::HeUniform => uniform_symmetric(rng, libm::sqrt(6.0 / fi)),
            Init::HeNormal => standard_normal(rng) * libm::sqrt(2.0 / fi),
        }
    }
}

/// A uniform value in [−r, r).
fn uniform_symmetric<R: RngCore + ?Sized>(rng: &mut R, r: f64) -> f64 {
    (2.0 * uniform01(rng) - 1.0) * r
}

/// Initialises every layer of `net` with its activation's default scheme
/// ([`Activation::INIT`](crate::Activation::INIT)): He uniform for ReLU and leaky ReLU,
/// Glorot uniform otherwise; biases zero.
///
/// `rng` is a `rand_core` **0.9** [`RngCore`] (the version re-exported as
/// `typenet::rand_core`; e.g. `rand_pcg` 0.9 or `rand` 0.9's generators, not those of
/// `rand` 0.10). Without a generator crate, use [`initialize_seeded`].
///
/// ```
/// use typenet::{network, Network, init::initialize};
/// use rand_pcg::Pcg32;
/// use rand_core::SeedableRng;
///
/// type Net = network!(f32; 4 -> 16 ReLU -> 3 Softmax);
/// let mut net = Net::zeroed();
/// initialize(&mut net, &mut Pcg32::seed_from_u64(7));
/// let l1 = net.layer(1).unwrap();
/// let r = (6.0_f32 / 4.0).sqrt();
/// assert!(l1.weights.iter().all(|w| w.abs() <= r) && l1.bias.iter().all(|&b| b == 0.0));
/// ```
pub fn initialize<T: Scalar, N: Network<T>, R: RngCore + ?Sized>(net: &mut N, rng: &mut R) {
    for i in 1..=N::DEPTH {
        if let Some(layer) = net.layer_mut(i) {
            let scheme = layer.init;
            fill(layer, scheme, rng);
        }
    }
}

/// Initialises every layer of `net` like [`initialize`] (each activation's default
/// scheme, biases zero), from the built-in generator
/// [`SplitMix64`] seeded with `seed`: the same seed gives
/// the same weights, bit for bit, on every platform.
///
/// ```
/// use typenet::{network, Network, init::initialize_seeded};
///
/// type Net = network!(f32; 4 -> 16 ReLU -> 3 Softmax);
/// let (mut a, mut b) = (Net::zeroed(), Net::zeroed());
/// initialize_seeded(&mut a, 42);
/// initialize_seeded(&mut b, 42);
/// assert_eq!(a, b);
/// ```
pub fn initialize_seeded<T: Scalar, N: Network<T>>(net: &mut N, seed: u64) {
    initialize(net, &mut SplitMix64::new(seed));
}

/// Initialises every layer of `net` with the same `scheme`; biases zero. `rng` is a
/// `rand_core` **0.9** [`RngCore`], as for [`initialize`].
pub fn initialize_with<T: Scalar, N: Network<T>, R: RngCore + ?Sized>(
    net: &mut N,
    scheme: Init,
    rng: &mut R,
) {
    for i in 1..=N::DEPTH {
        if let Some(layer) = net.layer_mut(i) {
            fill(layer, scheme, rng);
        }
    }
}

fn fill<T: Scalar, R: RngCore + ?Sized>(
    layer: crate::net::view::LayerMut<'_, T>,
    scheme: Init,
    rng: &mut R,
) {
    for w in layer.weights.iter_mut() {
        *w = T::from_f64(scheme.sample(layer.inputs, layer.outputs, rng));
    }
    for b in layer.bias.iter_mut() {
        *b = T::zero();
    }
}
