#!/usr/bin/env bash
# Creates the Python virtual environment for Benchmarks/jax/reference.py with the
# versions pinned in requirements.txt, using `python3 -m venv` and pip. Running it again
# installs nothing when the environment already has those versions.
#
# Usage: Benchmarks/jax/setup.sh
# WEFT_JAX_VENV sets the environment's folder (default: <repository>/.build/jax-venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repository="$(cd "$here/../.." && pwd)"
venv="${WEFT_JAX_VENV:-$repository/.build/jax-venv}"
requirements="$here/requirements.txt"

# Exits with status 0 when every `name==version` pin in requirements.txt is installed in
# the environment and JAX runs an operation.
has_pinned_versions() {
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" - "$requirements" <<'PY'
import sys
from importlib import metadata

for line in open(sys.argv[1], encoding="utf-8"):
    requirement = line.split("#", 1)[0].strip()
    if not requirement:
        continue
    name, _, pinned = requirement.partition("==")
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        installed = None
    if installed != pinned:
        print(f"{name}: {installed or 'not installed'}, pinned {pinned}", file=sys.stderr)
        sys.exit(1)

import jax.numpy as jnp
import flax.linen
import optax

jnp.ones(3).block_until_ready()
PY
}

if has_pinned_versions 2>/dev/null; then
    echo "JAX environment at $venv has the pinned versions; nothing to install"
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "creating a virtual environment at $venv"
    mkdir -p "$(dirname "$venv")"
    if ! python3 -m venv "$venv"; then
        echo "error: python3 -m venv $venv failed; on Debian or Ubuntu, install python3-venv" >&2
        exit 1
    fi
fi

echo "installing the pins of $requirements into $venv"
"$venv/bin/python" -m pip install --disable-pip-version-check -r "$requirements"

if ! has_pinned_versions; then
    echo "error: $venv still lacks a pinned version or cannot run JAX after pip install (see above)" >&2
    exit 1
fi
echo "JAX environment ready at $venv:"
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -E '^(jax|jaxlib|flax|optax|numpy) '
