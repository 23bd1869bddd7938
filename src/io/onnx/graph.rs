//! The walk from an ONNX graph to a [`Model`]: from the graph's one input along the
//! single chain of nodes to its one output, gathering layers (a Gemm or a MatMul, any
//! Adds of a bias, then at most one activation) and checking every size on the way.

extern crate std;

use super::error::{NodeRef, OnnxError};
use super::proto::attribute_proto::AttributeType;
use super::proto::tensor_proto::DataType;
use super::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto,
    tensor_shape_proto, type_proto,
};
use super::tensor::{self, Tensor};
use crate::io::model::{ActivationKind, LayerSpec, Model, Shape};
use std::collections::{HashMap, HashSet};
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

/// One axis of the value flowing along the chain.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dim {
    Fixed(usize),
    Dynamic,
}

/// `[?, 4]`, for messages.
fn show(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Fixed(n) => n.to_string(),
            Dim::Dynamic => "?".to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A linear layer whose activation is not known yet.
struct Open {
    outputs: usize,
    weights: Vec<f64>,
    bias: Vec<f64>,
}

/// The chain's state between two nodes.
struct Walk<'a> {
    /// The default domain's opset version.
    opset: i64,
    /// Initializers and `Constant` values by name.
    constants: HashMap<&'a str, &'a TensorProto>,
    /// The names every node outputs, to tell a computed input from a missing one.
    computed: HashSet<&'a str>,
    /// The value's axes; the last is the feature size.
    dims: Vec<Dim>,
    /// The layer whose activation is still to come.
    open: Option<Open>,
    /// The activation node that closed the last layer, while no linear node followed.
    after_activation: Option<NodeRef>,
    /// M_0.
    inputs: usize,
    /// The layers so far.
    layers: Vec<LayerSpec>,
    /// Their parameters in the canonical order.
    params: Vec<f64>,
}

/// The model of an ONNX `ModelProto`.
pub(super) fn model(proto: &ModelProto) -> Result<Model, OnnxError> {
    let graph_err = |problem: String| OnnxError::Graph { problem };
    let graph = proto
        .graph
        .as_ref()
        .ok_or_else(|| graph_err("the file holds no graph".into()))?;
    let opset = proto
        .opset_import
        .iter()
        .find(|o| matches!(o.domain.as_deref(), None | Some("" | "ai.onnx")))
        .and_then(|o| o.version)
        .ok_or_else(|| graph_err("the model imports no opset of the default ONNX domain".into()))?;
    let nodes: Vec<NodeRef> = graph
        .node
        .iter()
        .enumerate()
        .map(|(index, n)| NodeRef {
            index,
            name: n.name.clone().unwrap_or_default(),
            op_type: n.op_type.clone().unwrap_or_default(),
        })
        .collect();

    let mut constants: HashMap<&str, &TensorProto> = HashMap::new();
    for t in &graph.initializer {
        let name = t.name.as_deref().unwrap_or("");
        if constants.insert(name, t).is_some() {
            return Err(graph_err(format!("two initializers are named `{name}`")));
        }
    }
    let mut is_constant_node = std::vec![false; graph.node.len()];
    for (k, node) in graph.node.iter().enumerate() {
        if node.op_type.as_deref() == Some("Constant") && is_default_domain(node) {
            let (name, value) = constant_node(node, &nodes[k])?;
            if constants.insert(name, value).is_some() {
                return Err(graph_err(format!("two constants are named `{name}`")));
            }
            is_constant_node[k] = true;
        }
    }
    let computed = graph
        .node
        .iter()
        .flat_map(|n| n.output.iter().map(String::as_str))
        .collect();

    let (input, dims) = graph_input(graph, &constants)?;
    let output = graph_output(graph)?;

    // Which nodes read each value (Constant nodes are values, not steps).
    let mut readers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, node) in graph.node.iter().enumerate() {
        if is_constant_node[k] {
            continue;
        }
        for name in &node.input {
            let list = readers.entry(name.as_str()).or_default();
            if list.last() != Some(&k) {
                list.push(k);
            }
        }
    }

    let Some(Dim::Fixed(inputs)) = dims.last().copied() else {
        return Err(graph_err("the input has no size".into()));
    };
    let mut walk = Walk {
        opset,
        constants,
        computed,
        dims,
        open: None,
        after_activation: None,
        inputs,
        layers: Vec::new(),
        params: Vec::new(),
    };
    let mut visited = std::vec![false; graph.node.len()];
    let mut current: &str = input;
    loop {
        let readers = readers.get(current).map_or(&[][..], Vec::as_slice);
        if let Some(&k) = readers.get(1) {
            return Err(OnnxError::Chain {
                node: nodes[k].clone(),
                problem: format!(
                    "reads `{current}`, which {} also reads: a branch; typenet imports a \
                     single chain from the input to the output",
                    nodes[readers[0]]
                ),
            });
        }
        if current == output.name {
            if let Some(&k) = readers.first() {
                return Err(OnnxError::Chain {
                    node: nodes[k].clone(),
                    problem: format!(
                        "reads the graph's output `{current}`: a branch; typenet imports a \
                         single chain from the input to the output"
                    ),
                });
            }
            break;
        }
        let Some(&k) = readers.first() else {
            return Err(graph_err(format!(
                "the chain from the input `{input}` ends at `{current}`, which no node reads \
                 and which is not the graph's output `{}`",
                output.name
            )));
        };
        if visited[k] {
            return Err(OnnxError::Chain {
                node: nodes[k].clone(),
                problem: "is reached twice: the graph has a cycle".into(),
            });
        }
        visited[k] = true;
        current = walk.step(&graph.node[k], &nodes[k], current)?;
    }
    if let Some(k) = (0..graph.node.len()).find(|&k| !visited[k] && !is_constant_node[k]) {
        return Err(OnnxError::Chain {
            node: nodes[k].clone(),
            problem: "is not on the chain from the graph's input to its output; typenet \
                      imports a single chain"
                .into(),
        });
    }
    walk.finish(&output)
}

