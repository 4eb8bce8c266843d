#!/usr/bin/env bash
# Trains the MNIST example (the main job). Extra arguments go to the example,
# for example: scripts/mnist.sh --epochs 1 --data-dir ~/data/mnist
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-packages.sh
swift run -c release mnist "$@"
