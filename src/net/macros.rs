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
/// Sizes are integer literals from 0 to 1024 (and the powers of two and ten typenum
/// names beyond), turned into typenum numbers by `typenum::U<N>`; any other size can be
/// given as a typenum type in parentheses, e.g. `(typenet::typenum::U2000)`.
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
    (@size $n:literal) => { $crate::typenum::U<$n> };
    (@act Identity) => { $crate::Identity };
    (@act Sigmoid) => { $crate::Sigmoid };
    (@act Tanh) => { $crate::Tanh };
    (@act ReLU) => { $crate::ReLU };
    (@act LeakyReLU) => { $crate::LeakyReLU };
    (@act Softplus) => { $crate::Softplus };
    (@act Softmax) => { $crate::Softmax };
    (@act $other:ident) => { $other };
}
