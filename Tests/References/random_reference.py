"""Print reference values for the Weft PRNG tests (Tests/TensorTests/RandomTests.swift).

The Swift tests quote the numbers this script prints. Run it from the
repository root with Python 3.11 and jax==0.10.2, jaxlib==0.10.2 and
numpy==2.4.6 on the CPU backend:

    python Tests/References/random_reference.py

The values were made on an x86-64 host with AVX-512 and FMA. XLA:CPU fuses
multiply-adds on such hosts, and the Swift samplers reproduce that rounding.

Float32 values are printed with '%.9g', which round-trips any float32.
Arrays are printed flat in row-major order after their shape. Keys, fold_in,
the threefry block function and the float32 math do not depend on the threefry
mode and are printed once. The sampler section is printed twice: with
jax_threefry_partitionable=True (the default in JAX 0.10.2) and with False
(the legacy mode).
"""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax
import jax.numpy as jnp
import numpy as np
from jax import random


def fmt(value):
    array = np.asarray(value)
    if array.dtype == np.float32:
        items = ["%.9g" % float(v) for v in array.ravel()]
    elif array.dtype == np.bool_:
        items = ["true" if v else "false" for v in array.ravel()]
    else:
        items = [str(int(v)) for v in array.ravel()]
    return "shape=%s [%s]" % (tuple(array.shape), ", ".join(items))


def show(label, value):
    print("  %s: %s" % (label, fmt(value)))


def float_list(values):
    return "[%s]" % ", ".join("%.9g" % float(v) for v in values)


def permutation_checksum(perm):
    """Sum of (i + 1) * perm[i] as an exact integer."""
    values = np.asarray(perm).astype(np.int64)
    return int(np.sum((np.arange(values.size, dtype=np.int64) + 1) * values))


def mode_independent_values():
    print("Mode-independent values")
    for seed in [0, 1, 42, -1, -2, 2**31, 2**32 + 5, 2**40 + 7, -(2**40) - 3]:
        show("PRNGKey(%d)" % seed, random.PRNGKey(seed))
    show("fold_in(PRNGKey(0), 7)", random.fold_in(random.PRNGKey(0), 7))
    show("fold_in(PRNGKey(42), 2**31)", random.fold_in(random.PRNGKey(42), 2**31))
    show("fold_in(PRNGKey(1), 2**32 - 1)", random.fold_in(random.PRNGKey(1), 2**32 - 1))
    show("fold_in(fold_in(PRNGKey(3), 0), 1)",
         random.fold_in(random.fold_in(random.PRNGKey(3), 0), 1))


def threefry_and_float32_math_values():
    print()
    print("Threefry block function and XLA:CPU float32 math")
    from jax.extend.random import threefry_2x32
    for key, count in [((0, 0), (0, 0)),
                       ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF)),
                       ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3))]:
        words = threefry_2x32(np.array(key, np.uint32), np.array(count, np.uint32))
        show("threefry_2x32(key=[%#010x, %#010x], count=[%#010x, %#010x])" % (key + count), words)
    # XLA:CPU evaluates these functions with its own polynomials in vectorized
    # loops and inside the sampler kernels. A standalone jnp.log kernel on a
    # short array (3, 5, 6 or 7 elements) can round differently: where
    # checked, its values were those of glibc's logf. Each input is therefore
    # tiled to 64 elements and the first copy is printed.
    def first_of_tiled(function, inputs):
        return np.asarray(jax.jit(function)(np.tile(inputs, 64)))[:inputs.size]

    logs = np.array([5.8359723, 1.2e-38, 0.1, 1.0, 2.0, 1e30], np.float32)
    show("log(%s)" % float_list(logs), first_of_tiled(jnp.log, logs))
    log1ps = np.array([-0.99984014, -0.5, -1e-3, 0.3, 0.5, 5.0956936], np.float32)
    show("log1p(%s)" % float_list(log1ps), first_of_tiled(jax.lax.log1p, log1ps))
    erfs = np.array([-4.0, -1.0606601, 0.001, 0.5, 1.4142135, 3.8], np.float32)
    show("erf(%s)" % float_list(erfs), first_of_tiled(jax.lax.erf, erfs))
    erfinvs = np.array([-0.99999994, -0.7, 0.0, 0.25, 0.9, 0.9999], np.float32)
    show("erf_inv(%s)" % float_list(erfinvs), first_of_tiled(jax.lax.erf_inv, erfinvs))
    # 1/(i+1) for i < 40 sums differently blockwise than sequentially.
    harmonic = (1.0 / np.arange(1, 41)).astype(np.float32)
    show("cumsum(1/(i+1) for i < 40)", jax.jit(jnp.cumsum)(harmonic))


