//! Serialization with serde (feature `serde`), for programs that keep a fixed-size
//! model inside their own configuration or save files.
//!
//! A network serializes as a struct of two fields: `layers`, a sequence of
//! `(inputs, outputs, activation name)` triples describing the architecture, and
//! `params`, every parameter in the canonical order. In JSON:
//!
//! ```json
//! {"layers":[[2,3,"tanh"],[3,1,"sigmoid"]],"params":[0.5, ...]}
//! ```
//!
//! Deserializing checks the architecture against the network type (a file written for
//! another architecture is an error naming the first differing layer) and the number
//! of parameters, and writes the parameters straight into the network: no heap.
//!
//! The activation name carries the activation's parameters
//! ([`Activation::NAME`]): a [`LeakyReLU`](crate::LeakyReLU) of slope 0.2 is
//! `"leaky_relu(0x3fc999999999999a)"`, so a document written for slope 0.2 does not
//! deserialize into a network of slope 0.01 (or the other way round).

use crate::net::activation::Activation;
use crate::net::dense::Dense;
use crate::net::layers::Layers;
use crate::net::network::Network;
use crate::num::scalar::Scalar;
use core::fmt;
use core::marker::PhantomData;
use generic_array::ArrayLength;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeStruct, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

const FIELDS: &[&str] = &["layers", "params"];

struct LayersOf<'a, T, N>(&'a N, PhantomData<T>);

impl<T: Scalar, N: Network<T>> Serialize for LayersOf<'_, T, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(N::DEPTH))?;
        for i in 1..=N::DEPTH {
            if let Some(l) = self.0.layer(i) {
                seq.serialize_element(&(l.inputs, l.outputs, l.activation))?;
            }
        }
        seq.end()
    }
}

struct ParamsOf<'a, T, N>(&'a N, PhantomData<T>);

impl<T: Scalar + Serialize, N: Network<T>> Serialize for ParamsOf<'_, T, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_tuple(N::PARAMS)?;
        for p in self.0.params() {
            seq.serialize_element(p)?;
        }
        seq.end()
    }
}

impl<T, I, O, A, R> Serialize for Dense<T, I, O, A, R>
where
    T: Scalar + Serialize,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
    Self: Network<T>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Network", 2)?;
        st.serialize_field("layers", &LayersOf::<T, Self>(self, PhantomData))?;
        st.serialize_field("params", &ParamsOf::<T, Self>(self, PhantomData))?;
        st.end()
    }
}

/// Checks a `layers` sequence against network `N`.
struct CheckLayers<T, N>(PhantomData<(T, N)>);

impl<'de, T: Scalar, N: Network<T>> DeserializeSeed<'de> for CheckLayers<T, N> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Scalar, N: Network<T>> Visitor<'de> for CheckLayers<T, N> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a sequence of {} layers (inputs, outputs, activation)",
            N::DEPTH
        )
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for i in 1..=N::DEPTH {
            let expected =
                N::layer_shape(i).map_or((0, 0, ""), |l| (l.inputs, l.outputs, l.activation));
            seq.next_element_seed(CheckLayer { index: i, expected })?
                .ok_or_else(|| {
                    de::Error::custom(format_args!(
                        "the architecture has {} layers, expected {}",
                        i - 1,
                        N::DEPTH
                    ))
                })?;
        }
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format_args!(
                "the architecture has more than {} layers",
                N::DEPTH
            )));
        }
        Ok(())
    }
}

/// Checks one `(inputs, outputs, activation)` triple.
struct CheckLayer {
    index: usize,
    expected: (usize, usize, &'static str),
}

impl<'de> DeserializeSeed<'de> for CheckLayer {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_tuple(3, self)
    }
}

impl<'de> Visitor<'de> for CheckLayer {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a layer as (inputs, outputs, activation)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (ei, eo, ea) = self.expected;
        let i: usize = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let o: usize = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        let name_ok = seq
            .next_element_seed(NameIs(ea))?
            .ok_or_else(|| de::Error::invalid_length(2, &self))?;
        if (i, o) != (ei, eo) || !name_ok {
            return Err(de::Error::custom(format_args!(
                "layer {} does not match the network: expected {ei} -> {eo} {ea}",
                self.index
            )));
        }
        Ok(())
    }
}

/// Deserializes a string and tells whether it equals the expected name.
struct NameIs(&'static str);

impl<'de> DeserializeSeed<'de> for NameIs {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NameIs {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an activation name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

/// Reads `params` straight into a network.
struct FillParams<'a, T, N>(&'a mut N, PhantomData<T>);

impl<'de, T: Scalar + Deserialize<'de>, N: Network<T>> DeserializeSeed<'de>
    for FillParams<'_, T, N>
{
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_tuple(N::PARAMS, self)
    }
}

impl<'de, T: Scalar + Deserialize<'de>, N: Network<T>> Visitor<'de> for FillParams<'_, T, N> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a sequence of {} parameters", N::PARAMS)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for (k, p) in self.0.params_mut().enumerate() {
            *p = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(k, &self_expect::<T, N>()))?;
        }
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format_args!(
                "more than {} parameters",
                N::PARAMS
            )));
        }
        Ok(())
    }
}

/// The `Expected` for a wrong parameter count.
struct ParamsExpected(usize);

impl de::Expected for ParamsExpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} parameters", self.0)
    }
}

fn self_expect<T: Scalar, N: Network<T>>() -> ParamsExpected {
    ParamsExpected(N::PARAMS)
}

struct NetworkVisitor<T, N>(PhantomData<(T, N)>);

impl<'de, T: Scalar + Deserialize<'de>, N: Network<T>> Visitor<'de> for NetworkVisitor<T, N> {
    type Value = N;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a typenet network with `layers` and `params`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<N, A::Error> {
        seq.next_element_seed(CheckLayers::<T, N>(PhantomData))?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let mut net = N::zeroed();
        seq.next_element_seed(FillParams::<T, N>(&mut net, PhantomData))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Ok(net)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<N, A::Error> {
        let mut net = N::zeroed();
        let (mut layers, mut params) = (false, false);
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Layers if !layers => {
                    map.next_value_seed(CheckLayers::<T, N>(PhantomData))?;
                    layers = true;
                }
                Field::Params if !params => {
                    map.next_value_seed(FillParams::<T, N>(&mut net, PhantomData))?;
                    params = true;
                }
                Field::Layers => return Err(de::Error::duplicate_field("layers")),
                Field::Params => return Err(de::Error::duplicate_field("params")),
            }
        }
        if !layers {
            return Err(de::Error::missing_field("layers"));
        }
        if !params {
            return Err(de::Error::missing_field("params"));
        }
        Ok(net)
    }
}

enum Field {
    Layers,
    Params,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`layers` or `params`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                match v {
                    "layers" => Ok(Field::Layers),
                    "params" => Ok(Field::Params),
                    other => Err(de::Error::unknown_field(other, FIELDS)),
                }
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

impl<'de, T, I, O, A, R> Deserialize<'de> for Dense<T, I, O, A, R>
where
    T: Scalar + Deserialize<'de>,
    I: ArrayLength,
    O: ArrayLength,
    A: Activation<T>,
    R: Layers<T, O>,
    Self: Network<T>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("Network", FIELDS, NetworkVisitor::<T, Self>(PhantomData))
    }
}
