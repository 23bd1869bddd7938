#!/usr/bin/env python3
"""Builds the ONNX fixtures of tests/onnx.rs and their oracle outputs.

Each valid fixture is a fully-connected network built with onnx.helper from fixed,
seeded weights; onnxruntime runs it on fixed inputs, and the inputs and outputs go
into fixtures.json beside the .onnx files. The invalid fixtures are models typenet
must refuse (the Rust tests state the message each must give). The output directory
is generated, not committed (default: target/onnx-fixtures at the repository root):

    python3 -m venv target/onnx-venv
    target/onnx-venv/bin/pip install -r tests/onnx/requirements.txt
    target/onnx-venv/bin/python tests/onnx/make_fixtures.py [OUT_DIR]
"""

import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "onnx-fixtures")

F32 = TensorProto.FLOAT
F64 = TensorProto.DOUBLE


class Builder:
    """Nodes and initializers of one graph, with weights from one seeded generator."""

    def __init__(self, seed, dtype=np.float32):
        self.rng = np.random.default_rng(seed)
        self.dtype = dtype
        self.nodes = []
        self.inits = []

    def weight(self, name, shape, raw=True):
        """A constant of `shape`, uniform in [-1, 1): raw_data, or float_data/double_data."""
        value = self.rng.uniform(-1.0, 1.0, size=shape).astype(self.dtype)
        if raw:
            self.inits.append(numpy_helper.from_array(value, name))
        else:
            elem = F32 if self.dtype == np.float32 else F64
            self.inits.append(
                helper.make_tensor(name, elem, list(shape), value.flatten().tolist(), raw=False)
            )
        return name

    def ints(self, name, values):
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def node(self, op, inputs, output, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, [output], name=name, **attrs))
        return output

    def model(self, in_shape, out_shape, opset=17, name="typenet_fixture"):
        elem = F32 if self.dtype == np.float32 else F64
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info("x", elem, in_shape)],
            [helper.make_tensor_value_info("y", elem, out_shape)],
            self.inits,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        # onnxruntime 1.32 reads IR versions up to 11.
        model.ir_version = min(model.ir_version, 10)
        return model


def gemm_tanh_softmax():
    """4 -> 8 Tanh -> 3 Softmax: PyTorch's export of nn.Linear (Gemm, transB = 1),
    Softmax over axis -1 (opset 17)."""
    b = Builder(1)
    h = b.node("Gemm", ["x", b.weight("w1", (8, 4)), b.weight("b1", (8,))], "z1", "fc1", transB=1)
    h = b.node("Tanh", [h], "a1", "tanh1")
    h = b.node("Gemm", [h, b.weight("w2", (3, 8)), b.weight("b2", (3,))], "z2", "fc2", transB=1)
    b.node("Softmax", [h], "y", "softmax", axis=-1)
    return b.model(["batch", 4], ["batch", 3]), "4 -> 8 Tanh -> 3 Softmax"


def gemm_alpha_beta():
    """3 -> 5 ReLU -> 2 Identity: Gemm with transB = 0 (B is [in, out]), alpha and beta,
    weights in float_data (not raw_data), a bias of shape [1, out], a Gemm with no C."""
    b = Builder(2)
    h = b.node(
        "Gemm",
        ["x", b.weight("w1", (3, 5), raw=False), b.weight("b1", (1, 5), raw=False)],
        "z1",
        "fc1",
        alpha=0.5,
        beta=2.0,
        transB=0,
    )
    h = b.node("Relu", [h], "a1", "relu1")
    b.node("Gemm", [h, b.weight("w2", (5, 2))], "y", "fc2", alpha=1.5, transA=0)
    return b.model(["batch", 3], ["batch", 2]), "3 -> 5 ReLU -> 2 Identity"


