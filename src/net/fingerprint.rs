//! The architecture fingerprint: FNV-1a (64 bit) over each layer's description
//! (input size, output size, activation name and parameters), from the last layer to the
//! first. It belongs to the network's shape; the weight formats store and check it.

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
