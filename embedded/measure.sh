#!/usr/bin/env bash
# Flash/RAM, peak stack and instructions of the firmware, as markdown tables (the
# figures in FIGURES.md). Run from anywhere: bash embedded/measure.sh
#
# Needs: the two Rust targets, qemu-system-arm, readelf (binutils), llvm-objdump (to
# find the exit calls for the external stack check) and python3 (a 60-line client of
# QEMU's gdb stub for that check).
#
# 1. Flash and RAM of each binary, from the ELF section headers (`readelf -S -W`).
# 2. `src/bin/measure.rs` under QEMU with `-icount shift=0`, on both cores, twice each;
#    the two runs must print the same bytes. It reports peak stack by stack painting
#    and instructions per inference / training step through SysTick.
# 3. The peak stack of the unmodified `digits` and `train_xor` binaries, painted from
#    outside: QEMU loads a file of 0xCC bytes over the free RAM, the program runs to its
#    semihosting exit call (a breakpoint through the gdb stub), and the client scans RAM
#    upwards for the first word that is no longer 0xCCCCCCCC.
set -euo pipefail
cd "$(dirname "$0")"

M4=thumbv7em-none-eabihf
M3=thumbv7m-none-eabi
# The machine of each target, as in .cargo/config.toml.
machine() {
    case "$1" in
        "$M4") echo "-cpu cortex-m4 -machine mps2-an386" ;;
        "$M3") echo "-cpu cortex-m3 -machine lm3s6965evb" ;;
    esac
}
core_name() {
    case "$1" in
        "$M4") echo "Cortex-M4F (mps2-an386)" ;;
        "$M3") echo "Cortex-M3 (lm3s6965evb)" ;;
    esac
}
elf() { echo "target/$1/release/$2"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for t in "$M4" "$M3"; do
    cargo build -q --release --target "$t" --bins
done

echo "## Environment"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- $(rustc --version)"
echo "- $(qemu-system-arm --version | head -1)"
echo "- $(readelf --version | head -1)"
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
for pair in "digits $M4" "digits $M3" "train_xor $M4" "measure $M4" "measure $M3"; do
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
    xor_whole_training; do
    echo "| $w | $(field "$M4" stack "$w" own) | $(field "$M4" stack "$w" total) | $(field "$M3" stack "$w" own) | $(field "$M3" stack "$w" total) |"
done
echo

echo "## Instructions (QEMU \`-icount shift=0\`, SysTick on the core clock)"
echo
echo "| workload | items | $(core_name "$M4") | $(core_name "$M3") | M3 / M4F |"
echo "| --- | ---: | ---: | ---: | ---: |"
for w in digits_static_forward digits_runtime_forward digits_decode_from_bytes sine_forward \
    xor_adam_training_step; do
    a=$(field "$M4" insn "$w" per_item)
    b=$(field "$M3" insn "$w" per_item)
    echo "| $w | $(field "$M4" insn "$w" n) | $a ± $(field "$M4" insn "$w" pm) | $b ± $(field "$M3" insn "$w" pm) | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }') |"
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
    echo "- $t: $(grep '^check:' "$work/$t.1")"
done
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
for pair in "digits $M4" "digits $M3" "train_xor $M4"; do
    set -- $pair
    out=$(external_peak "$2" "$1")
    read -r peak room _ <<<"$out"
    echo "| \`$1\` | $2 | $peak | $room |"
done
echo
echo "## Raw output of \`measure\`"
for t in "$M4" "$M3"; do
    echo
    echo "$t:"
    echo '```'
    cat "$work/$t.1"
    echo '```'
done
