#!/usr/bin/env bash
# Flash/RAM, peak stack and instructions of the firmware, as markdown tables (the
# figures in FIGURES.md). Run from anywhere: bash embedded/measure.sh
#
# Needs: the three Rust targets (thumbv7em-none-eabihf, thumbv7m-none-eabi,
# thumbv6m-none-eabi), qemu-system-arm, readelf (binutils), llvm-objdump (to
# find the exit calls for the external stack check, and for the floating-point check)
# and python3 (a 60-line client of QEMU's gdb stub for that check, and the call-graph
# walk of the floating-point check).
#
# 1. Flash and RAM of each binary, from the ELF section headers (`readelf -S -W`).
# 2. `src/bin/measure.rs` under QEMU with `-icount shift=0`, on both cores, twice each;
#    the two runs must print the same bytes. It reports peak stack by stack painting
#    and instructions per inference / training step through SysTick, in f32 and in
#    Q16.16 fixed point (`typenet::fixed::Q16`). The Q16 results (integer arithmetic)
#    must be the same on both cores, and the Q16 XOR training must learn.
# 2b. No floating point in the Q16 and int8 inference: from the out-of-line functions
#    that `measure` times (`measure::q16_digits_forward`, `measure::q16_sine_forward`,
#    `measure::int8_digits_forward`),
#    every direct call and branch is followed through the disassembly; none may reach
#    a soft-float routine (`__aeabi_f*`, `__aeabi_d*`, integer-to-float conversions,
#    compiler-builtins' float module, libm), hold an FPU instruction, or call through a
#    register (which the walk could not follow).
# 3. The peak stack of the unmodified `digits` and `train_xor` binaries, painted from
#    outside: QEMU loads a file of 0xCC bytes over the free RAM, the program runs to its
#    semihosting exit call (a breakpoint through the gdb stub), and the client scans RAM
#    upwards for the first word that is no longer 0xCCCCCCCC.
# 5. The MLPerf Tiny AD autoencoder in int8 on the M4F (`autoencoder_int8`): its
#    flash, RAM, stack and instructions per inference, in a section of its own.
set -euo pipefail
cd "$(dirname "$0")"