def matmul_add():
    """5 -> 6 Sigmoid -> 4 Softplus -> 1 Identity: MatMul + Add (W as [in, out]); the
    second Add has the bias first; the last weight is a Constant node."""
    b = Builder(3)
    h = b.node("MatMul", ["x", b.weight("w1", (5, 6))], "m1", "matmul1")
    h = b.node("Add", [h, b.weight("b1", (6,))], "z1", "add1")
    h = b.node("Sigmoid", [h], "a1", "sigmoid1")
    h = b.node("MatMul", [h, b.weight("w2", (6, 4))], "m2", "matmul2")
    h = b.node("Add", [b.weight("b2", (4,)), h], "z2", "add2")
    h = b.node("Softplus", [h], "a2", "softplus2")
    w3 = b.rng.uniform(-1.0, 1.0, size=(4, 1)).astype(np.float32)
    b.nodes.append(
        helper.make_node("Constant", [], ["w3"], name="w3_const", value=numpy_helper.from_array(w3))
    )
    h = b.node("MatMul", [h, "w3"], "m3", "matmul3")
    b.node("Add", [h, b.weight("b3", (1,))], "y", "add3")
    return b.model(["batch", 5], ["batch", 1]), "5 -> 6 Sigmoid -> 4 Softplus -> 1 Identity"


def leaky_relu():
    """3 -> 7 LeakyReLU(0.2) -> 4 LeakyReLU -> 2 Identity: alpha = 0.2 (a float32),
    then the default alpha 0.01, then an explicit Identity node."""
    b = Builder(4)
    h = b.node("Gemm", ["x", b.weight("w1", (7, 3)), b.weight("b1", (7,))], "z1", "fc1", transB=1)
    h = b.node("LeakyRelu", [h], "a1", "leaky1", alpha=0.2)
    h = b.node("Gemm", [h, b.weight("w2", (4, 7)), b.weight("b2", (4,))], "z2", "fc2", transB=1)
    h = b.node("LeakyRelu", [h], "a2", "leaky2")
    h = b.node("Gemm", [h, b.weight("w3", (2, 4)), b.weight("b3", (2,))], "z3", "fc3", transB=1)
    b.node("Identity", [h], "y", "identity")
    return b.model(["batch", 3], ["batch", 2]), "3 -> 7 LeakyReLU(0.2) -> 4 LeakyReLU -> 2 Identity"


def flatten_opset11():
    """6 -> 5 ReLU -> 3 Softmax in opset 11: Flatten (axis 1) of the [batch, 6] input,
    a Reshape to [-1, 5], an Identity, and a Softmax with opset 11's default axis 1."""
    b = Builder(5)
    h = b.node("Flatten", ["x"], "f", "flatten", axis=1)
    h = b.node("Gemm", [h, b.weight("w1", (5, 6)), b.weight("b1", (5,))], "z1", "fc1", transB=1)
    h = b.node("Relu", [h], "a1", "relu1")
    h = b.node("Reshape", [h, b.ints("shape", [-1, 5])], "r", "reshape")
    h = b.node("Gemm", [h, b.weight("w2", (5, 3)), b.weight("b2", (3,))], "z2", "fc2")
    h = b.node("Identity", [h], "i", "identity")
    b.node("Softmax", [h], "y", "softmax")
    return b.model(["batch", 6], ["batch", 3], opset=11), "6 -> 5 ReLU -> 3 Softmax"


def vector_input():
    """6 -> 4 Tanh -> 2 Identity on a 1-D input [6]: Flatten (axis 0) makes it [1, 6]
    for Gemm, a Reshape to [4] makes it 1-D again for MatMul + Add."""
    b = Builder(6)
    h = b.node("Flatten", ["x"], "f", "flatten", axis=0)
    h = b.node("Gemm", [h, b.weight("w1", (4, 6)), b.weight("b1", (4,))], "z1", "fc1", transB=1)
    h = b.node("Tanh", [h], "a1", "tanh1")
    h = b.node("Reshape", [h, b.ints("shape", [4])], "r", "reshape")
    h = b.node("MatMul", [h, b.weight("w2", (4, 2))], "m2", "matmul2")
    b.node("Add", [h, b.weight("b2", (2,))], "y", "add2")
    return b.model([6], [2]), "6 -> 4 Tanh -> 2 Identity"


