#!/usr/bin/env bash
# Runs every fuzz target for N seconds each (default 30), starting from the committed
# seed corpus in fuzz/corpus/<target>/. New inputs libFuzzer finds go to a scratch
# directory, so the committed corpus stays as it is. A crash stops the script with
# libFuzzer's report and the input saved under fuzz/artifacts/<target>/.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(format int8 safetensors onnx serde_json train_step)
fi

# libFuzzer needs nightly (sanitizer flags); cargo-fuzz drives it.
if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    printf '\n--- fuzz %s for %ss\n' "$t" "$seconds"
    mkdir -p "$scratch/$t"
    log="$scratch/$t.log"
    if ! cargo +nightly fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $t failed; the input is in fuzz/artifacts/$t/"
        exit 1
    fi
    grep -E '^(INFO: seed corpus|#[0-9]+ +DONE|Done [0-9]+ runs|stat::(number_of_executed_units|peak_rss_mb))' "$log" || true
done
echo "fuzzing: ${#targets[@]} targets, ${seconds}s each, no failure"
