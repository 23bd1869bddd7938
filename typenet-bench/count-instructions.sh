#!/usr/bin/env bash
# Instructions per pass of typenet on W1..W4, forward and train, counted by callgrind
# inside `single_op` (the bench's one-pass loop): bash typenet-bench/count-instructions.sh
# [BINARY] [LABEL]. BINARY defaults to target/release/typenet-bench (build it first with
# `cargo build --release -p typenet-bench`). Prints "LABEL W PASS INSTRUCTIONS" lines.
set -euo pipefail
bin=${1:-target/release/typenet-bench}
label=${2:-typenet}
out=$(mktemp -d)
for w in W1 W2 W3 W4; do
    for pass in forward train; do
        iters=1000
        if [ "$w" = W3 ] || [ "$w" = W4 ]; then iters=100; fi
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" \
            --toggle-collect='typenet_bench::single_op*' \
            "$bin" --single "$w" --peer typenet --pass "$pass" --iters "$iters" >/dev/null 2>&1
        total=$(callgrind_annotate "$out/cg.out" 2>/dev/null | grep -m1 "PROGRAM TOTALS" |
            awk '{gsub(",", "", $1); print $1}')
        echo "$label $w $pass $((total / iters))"
    done
done
rm -rf "$out"
