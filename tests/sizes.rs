//! Layer sizes beyond typenum's named numbers (`U<N>` stops at 1024): `network!` writes
//! any literal out in binary through `typenet_macros::uint!`. Only type-level facts are
//! checked; the wide networks are never built.

// A second name for typenet, as a user crate that renamed it would have.
extern crate typenet as renamed;

use core::marker::PhantomData;
use typenet::typenum::{self, Unsigned};
use typenet::{Network, network};

#[test]
fn a_2000_input_network() {
    type Net = network!(f32; 2000 -> 3 ReLU -> 1 Identity);
    assert_eq!(<Net as Network<f32>>::INPUTS, 2000);
    assert_eq!(<Net as Network<f32>>::OUTPUTS, 1);
    assert_eq!(<Net as Network<f32>>::PARAMS, 2000 * 3 + 3 + 3 + 1);
}

#[test]
fn a_2000_wide_hidden_layer() {
    type Net = network!(f32; 784 -> 2000 ReLU -> 10 Softmax);
    assert_eq!(<Net as Network<f32>>::INPUTS, 784);
    assert_eq!(
        <Net as Network<f32>>::PARAMS,
        784 * 2000 + 2000 + 2000 * 10 + 10
    );
}

#[test]
fn a_65536_input_network() {
    type Net = network!(f32; 65_536 -> 1 Identity);
    assert_eq!(<Net as Network<f32>>::INPUTS, 65_536);
    assert_eq!(<Net as Network<f32>>::PARAMS, 65_536 + 1);
    // Suffixes and separators name the same number.
    type Suffixed = network!(f32; 65536usize -> 1u32 Identity);
    assert_eq!(<Suffixed as Network<f32>>::INPUTS, 65_536);
}

fn takes_u1000(_: PhantomData<typenum::U1000>) {}
fn takes_u2(_: PhantomData<typenum::U2>) {}
fn takes_u0(_: PhantomData<typenum::U0>) {}

#[test]
fn uint_is_typenums_own_type() {
    // These only compile if the types are identical.
    takes_u1000(PhantomData::<typenet_macros::uint!(1000)>);
    takes_u1000(PhantomData::<typenum::U<1000>>);
    takes_u1000(PhantomData::<typenet::__uint!(typenet::typenum; 1_000u64)>);
    takes_u2(PhantomData::<typenet_macros::uint!(2)>);
    takes_u0(PhantomData::<typenet_macros::uint!(0)>);
    type Big = typenet_macros::uint!(18_446_744_073_709_551_615);
    assert_eq!(<Big as Unsigned>::U64, u64::MAX);
}

#[test]
fn uint_through_a_renamed_typenet() {
    // The path before `;` is copied as given, so a renamed typenet works.
    takes_u1000(PhantomData::<typenet_macros::uint!(renamed::typenum; 1000)>);
    takes_u1000(PhantomData::<typenet_macros::uint!(::renamed::typenum; 1000)>);
    // `network!` passes `$crate::typenum`, which follows any name.
    type Net = renamed::network!(f64; 3000 -> 2 Tanh);
    assert_eq!(<Net as renamed::Network<f64>>::INPUTS, 3000);
}

/// A `macro_rules!` macro forwarding `$crate` and a `$n:literal` fragment to `uint!`,
/// as `network!` does.
macro_rules! forwarded {
    ($n:literal) => {
        typenet_macros::uint!($crate::renamed_typenum; $n)
    };
}
use typenet::typenum as renamed_typenum;

#[test]
fn uint_from_macro_rules() {
    takes_u1000(PhantomData::<forwarded!(1000)>);
    takes_u1000(PhantomData::<forwarded!(1_000usize)>);
}
