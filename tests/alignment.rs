//! On 64-bit hosts every layer's W^i and b^i start on a 64-byte boundary, wherever the
//! network lives: on the stack, in a `static`, in a `Box` built on the heap.
#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

use typenet::{BoxedNetwork, Network, network};

/// Sizes chosen so that no W^i or b^i is a multiple of 64 bytes long: without the
/// padding, the next field would start off a line.
type Odd = network!(f32; 3 -> 5 Tanh -> 7 ReLU -> 2 Identity);
type Wide = network!(f32; 784 -> 128 ReLU -> 64 ReLU -> 10 Softmax);

fn assert_aligned<N: Network<f32>>(net: &N) {
    for i in 1..=N::DEPTH {
        let layer = net.layer(i).unwrap();
        assert_eq!(
            layer.weights.as_ptr() as usize % 64,
            0,
            "W^{i} is not on a 64-byte boundary"
        );
        assert_eq!(
            layer.bias.as_ptr() as usize % 64,
            0,
            "b^{i} is not on a 64-byte boundary"
        );
    }
}

type Small = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
/// A weight file for `Small` (the one in `static_network!`'s documentation).
const BYTES: &[u8] = &[
    b'T', b'N', b'E', b'T', 1, 0, 1, 0, // magic, version, f32, flags
    0x03, 0x80, 0xc9, 0x6a, 0xd1, 0x62, 0xf5, 0xe8, // fingerprint
    13, 0, 0, 0, // 13 parameters
    0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
    0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 0, 0,
];
static STATIC: Small = typenet::static_network!(f32; 2 -> 3 Tanh -> 1 Sigmoid; BYTES);

#[test]
fn stack_networks_are_aligned() {
    let a = Odd::zeroed();
    let pad = [0u8; 3];
    let b = Odd::zeroed();
    assert_aligned(&a);
    assert_aligned(&b);
    assert_eq!(pad.len(), 3);
    assert_eq!(core::mem::align_of::<Odd>(), 64);
}

#[test]
fn boxed_networks_are_aligned() {
    // Several allocations of different sizes, so that one landing on a line by luck
    // does not decide the test.
    let _small = std::hint::black_box(vec![0u8; 24].into_boxed_slice());
    let boxed: Box<Wide> = Wide::new_boxed_zeroed();
    assert_aligned(&*boxed);
    let odd: Box<Odd> = Odd::new_boxed_zeroed();
    assert_aligned(&*odd);
}

#[test]
fn static_networks_are_aligned() {
    assert_aligned(&STATIC);
}
