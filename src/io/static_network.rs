//! [`static_network!`](crate::static_network!): a network decoded from a weight file at
//! compile time, for weights in flash.

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
/// `f32`, `f64` or `Q16` ([`fixed::Q16`](crate::fixed::Q16), for cores without an FPU;
/// the name needs no import here), followed by `;` and a constant byte-string expression. The file is
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
    (f32; $in:tt $(-> $out:tt $act:ident $(($($p:tt)*))?)+ ; $bytes:expr) => {
        $crate::static_network!(@checked f32, 0.0, 4, const_f32s; $in $(-> $out $act $(($($p)*))?)+ ; $bytes)
    };
    (f64; $in:tt $(-> $out:tt $act:ident $(($($p:tt)*))?)+ ; $bytes:expr) => {
        $crate::static_network!(@checked f64, 0.0, 8, const_f64s; $in $(-> $out $act $(($($p)*))?)+ ; $bytes)
    };
    (Q16; $in:tt $(-> $out:tt $act:ident $(($($p:tt)*))?)+ ; $bytes:expr) => {
        $crate::static_network!(@checked $crate::fixed::Q16, $crate::fixed::Q16::ZERO, 4, const_q16s;
            $in $(-> $out $act $(($($p)*))?)+ ; $bytes)
    };
    (@checked $t:ty, $zero:expr, $size:literal, $read:ident; $in:tt $(-> $out:tt $act:ident $(($($p:tt)*))?)+ ; $bytes:expr) => {{
        const __TYPENET_BYTES: &[u8] = $bytes;
        const _: () = $crate::format::const_check(
            __TYPENET_BYTES,
            <$t as $crate::format::Storable>::CODE,
            <$crate::network!($t; $in $(-> $out $act $(($($p)*))?)+) as $crate::Network<$t>>::FINGERPRINT_STATE,
            <$crate::network!($t; $in $(-> $out $act $(($($p)*))?)+) as $crate::Network<$t>>::PARAMS,
            $size,
        );
        $crate::static_network!(@layer $t, $zero, $size, $read, __TYPENET_BYTES, $crate::format::HEADER_LEN; $in $(-> $out $act $(($($p)*))?)+)
    }};
    (@layer $t:ty, $zero:expr, $size:literal, $read:ident, $b:ident, $off:expr; $in:tt -> $out:tt $act:ident $(($($p:tt)*))? $(-> $ro:tt $ra:ident $(($($rp:tt)*))?)*) => {
        $crate::Dense::<
            $t,
            $crate::network!(@size $in),
            $crate::network!(@size $out),
            $crate::network!(@act $act $(($($p)*))?),
            _,
        > {
            weights: {
                const I: usize = <$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE;
                const O: usize = <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE;
                let mut rows = [$crate::generic_array::GenericArray::<$t, $crate::network!(@size $in)>::from_array([$zero; I]); O];
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
            activation: $crate::network!(@act_value $act),
            rest: $crate::static_network!(@layer $t, $zero, $size, $read, $b,
                $off + (<$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE + 1)
                    * <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE
                    * $size;
                $out $(-> $ro $ra $(($($rp)*))?)*),
        }
    };
    (@layer $t:ty, $zero:expr, $size:literal, $read:ident, $b:ident, $off:expr; $in:tt) => { $crate::End };
}
