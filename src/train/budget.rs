//! [`assert_fits!`](crate::assert_fits!): a memory budget the compiler checks.

/// Fails compilation, with a sentence, when a network (and its trainer) needs more
/// memory than the budget you state. Every figure is computed from the types:
///
/// - inference, weights in flash (a `static` built by
///   [`static_network!`](crate::static_network!)): flash
///   [`Network::WEIGHT_BYTES`](crate::Network::WEIGHT_BYTES), RAM
///   [`Network::INFERENCE_BYTES`](crate::Network::INFERENCE_BYTES) (the largest pair of
///   activation vectors a forward pass holds);
/// - training with a built-in optimizer (`Sgd`, `Adam`, `RmsProp`): RAM for the network
///   itself plus a [`Trainer`](crate::train::Trainer) of `block` samples (default 4),
///   which holds the gradient ([`Network::GRADIENT_BYTES`](crate::Network::GRADIENT_BYTES)),
///   the training records ([`Network::TRACE_BYTES`](crate::Network::TRACE_BYTES) per
///   sample of a block, plus one) and the optimizer with its state
///   ([`Optimizer::STATE_BYTES`](crate::optim::Optimizer::STATE_BYTES)); the total is
///   `size_of::<Net>() + Trainer::RAM_BYTES`.
///
/// The figures cover the data; the stack frames of the code come on top, so leave a
/// margin: on the Cortex-M4F and M3 they measured 524–980 bytes (the digits inference,
/// and XOR training with its network and trainer on the stack), and
/// `embedded/measure.sh` fails if they ever exceed 1 536 bytes.
///
/// ```
/// use typenet::{assert_fits, network};
///
/// type Net = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
/// // Inference from flash on a chip with 64 KiB of flash and 2 KiB of RAM.
/// assert_fits!(Net, flash = 64 * 1024, ram = 2 * 1024);
/// // Training on the device with Adam, one sample at a time, in 128 KiB of RAM.
/// assert_fits!(Net, Adam, block = 1, ram = 128 * 1024);
/// ```
///
/// A budget that is too small does not compile:
///
/// ```compile_fail
/// use typenet::{assert_fits, network};
/// type Net = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
/// // error: the network and its trainer need more RAM than the budget given to assert_fits!
/// assert_fits!(Net, Adam, ram = 16 * 1024);
/// ```
#[macro_export]
macro_rules! assert_fits {
    ($net:ty, flash = $flash:expr, ram = $ram:expr $(,)?) => {
        const _: () = {
            use $crate::Network as _;
            type __T = <$net as $crate::__ScalarOf>::Scalar;
            assert!(
                <$net as $crate::Network<__T>>::WEIGHT_BYTES <= $flash,
                "the network's weights need more flash than the budget given to assert_fits!"
            );
            assert!(
                <$net as $crate::Network<__T>>::INFERENCE_BYTES <= $ram,
                "the network's inference working set needs more RAM than the budget given to assert_fits!"
            );
        };
    };
    ($net:ty, ram = $ram:expr $(,)?) => {
        $crate::assert_fits!($net, flash = usize::MAX, ram = $ram);
    };
    ($net:ty, $opt:ident, ram = $ram:expr $(,)?) => {
        $crate::assert_fits!($net, $opt, block = 4, ram = $ram);
    };
    ($net:ty, $opt:ident, block = $b:expr, ram = $ram:expr $(,)?) => {
        const _: () = {
            type __T = <$net as $crate::__ScalarOf>::Scalar;
            assert!(
                core::mem::size_of::<$net>()
                    + $crate::train::Trainer::<__T, $net, $crate::optim::$opt<__T, $net>, { $b }>::RAM_BYTES
                    <= $ram,
                "the network and its trainer need more RAM than the budget given to assert_fits!"
            );
        };
    };
}
