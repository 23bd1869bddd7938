//! Weight initialisation from any `rand_core::RngCore`, reproducible on every platform.

use crate::net::network::Network;
pub use crate::net::scheme::Init;
use crate::num::scalar::Scalar;
use rand_core::RngCore;

impl Init {
    /// Draws one weight for a layer with the given fan-in and fan-out.
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

/// A uniform value in [0, 1) from the top 53 bits of one `next_u64`.
pub fn uniform01<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform value in [−r, r).
fn uniform_symmetric<R: RngCore + ?Sized>(rng: &mut R, r: f64) -> f64 {
    (2.0 * uniform01(rng) - 1.0) * r
}

/// A standard normal value by the Box–Muller transform, with `libm`'s functions so the
/// same generator gives the same value on every platform.
pub fn standard_normal<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    // 1 − u is in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - uniform01(rng);
    let u2 = uniform01(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

/// Initialises every layer of `net` with its activation's default scheme
/// ([`Activation::INIT`](crate::Activation::INIT)): He uniform for ReLU and leaky ReLU,
/// Glorot uniform otherwise; biases zero.
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

/// Initialises every layer of `net` with the same `scheme`; biases zero.
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
