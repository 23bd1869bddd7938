//! The [`network!`](crate::network!) macro: a network type written like its architecture.

/// The nested network type for an architecture written as
/// `network!(SCALAR; M_0 -> M_1 φ_1 -> ... -> M_N φ_N)`.
///
/// ```
/// use typenet::{network, Dense, End, Network, Sigmoid, Tanh};
/// use typenet::typenum::{U1, U2, U8};
///
/// type Net = network!(f32; 2 -> 8 Tanh -> 1 Sigmoid);
/// // is exactly
/// type Spelled = Dense<f32, U2, U8, Tanh, Dense<f32, U8, U1, Sigmoid, End>>;
/// let same: Spelled = Net::zeroed();
/// assert_eq!(Net::DEPTH, 2);
/// # let _ = same;
/// ```
///
/// Sizes are unsigned decimal integer literals of any value (`2000`, `65_536`; `_`
/// separators and a `usize`, `u32` or `u64` suffix are allowed), written out as typenum
/// numbers in binary; anything else, such as `2.5` or `-1`, is a compile error saying
/// what is accepted. Generic code can give a size as a typenum type in parentheses:
///
/// ```
/// use typenet::{network, Network};
/// use typenet::generic_array::ArrayLength;
///
/// type Wide = network!(f32; 784 -> 2000 ReLU -> 10 Softmax);
/// assert_eq!(Wide::PARAMS, 784 * 2000 + 2000 + 2000 * 10 + 10);
///
/// fn inputs<N: ArrayLength>() -> usize
/// where
///     network!(f32; (N) -> 1 Identity): Network<f32>,
/// {
///     <network!(f32; (N) -> 1 Identity) as Network<f32>>::INPUTS
/// }
/// assert_eq!(inputs::<typenet::typenum::U3>(), 3);
/// ```
///
/// Activations are the built-in names (`Identity`, `Sigmoid`, `Tanh`, `ReLU`,
/// `LeakyReLU`, `Softplus`, `Softmax`), which need no import, or any other
/// [`Activation`](crate::Activation) type in scope, named by a single identifier.
#[macro_export]
macro_rules! network {
    ($t:ty; $in:tt $(-> $out:tt $act:ident)+) => {
        $crate::network!(@layers $t; $in $(-> $out $act)+)
    };
    (@layers $t:ty; $in:tt -> $out:tt $act:ident $(-> $rest_out:tt $rest_act:ident)*) => {
        $crate::Dense<
            $t,
            $crate::network!(@size $in),
            $crate::network!(@size $out),
            $crate::network!(@act $act),
            $crate::network!(@layers $t; $out $(-> $rest_out $rest_act)*)
        >
    };
    (@layers $t:ty; $in:tt) => { $crate::End };
    (@size ($n:ty)) => { $n };
    (@size $n:literal) => { $crate::__uint!($crate::typenum; $n) };
    (@act Identity) => { $crate::Identity };
    (@act Sigmoid) => { $crate::Sigmoid };
    (@act Tanh) => { $crate::Tanh };
    (@act ReLU) => { $crate::ReLU };
    (@act LeakyReLU) => { $crate::LeakyReLU };
    (@act Softplus) => { $crate::Softplus };
    (@act Softmax) => { $crate::Softmax };
    (@act $other:ident) => { $other };
}

/// A network built at compile time from the bytes of a weight file, usable as the
/// value of a `static` or `const`: with `include_bytes!`, the weights of firmware stay
/// in flash and cost no RAM, and no code runs to load them.
///
/// ```
/// use typenet::{network, Network, static_network};
///
/// type Net = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
/// // In firmware: `static NET: Net = static_network!(f32; 2 -> 3 Tanh -> 1 Sigmoid;
/// //                                  include_bytes!("net.tnet"));`
/// const BYTES: &[u8] = &[
///     b'T', b'N', b'E', b'T', 1, 0, 1, 0,                  // magic, version, f32, flags
///     0x03, 0x80, 0xc9, 0x6a, 0xd1, 0x62, 0xf5, 0xe8,      // fingerprint
///     13, 0, 0, 0,                                         // 13 parameters
///     0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63,
///     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
///     0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 0, 0,
/// ];
/// static NET: Net = static_network!(f32; 2 -> 3 Tanh -> 1 Sigmoid; BYTES);
/// assert_eq!(NET, typenet::format::from_bytes::<f32, Net>(BYTES).unwrap());
/// ```
///
/// The architecture is written as for [`network!`](crate::network!), with the scalar
/// `f32` or `f64`, followed by `;` and a constant byte-string expression. The file is
/// checked while compiling: a wrong length, magic, version, scalar type, architecture
/// fingerprint or parameter count, or a NaN or infinite parameter, is a compile error
/// with a sentence saying which.
///
/// ```compile_fail
/// use typenet::{network, static_network};
/// type Net = network!(f32; 2 -> 3 Tanh -> 1 Sigmoid);
/// // 4 bytes cannot be a file for a 13-parameter network.
/// static NET: Net = static_network!(f32; 2 -> 3 Tanh -> 1 Sigmoid; b"TNET");
/// ```
#[macro_export]
macro_rules! static_network {
    (f32; $in:tt $(-> $out:tt $act:ident)+ ; $bytes:expr) => {
        $crate::static_network!(@checked f32, 4, const_f32s; $in $(-> $out $act)+ ; $bytes)
    };
    (f64; $in:tt $(-> $out:tt $act:ident)+ ; $bytes:expr) => {
        $crate::static_network!(@checked f64, 8, const_f64s; $in $(-> $out $act)+ ; $bytes)
    };
    (@checked $t:ident, $size:literal, $read:ident; $in:tt $(-> $out:tt $act:ident)+ ; $bytes:expr) => {{
        const __TYPENET_BYTES: &[u8] = $bytes;
        const _: () = $crate::format::const_check(
            __TYPENET_BYTES,
            <$t as $crate::format::Storable>::CODE,
            <$crate::network!($t; $in $(-> $out $act)+) as $crate::Network<$t>>::FINGERPRINT_STATE,
            <$crate::network!($t; $in $(-> $out $act)+) as $crate::Network<$t>>::PARAMS,
            $size,
        );
        $crate::static_network!(@layer $t, $size, $read, __TYPENET_BYTES, $crate::format::HEADER_LEN; $in $(-> $out $act)+)
    }};
    (@layer $t:ident, $size:literal, $read:ident, $b:ident, $off:expr; $in:tt -> $out:tt $act:ident $(-> $ro:tt $ra:ident)*) => {
        $crate::Dense {
            weights: {
                const I: usize = <$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE;
                const O: usize = <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE;
                let mut rows = [$crate::generic_array::GenericArray::<$t, $crate::network!(@size $in)>::from_array([0.0; I]); O];
                let mut k = 0;
                while k < O {
                    rows[k] = $crate::generic_array::GenericArray::from_array(
                        $crate::format::$read::<I>($b, $off + k * I * $size),
                    );
                    k += 1;
                }
                $crate::generic_array::GenericArray::from_array(rows)
            },
            bias: $crate::generic_array::GenericArray::from_array($crate::format::$read::<
                { <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE },
            >(
                $b,
                $off + <$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE
                    * <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE
                    * $size,
            )),
            activation: $crate::network!(@act $act),
            rest: $crate::static_network!(@layer $t, $size, $read, $b,
                $off + (<$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE + 1)
                    * <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE
                    * $size;
                $out $(-> $ro $ra)*),
        }
    };
    (@layer $t:ident, $size:literal, $read:ident, $b:ident, $off:expr; $in:tt) => { $crate::End };
}
