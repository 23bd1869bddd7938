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
/// An activation with a parameter takes it in parentheses: `LeakyReLU(0.2)` is
/// [`LeakyReLU`](crate::LeakyReLU) with slope 0.2 (`LeakyReLU` alone has slope 0.01).
///
/// ```
/// use typenet::{network, LeakyReLU, Network};
///
/// type Net = network!(f32; 2 -> 8 LeakyReLU(0.2) -> 1 Identity);
/// let _: network!(f32; 2 -> 8 LeakyReLU(0.2) -> 1 Identity) =
///     typenet::Dense::<_, _, _, LeakyReLU<{ LeakyReLU::slope(0.2) }>, _>::zeroed();
/// ```
#[macro_export]
macro_rules! network {
    ($t:ty; $in:tt $(-> $out:tt $act:ident $(($($p:tt)*))?)+) => {
        $crate::network!(@layers $t; $in $(-> $out $act $(($($p)*))?)+)
    };
    (@layers $t:ty; $in:tt -> $out:tt $act:ident $(($($p:tt)*))?
        $(-> $rest_out:tt $rest_act:ident $(($($rest_p:tt)*))?)*) => {
        $crate::Dense<
            $t,
            $crate::network!(@size $in),
            $crate::network!(@size $out),
            $crate::network!(@act $act $(($($p)*))?),
            $crate::network!(@layers $t; $out $(-> $rest_out $rest_act $(($($rest_p)*))?)*)
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
    (@act LeakyReLU($slope:expr)) => { $crate::LeakyReLU<{ <$crate::LeakyReLU>::slope($slope) }> };
    (@act Softplus) => { $crate::Softplus };
    (@act Softmax) => { $crate::Softmax };
    (@act $other:ident) => { $other };
    // The value of an activation in a struct expression whose type is spelled out
    // (`static_network!`, `static_qnetwork!`): the parameters come from the type.
    (@act_value $name:ident $(($($p:tt)*))?) => { $crate::network!(@act $name) };
}