def f64_gemm():
    """4 -> 6 Sigmoid -> 3 Softmax in float64: weights in double_data and raw_data
    (onnxruntime has no float64 Softplus; the float32 fixture matmul_add covers it)."""
    b = Builder(7, np.float64)
    h = b.node(
        "Gemm",
        ["x", b.weight("w1", (6, 4), raw=False), b.weight("b1", (6,), raw=False)],
        "z1",
        "fc1",
        transB=1,
    )
    h = b.node("Sigmoid", [h], "a1", "sigmoid1")
    h = b.node("Gemm", [h, b.weight("w2", (6, 3)), b.weight("b2", (3,))], "z2", "fc2", beta=0.5)
    b.node("Softmax", [h], "y", "softmax2", axis=1)
    return b.model(["batch", 4], ["batch", 3]), "4 -> 6 Sigmoid -> 3 Softmax"


def f64_deep():
    """2 -> 16 Tanh -> 16 ReLU -> 16 LeakyReLU(0.2) -> 1 Identity in float64, MatMul + Add."""
    b = Builder(8, np.float64)
    h = "x"
    acts = [("Tanh", {}), ("Relu", {}), ("LeakyRelu", {"alpha": 0.2})]
    sizes = [2, 16, 16, 16]
    for i, (op, attrs) in enumerate(acts, start=1):
        h = b.node("MatMul", [h, b.weight(f"w{i}", (sizes[i - 1], sizes[i]))], f"m{i}", f"matmul{i}")
        h = b.node("Add", [h, b.weight(f"b{i}", (sizes[i],))], f"z{i}", f"add{i}")
        h = b.node(op, [h], f"a{i}", f"act{i}", **attrs)
    h = b.node("MatMul", [h, b.weight("w4", (16, 1))], "m4", "matmul4")
    b.node("Add", [h, b.weight("b4", (1,))], "y", "add4")
    return b.model(["batch", 2], ["batch", 1]), "2 -> 16 Tanh -> 16 ReLU -> 16 LeakyReLU(0.2) -> 1 Identity"


def small_sigmoid():
    """2 -> 3 Tanh -> 1 Sigmoid: the smallest network (also the fuzz target's F32Net,
    so its seed corpus reaches the typed load)."""
    b = Builder(9)
    h = b.node("Gemm", ["x", b.weight("w1", (3, 2)), b.weight("b1", (3,))], "z1", "fc1", transB=1)
    h = b.node("Tanh", [h], "a1", "tanh1")
    h = b.node("Gemm", [h, b.weight("w2", (1, 3)), b.weight("b2", (1,))], "z2", "fc2", transB=1)
    b.node("Sigmoid", [h], "y", "sigmoid2")
    return b.model(["batch", 2], ["batch", 1]), "2 -> 3 Tanh -> 1 Sigmoid"


VALID = [
    small_sigmoid,
    gemm_tanh_softmax,
    gemm_alpha_beta,
    matmul_add,
    leaky_relu,
    flatten_opset11,
    vector_input,
    f64_gemm,
    f64_deep,
]