fn is_default_domain(node: &NodeProto) -> bool {
    matches!(node.domain.as_deref(), None | Some("" | "ai.onnx"))
}

/// The output name and tensor of a `Constant` node.
fn constant_node<'a>(
    node: &'a NodeProto,
    at: &NodeRef,
) -> Result<(&'a str, &'a TensorProto), OnnxError> {
    let [output] = node.output.as_slice() else {
        return Err(OnnxError::Chain {
            node: at.clone(),
            problem: format!("has {} outputs; a Constant has one", node.output.len()),
        });
    };
    let mut value = None;
    for a in &node.attribute {
        let name = a.name.as_deref().unwrap_or("");
        match (name, a.t.as_ref()) {
            ("value", Some(t)) if value.is_none() => value = Some(t),
            _ => {
                return Err(OnnxError::Attribute {
                    node: at.clone(),
                    attribute: name.into(),
                    problem: "is not supported; a Constant is supported with one tensor \
                              attribute `value`"
                        .into(),
                });
            }
        }
    }
    let value = value.ok_or_else(|| OnnxError::Attribute {
        node: at.clone(),
        attribute: "value".into(),
        problem: "is missing; a Constant is supported with one tensor attribute `value`".into(),
    })?;
    Ok((output.as_str(), value))
}

