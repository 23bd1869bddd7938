//! Graphs built here message by message, for the refusals and no-op forms the
//! onnxruntime fixtures (tests/onnx.rs) do not reach; the expected messages are
//! written by hand.

extern crate std;

use super::proto::attribute_proto::AttributeType;
use super::proto::tensor_proto::{DataLocation, DataType};
use super::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
    TensorShapeProto, TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use super::read_model;
use crate::io::model::Model;
use prost::Message;
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

fn value(name: &str, dims: &[Option<i64>]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                Some(v) => tensor_shape_proto::dimension::Value::DimValue(*v),
                None => tensor_shape_proto::dimension::Value::DimParam("batch".into()),
            }),
            ..Default::default()
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(DataType::Float as i32),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn floats(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(DataType::Float as i32),
        float_data: values.to_vec(),
        ..Default::default()
    }
}

fn ints(name: &str, values: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![values.len() as i64],
        data_type: Some(DataType::Int64 as i32),
        int64_data: values.to_vec(),
        ..Default::default()
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(i),
        ..Default::default()
    }
}

fn node(op: &str, inputs: &[&str], output: &str, attrs: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        name: Some(format!("{}_{output}", op.to_lowercase())),
        op_type: Some(op.into()),
        attribute: attrs,
        ..Default::default()
    }
}

