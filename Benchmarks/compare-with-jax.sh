#!/usr/bin/env bash
# Runs Weft's benchmarks and the JAX reference programs in one session, so their
# figures can be compared on the same machine and load. Needs the JAX environment
# made by ../shared/bench/setup.sh (jax 0.10.2, flax 0.12.8, optax 0.2.8) and the
# MNIST files in ../shared/datasets/mnist. Not part of the tests.
#
# Usage: Benchmarks/compare-with-jax.sh [output-folder]
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-/tmp/weft-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
shared="$(cd .. && pwd)/shared"
python="${ANCHORS_VENV:-/tmp/anchors/venv}/bin/python"
data="$shared/datasets/mnist"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" | tee "$out/machine.txt"
bash "$shared/bench/setup.sh" > "$out/setup.txt"

swift build -c release --product weft-bench > "$out/build.txt" 2>&1
swift build -c release --product mnist >> "$out/build.txt" 2>&1
swift build -c release --product linreg >> "$out/build.txt" 2>&1

echo "== weft-bench" | tee "$out/weft-bench.txt"
.build/release/weft-bench | tee -a "$out/weft-bench.txt"

echo "== JAX micro.py (matmul, dot)" | tee "$out/jax-micro.txt"
"$python" "$shared/bench/micro.py" --only ab --data "$data" | tee -a "$out/jax-micro.txt"

for run in 1 2; do
    echo "== Weft MNIST eager (--no-jit), 3 epochs, run $run" | tee "$out/weft-mnist-eager-$run.txt"
    /usr/bin/time -v .build/release/mnist --no-jit --epochs 3 --data-dir "$data" 2>"$out/weft-mnist-eager-$run.time" \
        | grep -E '^Epoch' | tee -a "$out/weft-mnist-eager-$run.txt"
    grep -E 'Maximum resident|Elapsed' "$out/weft-mnist-eager-$run.time" | tee -a "$out/weft-mnist-eager-$run.txt"

    echo "== Weft MNIST jit, 3 epochs, run $run" | tee "$out/weft-mnist-$run.txt"
    /usr/bin/time -v .build/release/mnist --epochs 3 --data-dir "$data" 2>"$out/weft-mnist-$run.time" \
        | grep -E '^Epoch' | tee -a "$out/weft-mnist-$run.txt"
    grep -E 'Maximum resident|Elapsed' "$out/weft-mnist-$run.time" | tee -a "$out/weft-mnist-$run.txt"

    echo "== JAX mnist_flax.py --mode tight, 3 epochs, run $run" | tee "$out/jax-mnist-$run.txt"
    /usr/bin/time -v "$python" "$shared/bench/mnist_flax.py" --mode tight --epochs 3 --data "$data" \
        --overview-out "$out/jax-overview.txt" 2>"$out/jax-mnist-$run.time" \
        | grep -E '^epoch=|first_step' | tee -a "$out/jax-mnist-$run.txt"
    grep -E 'Maximum resident|Elapsed' "$out/jax-mnist-$run.time" | tee -a "$out/jax-mnist-$run.txt"
done
echo "== Weft linreg" | tee "$out/weft-linreg.txt"
.build/release/linreg | tee -a "$out/weft-linreg.txt"
echo "== JAX linreg.py" | tee "$out/jax-linreg.txt"
"$python" "$shared/bench/linreg.py" | grep -E '^variant=' | tee -a "$out/jax-linreg.txt"

echo "results in $out"
