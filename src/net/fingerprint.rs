//! The architecture fingerprint: FNV-1a (64 bit) over each layer's description
//! (input size, output size, activation name and parameters), from the last layer to the
//! first. It belongs to the network's shape; the weight formats store and check it.
//!
//! Activation parameters enter through the activation's
//! [`NAME`](crate::Activation::NAME), which carries them: a
//! [`LeakyReLU`](crate::LeakyReLU) of slope 0.2 is named
//! `leaky_relu(0x3fc999999999999a)` (the slope's `f64` bits in hexadecimal, exact and
//! the same on every platform), so a file written for slope 0.2 is an architecture
//! error for a network of slope 0.01, in every format that checks the fingerprint.
//!
//! Decision: the default slope 0.01 keeps the bare name `leaky_relu`, which is what
//! every `LeakyReLU` was called before the slope was a type parameter. The fingerprint
//! of a network with default slopes is therefore unchanged, and weight files, int8
//! files and serde documents written before still load. The price is that `leaky_relu`
//! means "slope 0.01" rather than "no parameters"; a new activation with parameters
//! should write them into its name from the start.

/// The FNV-1a 64-bit offset basis: the fingerprint of no layers.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

const fn fnv_bytes(mut state: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        state ^= bytes[i] as u64;
        state = state.wrapping_mul(FNV_PRIME);
        i += 1;
    }
    state
}

/// Continues a fingerprint with one layer's description.
pub(crate) const fn fnv_layer(state: u64, inputs: usize, outputs: usize, name: &str) -> u64 {
    let state = fnv_bytes(state, &(inputs as u32).to_le_bytes());
    let state = fnv_bytes(state, &(outputs as u32).to_le_bytes());
    let state = fnv_bytes(state, name.as_bytes());
    fnv_bytes(state, b";")
}