/// The graph's one input that is not an initializer, and its axes.
fn graph_input<'a>(
    graph: &'a GraphProto,
    constants: &HashMap<&str, &TensorProto>,
) -> Result<(&'a str, Vec<Dim>), OnnxError> {
    let graph_err = |problem: String| OnnxError::Graph { problem };
    let real: Vec<&ValueInfoProto> = graph
        .input
        .iter()
        .filter(|v| !constants.contains_key(v.name.as_deref().unwrap_or("")))
        .collect();
    let [input] = real.as_slice() else {
        let names: Vec<String> = real
            .iter()
            .map(|v| format!("`{}`", v.name.as_deref().unwrap_or("")))
            .collect();
        return Err(graph_err(format!(
            "the graph has {} inputs that are not initializers ({}); typenet imports a \
             network of one input",
            real.len(),
            names.join(", ")
        )));
    };
    let name = input.name.as_deref().unwrap_or("");
    let bad = |what: String| {
        graph_err(format!(
            "input `{name}` {what}; supported: a float or double tensor of shape [n] or \
             [batch, n] with a fixed size n"
        ))
    };
    let Some(type_proto::Value::TensorType(t)) =
        input.r#type.as_ref().and_then(|t| t.value.as_ref())
    else {
        return Err(bad("is not a tensor".into()));
    };
    let elem = t.elem_type.unwrap_or(0);
    if elem != DataType::Float as i32 && elem != DataType::Double as i32 {
        let name = DataType::try_from(elem).map_or("an unknown type", |d| d.as_str_name());
        return Err(bad(format!("has elements of type {name}")));
    }
    let Some(shape) = t.shape.as_ref() else {
        return Err(bad("has no shape".into()));
    };
    let dim = |d: &super::proto::tensor_shape_proto::Dimension| match d.value {
        Some(tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => {
            usize::try_from(v).map_or(Dim::Dynamic, Dim::Fixed)
        }
        _ => Dim::Dynamic,
    };
    let dims: Vec<Dim> = shape.dim.iter().map(dim).collect();
    match dims.as_slice() {
        [.., Dim::Fixed(_)] if dims.len() <= 2 => Ok((name, dims)),
        [.., Dim::Dynamic] if dims.len() <= 2 => Err(bad(format!(
            "has shape {}, whose last axis (the input size M_0) is dynamic or 0",
            show(&dims)
        ))),
        _ => Err(bad(format!(
            "has shape {} of rank {}",
            show(&dims),
            dims.len()
        ))),
    }
}

/// The graph's declared output.
struct Output {
    name: String,
    /// Its last axis, if the graph states it.
    size: Option<i64>,
}

fn graph_output(graph: &GraphProto) -> Result<Output, OnnxError> {
    let [output] = graph.output.as_slice() else {
        let names: Vec<String> = graph
            .output
            .iter()
            .map(|v| format!("`{}`", v.name.as_deref().unwrap_or("")))
            .collect();
        return Err(OnnxError::Graph {
            problem: format!(
                "the graph has {} outputs ({}); typenet imports a network of one output",
                graph.output.len(),
                names.join(", ")
            ),
        });
    };
    let size = match output.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(t)) => t
            .shape
            .as_ref()
            .and_then(|s| s.dim.last())
            .and_then(|d| match d.value {
                Some(tensor_shape_proto::dimension::Value::DimValue(v)) => Some(v),
                _ => None,
            }),
        _ => None,
    };
    Ok(Output {
        name: output.name.clone().unwrap_or_default(),
        size,
    })
}

/// A node's attributes, checked against the ones its operator supports.
struct Attrs<'a> {
    node: &'a NodeRef,
    list: &'a [AttributeProto],
}

impl<'a> Attrs<'a> {
    /// Refuses an attribute not in `known` (`what` lists them for the message), one
    /// given twice, and references to a function's attributes.
    fn new(
        node: &'a NodeRef,
        list: &'a [AttributeProto],
        known: &[&str],
        what: &str,
    ) -> Result<Self, OnnxError> {
        let mut seen = HashSet::new();
        for a in list {
            let name = a.name.as_deref().unwrap_or("");
            let problem = if !known.contains(&name) {
                format!("is not supported; {what}")
            } else if !seen.insert(name) {
                "is given twice".into()
            } else if a.ref_attr_name.is_some() {
                "refers to a function's attribute, which is not supported".into()
            } else {
                continue;
            };
            return Err(OnnxError::Attribute {
                node: node.clone(),
                attribute: name.into(),
                problem,
            });
        }
        Ok(Attrs { node, list })
    }

    fn get(&self, name: &str) -> Option<&'a AttributeProto> {
        self.list.iter().find(|a| a.name.as_deref() == Some(name))
    }

    fn wrong_type(&self, name: &str, expected: &str) -> OnnxError {
        OnnxError::Attribute {
            node: self.node.clone(),
            attribute: name.into(),
            problem: format!("is not {expected}"),
        }
    }

    /// A FLOAT attribute, or `default`.
    fn float(&self, name: &str, default: f32) -> Result<f32, OnnxError> {
        let Some(a) = self.get(name) else {
            return Ok(default);
        };
        match (a.r#type, a.f) {
            (Some(t), Some(f)) if t == AttributeType::Float as i32 => Ok(f),
            (None, Some(f)) => Ok(f),
            _ => Err(self.wrong_type(name, "a FLOAT")),
        }
    }

    /// An INT attribute, or `default`.
    fn int(&self, name: &str, default: i64) -> Result<i64, OnnxError> {
        let Some(a) = self.get(name) else {
            return Ok(default);
        };
        match (a.r#type, a.i) {
            (Some(t), Some(i)) if t == AttributeType::Int as i32 => Ok(i),
            (None, Some(i)) => Ok(i),
            _ => Err(self.wrong_type(name, "an INT")),
        }
    }

    fn unsupported(&self, name: &str, problem: String) -> OnnxError {
        OnnxError::Attribute {
            node: self.node.clone(),
            attribute: name.into(),
            problem,
        }
    }
}