def invalid_models():
    """Models typenet must refuse, by file name; tests/onnx.rs states each message."""
    out = {}

    b = Builder(10)
    h = b.node("Gemm", ["x", b.weight("w1", (4, 3)), b.weight("b1", (4,))], "z1", "fc1", transB=1)
    h = b.node("Relu", [h], "a1", "relu1")
    b.node("Conv", [h, b.weight("k", (1, 1, 1))], "y", "conv1")
    out["conv"] = b.model(["batch", 3], None)

    b = Builder(11)
    b.node("Gemm", ["x", b.weight("w1", (3, 4)), b.weight("b1", (4,))], "y", "fc1", transA=1)
    out["trans_a"] = b.model([3, 3], [4, 4])

    b = Builder(12)
    h = b.node("Gemm", ["x", b.weight("w1", (4, 3)), b.weight("b1", (4,))], "h", "fc1", transB=1)
    r = b.node("Relu", [h], "r", "relu_branch")
    t = b.node("Tanh", [h], "t", "tanh_branch")
    b.node("Add", [r, t], "y", "merge")
    out["branch"] = b.model(["batch", 3], ["batch", 4])

    b = Builder(13)
    h = b.node("Gemm", ["x", b.weight("w1", (4, 3)), b.weight("b1", (4,))], "z1", "fc1", transB=1)
    h = b.node("Relu", [h], "a1", "relu1")
    b.node("Gemm", [h, "w2_missing", b.weight("b2", (2,))], "y", "fc2", transB=1)
    out["missing_initializer"] = b.model(["batch", 3], ["batch", 2])

    b = Builder(14)
    h = b.node("Gemm", ["x", b.weight("w1", (4, 3)), b.weight("b1", (4,))], "z1", "fc1", transB=1)
    h = b.node("Relu", [h], "a1", "relu1")
    b.node("Tanh", [h], "y", "tanh1")
    out["two_activations"] = b.model(["batch", 3], ["batch", 4])

    b = Builder(15)
    h = b.node("Gemm", ["x", b.weight("w1", (4, 3)), b.weight("b1", (4,))], "z1", "fc1", transB=1)
    b.node("Softmax", [h], "y", "softmax", axis=0)
    out["softmax_axis"] = b.model(["batch", 3], ["batch", 4], opset=13)

    b = Builder(16, np.float16)
    b.node("MatMul", ["x", b.weight("w1", (3, 4))], "y", "matmul1")
    out["float16"] = b.model(["batch", 3], ["batch", 4])
    out["float16"].graph.input[0].type.tensor_type.elem_type = F32

    b = Builder(17)
    h = b.node("Gemm", ["x", b.weight("w1", (4, 3)), b.weight("b1", (4,))], "z1", "fc1", transB=1)
    b.node("Gemm", [h, b.weight("w2", (2, 5)), b.weight("b2", (2,))], "y", "fc2", transB=1)
    out["sizes_do_not_chain"] = b.model(["batch", 3], ["batch", 2])

    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {
        "generator": "tests/onnx/make_fixtures.py",
        "onnx": onnx.__version__,
        "onnxruntime": ort.__version__,
        "numpy": np.__version__,
        "fixtures": [],
    }
    for make in VALID:
        name = make.__name__
        model, arch = make()
        onnx.checker.check_model(model, full_check=True)
        path = os.path.join(OUT, f"{name}.onnx")
        onnx.save(model, path)
        dims = model.graph.input[0].type.tensor_type.shape.dim
        elem = model.graph.input[0].type.tensor_type.elem_type
        dtype = np.float32 if elem == F32 else np.float64
        n = dims[-1].dim_value
        rng = np.random.default_rng(1000 + len(manifest["fixtures"]))
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        inputs, outputs = [], []
        # Five rows through the batch axis where there is one, else one call a row.
        rows = rng.uniform(-2.0, 2.0, size=(5, n)).astype(dtype)
        if len(dims) == 2:
            ys = session.run(None, {"x": rows})[0]
        else:
            ys = np.stack([session.run(None, {"x": r})[0].reshape(-1) for r in rows])
        for x, y in zip(rows, ys):
            # float() of a float32 is its exact value, which JSON keeps (shortest repr).
            inputs.append([float(v) for v in x])
            outputs.append([float(v) for v in np.asarray(y).reshape(-1)])
        manifest["fixtures"].append(
            {
                "name": name,
                "file": f"{name}.onnx",
                "arch": arch,
                "dtype": "float32" if dtype == np.float32 else "float64",
                "inputs": inputs,
                "outputs": outputs,
            }
        )
    for name, model in invalid_models().items():
        onnx.save(model, os.path.join(OUT, f"invalid_{name}.onnx"))
    with open(os.path.join(OUT, "fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(
        f"wrote {len(VALID)} fixtures with onnxruntime {ort.__version__} outputs and "
        f"{len(invalid_models())} invalid models to {OUT}"
    )


if __name__ == "__main__":
    main()
