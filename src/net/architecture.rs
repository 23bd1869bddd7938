//! [`Architecture`]: a network type's sizes and activations, written in
//! [`network!`](crate::network!) syntax (`64 -> 64 ReLU -> 10 Softmax`), for messages.

use crate::net::activation::leaky_relu_slope;
use crate::net::view::LayerShape;
use core::fmt;
use core::hash::{Hash, Hasher};

/// The architecture of a network type, displayed as in [`network!`](crate::network!)
/// without the scalar: `64 -> 64 ReLU -> 10 Softmax`, activation parameters included
/// (`2 -> 8 LeakyReLU(0.2) -> 1 Identity`).
///
/// [`Network::architecture`](crate::Network::architecture) gives it. It holds only a
/// function pointer to the type's layer shapes
/// ([`Network::layer_shape`](crate::Network::layer_shape)), so it is `Copy`, needs no heap, and can sit in
/// `no_std` errors such as [`LoadError`](crate::format::LoadError). Two values are
/// equal when they describe the same layers.
///
/// ```
/// use typenet::{network, Network};
///
/// type Net = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
/// assert_eq!(Net::architecture().to_string(), "64 -> 64 ReLU -> 10 Softmax");
/// type Leaky = network!(f64; 2 -> 8 LeakyReLU(0.2) -> 1 Identity);
/// assert_eq!(Leaky::architecture().to_string(), "2 -> 8 LeakyReLU(0.2) -> 1 Identity");
/// ```
#[derive(Clone, Copy)]
pub struct Architecture {
    layer_shape: fn(usize) -> Option<LayerShape>,
}

impl Architecture {
    /// The architecture whose layer i (1-based, `None` past the last) has the shape
    /// `layer_shape(i)`, as [`Network::layer_shape`](crate::Network::layer_shape) gives
    /// it.
    pub const fn from_layer_shapes(layer_shape: fn(usize) -> Option<LayerShape>) -> Self {
        Architecture { layer_shape }
    }

    /// The layer shapes, layer 1 first.
    pub fn layers(&self) -> impl Iterator<Item = LayerShape> + use<> {
        (1..).map_while(self.layer_shape)
    }
}

/// Writes an activation [`NAME`](crate::Activation::NAME) as it is written in
/// [`network!`](crate::network!): `ReLU`, `LeakyReLU(0.2)`; a name the crate does not
/// define is written as it is.
pub(crate) fn write_activation(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let syntax = match name {
        "identity" => "Identity",
        "sigmoid" => "Sigmoid",
        "tanh" => "Tanh",
        "relu" => "ReLU",
        "leaky_relu" => "LeakyReLU",
        "softplus" => "Softplus",
        "softmax" => "Softmax",
        _ => match leaky_relu_slope(name) {
            Some(slope) => {
                f.write_str("LeakyReLU(")?;
                write_decimal(f, slope)?;
                return f.write_str(")");
            }
            None => name,
        },
    };
    f.write_str(syntax)
}

/// Writes `v` in decimal with at most 12 fractional digits (trailing zeros dropped):
/// `0.2`, `0.01`, `-1.5`. Written out rather than with `{}` so that a firmware that
/// prints a load error does not link core's float formatting (about 14 KB of flash on a
/// Cortex-M); slopes are small numbers a person typed, which this writes back as typed.
fn write_decimal(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    const SCALE: u64 = 1_000_000_000_000;
    if v.is_nan() || v.is_infinite() || v.abs() >= 1e15 {
        // Never a slope (`LeakyReLU::slope` refuses non-finite values); the bits say it
        // exactly.
        return write!(f, "{:#018x}", v.to_bits());
    }
    if v < 0.0 {
        f.write_str("-")?;
    }
    let a = if v < 0.0 { -v } else { v };
    let mut int = a as u64;
    let mut frac = ((a - int as f64) * SCALE as f64 + 0.5) as u64;
    if frac >= SCALE {
        int += 1;
        frac -= SCALE;
    }
    write!(f, "{int}")?;
    if frac > 0 {
        let mut digits = 12;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        write!(f, ".{frac:0digits$}")?;
    }
    Ok(())
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut layers = self.layers().peekable();
        match layers.peek() {
            Some(first) => write!(f, "{}", first.inputs)?,
            None => return f.write_str("(no layers)"),
        }
        for layer in layers {
            write!(f, " -> {} ", layer.outputs)?;
            write_activation(f, layer.activation)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Architecture({self})")
    }
}

impl PartialEq for Architecture {
    fn eq(&self, other: &Self) -> bool {
        self.layers().eq(other.layers())
    }
}

impl Eq for Architecture {}

impl Hash for Architecture {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for layer in self.layers() {
            layer.hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_decimal;
    use core::fmt;

    struct Decimal(f64);
    impl fmt::Display for Decimal {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_decimal(f, self.0)
        }
    }

    #[test]
    fn slopes_are_written_as_typed() {
        extern crate std;
        use std::string::ToString;
        for (v, s) in [
            (0.2, "0.2"),
            (0.01, "0.01"),
            (-1.5, "-1.5"),
            (3.0, "3"),
            (0.0, "0"),
            (0.125, "0.125"),
            (1.0 / 3.0, "0.333333333333"),
            (0.9999999999999, "1"),
            (1e-13, "0"),
        ] {
            assert_eq!(Decimal(v).to_string(), s, "{v}");
        }
        assert_eq!(Decimal(f64::INFINITY).to_string(), "0x7ff0000000000000");
    }
}
