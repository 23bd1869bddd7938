//! [`static_qnetwork!`](crate::static_qnetwork!): an int8 network built at compile time
//! from the bytes of its weight file.

/// An int8 network built at compile time from the bytes of its weight file, usable as
/// the value of a `static` or `const`: with `include_bytes!`, the int8 weights of
/// firmware stay in flash and no code runs to load them. The int8 counterpart of
/// [`static_network!`](crate::static_network!).
///
/// The architecture is written as for [`network!`](crate::network!) without the scalar
/// (the type is [`Quantized`](crate::quant::Quantized) of the f32 network), followed by
/// `;` and a constant byte-string expression. Activations are the built-in names. The
/// file is checked while compiling: a wrong length, magic, version, scalar type (it
/// must be int8, code 4), architecture fingerprint or parameter count, or a scale that
/// is NaN, infinite, zero or negative, is a compile error with a sentence saying which.
///
/// ```
/// use typenet::{network, static_qnetwork};
/// use typenet::generic_array::GenericArray;
/// use typenet::quant::{self, QNetwork, Quantized};
///
/// type QNet = Quantized<network!(f32; 2 -> 2 ReLU -> 1 Identity)>;
/// // In firmware: `static NET: QNet = static_qnetwork!(2 -> 2 ReLU -> 1 Identity;
/// //                                   include_bytes!("net_int8.tnet"));`
/// // Quantized from W1 = I, b1 = 0, W2 = [1 1], b2 = 0, calibrated on (0, 0) and (1, 1).
/// const BYTES: &[u8] = &[
///     b'T', b'N', b'E', b'T', 1, 0, 4, 0,              // magic, version 1, int8, flags
///     0x20, 0xb9, 0x08, 0x87, 0xde, 0xeb, 0x72, 0x52,  // fingerprint of the f32 network
///     9, 0, 0, 0,                                      // 9 weights and biases
///     0x81, 0x80, 0x80, 0x3b, 0x80,                    // input: scale 1/255, zero point -128
///     // layer 1: z and a parameters (scale 1/255, zp -128), weight scales (1/127)
///     0x81, 0x80, 0x80, 0x3b, 0x80, 0x81, 0x80, 0x80, 0x3b, 0x80,
///     0x04, 0x02, 0x01, 0x3c, 0x04, 0x02, 0x01, 0x3c,
///     0x00, 0x02, 0x81, 0x40, 0x00, 0x02, 0x81, 0x40, 0xfa, 0xfa, // mantissas, shifts -6
///     0, 0, 0, 0, 0, 0, 0, 0,                          // biases
///     127, 0, 0, 127,                                  // weights
///     // layer 2: z and a (scale 2/255), weight scale, mantissa, shift -7, bias, weights
///     0x81, 0x80, 0x00, 0x3c, 0x80, 0x81, 0x80, 0x00, 0x3c, 0x80,
///     0x04, 0x02, 0x01, 0x3c,
///     0x00, 0x02, 0x81, 0x40, 0xf9,
///     0, 0, 0, 0,
///     127, 127,
/// ];
/// static NET: QNet = static_qnetwork!(2 -> 2 ReLU -> 1 Identity; BYTES);
/// assert_eq!(NET, quant::from_bytes::<QNet>(BYTES).unwrap());
/// // 0.5 + 0.25, through int8
/// let y = NET.forward(&NET.quantize_input(&GenericArray::from_array([0.5, 0.25])));
/// assert!((NET.dequantize_output(&y)[0] - 0.75).abs() < 0.01);
/// ```
///
/// ```compile_fail
/// use typenet::{network, static_qnetwork};
/// type QNet = typenet::quant::Quantized<network!(f32; 2 -> 2 ReLU -> 1 Identity)>;
/// // 4 bytes cannot be the file of this network.
/// static NET: QNet = static_qnetwork!(2 -> 2 ReLU -> 1 Identity; b"TNET");
/// ```
#[macro_export]
macro_rules! static_qnetwork {
    ($in:tt $(-> $out:tt $act:ident $(($($p:tt)*))?)+ ; $bytes:expr) => {{
        const __TYPENET_QBYTES: &[u8] = $bytes;
        const _: () = $crate::quant::const_check(
            __TYPENET_QBYTES,
            <$crate::quant::Quantized<$crate::network!(f32; $in $(-> $out $act $(($($p)*))?)+)>
                as $crate::quant::QNetwork>::FINGERPRINT,
            <$crate::quant::Quantized<$crate::network!(f32; $in $(-> $out $act $(($($p)*))?)+)>
                as $crate::quant::QNetwork>::PARAMS,
            <$crate::quant::Quantized<$crate::network!(f32; $in $(-> $out $act $(($($p)*))?)+)>
                as $crate::quant::QNetwork>::ENCODED_LEN,
        );
        $crate::static_qnetwork!(@layer __TYPENET_QBYTES, $crate::format::HEADER_LEN,
            $crate::format::HEADER_LEN + 5; $in $(-> $out $act $(($($p)*))?)+)
    }};
    // One layer: `$input` is the offset of its input's parameters, `$off` of its record.
    // The offsets handed to the next layer are spelled out from the sizes (no local
    // constants), so the next layer's own `I` and `O` cannot shadow them.
    (@layer $b:ident, $input:expr, $off:expr; $in:tt -> $out:tt $act:ident $(($($p:tt)*))? $(-> $ro:tt $ra:ident $(($($rp:tt)*))?)*) => {{
        const I: usize = <$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE;
        const O: usize = <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE;
        const ROWS: [[i8; I]; O] = {
            let mut rows = [[0; I]; O];
            let mut k = 0;
            while k < O {
                rows[k] = $crate::quant::const_i8s::<I>($b, $off + 10 + 13 * O + k * I);
                k += 1;
            }
            rows
        };
        const BIAS: [i32; O] = $crate::quant::const_i32s::<O>($b, $off + 10 + 9 * O);
        const MULTIPLIERS: [$crate::quant::Multiplier; O] =
            $crate::quant::const_multipliers::<O>($b, $off + 10 + 4 * O, $off + 10 + 8 * O);
        const INPUT: $crate::quant::QParams = $crate::quant::const_params($b, $input);
        // the bias with the input zero point folded in, and the fast-path check
        const FOLDED: ([i32; O], bool) =
            $crate::quant::const_fold::<I, O>(&ROWS, &BIAS, &MULTIPLIERS, INPUT);
        $crate::quant::QDense::<
            $crate::network!(@size $in),
            $crate::network!(@size $out),
            $crate::network!(@act $act $(($($p)*))?),
            _,
        > {
            weights: {
                let mut rows = [$crate::generic_array::GenericArray::<i8, $crate::network!(@size $in)>::from_array([0; I]); O];
                let mut k = 0;
                while k < O {
                    rows[k] = $crate::generic_array::GenericArray::from_array(ROWS[k]);
                    k += 1;
                }
                $crate::generic_array::GenericArray::from_array(rows)
            },
            bias: $crate::generic_array::GenericArray::from_array(BIAS),
            weight_scales: $crate::generic_array::GenericArray::from_array(
                $crate::quant::const_scales::<O>($b, $off + 10),
            ),
            multipliers: $crate::generic_array::GenericArray::from_array(MULTIPLIERS),
            input: INPUT,
            pre_activation: $crate::quant::const_params($b, $off),
            output: $crate::quant::const_params($b, $off + 5),
            folded_bias: $crate::generic_array::GenericArray::from_array(FOLDED.0),
            fast: FOLDED.1,
            table: $crate::static_qnetwork!(@table $act; $b, $off + 10 + 13 * O + O * I),
            activation: $crate::network!(@act_value $act),
            rest: $crate::static_qnetwork!(@layer $b, $off + 5,
                $off + $crate::quant::const_record_len(
                    <$crate::network!(@size $in) as $crate::typenum::Unsigned>::USIZE,
                    <$crate::network!(@size $out) as $crate::typenum::Unsigned>::USIZE,
                    <$crate::network!(@act $act $(($($p)*))?) as $crate::quant::QActivation>::TABLE_BYTES,
                );
                $out $(-> $ro $ra $(($($rp)*))?)*),
        }
    }};
    (@layer $b:ident, $input:expr, $off:expr; $in:tt) => { $crate::End };
    (@table Identity; $b:ident, $at:expr) => { () };
    (@table ReLU; $b:ident, $at:expr) => { () };
    (@table LeakyReLU; $b:ident, $at:expr) => { $crate::quant::const_i8s::<256>($b, $at) };
    (@table Tanh; $b:ident, $at:expr) => { $crate::quant::const_i8s::<256>($b, $at) };
    (@table Sigmoid; $b:ident, $at:expr) => { $crate::quant::const_i8s::<256>($b, $at) };
    (@table Softplus; $b:ident, $at:expr) => { $crate::quant::const_i8s::<256>($b, $at) };
    (@table Softmax; $b:ident, $at:expr) => { $crate::quant::const_u16_table($b, $at) };
}