/// The operators that end a layer, and the activation each gives.
fn activation_of(op: &str) -> Option<fn(f32) -> ActivationKind> {
    Some(match op {
        "Relu" => |_| ActivationKind::ReLU,
        "LeakyRelu" => |alpha| ActivationKind::LeakyReLU(leaky_relu_slope(alpha)),
        "Tanh" => |_| ActivationKind::Tanh,
        "Sigmoid" => |_| ActivationKind::Sigmoid,
        "Softplus" => |_| ActivationKind::Softplus,
        "Softmax" => |_| ActivationKind::Softmax,
        _ => return None,
    })
}

/// The slope typenet gives an ONNX LeakyRelu `alpha` (a float32): the shortest decimal
/// that reads back as the same `f32`, read as `f64`. So `alpha = 0.2` (the `f32`
/// nearest 0.2, 0.20000000298…) gives 0.2, the slope of `LeakyReLU(0.2)` in
/// [`network!`](crate::network!), and the default 0.01 gives `LeakyReLU`'s 0.01.
pub fn leaky_relu_slope(alpha: f32) -> f64 {
    // Rust prints a float as the shortest decimal that parses back to the same value.
    format!("{alpha}").parse().unwrap_or(f64::from(alpha))
}

/// `dims[from..dims.len() - 1]` are all 1: the values from axis `from` on are exactly
/// the last axis, so an operation over them is one over the last axis.
fn only_last_from(dims: &[Dim], from: usize) -> bool {
    dims.get(from..dims.len().saturating_sub(1))
        .is_some_and(|between| between.iter().all(|d| *d == Dim::Fixed(1)))
}

/// The axis `axis` of a rank-`rank` value, counted from the front; `None` outside
/// `[-rank, rank - 1 + end]` (`end`: the rank itself is allowed, as for Flatten).
fn axis_index(axis: i64, rank: usize, end: bool) -> Option<usize> {
    let rank = i64::try_from(rank).ok()?;
    let a = if axis < 0 { axis + rank } else { axis };
    let top = if end { rank } else { rank - 1 };
    if (0..=top).contains(&a) {
        usize::try_from(a).ok()
    } else {
        None
    }
}

impl<'a> Walk<'a> {
    /// M_{i−1}, the size of the value's last axis.
    fn features(&self) -> usize {
        match self.dims.last() {
            Some(Dim::Fixed(n)) => *n,
            _ => 0,
        }
    }

    /// The node's input at `position`, which must be a constant.
    fn constant(
        &self,
        node: &NodeProto,
        at: &NodeRef,
        position: usize,
        role: &str,
    ) -> Result<(&'a str, &'a TensorProto), OnnxError> {
        let name = node.input.get(position).map_or("", String::as_str);
        if let Some((&key, &t)) = self.constants.get_key_value(name) {
            return Ok((key, t));
        }
        let problem = if name.is_empty() {
            format!("{role} is missing")
        } else if self.computed.contains(name) {
            format!(
                "{role} is computed by the graph; typenet needs it as an initializer or a \
                 Constant node"
            )
        } else {
            format!("{role} is missing: no initializer or Constant node has this name")
        };
        Err(OnnxError::Weight {
            node: at.clone(),
            input: name.into(),
            problem,
        })
    }

    /// A float constant, decoded.
    fn floats(
        &self,
        node: &NodeProto,
        at: &NodeRef,
        position: usize,
        role: &str,
    ) -> Result<(&'a str, Tensor<f64>), OnnxError> {
        let (name, t) = self.constant(node, at, position, role)?;
        let t = tensor::floats(t).map_err(|p| OnnxError::Weight {
            node: at.clone(),
            input: name.into(),
            problem: format!("{role}: {p}"),
        })?;
        Ok((name, t))
    }

    /// A bias of `n` values from a constant of shape [], [1], [n] or [1, n], and the
    /// constant's rank.
    fn bias(
        &self,
        node: &NodeProto,
        at: &NodeRef,
        position: usize,
        n: usize,
        scale: f64,
    ) -> Result<(Vec<f64>, usize), OnnxError> {
        let (name, c) = self.floats(node, at, position, "the bias")?;
        let fits = matches!(c.dims.as_slice(), [] | [1] | [1, 1])
            || c.dims.as_slice() == [n]
            || c.dims.as_slice() == [1, n];
        if !fits {
            return Err(OnnxError::Weight {
                node: at.clone(),
                input: name.into(),
                problem: format!(
                    "the bias has shape {:?}; supported: [{n}], [1, {n}], [1] or []",
                    c.dims
                ),
            });
        }
        let value = |k: usize| c.values[if c.values.len() == 1 { 0 } else { k }] * scale;
        let bias: Vec<f64> = (0..n).map(value).collect();
        check_finite(&bias, at, name)?;
        Ok((bias, c.dims.len()))
    }