/// A graph from `x` (of `dims`) to `y`, with 2 -> 2 weights `w` (identity-like) and
/// bias `b` as initializers.
fn graph(dims: &[Option<i64>], nodes: Vec<NodeProto>, extra: Vec<TensorProto>) -> Vec<u8> {
    let mut initializer = vec![
        floats("w", &[2, 2], &[1.0, 2.0, 3.0, 4.0]),
        floats("b", &[2], &[0.5, -0.5]),
    ];
    initializer.extend(extra);
    ModelProto {
        ir_version: Some(10),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(17),
        }],
        graph: Some(GraphProto {
            node: nodes,
            name: Some("g".into()),
            initializer,
            input: vec![value("x", dims)],
            output: vec![value("y", &[])],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn refused(bytes: &[u8]) -> String {
    match read_model(bytes) {
        Ok(m) => panic!("accepted as {}", m.shape()),
        Err(e) => e.to_string(),
    }
}

fn accepted(bytes: &[u8]) -> Model {
    read_model(bytes).unwrap_or_else(|e| panic!("{e}"))
}

const BATCH: &[Option<i64>] = &[None, Some(2)];

#[test]
fn matmul_weights_are_transposed_and_gemm_weights_scaled() {
    // MatMul's B is [in, out]: W = Bᵀ = [[1, 3], [2, 4]].
    let m = accepted(&graph(
        BATCH,
        vec![node("MatMul", &["x", "w"], "y", vec![])],
        vec![],
    ));
    assert_eq!(m.shape().to_string(), "2 -> 2 Identity");
    assert_eq!(m.params(), &[1.0, 3.0, 2.0, 4.0, 0.0, 0.0]);
    // Gemm, transB = 1, alpha 2, beta 3: W = 2B, b = 3C.
    let attrs = vec![
        int_attr("transB", 1),
        AttributeProto {
            name: Some("alpha".into()),
            r#type: Some(AttributeType::Float as i32),
            f: Some(2.0),
            ..Default::default()
        },
        AttributeProto {
            name: Some("beta".into()),
            r#type: Some(AttributeType::Float as i32),
            f: Some(3.0),
            ..Default::default()
        },
    ];
    let gemm = node("Gemm", &["x", "w", "b"], "y", attrs);
    let m = accepted(&graph(BATCH, vec![gemm], vec![]));
    assert_eq!(m.params(), &[2.0, 4.0, 6.0, 8.0, 1.5, -1.5]);
}

#[test]
fn no_op_reshapes_are_accepted() {
    for (dims, target) in [
        (BATCH, &[-1i64, 2][..]),
        (BATCH, &[0, 2]),
        (BATCH, &[0, -1]),
        (&[Some(1), Some(2)][..], &[-1]),
        (&[Some(1), Some(2)][..], &[2]),
        (&[Some(2)][..], &[1, -1]),
    ] {
        let nodes = vec![
            node("Reshape", &["x", "s"], "r", vec![]),
            node("MatMul", &["r", "w"], "y", vec![]),
        ];
        let m = accepted(&graph(dims, nodes, vec![ints("s", target)]));
        assert_eq!(
            m.shape().to_string(),
            "2 -> 2 Identity",
            "{dims:?} to {target:?}"
        );
    }
}

#[test]
fn reshapes_that_change_the_last_axis_are_refused() {
    let nodes = |_| {
        vec![
            node("Reshape", &["x", "s"], "r", vec![]),
            node("MatMul", &["r", "w"], "y", vec![]),
        ]
    };
    assert_eq!(
        refused(&graph(BATCH, nodes(()), vec![ints("s", &[-1])])),
        "node `reshape_r` (Reshape): reshapes [?, 2] to [-1], whose -1 depends on a size the \
         graph leaves dynamic; typenet supports Reshape only as a no-op to [n] or [batch, n] \
         with the same n"
    );
    assert_eq!(
        refused(&graph(
            &[Some(2), Some(2)],
            nodes(()),
            vec![ints("s", &[1, 4])]
        )),
        "node `reshape_r` (Reshape): reshapes [2, 2] to [1, 4] = [1, 4]; typenet supports \
         Reshape only as a no-op to [n] or [batch, n] with the same n"
    );
}

#[test]
fn flatten_that_changes_the_last_axis_is_refused() {
    let nodes = vec![
        node("Flatten", &["x"], "f", vec![int_attr("axis", 0)]),
        node("Gemm", &["f", "w"], "y", vec![]),
    ];
    assert_eq!(
        refused(&graph(BATCH, nodes, vec![])),
        "node `flatten_f` (Flatten): flattens a value of shape [?, 2] at axis 0, which \
         changes its last axis; typenet supports Flatten only as a no-op on a [n] or \
         [batch, n] value (axis = 1, or 0 for [n])"
    );
}

#[test]
fn gemm_needs_a_2d_input() {
    let nodes = vec![node("Gemm", &["x", "w"], "y", vec![])];
    assert_eq!(
        refused(&graph(&[Some(2)], nodes, vec![])),
        "node `gemm_y` (Gemm): reads a value of shape [2]; Gemm's input A is 2-D ([batch, \
         n]): add a Flatten or Reshape before it"
    );
}

#[test]
fn activations_need_a_linear_layer_before_them() {
    let nodes = vec![
        node("Relu", &["x"], "r", vec![]),
        node("MatMul", &["r", "w"], "y", vec![]),
    ];
    assert_eq!(
        refused(&graph(BATCH, nodes, vec![])),
        "node `relu_r` (Relu): is applied to the graph's input; typenet applies an \
         activation only after a linear layer (Gemm or MatMul)"
    );
    let nodes = vec![
        node("MatMul", &["x", "w"], "m", vec![]),
        node("Tanh", &["m"], "t", vec![]),
        node("Add", &["t", "b"], "y", vec![]),
    ];
    assert_eq!(
        refused(&graph(BATCH, nodes, vec![])),
        "node `add_y` (Add): adds a constant after the activation node `tanh_t` (Tanh); an \
         Add is supported only as the bias of a MatMul or Gemm, before its activation"
    );
}

#[test]
fn a_dynamic_input_size_is_refused() {
    let nodes = vec![node("MatMul", &["x", "w"], "y", vec![])];
    assert_eq!(
        refused(&graph(&[None, None], nodes, vec![])),
        "ONNX graph: input `x` has shape [?, ?], whose last axis (the input size M_0) is \
         dynamic or 0; supported: a float or double tensor of shape [n] or [batch, n] with \
         a fixed size n"
    );
}

#[test]
fn nodes_off_the_chain_and_cycles_are_refused() {
    let nodes = vec![
        node("MatMul", &["x", "w"], "y", vec![]),
        node("Relu", &["b"], "stray", vec![]),
    ];
    assert_eq!(
        refused(&graph(BATCH, nodes, vec![])),
        "node `relu_stray` (Relu): is not on the chain from the graph's input to its \
         output; typenet imports a single chain"
    );
    let nodes = vec![
        node("MatMul", &["x", "w"], "m", vec![]),
        node("Identity", &["m"], "x", vec![]),
    ];
    assert_eq!(
        refused(&graph(BATCH, nodes, vec![])),
        "node `matmul_m` (MatMul): is reached twice: the graph has a cycle"
    );
}

#[test]
fn external_data_and_nan_weights_are_refused() {
    let mut external = floats("w", &[2, 2], &[]);
    external.data_location = Some(DataLocation::External as i32);
    let mut bytes = graph(
        BATCH,
        vec![node("MatMul", &["x", "v"], "y", vec![])],
        vec![],
    );
    let mut model = ModelProto::decode(&bytes[..]).unwrap();
    external.name = Some("v".into());
    model.graph.as_mut().unwrap().initializer.push(external);
    bytes = model.encode_to_vec();
    assert_eq!(
        refused(&bytes),
        "node `matmul_y` (MatMul): input `v`: the weight: its data is in an external file, \
         which is not supported; save the model with the weights inside \
         (onnx.save(model, path, save_as_external_data=False))"
    );
    let nan = floats("v", &[2, 2], &[1.0, f32::NAN, 0.0, 0.0]);
    let bytes = graph(
        BATCH,
        vec![node("MatMul", &["x", "v"], "y", vec![])],
        vec![nan],
    );
    assert_eq!(
        refused(&bytes),
        "node `matmul_y` (MatMul): input `v`: the weight: it holds NaN or an infinity \
         (value 1)"
    );
}

#[test]
fn an_unknown_attribute_is_named() {
    let nodes = vec![node(
        "MatMul",
        &["x", "w"],
        "y",
        vec![int_attr("transB", 1)],
    )];
    assert_eq!(
        refused(&graph(BATCH, nodes, vec![])),
        "node `matmul_y` (MatMul): attribute `transB`: is not supported; MatMul takes none"
    );
}