M4=thumbv7em-none-eabihf
M3=thumbv7m-none-eabi
# The Cortex-M0 (16 KiB of RAM): `measure` without the workloads that copy the digits
# network into RAM, in a section of its own (section 4).
M0=thumbv6m-none-eabi
# The machine of each target, as in .cargo/config.toml.
machine() {
    case "$1" in
        "$M4") echo "-cpu cortex-m4 -machine mps2-an386" ;;
        "$M3") echo "-cpu cortex-m3 -machine lm3s6965evb" ;;
        "$M0") echo "-machine microbit" ;;
    esac
}
core_name() {
    case "$1" in
        "$M4") echo "Cortex-M4F (mps2-an386)" ;;
        "$M3") echo "Cortex-M3 (lm3s6965evb)" ;;
        "$M0") echo "Cortex-M0 (microbit)" ;;
    esac
}
elf() { echo "target/$1/release/$2"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for t in "$M4" "$M3"; do
    cargo build -q --release --target "$t" --bins
done
cargo build -q --release --target "$M0" --bin measure --bin digits_int8

echo "## Environment"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- $(rustc --version)"
echo "- $(qemu-system-arm --version | head -1)"
echo "- $(readelf --version | head -1)"
echo "- llvm-objdump: $(llvm-objdump --version | grep -m1 'LLVM version' | sed 's/^ *//')"
echo

# ---------------------------------------------------------------------------------
# 1. Flash and RAM from the section headers.
# ---------------------------------------------------------------------------------
# Flash holds .vector_table, .text, .rodata and the initial values of .data (its load
# image); RAM holds .data, .bss and .uninit statically; the stack takes the rest.
sizes() {
    local -A size=()
    local name hex
    while read -r name hex; do
        size[$name]=$((16#$hex))
    done < <(readelf -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '{ print $1, $5 }')
    local vt=${size[.vector_table]:-0} text=${size[.text]:-0} ro=${size[.rodata]:-0}
    local data=${size[.data]:-0} sg=${size[.gnu.sgstubs]:-0}
    local bss=$((${size[.bss]:-0} + ${size[.uninit]:-0}))
    echo "$vt | $text | $ro | $data | $sg | **$((vt + text + ro + data + sg))** | $data | $bss | **$((data + bss))**"
}
echo "## Flash and RAM (bytes, from \`readelf -S -W\`)"
echo
echo "| binary | target | .vector_table | .text | .rodata | .data (load image) | .gnu.sgstubs | flash | .data | .bss + .uninit | static RAM |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for pair in "digits $M4" "digits $M3" "digits_int8 $M4" "digits_int8 $M3" "digits_q16 $M4" "digits_q16 $M3" "train_xor $M4" \
    "measure $M4" "measure $M3"; do
    set -- $pair
    echo "| \`$1\` | $2 | $(sizes "$(elf "$2" "$1")") |"
done
echo

# ---------------------------------------------------------------------------------
# 2. The measure binary, twice per target.
# ---------------------------------------------------------------------------------
run_measure() {
    # shellcheck disable=SC2046 # the machine flags are separate words
    timeout 600 qemu-system-arm $(machine "$1") -nographic \
        -semihosting-config enable=on,target=native -icount shift=0 \
        -kernel "$(elf "$1" measure)" 2>/dev/null
}
for t in "$M4" "$M3"; do
    run_measure "$t" >"$work/$t.1"
    run_measure "$t" >"$work/$t.2"
    if ! cmp -s "$work/$t.1" "$work/$t.2"; then
        echo "measure on $t printed different output on two runs:" >&2
        diff "$work/$t.1" "$work/$t.2" >&2 || true
        exit 1
    fi
done
echo "Determinism: two runs of \`measure\` per target printed identical output (cmp)."
echo

# The stack a workload may use beyond the data the types compute (code frames).
BUDGET_MARGIN=1536

# The value of key=... on the line "<kind>: <name> ..." of a target's output.
field() {
    sed -n "s/^$2: $3 .*\b$4=\([^ ]*\).*/\1/p" "$work/$1.1"
}

echo "## Peak stack (bytes), by painting inside \`measure\`"
echo
echo "own = below the stack pointer at the call of the workload; total = below the top of"
echo "RAM (\`_stack_start\`), including \`measure\`'s own frames above the call."
echo
echo "| workload | $(core_name "$M4") own | total | $(core_name "$M3") own | total |"
echo "| --- | ---: | ---: | ---: | ---: |"
for w in digits_static_inference digits_decoded_inference digits_runtime_decode_inference \
    digits_load_into_inference digits_whole_program sine_inference xor_training_step \
    xor_whole_training digits_q16_inference sine_q16_inference xor_q16_training_step \
    digits_int8_inference; do
    echo "| $w | $(field "$M4" stack "$w" own) | $(field "$M4" stack "$w" total) | $(field "$M3" stack "$w" own) | $(field "$M3" stack "$w" total) |"
done
echo

echo "## The memory the types compute against the painted stack"
echo
echo "computed = what \`typenet::assert_fits!\` uses: \`Network::INFERENCE_BYTES\` for an"
echo "inference (the largest pair of activation vectors), \`size_of::<Net>() +"
echo "Trainer::RAM_BYTES\` for training with the network and its trainer on the stack."
echo "The stack may exceed it by the frames of the code, at most $BUDGET_MARGIN bytes (the"
echo "margin the docs of \`assert_fits!\` ask for); more fails this script."
echo
echo "| workload | $(core_name "$M4") computed | measured | $(core_name "$M3") computed | measured |"
echo "| --- | ---: | ---: | ---: | ---: |"
for w in digits_static_inference xor_whole_training; do
    echo "| $w | $(field "$M4" budget "$w" computed) | $(field "$M4" budget "$w" measured) | $(field "$M3" budget "$w" computed) | $(field "$M3" budget "$w" measured) |"
    for t in "$M4" "$M3"; do
        computed=$(field "$t" budget "$w" computed)
        measured=$(field "$t" budget "$w" measured)
        if [ -z "$computed" ] || [ "$measured" -gt $((computed + BUDGET_MARGIN)) ]; then
            echo "$w on $t: the stack ($measured B) exceeds the computed $computed B by more than $BUDGET_MARGIN B" >&2
            exit 1
        fi
    done
done
echo

echo "## Instructions (QEMU \`-icount shift=0\`, SysTick on the core clock)"
echo
echo "| workload | items | $(core_name "$M4") | $(core_name "$M3") | M3 / M4F |"
echo "| --- | ---: | ---: | ---: | ---: |"
for w in digits_static_forward digits_runtime_forward digits_decode_from_bytes sine_forward \
    xor_adam_training_step xor_f32_sgd_training_step digits_q16_forward sine_q16_forward \
    xor_q16_sgd_training_step q16_from_f64_usize digits_int8_forward; do
    a=$(field "$M4" insn "$w" per_item)
    b=$(field "$M3" insn "$w" per_item)
    echo "| $w | $(field "$M4" insn "$w" n) | $a ± $(field "$M4" insn "$w" pm) | $b ± $(field "$M3" insn "$w" pm) | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }') |"
done
echo

# The same networks in each number format, per core. A row names its workload in each
# format; a workload that `measure` does not print shows as "—".
# int8: `measure` prints `insn: digits_int8_forward ...` (the static int8 network of
# `digits_int8`); there is no int8 sine or XOR workload yet, so those cells show "—".
cell() {
    local v
    v=$(field "$1" insn "$2" per_item)
    if [ -n "$v" ]; then echo "$v ± $(field "$1" insn "$2" pm)"; else echo "—"; fi
}
ratio() {
    local a b
    a=$(field "$1" insn "$2" per_item)
    b=$(field "$1" insn "$3" per_item)
    if [ -n "$a" ] && [ -n "$b" ]; then
        awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }'
    else
        echo "—"
    fi
}
echo "## Instructions per item by number format: f32, Q16.16, int8"
echo
echo "f32 is hardware floating point on the M4F and software floating point on the M3;"
echo "Q16.16 and int8 are integer arithmetic on both. Digits: per inference over the 359"
echo "held-out images (f32 and Q16 network in RAM, int8 the \`static\` network of \`digits_int8\` in"
echo "flash; QEMU charges both the same); sine: per inference over 100 inputs; XOR: per SGD"
echo "step (η = 2, mean squared error, batch of 4) over 500 steps."
echo
echo "| network | M4F f32 | M4F Q16.16 | M4F int8 | M4F Q16 / f32 | M4F int8 / f32 | M3 f32 (soft float) | M3 Q16.16 | M3 int8 | M3 f32 / Q16 | M3 f32 / int8 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "digits 64 → 64 ReLU → 10 Softmax|digits_runtime_forward|digits_q16_forward|digits_int8_forward" \
    "sine 1 → 16 Tanh → 16 Tanh → 1 Identity|sine_forward|sine_q16_forward|sine_int8_forward" \
    "XOR 2 → 8 Tanh → 1 Sigmoid, one SGD step|xor_f32_sgd_training_step|xor_q16_sgd_training_step|xor_int8_sgd_training_step"; do
    IFS='|' read -r label f q i <<<"$row"
    echo "| $label | $(cell "$M4" "$f") | $(cell "$M4" "$q") | $(cell "$M4" "$i") | $(ratio "$M4" "$q" "$f") | $(ratio "$M4" "$i" "$f") | $(cell "$M3" "$f") | $(cell "$M3" "$q") | $(cell "$M3" "$i") | $(ratio "$M3" "$f" "$q") | $(ratio "$M3" "$f" "$i") |"
done
echo
echo "Calibration (\`cortex_m::asm::delay\`, 2 instructions per iteration):"
for t in "$M4" "$M3"; do
    i=$(sed -n 's/^calibration: instructions=\([0-9]*\) ticks=\([0-9]*\)/\1/p' "$work/$t.1")
    k=$(sed -n 's/^calibration: instructions=\([0-9]*\) ticks=\([0-9]*\)/\2/p' "$work/$t.1")
    echo "- $(core_name "$t"): $i instructions = $k SysTick ticks, $(awk -v i="$i" -v k="$k" 'BEGIN { printf "%.4f", i / k }') instructions per tick"
done
echo
echo "The delay loops in \`measure::calibrate\` (\`llvm-objdump -d\`): each iteration is the two"
echo "instructions below, a \`bne\` back to the \`subs\`; the \`nop\` before each (alignment) runs once"
echo "per call and cancels out in the difference of the two delays."
for t in "$M4" "$M3"; do
    loops=$(llvm-objdump -d --no-show-raw-insn -C "$(elf "$t" measure)" | awk '
        /^[0-9a-f]+ </ { inside = ($0 ~ /<measure::calibrate::/) }
        inside && /^ +[0-9a-f]+:/ {
            addr = $1; sub(/:$/, "", addr)
            if (prev ~ /\tsubs\tr[0-9]+, #1$/ && $0 ~ ("\tbne\t0x" prevaddr " ")) {
                n++; printf "%s\n%s\n", prev, $0
            }
            prev = $0; prevaddr = addr
        }
        END { if (n != 2) exit 1 }') || {
        echo "measure::calibrate on $t does not hold the two expected delay loops" >&2
        exit 1
    }
    echo "- $t:"
    echo '```'
    echo "$loops" | sed 's/ *@ imm.*//; s/<measure::calibrate::[^>]*+/<calibrate+/'
    echo '```'
done
echo
echo "Checks printed by \`measure\`:"
for t in "$M4" "$M3"; do
    echo "- $t:"
    grep '^check:' "$work/$t.1" | sed 's/^/  - /'
done
echo
# Q16 is integer arithmetic: both cores must compute exactly the same values.
if ! diff <(grep '^check: [a-z_]*q16' "$work/$M4.1") <(grep '^check: [a-z_]*q16' "$work/$M3.1") >&2; then
    echo "the Q16 checks differ between the two cores" >&2
    exit 1
fi
for t in "$M4" "$M3"; do
    grep -q '^check: digits_q16 correct=[0-9]' "$work/$t.1" || {
        echo "measure on $t printed no Q16 digits accuracy" >&2
        exit 1
    }
    grep -q '^check: xor_q16 .* learned=yes$' "$work/$t.1" || {
        echo "the Q16 XOR training on $t did not learn" >&2
        exit 1
    }
done
# int8 too: the same predictions on both cores, and those of `digits_int8`.
if ! diff <(grep '^check: digits_int8 ' "$work/$M4.1") <(grep '^check: digits_int8 ' "$work/$M3.1") >&2; then
    echo "the int8 checks differ between the two cores" >&2
    exit 1
fi
int8_host=$(cd .. && cargo run -q --release --example digits_int8)
int8_correct=$(sed -n 's/^digits int8: \([0-9]*\) of.*/\1/p' <<<"$int8_host")
int8_sum=$(sed -n 's/^predictions checksum: //p' <<<"$int8_host")
grep -q "^check: digits_int8 correct=$int8_correct images=[0-9]* .* checksum=$int8_sum\$" "$work/$M3.1" || {
    echo "measure's int8 digits check differs from examples/firmware/digits_int8.rs ($int8_host)" >&2
    exit 1
}
echo "The Q16 checks are identical on both cores (integer arithmetic), and the Q16 XOR"
echo "training learned (every output on the right side of ½). The int8 digits check is"
echo "identical on both cores and matches \`cargo run --release --example digits_int8\`"
echo "($int8_correct correct, checksum $int8_sum)."
echo

# ---------------------------------------------------------------------------------
# 2b. No floating point in the Q16 and int8 inference.
# ---------------------------------------------------------------------------------
cat >"$work/floatcheck.py" <<'PYTHON'
# usage: floatcheck.py ELF ROOT...: for each ROOT (a function name without its hash,
# e.g. measure::q16_digits_forward) follows every direct call and branch (bl, b, b<cc>,
# cbz, cbnz: the function holding the target address) through `llvm-objdump -d -C` and
# prints a line `root=... functions=N float_routines=... fpu_insns=N indirect=N panics=...`
# and a line `reached=...` (the functions it reaches, itself included). A call into
# `core::panicking::` (a failed bounds check, say) is not followed: that path ends in
# the panic handler, which prints the message (through `core::fmt`, calls through
# registers) and exits; the panic functions called are listed in `panics`.
import bisect, re, subprocess, sys

elf, roots = sys.argv[1], sys.argv[2:]
dis = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", "-C", elf],
                     capture_output=True, text=True, check=True).stdout
starts, names, body = [], [], {}
for line in dis.splitlines():
    m = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
    if m:
        starts.append(int(m.group(1), 16))
        names.append(m.group(2))
        body[m.group(2)] = []
    elif names and re.match(r"^\s+[0-9a-f]+:\s", line):
        body[names[-1]].append(line.split(":", 1)[1].strip())
# LLD fills the gaps between functions with 0xd4d4, which disassembles as `bmi`; no
# function ends in a conditional branch, so trailing ones are that padding, not code.
for name in names:
    while body[name] and body[name][-1].startswith("bmi\t"):
        body[name].pop()

def owner(addr):
    i = bisect.bisect_right(starts, addr) - 1
    return names[i] if i >= 0 else None

def readable(name):
    # LLVM 14 leaves the escapes of Rust's legacy mangling and the hash in place
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    for a, b in (("_$LT$", "<"), ("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$C$", ","),
                 ("$u7b$", "{"), ("$u7d$", "}"), ("$RF$", "&"), ("..", "::")):
        name = name.replace(a, b)
    return name

# Soft-float routines (EABI and GCC names, conversions from integers included),
# compiler-builtins' float module and libm.
FLOAT = re.compile(
    r"^(__aeabi_([fd]|u?[il]2[fd]$)|__(add|sub|mul|div|neg|pow)[sdt]f[23]|__(fix|fixuns)[sdt]f|"
    r"__float(un)?[sdt]i|__(extend|trunc)[sdt]f|__(eq|ne|lt|le|gt|ge|unord|cmp)[sdt]f2|"
    r"compiler_builtins::float::|libm::)")
BRANCH = re.compile(r"^(bl?|b\.w|b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)(\.w)?|cbn?z)\s.*\b0x([0-9a-f]+) <")
INDIRECT = re.compile(r"^(blx\s|bx\s+r(?!14\b)\d+$)")
FPU = re.compile(r"^v[a-z]")  # vldr, vmov, vadd.f32, vpush, ...
for root in roots:
    found = [n for n in names if readable(n) == root]
    if len(found) != 1:
        sys.exit(f"{root}: {len(found)} functions of that name in {elf}")
    seen, todo, indirect, fpu, panics = set(), [found[0]], 0, 0, set()
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        for insn in body[f]:
            m = BRANCH.match(insn)
            if m:
                target = owner(int(m.group(4), 16))
                if target is not None and readable(target).startswith("core::panicking::"):
                    panics.add(readable(target))
                elif target is not None and target != f:
                    todo.append(target)
            elif INDIRECT.match(insn):
                indirect += 1
            if FPU.match(insn):
                fpu += 1
    reached = sorted(readable(f) for f in seen)
    floats = [f for f in reached if FLOAT.match(f)]
    print(f"root={root} functions={len(seen)} float_routines={','.join(floats) or 'none'} "
          f"fpu_insns={fpu} indirect={indirect} panics={','.join(sorted(panics)) or 'none'}")
    print("reached=" + "; ".join(reached))
PYTHON
# The functions whose whole call graph must be free of floating point.
# Since the batch average became an exact integer division (no `1/count` through f64),
# that includes the Q16 training step.
NO_FLOAT_ROOTS="measure::q16_digits_forward measure::q16_sine_forward measure::int8_digits_forward measure::q16_xor_step"
# Listed as a check that the walk does find soft float: the f32 sine workload.
INFO_ROOTS="measure::insn_sine"
echo "## No floating point in the Q16 and int8 inference and the Q16 training step (call graph in \`llvm-objdump -d -C\`)"
echo
echo "A call into \`core::panicking::\` is not followed (the panic handler formats its message"
echo "through calls in registers, then exits); the last column names those calls."
echo
echo "| target | function | functions reached | soft-float routines reached | FPU instructions | calls through a register | panic calls (not followed) |"
echo "| --- | --- | ---: | --- | ---: | ---: | --- |"
for t in "$M3" "$M4"; do
    # shellcheck disable=SC2086 # the lists are separate words
    python3 "$work/floatcheck.py" "$(elf "$t" measure)" $NO_FLOAT_ROOTS $INFO_ROOTS >"$work/$t.float"
    while read -r line; do
        [[ "$line" == root=* ]] || continue
        root=$(sed 's/^root=\([^ ]*\).*/\1/' <<<"$line")
        n=$(sed 's/.* functions=\([0-9]*\).*/\1/' <<<"$line")
        floats=$(sed 's/.* float_routines=\([^ ]*\).*/\1/' <<<"$line")
        fpu=$(sed 's/.* fpu_insns=\([0-9]*\).*/\1/' <<<"$line")
        ind=$(sed 's/.* indirect=\([0-9]*\).*/\1/' <<<"$line")
        panics=$(sed 's/.* panics=\([^ ]*\).*/\1/; s/,/, /g' <<<"$line")
        shown=$floats
        if [ "$floats" != none ]; then
            shown="$(tr ',' '\n' <<<"$floats" | wc -l): $(sed 's/,/, /g' <<<"$floats")"
        fi
        echo "| $t | \`$root\` | $n | $shown | $fpu | $ind | $panics |"
        if [[ " $NO_FLOAT_ROOTS " == *" $root "* ]] &&
            { [ "$floats" != none ] || [ "$fpu" != 0 ] || [ "$ind" != 0 ]; }; then
            echo "$root on $t is not free of floating point: $line" >&2
            exit 1
        fi
        if [ "$root" = measure::insn_sine ] && [ "$t" = "$M3" ] && [ "$floats" = none ]; then
            echo "the walk finds no soft float in the f32 sine workload on $t: the check is broken" >&2
            exit 1
        fi
    done <"$work/$t.float"
done
echo
echo "Everything \`measure::q16_digits_forward\` (the whole Q16 digits inference) reaches on"
echo "$M3:"
echo
sed -n 's/^reached=//p' "$work/$M3.float" | head -1 | tr ';' '\n' | sed 's/^ *//; s/^/- `/; s/$/`/'
echo
echo "Everything \`measure::int8_digits_forward\` (the whole int8 digits inference) reaches on"
echo "$M3:"
echo
sed -n 's/^reached=//p' "$work/$M3.float" | sed -n 3p | tr ';' '\n' | sed 's/^ *//; s/^/- `/; s/$/`/'
echo

# ---------------------------------------------------------------------------------
# 3. Peak stack of the unmodified binaries, painted from outside through the gdb stub.
# ---------------------------------------------------------------------------------
cat >"$work/peak.py" <<'EOF'
# usage: peak.py ELF SOCKET: connects to QEMU's gdb stub, breaks on every semihosting
# SYS_EXIT call (`bkpt 0xab` after `movs r0, #24`), runs, and prints the lowest RAM word
# above _stack_end that no longer holds the paint 0xCCCCCCCC.
import re, socket, subprocess, sys, time

elf, path = sys.argv[1], sys.argv[2]
symbols = {}
for line in subprocess.run(["readelf", "-s", "-W", elf], capture_output=True, text=True, check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 8 and f[7] in ("_stack_end", "_stack_start"):
        symbols[f[7]] = int(f[1], 16)
dis = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", elf], capture_output=True, text=True, check=True).stdout
insns = [l for l in dis.splitlines() if re.match(r"\s+[0-9a-f]+:\s", l)]
exits = [int(l.split(":")[0], 16) for i, l in enumerate(insns)
         if re.search(r"\bbkpt\s+#171\b", l) and any(re.search(r"\bmovs\s+r0, #24$", p) for p in insns[max(0, i - 4):i])]
if not exits:
    sys.exit("no semihosting exit call found in " + elf)

sock = None
for _ in range(200):
    try:
        sock = socket.socket(socket.AF_UNIX); sock.connect(path); break
    except OSError:
        time.sleep(0.05)
buf = b""
def command(data):
    global buf
    sock.sendall(b"$%s#%02x" % (data.encode(), sum(data.encode()) & 0xFF))
    while True:
        m = re.search(rb"\$([^#]*)#..", buf)
        if m:
            buf = buf[m.end():]
            sock.sendall(b"+")
            return m.group(1).decode()
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("QEMU closed the connection (the program exited before a breakpoint)")
        buf += chunk

command("?")
for a in exits:
    if command("Z1,%x,2" % a) != "OK":
        sys.exit("cannot set a breakpoint at %#x" % a)
stop = command("c")
pc = int.from_bytes(bytes.fromhex(command("g")[15 * 8:16 * 8]), "little")
if not stop.startswith("T") or pc not in exits:
    sys.exit("stopped at %#x (%s), not at an exit call" % (pc, stop))
addr, top = symbols["_stack_end"], symbols["_stack_start"]
lowest = None
while addr < top and lowest is None:
    n = min(0x400, top - addr)
    data = bytes.fromhex(command("m%x,%x" % (addr, n)))
    for k in range(0, len(data), 4):
        if data[k:k + 4] != b"\xcc\xcc\xcc\xcc":
            lowest = addr + k
            break
    addr += n
print("%d %d %d" % (top - lowest, top - symbols["_stack_end"], lowest))
sock.sendall(b"$k#6b")
EOF

external_peak() {
    local t=$1 bin=$2 file start top
    file=$(elf "$t" "$bin")
    start=$(readelf -s -W "$file" | awk '$8 == "_stack_end" { print $2 }')
    top=$(readelf -s -W "$file" | awk '$8 == "_stack_start" { print $2 }')
    python3 -c "import sys; sys.stdout.buffer.write(b'\xcc' * (0x$top - 0x$start))" >"$work/paint.bin"
    rm -f "$work/gdb.sock"
    # shellcheck disable=SC2046
    timeout 600 qemu-system-arm $(machine "$t") -nographic \
        -semihosting-config enable=on,target=native \
        -device "loader,file=$work/paint.bin,addr=0x$start,force-raw=on" \
        -chardev "socket,id=gdb,path=$work/gdb.sock,server=on,wait=on" -gdb chardev:gdb -S \
        -kernel "$file" >"$work/$t.$bin.out" 2>/dev/null &
    local qemu=$!
    python3 "$work/peak.py" "$file" "$work/gdb.sock" || {
        kill "$qemu" 2>/dev/null || true
        return 1
    }
    wait "$qemu" || true
}
echo "## Peak stack of the unmodified binaries (bytes), painted from outside"
echo
echo "| binary | target | peak stack | free RAM for the stack |"
echo "| --- | --- | ---: | ---: |"
for pair in "digits $M4" "digits $M3" "digits_int8 $M4" "digits_int8 $M3" "digits_q16 $M4" "digits_q16 $M3" "train_xor $M4"; do
    set -- $pair
    out=$(external_peak "$2" "$1")
    read -r peak room _ <<<"$out"
    echo "| \`$1\` | $2 | $peak | $room |"
done
echo
# ---------------------------------------------------------------------------------
# 4. The Cortex-M0 (thumbv6m-none-eabi, QEMU microbit: no DSP, no hardware divide,
#    16 KiB of RAM). `measure` there leaves out the workloads that copy the 19 KB
#    digits network into RAM (f32 decoded at run time, Q16); twice, as above.
# ---------------------------------------------------------------------------------
run_measure "$M0" >"$work/$M0.1"
run_measure "$M0" >"$work/$M0.2"
if ! cmp -s "$work/$M0.1" "$work/$M0.2"; then
    echo "measure on $M0 printed different output on two runs:" >&2
    diff "$work/$M0.1" "$work/$M0.2" >&2 || true
    exit 1
fi
# Integer arithmetic: the int8 and Q16 checks the M0 prints must be the M3's.
if ! diff <(grep '^check: \(digits_int8\|sine_q16\|xor_q16\) ' "$work/$M0.1") \
    <(grep '^check: \(digits_int8\|sine_q16\|xor_q16\) ' "$work/$M3.1") >&2; then
    echo "the int8 and Q16 checks of the M0 differ from the M3's" >&2
    exit 1
fi
echo "## $(core_name "$M0")"
echo
echo "\`measure\` on $M0, twice (identical output, \`cmp\`), without the workloads that"
echo "copy the 19 KB f32 digits network into RAM (16 KiB; the Q16 digits network is a \`static\` in flash): its int8 and Q16 checks equal the M3's."
echo
echo "| binary | target | .vector_table | .text | .rodata | .data (load image) | .gnu.sgstubs | flash | .data | .bss + .uninit | static RAM |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| \`digits_int8\` | $M0 | $(sizes "$(elf "$M0" digits_int8)") |"
echo
echo "| workload | items | $(core_name "$M0") | $(core_name "$M3") | M0 / M3 |"
echo "| --- | ---: | ---: | ---: | ---: |"
for w in digits_static_forward sine_forward xor_adam_training_step xor_f32_sgd_training_step \
    digits_q16_forward sine_q16_forward xor_q16_sgd_training_step digits_int8_forward; do
    a=$(field "$M0" insn "$w" per_item)
    b=$(field "$M3" insn "$w" per_item)
    echo "| $w | $(field "$M0" insn "$w" n) | $a ± $(field "$M0" insn "$w" pm) | $b ± $(field "$M3" insn "$w" pm) | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }') |"
done
echo
echo "Peak stack (own / total bytes, painted inside \`measure\`): digits_int8_inference"
echo "$(field "$M0" stack digits_int8_inference own) / $(field "$M0" stack digits_int8_inference total);"
echo "$(grep '^check: digits_int8 ' "$work/$M0.1" | sed 's/^check: //')."
echo

echo "## Raw output of \`measure\`"
for t in "$M4" "$M3" "$M0"; do
    echo
    echo "$t:"
    echo '```'
    cat "$work/$t.1"
    echo '```'
done

# ---------------------------------------------------------------------------------
# 5. The MLPerf Tiny AD autoencoder in int8 (`autoencoder_int8`; M4F only, its 286 KB
#    of weights do not fit the 256 KiB of flash of the M3 and M0 boards): flash and RAM of the
#    binary, its peak stack painted from outside, one inference's stack and
#    instructions from `measure`, the floating-point walk of that inference, and the
#    outputs against the host example.
# ---------------------------------------------------------------------------------
AE_MACS=264192
echo
echo "## The MLPerf Tiny AD autoencoder in int8 ($(core_name "$M4"))"
echo
echo "Shape 640-128-128-128-128-8-128-128-128-128-640 (ReLU, linear output), $AE_MACS MACs;"
echo "random weights, synthetic inputs (see \`src/autoencoder.rs\`)."
echo
echo "| binary | target | .vector_table | .text | .rodata | .data (load image) | .gnu.sgstubs | flash | .data | .bss + .uninit | static RAM |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| \`autoencoder_int8\` | $M4 | $(sizes "$(elf "$M4" autoencoder_int8)") |"
echo
ae_out=$(external_peak "$M4" autoencoder_int8)
read -r ae_peak ae_room _ <<<"$ae_out"
ae_insn=$(field "$M4" insn autoencoder_int8_forward per_item)
echo "| measure | value |"
echo "| --- | ---: |"
echo "| peak stack of the whole \`autoencoder_int8\` program, painted from outside | $ae_peak of $ae_room |"
echo "| peak stack of one inference inside \`measure\` (own / total) | $(field "$M4" stack autoencoder_int8_inference own) / $(field "$M4" stack autoencoder_int8_inference total) |"
echo "| instructions per inference ($(field "$M4" insn autoencoder_int8_forward n) inputs) | $ae_insn ± $(field "$M4" insn autoencoder_int8_forward pm) |"
echo "| instructions per MAC | $(awk -v a="$ae_insn" -v m="$AE_MACS" 'BEGIN { printf "%.2f", a / m }') |"
echo
# The inference must reach no floating point, like the digits int8 one.
python3 "$work/floatcheck.py" "$(elf "$M4" measure)" measure::autoencoder::int8_autoencoder_forward \
    >"$work/ae.float"
ae_float=$(grep '^root=' "$work/ae.float")
if ! grep -q ' float_routines=none fpu_insns=0 indirect=0 ' <<<"$ae_float"; then
    echo "the int8 autoencoder inference on $M4 is not free of floating point: $ae_float" >&2
    exit 1
fi
echo "Floating-point walk: \`$ae_float\`."
echo
# The outputs `measure` checked must be those of the host example (its lines after the
# first).
ae_host=$(cd .. && cargo run -q --release --example autoencoder_int8 | tail -n +2)
if ! diff <(sed -n 's/^check: autoencoder_int8 //p' "$work/$M4.1") <(echo "$ae_host") >&2; then
    echo "measure's autoencoder check differs from examples/firmware/autoencoder_int8.rs" >&2
    exit 1
fi
echo "\`measure\`'s autoencoder outputs equal \`cargo run --release --example autoencoder_int8\`'s:"
echo
echo '```'
echo "$ae_host"
echo '```'
