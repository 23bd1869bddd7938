#!/usr/bin/env bash
# The README's end-to-end example, as CI runs it: a model defined and trained in Python
# and exported to ONNX; `typenet inspect`, `convert` and `codegen`; the firmware that
# includes the generated file, run under QEMU (Cortex-M4F), must print exactly what
# onnxruntime predicts.
#
# Usage: bash examples/onnx/e2e.sh PYTHON   (a Python with the packages of
#        tests/onnx/requirements.txt; .ci/run makes one in target/onnx-venv)
set -euo pipefail
python=${1:?usage: e2e.sh PYTHON}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/target/onnx-e2e
gen=$root/embedded/src/bin/onnx_digits
mkdir -p "$out"
cd "$root"

"$python" examples/onnx/digits_mlp.py "$out"
cargo build -q --release -p typenet-cli
typenet=$root/target/release/typenet
"$typenet" inspect "$out/digits.onnx"
"$typenet" convert "$out/digits.onnx" -o "$out/digits.tnet"
"$typenet" codegen "$out/digits.onnx" -o "$gen/model.rs"

cd embedded
cargo build -q --release --target thumbv7em-none-eabihf --bin onnx_digits
timeout 120 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
    -semihosting-config enable=on,target=native \
    -kernel target/thumbv7em-none-eabihf/release/onnx_digits > "$out/firmware.txt"
if ! cmp -s "$out/firmware.txt" "$out/onnxruntime.txt"; then
    echo "the firmware's predictions differ from onnxruntime's:" >&2
    diff "$out/onnxruntime.txt" "$out/firmware.txt" >&2 || true
    exit 1
fi
echo "firmware (Cortex-M4F, QEMU) = onnxruntime: $(tail -1 "$out/firmware.txt")"