def mode_values(partitionable):
    jax.config.update("jax_threefry_partitionable", partitionable)
    print()
    print("jax_threefry_partitionable=%s" % partitionable)
    key0 = random.PRNGKey(0)
    key1 = random.PRNGKey(1)
    key7 = random.PRNGKey(7)

    # Keys and raw bits.
    show("split(PRNGKey(0))", random.split(key0))
    show("split(PRNGKey(42), 3)", random.split(random.PRNGKey(42), 3))
    show("split(PRNGKey(7), 5)", random.split(key7, 5))
    show("split(fold_in(PRNGKey(0), 7))", random.split(random.fold_in(key0, 7)))
    show("bits(PRNGKey(0), (7,))", random.bits(key0, (7,)))
    show("bits(PRNGKey(1), (3, 5))", random.bits(key1, (3, 5)))
    show("bits(PRNGKey(7), ())", random.bits(key7, ()))

    # Continuous samplers.
    show("uniform(PRNGKey(0), (4,))", random.uniform(key0, (4,)))
    show("uniform(PRNGKey(1), (3, 5))", random.uniform(key1, (3, 5)))
    show("uniform(PRNGKey(7), (7,), minval=-3.7, maxval=5.3)",
         random.uniform(key7, (7,), minval=-3.7, maxval=5.3))
    show("normal(PRNGKey(0), (4,))", random.normal(key0, (4,)))
    show("normal(PRNGKey(1), (3, 5))", random.normal(key1, (3, 5)))
    show("normal(PRNGKey(7), (2, 3, 4))", random.normal(key7, (2, 3, 4)))
    key = random.PRNGKey(42)
    key, sub = random.split(key)
    show("PRNGKey(42) split chain, normal(sub1, (5,))", random.normal(sub, (5,)))
    key, sub = random.split(key)
    show("PRNGKey(42) split chain, normal(sub2, (5,))", random.normal(sub, (5,)))
    show("truncated_normal(PRNGKey(0), -1.5, 2.0, (7,))",
         random.truncated_normal(key0, -1.5, 2.0, (7,)))
    show("truncated_normal(PRNGKey(1), 1.0, inf, (5,))",
         random.truncated_normal(key1, 1.0, np.inf, (5,)))
    show("truncated_normal(PRNGKey(7), -inf, -2.0, (2, 3))",
         random.truncated_normal(key7, -np.inf, -2.0, (2, 3)))
    show("truncated_normal(PRNGKey(7), -2.0, 2.0, (9,))",
         random.truncated_normal(key7, -2.0, 2.0, (9,)))
    show("bernoulli(PRNGKey(0), 0.5, (8,))", random.bernoulli(key0, 0.5, (8,)))
    show("bernoulli(PRNGKey(1), 0.3, (3, 5))", random.bernoulli(key1, 0.3, (3, 5)))
    show("gumbel(PRNGKey(0), (5,))", random.gumbel(key0, (5,)))

    # Integer samplers.
    show("randint(PRNGKey(0), (9,), 0, 10)", random.randint(key0, (9,), 0, 10))
    show("randint(PRNGKey(1), (3, 4), -5, 5)", random.randint(key1, (3, 4), -5, 5))
    show("randint(PRNGKey(7), (5,), -2**31, 2**31 - 1)",
         random.randint(key7, (5,), -(2**31), 2**31 - 1))
    show("randint(PRNGKey(7), (4,), 100000, 7000000)",
         random.randint(key7, (4,), 100000, 7000000))
    show("randint(PRNGKey(0), (3,), 5, 5)", random.randint(key0, (3,), 5, 5))
    show("randint(PRNGKey(0), (3,), 7, 3)", random.randint(key0, (3,), 7, 3))

    # Shuffling.
    show("permutation(PRNGKey(0), 10)", random.permutation(key0, 10))
    show("permutation(PRNGKey(1), 1)", random.permutation(key1, 1))
    large = np.asarray(random.permutation(key0, 60000))
    show("permutation(PRNGKey(0), 60000)[:20]", large[:20])
    show("permutation(PRNGKey(0), 60000)[-5:]", large[-5:])
    print("  permutation(PRNGKey(0), 60000) checksum sum((i+1)*p[i]): %d"
          % permutation_checksum(large))
    matrix = jnp.arange(12, dtype=jnp.float32).reshape(4, 3)
    show("permutation(PRNGKey(7), arange(12).reshape(4, 3))",
         random.permutation(key7, matrix))
    show("permutation(PRNGKey(7), arange(4) * 10)",
         random.permutation(key7, jnp.arange(4, dtype=jnp.int32) * 10))

    # Discrete distributions.
    logits = jnp.array([[0.1, 2.0, -1.0, 0.5, 0.0],
                        [1.5, 1.5, 1.5, 1.5, 1.5],
                        [-3.0, 0.0, 3.0, 0.2, -0.7]], dtype=jnp.float32)
    show("categorical(PRNGKey(0), logits3x5, axis=-1)",
         random.categorical(key0, logits, axis=-1))
    show("categorical(PRNGKey(1), logits3x5, axis=0)",
         random.categorical(key1, logits, axis=0))
    show("categorical(PRNGKey(7), logits3x5[0], shape=(2, 3))",
         random.categorical(key7, logits[0], shape=(2, 3)))
    show("categorical(PRNGKey(7), logits3x5, axis=-1, shape=(4, 3))",
         random.categorical(key7, logits, axis=-1, shape=(4, 3)))
    show("categorical(PRNGKey(0), logits3x5, axis=-1, shape=(2, 3), replace=False)",
         random.categorical(key0, logits, axis=-1, shape=(2, 3), replace=False))
    p = jnp.array([0.1, 0.4, 0.05, 0.25, 0.2], dtype=jnp.float32)
    show("choice(PRNGKey(0), 10, (3,), replace=False)",
         random.choice(key0, 10, (3,), replace=False))
    show("choice(PRNGKey(1), 10, (2, 2), replace=True)",
         random.choice(key1, 10, (2, 2), replace=True))
    show("choice(PRNGKey(7), 5, (6,), replace=True, p=p)",
         random.choice(key7, 5, (6,), replace=True, p=p))
    show("choice(PRNGKey(7), 5, (4,), replace=False, p=p)",
         random.choice(key7, 5, (4,), replace=False, p=p))
    rows = jnp.arange(10, dtype=jnp.float32).reshape(5, 2)
    show("choice(PRNGKey(0), arange(10).reshape(5, 2), (3,), replace=False)",
         random.choice(key0, rows, (3,), replace=False))


def main():
    print("Weft PRNG reference values")
    print("jax %s, jaxlib %s, numpy %s, backend %s"
          % (jax.__version__, jax.lib.__version__, np.__version__, jax.default_backend()))
    print()
    mode_independent_values()
    threefry_and_float32_math_values()
    mode_values(True)
    mode_values(False)


if __name__ == "__main__":
    main()
