//! Why an ONNX file is not a network typenet can import: [`OnnxError`], and
//! [`NodeRef`], the node an error is about.

extern crate std;

use crate::io::model::ModelError;
use core::fmt;
use std::string::String;

/// The operators an import accepts, for messages.
pub(super) const SUPPORTED_OPS: &str = "Gemm, MatMul, Add (a bias after MatMul or Gemm), \
     Relu, LeakyRelu, Tanh, Sigmoid, Softplus, Softmax, Identity, Flatten, Reshape (as \
     no-ops), Constant";

/// A node of the ONNX graph, as errors name it: its name, its `op_type`, and its
/// index in the graph's node list (for nodes without a name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRef {
    /// The node's index in `graph.node`.
    pub index: usize,
    /// The node's `name` (may be empty).
    pub name: String,
    /// The node's `op_type`, e.g. `"Gemm"`.
    pub op_type: String,
}

impl fmt::Display for NodeRef {
    /// `` node `fc1` (Gemm) ``, or `node 3 (Gemm, unnamed)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "node {} ({}, unnamed)", self.index, self.op_type)
        } else {
            write!(f, "node `{}` ({})", self.name, self.op_type)
        }
    }
}

/// Why an ONNX file does not give a network. Every variant about a node names it
/// (name and `op_type`); the messages say what is supported.
#[derive(Debug)]
pub enum OnnxError {
    /// The bytes are not an ONNX `ModelProto` (the protobuf decoder's message).
    Decode {
        /// What the decoder found wrong.
        message: String,
    },
    /// A problem of the whole graph: no graph, no opset, not exactly one input or
    /// output, an input of another element type or shape, a chain that does not end
    /// at the output.
    Graph {
        /// What is wrong.
        problem: String,
    },
    /// A node whose operator typenet does not import.
    UnsupportedOp {
        /// The node.
        node: NodeRef,
        /// Its domain when it is not the default ONNX domain.
        domain: String,
    },
    /// An attribute typenet does not support, or a value of it typenet does not
    /// support (`transA = 1`, a Softmax axis other than the last).
    Attribute {
        /// The node.
        node: NodeRef,
        /// The attribute's name.
        attribute: String,
        /// What is wrong and what is supported.
        problem: String,
    },
    /// An input of a node that must be a constant (an initializer or a `Constant`
    /// node's value) is missing or is not a usable tensor: another data type,
    /// external data, a wrong number of values, NaN or an infinity, a shape that does
    /// not fit the layer.
    Weight {
        /// The node.
        node: NodeRef,
        /// The input's name (the initializer's name).
        input: String,
        /// What is wrong and what is supported.
        problem: String,
    },
    /// Sizes that do not chain: a weight whose size differs from the value it
    /// multiplies, a Flatten, Reshape or Softmax that is not a no-op or not over the
    /// last axis, or a dynamic size where the size matters.
    Shape {
        /// The node.
        node: NodeRef,
        /// What is wrong.
        problem: String,
    },
    /// The graph is not one chain of layers: a branch, a node off the chain, a cycle,
    /// an activation with no linear layer before it (two activations in a row, or an
    /// activation of the input), or a computed value where a constant is needed.
    Chain {
        /// The node.
        node: NodeRef,
        /// What is wrong.
        problem: String,
    },
    /// The graph is a network, but not one the model or the network type accepts
    /// (too many parameters, another architecture than the type, a value the scalar
    /// cannot hold).
    Model(ModelError),
    /// Reading the file failed.
    Io(std::io::Error),
}

impl fmt::Display for OnnxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OnnxError::Decode { message } => {
                write!(f, "not an ONNX model (protobuf ModelProto): {message}")
            }
            OnnxError::Graph { problem } => write!(f, "ONNX graph: {problem}"),
            OnnxError::UnsupportedOp { node, domain } => {
                if domain.is_empty() {
                    write!(f, "{node}: operator {} is not supported", node.op_type)?;
                } else {
                    write!(
                        f,
                        "{node}: operator {} of domain `{domain}` is not supported (only \
                         the default ONNX domain)",
                        node.op_type
                    )?;
                }
                write!(
                    f,
                    "; typenet imports a chain of fully-connected layers: {SUPPORTED_OPS}"
                )
            }
            OnnxError::Attribute {
                node,
                attribute,
                problem,
            } => write!(f, "{node}: attribute `{attribute}`: {problem}"),
            OnnxError::Weight {
                node,
                input,
                problem,
            } => write!(f, "{node}: input `{input}`: {problem}"),
            OnnxError::Shape { node, problem } | OnnxError::Chain { node, problem } => {
                write!(f, "{node}: {problem}")
            }
            OnnxError::Model(e) => write!(f, "ONNX model: {e}"),
            OnnxError::Io(e) => write!(f, "ONNX file I/O failed: {e}"),
        }
    }
}

impl core::error::Error for OnnxError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            OnnxError::Io(e) => Some(e),
            OnnxError::Model(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ModelError> for OnnxError {
    fn from(e: ModelError) -> Self {
        OnnxError::Model(e)
    }
}
