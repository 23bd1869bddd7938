//! A 784 → 128 → 64 → 10 network (109 386 parameters, 427 KiB in f32, 855 KiB in f64)
//! built on the heap without passing through the stack, and run forward and backward
//! on a test thread's 2 MiB stack.

use typenet::generic_array::GenericArray;
use typenet::{BoxedNetwork, Network, Trace, network};

type Mnist<T> = network!(T; 784 -> 128 ReLU -> 64 ReLU -> 10 Softmax);

#[test]
fn facts_of_the_large_network() {
    assert_eq!(
        <Mnist<f32>>::PARAMS,
        784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    );
    assert_eq!(<Mnist<f32>>::PARAMS, 109_386);
}

fn run<T: typenet::Scalar + typenet::Zeroable>()
where
    Mnist<T>: Network<T, Input = typenet::typenum::U784, Output = typenet::typenum::U10>,
{
    let params: Vec<T> = (0..<Mnist<T>>::PARAMS)
        .map(|k| T::from_f64(((k * 7919 % 1000) as f64 - 500.0) / 20_000.0))
        .collect();
    let net = <Mnist<T>>::boxed_from_params(&params).unwrap();
    let mut grads = <Mnist<T>>::new_boxed_zeroed();
    let mut trace = Box::new(Trace::<T, Mnist<T>>::new());

    let x: GenericArray<T, _> =
        GenericArray::try_from_iter((0..784).map(|k| T::from_f64((k % 17) as f64 / 17.0))).unwrap();
    let y = net.forward(&x);
    let sum: f64 = y.iter().map(|v| v.to_f64()).sum();
    assert!((sum - 1.0).abs() < 1e-4, "softmax output sums to {sum}");

    let y2 = *net.forward_trace(&x, &mut trace);
    assert_eq!(y, y2);
    // Cross-entropy with target class 3: ∂E/∂a_k = −t_k / a_k.
    let mut g = GenericArray::<T, _>::default();
    g[3] = -T::one() / y[3];
    let gx = net.backward(&mut trace, &g, &mut grads);
    assert!(gx.iter().all(|v| v.is_finite()));
    // ξ^N = a^N − t for softmax with cross-entropy.
    let xi = trace.xi(3).unwrap();
    for k in 0..10 {
        let t = if k == 3 { 1.0 } else { 0.0 };
        assert!((xi[k].to_f64() - (y[k].to_f64() - t)).abs() < 1e-5);
    }
    // ∂E/∂b^3 = ξ^3.
    assert_eq!(grads.layer(3).unwrap().bias, xi);
    assert!(grads.params().any(|p| *p != T::zero()));
}

#[test]
fn large_network_f32() {
    run::<f32>();
}

#[test]
fn large_network_f64() {
    run::<f64>();
}
