#!/usr/bin/env bash
# Compares Weft with JAX/Flax/Optax on the same machine in one session. Builds the
# release products weft-bench and mnist, prepares the JAX environment with
# Benchmarks/jax/setup.sh, then runs weft-bench and Benchmarks/jax/reference.py in
# alternating rounds (Weft, JAX, Weft, JAX, ...), three of each by default (--rounds
# sets the number). Ratios compare the medians over the rounds, so one round that falls in a
# slow minute of this virtual machine does not decide a ratio. It also runs one MNIST
# training epoch of each framework under /usr/bin/time -v for the record of peak
# memory. At the end it prints the table of Weft/JAX ratios and the targets
# (Benchmarks/jax/ratios.py).
# Not part of the tests.
#
# Usage: Benchmarks/compare-with-jax.sh [output-folder] [--data-dir DIR] [--rounds N]
#   output-folder  where the raw outputs go (default: /tmp/weft-bench-<date>-<time>)
#   --rounds       the number of rounds of each framework (default 3)
#   --data-dir     folder with the four MNIST IDX .gz files (default: ../shared/datasets/mnist
#                  beside the repository, if that folder exists)
# WEFT_JAX_VENV sets the JAX virtual environment (default: .build/jax-venv).
set -euo pipefail

usage() {
    sed -n '/^# Usage:/,/^# WEFT_JAX_VENV/p' "$0" | sed 's/^# \{0,1\}//'
}

out=""
data=""
rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds)
            if [ $# -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
                echo "error: --rounds needs a positive whole number" >&2
                exit 2
            fi
            rounds="$2"
            shift 2
            ;;
        --rounds=*)
            rounds="${1#--rounds=}"
            if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
                echo "error: --rounds needs a positive whole number" >&2
                exit 2
            fi
            shift
            ;;
        --data-dir)
            if [ $# -lt 2 ]; then
                echo "error: --data-dir needs a folder" >&2
                exit 2
            fi
            data="$2"
            shift 2
            ;;
        --data-dir=*)
            data="${1#--data-dir=}"
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            echo "error: unknown option $1" >&2
            usage >&2
            exit 2
            ;;
        *)
            if [ -n "$out" ]; then
                echo "error: two output folders given: $out and $1" >&2
                exit 2
            fi
            out="$1"
            shift
            ;;
    esac
done

# Resolve the paths from the caller's folder before moving to the repository root.
repository="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$data" ]; then
    if [ ! -d "$repository/../shared/datasets/mnist" ]; then
        echo "error: no MNIST folder at $repository/../shared/datasets/mnist; pass --data-dir DIR" >&2
        exit 2
    fi
    data="$repository/../shared/datasets/mnist"
fi
if [ ! -d "$data" ]; then
    echo "error: the data folder $data does not exist" >&2
    exit 2
fi
data="$(cd "$data" && pwd)"
for file in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    if [ ! -f "$data/$file" ]; then
        echo "error: $file is missing in $data" >&2
        exit 2
    fi
done
out="${out:-/tmp/weft-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$repository"

export WEFT_JAX_VENV="${WEFT_JAX_VENV:-$repository/.build/jax-venv}"
python="$WEFT_JAX_VENV/bin/python"

# Runs a command with its output appended to a log, and shows the log's end if it fails.
run_logged() {
    local log="$1"
    shift
    if ! "$@" >> "$log" 2>&1; then
        echo "error: '$*' failed; the end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
}

# Runs a command under /usr/bin/time -v: its output goes to $out/NAME.txt, and the
# figures of /usr/bin/time together with the command's stderr go to $out/NAME.time.
run_timed() {
    local name="$1"
    shift
    if ! /usr/bin/time -v "$@" > "$out/$name.txt" 2> "$out/$name.time"; then
        echo "error: '$*' failed; the end of $out/$name.time:" >&2
        tail -n 40 "$out/$name.time" >&2
        exit 1
    fi
}

{
    echo "date: $(date -Iseconds)"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
    echo "memory: $(grep -m1 MemTotal /proc/meminfo | xargs)"
    if commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
        git diff --quiet HEAD || commit="$commit with uncommitted changes"
        echo "weft commit: $commit"
    fi
    echo "swift: $(swift --version 2>&1 | head -n 1)"
    echo "data: $data"
} | tee "$out/machine.txt"

echo "== building the release products weft-bench and mnist"
: > "$out/build.txt"
run_logged "$out/build.txt" swift build -c release --product weft-bench
run_logged "$out/build.txt" swift build -c release --product mnist

echo "== preparing the JAX environment at $WEFT_JAX_VENV"
: > "$out/setup.txt"
run_logged "$out/setup.txt" bash Benchmarks/jax/setup.sh

for round in $(seq 1 "$rounds"); do
    echo "== round $round: weft-bench"
    .build/release/weft-bench --data-dir "$data" | tee "$out/weft-$round.txt"
    echo "== round $round: JAX reference.py"
    "$python" Benchmarks/jax/reference.py --data-dir "$data" | tee "$out/jax-$round.txt"
done

# The peak memory of one whole training run, as /usr/bin/time reports it (kB).
echo "== one MNIST epoch of each under /usr/bin/time -v"
run_timed weft-mnist-1-epoch .build/release/mnist --epochs 1 --data-dir "$data"
run_timed jax-mnist-1-epoch "$python" Benchmarks/jax/reference.py --child-mnist-1-epoch --data-dir "$data"
for framework in weft jax; do
    echo "$framework: $(grep -E 'Maximum resident set size' "$out/$framework-mnist-1-epoch.time" | xargs)," \
        "$(grep -E 'Elapsed \(wall clock\)' "$out/$framework-mnist-1-epoch.time" | xargs)"
done | tee "$out/mnist-1-epoch-time.txt"

echo "== Weft/JAX ratios"
weft_rounds=()
jax_rounds=()
for round in $(seq 1 "$rounds"); do
    weft_rounds+=("$out/weft-$round.txt")
    jax_rounds+=("$out/jax-$round.txt")
done
"$python" Benchmarks/jax/ratios.py --weft "${weft_rounds[@]}" --jax "${jax_rounds[@]}" | tee "$out/ratios.txt"

echo "raw outputs in $out"
