//! [`Init`]: the name of a weight initialisation scheme, which every activation states as
//! its default. The drawing itself is in [`init`](crate::init).

/// How to draw the initial weights of a layer with fan-in M_{i−1} and fan-out M_i.
/// Biases start at zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Init {
    /// Glorot & Bengio (2010): U(−r, r) with r = √(6 / (fan_in + fan_out)). The default
    /// for tanh, sigmoid, softplus, softmax and identity layers.
    GlorotUniform,
    /// Glorot & Bengio (2010): N(0, σ²) with σ = √(2 / (fan_in + fan_out)).
    GlorotNormal,
    /// He et al. (2015): U(−r, r) with r = √(6 / fan_in). The default for ReLU and
    /// leaky ReLU layers.
    HeUniform,
    /// He et al. (2015): N(0, σ²) with σ = √(2 / fan_in).
    HeNormal,
}
