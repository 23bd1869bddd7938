#!/usr/bin/env bash
# Makes the ONNX fixtures of tests/onnx.rs: a virtual environment target/onnx-venv with
# the pinned packages of tests/onnx/requirements.txt (onnx, onnxruntime, numpy; reused
# when present), then tests/onnx/make_fixtures.py into target/onnx-fixtures, made anew.
# Run by .ci/run, and by tests/onnx.rs itself when the fixtures are missing, so that
# `cargo test --all-features` works on a fresh machine with python3 and PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x target/onnx-venv/bin/python ]; then
    python3 -m venv target/onnx-venv
fi
target/onnx-venv/bin/pip install -q --disable-pip-version-check -r tests/onnx/requirements.txt
rm -rf target/onnx-fixtures
target/onnx-venv/bin/python tests/onnx/make_fixtures.py
