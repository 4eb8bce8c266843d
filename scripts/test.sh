#!/usr/bin/env bash
# Runs the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-packages.sh
swift build --build-tests
swift test --skip-build
