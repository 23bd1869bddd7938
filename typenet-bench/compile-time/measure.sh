#!/usr/bin/env bash
# Compile-time cost of a 10-layer typenet network: a clean release build of a crate that
# declares one and runs forward, backward and a training step, against a clean release
# build of the same crate with an empty main, both depending on typenet. The
# difference is what the network's types and their monomorphised code cost.
#
#   bash typenet-bench/compile-time/measure.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_crate() { # name, main.rs source
    mkdir -p "$work/$1/src"
    cat > "$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
typenet = { path = "$root" }
TOML
    cp "$2" "$work/$1/src/main.rs"
    cp "$root/rust-toolchain.toml" "$work/$1/"
}

make_crate empty "$here/empty.rs"
make_crate ten_layers "$here/ten_layers.rs"

time_build() { # crate -> seconds
    local dir="$work/$1"
    rm -rf "$dir/target"
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && cargo build --release -q) >&2
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

runs=${RUNS:-3}
for crate in empty ten_layers; do
    times=()
    for _ in $(seq "$runs"); do times+=("$(time_build "$crate")"); done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    printf '%-10s clean release build: median %6.2f s over %d runs (%s)\n' "$crate" "$median" "$runs" "${times[*]}"
    eval "median_$crate=$median"
done
printf 'difference: %.2f s\n' "$(echo "$median_ten_layers - $median_empty" | bc)"