    /// Starts a layer of `outputs` neurons (closing the open one as Identity).
    fn start(&mut self, outputs: usize, weights: Vec<f64>, bias: Vec<f64>) {
        self.close(ActivationKind::Identity);
        self.open = Some(Open {
            outputs,
            weights,
            bias,
        });
        self.after_activation = None;
    }

    /// Ends the open layer, if any, with `activation`.
    fn close(&mut self, activation: ActivationKind) {
        if let Some(layer) = self.open.take() {
            self.params.extend_from_slice(&layer.weights);
            self.params.extend_from_slice(&layer.bias);
            self.layers.push(LayerSpec {
                outputs: layer.outputs,
                activation,
            });
        }
    }

    /// Processes one node of the chain, which reads `current`; returns its output.
    fn step(
        &mut self,
        node: &'a NodeProto,
        at: &NodeRef,
        current: &str,
    ) -> Result<&'a str, OnnxError> {
        if !is_default_domain(node) {
            return Err(OnnxError::UnsupportedOp {
                node: at.clone(),
                domain: node.domain.clone().unwrap_or_default(),
            });
        }
        let op = at.op_type.as_str();
        let output = match node.output.as_slice() {
            [o] if !o.is_empty() => o.as_str(),
            _ => {
                return Err(OnnxError::Chain {
                    node: at.clone(),
                    problem: format!(
                        "has {} outputs; typenet supports nodes of one output",
                        node.output.len()
                    ),
                });
            }
        };
        let inputs = node.input.len();
        let arity = |range: core::ops::RangeInclusive<usize>| {
            if range.contains(&inputs) {
                Ok(())
            } else {
                Err(OnnxError::Chain {
                    node: at.clone(),
                    problem: format!("has {inputs} inputs; {op} takes {range:?}"),
                })
            }
        };
        // Which of the node's inputs the chain's value is: the first, except for Add.
        let first = |what: &str| {
            if node.input.first().map(String::as_str) == Some(current) {
                Ok(())
            } else {
                Err(OnnxError::Chain {
                    node: at.clone(),
                    problem: format!(
                        "reads the chain's value `{current}` as another input than {what}; \
                         typenet supports only {what}"
                    ),
                })
            }
        };
        match op {
            "Gemm" => {
                arity(2..=3)?;
                first("its first input A (the weights must be B)")?;
                self.gemm(node, at)?;
            }
            "MatMul" => {
                arity(2..=2)?;
                first("its first input A (the weights must be B)")?;
                self.matmul(node, at)?;
            }
            "Add" => {
                arity(2..=2)?;
                self.add(node, at, current)?;
            }
            "Identity" => {
                arity(1..=1)?;
                Attrs::new(at, &node.attribute, &[], "Identity takes none")?;
            }
            "Flatten" => {
                arity(1..=1)?;
                let attrs = Attrs::new(at, &node.attribute, &["axis"], "Flatten takes axis")?;
                self.flatten(at, &attrs)?;
            }
            "Reshape" => {
                arity(2..=2)?;
                first("its first input data")?;
                let attrs = Attrs::new(
                    at,
                    &node.attribute,
                    &["allowzero"],
                    "Reshape takes allowzero",
                )?;
                self.reshape(node, at, &attrs)?;
            }
            _ => {
                let Some(activation) = activation_of(op) else {
                    return Err(OnnxError::UnsupportedOp {
                        node: at.clone(),
                        domain: String::new(),
                    });
                };
                arity(1..=1)?;
                let alpha = match op {
                    "LeakyRelu" => {
                        let attrs =
                            Attrs::new(at, &node.attribute, &["alpha"], "LeakyRelu takes alpha")?;
                        let alpha = attrs.float("alpha", 0.01)?;
                        if !alpha.is_finite() {
                            return Err(attrs.unsupported(
                                "alpha",
                                format!("is {alpha}; a finite slope is supported"),
                            ));
                        }
                        alpha
                    }
                    "Softmax" => {
                        let attrs = Attrs::new(
                            at,
                            &node.attribute,
                            &["axis"],
                            "Softmax takes axis (the last axis)",
                        )?;
                        self.softmax_axis(&attrs)?;
                        0.0
                    }
                    _ => {
                        Attrs::new(at, &node.attribute, &[], &format!("{op} takes none"))?;
                        0.0
                    }
                };
                self.activation(at, activation(alpha))?;
            }
        }
        Ok(output)
    }

    fn gemm(&mut self, node: &NodeProto, at: &NodeRef) -> Result<(), OnnxError> {
        let attrs = Attrs::new(
            at,
            &node.attribute,
            &["alpha", "beta", "transA", "transB"],
            "Gemm takes alpha, beta, transA (0) and transB",
        )?;
        let alpha = f64::from(attrs.float("alpha", 1.0)?);
        let beta = f64::from(attrs.float("beta", 1.0)?);
        if attrs.int("transA", 0)? != 0 {
            return Err(attrs.unsupported(
                "transA",
                "is not 0; typenet supports only transA = 0 (the input is the rows of A)".into(),
            ));
        }
        let trans_b = match attrs.int("transB", 0)? {
            0 => false,
            1 => true,
            t => {
                return Err(attrs.unsupported("transB", format!("is {t}; supported: 0 or 1")));
            }
        };
        if self.dims.len() != 2 {
            return Err(OnnxError::Shape {
                node: at.clone(),
                problem: format!(
                    "reads a value of shape {}; Gemm's input A is 2-D ([batch, n]): add a \
                     Flatten or Reshape before it",
                    show(&self.dims)
                ),
            });
        }
        let k = self.features();
        let (name, b) = self.floats(node, at, 1, "the weight B")?;
        let n = match (b.dims.as_slice(), trans_b) {
            ([rows, cols], false) if *rows == k => *cols,
            ([rows, cols], true) if *cols == k => *rows,
            _ => {
                let needed = if trans_b { "[out, {k}]" } else { "[{k}, out]" };
                return Err(OnnxError::Weight {
                    node: at.clone(),
                    input: name.into(),
                    problem: format!(
                        "the weight B has shape {:?}; with transB = {} and an input of size \
                         {k} it must be {}",
                        b.dims,
                        u8::from(trans_b),
                        needed.replace("{k}", &k.to_string())
                    ),
                });
            }
        };
        if n == 0 {
            return Err(empty_layer(at));
        }
        // typenet's W is [out, in] row-major: B itself with transB = 1, Bᵀ without.
        let weights: Vec<f64> = if trans_b {
            b.values.iter().map(|w| alpha * w).collect()
        } else {
            (0..n * k)
                .map(|i| alpha * b.values[(i % k) * n + i / k])
                .collect()
        };
        check_finite(&weights, at, name)?;
        let bias = match node.input.get(2).map(String::as_str) {
            None | Some("") => std::vec![0.0; n],
            Some(_) => self.bias(node, at, 2, n, beta)?.0,
        };
        self.start(n, weights, bias);
        self.dims = std::vec![self.dims[0], Dim::Fixed(n)];
        Ok(())
    }

    fn matmul(&mut self, node: &NodeProto, at: &NodeRef) -> Result<(), OnnxError> {
        Attrs::new(at, &node.attribute, &[], "MatMul takes none")?;
        let k = self.features();
        let (name, b) = self.floats(node, at, 1, "the weight")?;
        let n = match b.dims.as_slice() {
            [rows, cols] if *rows == k => *cols,
            _ => {
                return Err(OnnxError::Weight {
                    node: at.clone(),
                    input: name.into(),
                    problem: format!(
                        "the weight has shape {:?}; for an input of size {k} it must be \
                         [{k}, out] (the transpose of typenet's [out, in])",
                        b.dims
                    ),
                });
            }
        };
        if n == 0 {
            return Err(empty_layer(at));
        }
        let weights = (0..n * k).map(|i| b.values[(i % k) * n + i / k]).collect();
        self.start(n, weights, std::vec![0.0; n]);
        if let Some(last) = self.dims.last_mut() {
            *last = Dim::Fixed(n);
        }
        Ok(())
    }

    fn add(&mut self, node: &NodeProto, at: &NodeRef, current: &str) -> Result<(), OnnxError> {
        Attrs::new(at, &node.attribute, &[], "Add takes none")?;
        let position = match node.input.iter().position(|i| i != current) {
            Some(p) => p,
            None => {
                return Err(OnnxError::Chain {
                    node: at.clone(),
                    problem: "adds the chain's value to itself; an Add is supported only as \
                              a constant bias after MatMul or Gemm"
                        .into(),
                });
            }
        };
        let Some(open) = self.open.as_ref() else {
            return Err(OnnxError::Chain {
                node: at.clone(),
                problem: match &self.after_activation {
                    Some(prev) => format!(
                        "adds a constant after the activation {prev}; an Add is supported \
                         only as the bias of a MatMul or Gemm, before its activation"
                    ),
                    None => "adds a constant to the graph's input; an Add is supported only \
                             as the bias of a MatMul or Gemm"
                        .into(),
                },
            });
        };
        let n = open.outputs;
        let (bias, rank) = self.bias(node, at, position, n, 1.0)?;
        let name = node.input[position].as_str();
        if let Some(open) = self.open.as_mut() {
            for (b, c) in open.bias.iter_mut().zip(&bias) {
                *b += c;
            }
            check_finite(&open.bias, at, name)?;
        }
        if rank == 2 && self.dims.len() == 1 {
            self.dims.insert(0, Dim::Fixed(1));
        }
        Ok(())
    }

    fn activation(&mut self, at: &NodeRef, activation: ActivationKind) -> Result<(), OnnxError> {
        if self.open.is_none() {
            let problem = match &self.after_activation {
                Some(prev) => format!(
                    "follows the activation {prev} with no linear layer between them: two \
                     activations in a row; typenet applies one activation per layer, after a \
                     Gemm or MatMul"
                ),
                None => "is applied to the graph's input; typenet applies an activation \
                         only after a linear layer (Gemm or MatMul)"
                    .into(),
            };
            return Err(OnnxError::Chain {
                node: at.clone(),
                problem,
            });
        }
        self.close(activation);
        self.after_activation = Some(at.clone());
        Ok(())
    }

    /// Softmax over the last axis only (opset ≥ 13: `axis` is that axis, default -1;
    /// before 13 the value is coerced to 2-D at `axis`, default 1, so the axes after
    /// it must be the last axis alone).
    fn softmax_axis(&self, attrs: &Attrs<'_>) -> Result<(), OnnxError> {
        let rank = self.dims.len();
        let coerced = self.opset < 13;
        let axis = attrs.int("axis", if coerced { 1 } else { -1 })?;
        let over_last = match axis_index(axis, rank, false) {
            Some(a) if coerced => only_last_from(&self.dims, a),
            Some(a) => a + 1 == rank,
            None => false,
        };
        if over_last {
            return Ok(());
        }
        let rule = if coerced {
            "opset < 13 coerces the input to 2-D at `axis`"
        } else {
            "opset ≥ 13"
        };
        Err(attrs.unsupported(
            "axis",
            format!(
                "is {axis} on a value of shape {} ({rule}); typenet's Softmax is over the \
                 last axis (axis = -1, or 1 for a 2-D value)",
                show(&self.dims)
            ),
        ))
    }

    /// Flatten is a no-op when the values from `axis` on are the last axis alone.
    fn flatten(&mut self, at: &NodeRef, attrs: &Attrs<'_>) -> Result<(), OnnxError> {
        let axis = attrs.int("axis", 1)?;
        let rank = self.dims.len();
        let Some(a) = axis_index(axis, rank, true) else {
            return Err(attrs.unsupported(
                "axis",
                format!("is {axis}, outside [-{rank}, {rank}] for a value of rank {rank}"),
            ));
        };
        if a == rank || !only_last_from(&self.dims, a) {
            return Err(OnnxError::Shape {
                node: at.clone(),
                problem: format!(
                    "flattens a value of shape {} at axis {axis}, which changes its last \
                     axis; typenet supports Flatten only as a no-op on a [n] or [batch, n] \
                     value (axis = 1, or 0 for [n])",
                    show(&self.dims)
                ),
            });
        }
        let lead = self.dims[..a]
            .iter()
            .try_fold(1usize, |p, d| match d {
                Dim::Fixed(n) => p.checked_mul(*n),
                Dim::Dynamic => None,
            })
            .map_or(Dim::Dynamic, Dim::Fixed);
        self.dims = std::vec![lead, Dim::Fixed(self.features())];
        Ok(())
    }

    /// Reshape is a no-op when the target keeps the last axis: `[n]`, `[-1, n]`,
    /// `[0, n]`, `[b, n]`, and the forms that `-1` or `0` resolve to these.
    fn reshape(
        &mut self,
        node: &NodeProto,
        at: &NodeRef,
        attrs: &Attrs<'_>,
    ) -> Result<(), OnnxError> {
        let allowzero = attrs.int("allowzero", 0)? != 0;
        let (name, t) = self.constant(node, at, 1, "the target shape")?;
        let target = tensor::ints(t).map_err(|p| OnnxError::Weight {
            node: at.clone(),
            input: name.into(),
            problem: format!("the target shape: {p}"),
        })?;
        let shape_err = |problem: String| OnnxError::Shape {
            node: at.clone(),
            problem,
        };
        let cur = show(&self.dims);
        let rule = "typenet supports Reshape only as a no-op to [n] or [batch, n] with the \
                    same n";
        if target.dims.len() != 1 || !(1..=2).contains(&target.values.len()) {
            return Err(shape_err(format!(
                "reshapes {cur} to {:?}; {rule}",
                target.values
            )));
        }
        // Each target axis: Some(dim), or None for the one -1.
        let mut out: Vec<Option<Dim>> = Vec::with_capacity(2);
        for (i, &v) in target.values.iter().enumerate() {
            out.push(match v {
                0 if !allowzero => Some(*self.dims.get(i).ok_or_else(|| {
                    shape_err(format!(
                        "reshapes {cur} to {:?}: the 0 at axis {i} copies an axis the \
                         value does not have",
                        target.values
                    ))
                })?),
                -1 if !out.contains(&None) => None,
                v if v > 0 => Some(Dim::Fixed(usize::try_from(v).unwrap_or(usize::MAX))),
                _ => {
                    return Err(shape_err(format!(
                        "reshapes {cur} to {:?}; {rule}",
                        target.values
                    )));
                }
            });
        }
        // Fixed products and dynamic counts on both sides.
        let tally = |dims: &mut dyn Iterator<Item = Dim>| {
            dims.fold((Some(1usize), 0usize), |(p, d), x| match x {
                Dim::Fixed(n) => (p.and_then(|p| p.checked_mul(n)), d),
                Dim::Dynamic => (p, d + 1),
            })
        };
        let (in_fixed, in_dyn) = tally(&mut self.dims.iter().copied());
        let (out_fixed, out_dyn) = tally(&mut out.iter().flatten().copied());
        let unresolved = || {
            shape_err(format!(
                "reshapes {cur} to {:?}, whose -1 depends on a size the graph leaves \
                 dynamic; {rule}",
                target.values
            ))
        };
        let inferred = if in_dyn == out_dyn {
            match (in_fixed, out_fixed) {
                (Some(i), Some(o)) if o > 0 && i % o == 0 => Dim::Fixed(i / o),
                _ => return Err(unresolved()),
            }
        } else if in_dyn == out_dyn + 1 && in_fixed == out_fixed {
            Dim::Dynamic
        } else {
            return Err(unresolved());
        };
        let dims: Vec<Dim> = out.iter().map(|d| d.unwrap_or(inferred)).collect();
        let keeps_count = in_dyn > 0
            || dims.contains(&Dim::Dynamic)
            || tally(&mut dims.iter().copied()).0 == in_fixed;
        if dims.last() != Some(&Dim::Fixed(self.features())) || !keeps_count {
            return Err(shape_err(format!(
                "reshapes {cur} to {:?} = {}; {rule}",
                target.values,
                show(&dims)
            )));
        }
        self.dims = dims;
        Ok(())
    }

    /// The model, after the chain reached the output.
    fn finish(mut self, output: &Output) -> Result<Model, OnnxError> {
        self.close(ActivationKind::Identity);
        if self.layers.is_empty() {
            return Err(OnnxError::Graph {
                problem: "no linear layer (Gemm or MatMul) between the input and the output".into(),
            });
        }
        let outputs = self.features();
        if let Some(size) = output.size.filter(|&s| usize::try_from(s) != Ok(outputs)) {
            return Err(OnnxError::Graph {
                problem: format!(
                    "the output `{}` is declared of size {size}, but the layers give {outputs}",
                    output.name
                ),
            });
        }
        let shape = Shape {
            inputs: self.inputs,
            layers: self.layers,
        };
        Ok(Model::new(shape, self.params)?)
    }
}

fn empty_layer(at: &NodeRef) -> OnnxError {
    OnnxError::Shape {
        node: at.clone(),
        problem: "gives a layer of 0 neurons; typenet's layers have at least one".into(),
    }
}

fn check_finite(values: &[f64], at: &NodeRef, name: &str) -> Result<(), OnnxError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(OnnxError::Weight {
            node: at.clone(),
            input: name.into(),
            problem: format!(
                "value {index} is not finite once scaled by alpha or beta or added to the \
                 layer's other biases"
            ),
        }),
    }
}
