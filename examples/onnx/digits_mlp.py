"""Train a small digits classifier with NumPy, export it to ONNX, and write what
onnxruntime predicts for the held-out images the firmware classifies.

The end-to-end example of the README (`bash examples/onnx/e2e.sh` runs it all):
the model is defined and trained here, in Python, exported with `onnx.helper`
(Gemm with transB=1, Relu, Gemm, Softmax), then `typenet inspect`, `typenet convert`
and `typenet codegen` turn it into `embedded/src/bin/onnx_digits/model.rs`, and the
firmware built from it must print what this script prints for onnxruntime.

Data: `examples/data/digits.csv` (UCI optical digits, 8x8 pixels 0..16, label last);
the held-out images are those of `embedded/data/heldout.bin` (65 bytes each: 64
pixels, the label), and the model trains on every other row. Inputs are pixel / 16.

Usage: python digits_mlp.py OUT_DIR
Writes OUT_DIR/digits.onnx and OUT_DIR/onnxruntime.txt.
"""

import csv
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HIDDEN = 32


def load():
    with open(os.path.join(ROOT, "examples", "data", "digits.csv")) as f:
        rows = list(csv.reader(f))[1:]
    data = np.array(rows, dtype=np.int64)
    with open(os.path.join(ROOT, "embedded", "data", "heldout.bin"), "rb") as f:
        held = np.frombuffer(f.read(), dtype=np.uint8).reshape(-1, 65).astype(np.int64)
    held_keys = {tuple(r) for r in held}
    train = np.array([r for r in data if tuple(r) not in held_keys])
    return train, held


def train_model(train, epochs=300, lr=0.5, seed=7):
    rng = np.random.default_rng(seed)
    x = (train[:, :64] / 16.0).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[train[:, 64]]
    w1 = (rng.standard_normal((HIDDEN, 64)) * np.sqrt(2.0 / 64)).astype(np.float32)
    b1 = np.zeros(HIDDEN, dtype=np.float32)
    w2 = (rng.standard_normal((10, HIDDEN)) * np.sqrt(1.0 / HIDDEN)).astype(np.float32)
    b2 = np.zeros(10, dtype=np.float32)
    n = len(x)
    for _ in range(epochs):
        h = np.maximum(x @ w1.T + b1, 0.0)
        z = h @ w2.T + b2
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g2 = (p - y) / n
        gh = (g2 @ w2) * (h > 0)
        w2 -= lr * (g2.T @ h)
        b2 -= lr * g2.sum(axis=0)
        w1 -= lr * (gh.T @ x)
        b1 -= lr * gh.sum(axis=0)
    return w1, b1, w2, b2


def export(w1, b1, w2, b2, path):
    inits = [
        numpy_helper.from_array(w1, "fc1.weight"),
        numpy_helper.from_array(b1, "fc1.bias"),
        numpy_helper.from_array(w2, "fc2.weight"),
        numpy_helper.from_array(b2, "fc2.bias"),
    ]
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["h2"], name="fc2", transB=1),
        helper.make_node("Softmax", ["h2"], ["probabilities"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def predictions(path, held):
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    classes = []
    for r in held:
        x = (r[:64] / 16.0).astype(np.float32).reshape(1, 64)
        (p,) = session.run(None, {"input": x})
        classes.append(int(np.argmax(p[0])))
    return classes


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    train, held = load()
    path = os.path.join(out, "digits.onnx")
    export(*train_model(train), path)
    classes = predictions(path, held)
    correct = sum(int(c == r[64]) for c, r in zip(classes, held))
    # The firmware's lines, byte for byte.
    with open(os.path.join(out, "onnxruntime.txt"), "w") as f:
        f.write("predictions: " + "".join(str(c) for c in classes) + "\n")
        f.write(f"correct: {correct}/{len(held)}\n")
    print(f"trained on {len(train)} images; onnxruntime: {correct}/{len(held)} held-out images correct")


if __name__ == "__main__":
    main()
