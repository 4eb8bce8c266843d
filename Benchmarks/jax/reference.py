#!/usr/bin/env python3
"""Measure the JAX/Flax/Optax reference figures for Weft's benchmark cases.

Usage: reference.py --data-dir DIR [case ...]

Without case names, every case runs in the order of CASES. Each case prints one line,
`<case-name> <metric>=<value> ...`, the format that Weft's `weft-bench` prints, so
that ratios.py beside this file can pair the two outputs. Every other line of output
starts with `#`. The MNIST cases read the four gzip-compressed IDX files from
--data-dir. The matmul, dot and linear-regression cases need no data.

The MNIST workload is the Flax linen MLP 784-128-128-10 (images scaled by 1/255 inside
the model), trained with optax.adam(1e-3) through a flax TrainState. Its jitted
training step gathers the batch from the training set, which the step's closure
captures, so XLA compiles the set into the program as a constant.
"""

import argparse
import gzip
import math
import os
import platform
import resource
import statistics
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata

import numpy as np
import jax
import jax.numpy as jnp
from jax import random
import flax.linen as nn
from flax.training import train_state
import optax

CHILD_FLAG = "--child-mnist-1-epoch"
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
CASE_NAME_WIDTH = 34
LEARNING_RATE = 1e-3
LINREG_POINTS = 1_000_000
LINREG_STEPS = 1000
LINREG_LEARNING_RATE = 0.01


# Output


def format_decimal(value):
    """Format a finite figure as a plain decimal with at least five significant digits."""
    if not math.isfinite(value):
        raise ValueError(f"figure is not finite: {value}")
    magnitude = math.floor(math.log10(abs(value))) if value != 0 else 0
    decimals = min(9, max(1, 4 - magnitude))
    return f"{value:.{decimals}f}"


def print_case(name, figures):
    """Print a case line: the padded name, then `metric=value` for each figure."""
    metrics = " ".join(f"{metric}={format_decimal(value)}" for metric, value in figures.items())
    print(name.ljust(CASE_NAME_WIDTH - 1) + " " + metrics, flush=True)


def print_note(text):
    print(f"# {text}", flush=True)


def median_seconds(function, repetitions):
    """Call `function` `repetitions` times and return the median wall time in seconds.

    `function` must block until its result is ready.
    """
    durations = []
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


# MNIST data, model and training step


def read_idx_ubyte_gz(path):
    """Read a gzip-compressed IDX file of unsigned bytes into a NumPy array."""
    with gzip.open(path, "rb") as file:
        content = file.read()
    zero, type_code, rank = struct.unpack(">HBB", content[:4])
    if zero != 0 or type_code != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes (header {content[:4].hex()})")
    header_size = 4 + 4 * rank
    shape = struct.unpack(f">{rank}I", content[4:header_size])
    values = np.frombuffer(content, dtype=np.uint8, offset=header_size)
    if values.size != math.prod(shape):
        raise ValueError(f"{path}: header shape {shape} needs {math.prod(shape)} bytes, found {values.size}")
    return values.reshape(shape)


def missing_mnist_files(data_dir):
    return [name for name in MNIST_FILES.values() if not os.path.isfile(os.path.join(data_dir, name))]


@dataclass(frozen=True)
class Mnist:
    """The MNIST arrays on the JAX device: images uint8 (N, 28, 28), labels uint8 (N,)."""

    train_images: jax.Array
    train_labels: jax.Array
    train_one_hot: jax.Array  # float32 (60000, 10)
    test_images: jax.Array
    test_labels: jax.Array


def load_mnist(data_dir):
    arrays = {field: jnp.asarray(read_idx_ubyte_gz(os.path.join(data_dir, name)))
              for field, name in MNIST_FILES.items()}
    one_hot = jax.nn.one_hot(arrays["train_labels"], 10, dtype=jnp.float32)
    mnist = Mnist(train_one_hot=one_hot, **arrays)
    jax.block_until_ready(mnist.train_one_hot)
    return mnist


class MLP(nn.Module):
    """The MNIST model of Weft's example: 784-128-128-10 with relu."""

    @nn.compact
    def __call__(self, images):
        x = images.reshape((images.shape[0], -1)) / 255.0
        x = nn.relu(nn.Dense(128, name="Dense1")(x))
        x = nn.relu(nn.Dense(128, name="Dense2")(x))
        return nn.Dense(10, name="Output")(x)


def create_train_state(mnist):
    """Return (key, state): the initial training state and the key for the epoch permutations.

    PRNGKey(42) is split into that key and the key that initializes the parameters.
    """
    model = MLP()
    key, init_key = random.split(random.PRNGKey(42))
    params = model.init(init_key, mnist.train_images[:1])["params"]
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=optax.adam(LEARNING_RATE))
    jax.block_until_ready(state)
    return key, state


def train_on_batch(state, images, one_hot):
    """Take one Adam step on the mean softmax cross-entropy and return (new state, loss)."""

    def loss_fn(params):
        logits = state.apply_fn({"params": params}, images)
        return jnp.mean(-jnp.sum(one_hot * jax.nn.log_softmax(logits), axis=-1))

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


def make_captured_step(mnist):
    """Return a new jitted `train_step(state, idxs)` that captures the training set.

    Each call creates a new function object, so the result shares no jit cache entry
    with earlier steps and its first call traces and compiles from scratch.
    """
    images, one_hot = mnist.train_images, mnist.train_one_hot

    def train_step(state, idxs):
        return train_on_batch(state, images[idxs], one_hot[idxs])

    return jax.jit(train_step)


def make_argument_step():
    """Return a new jitted `train_step(state, images, one_hot)` that takes the batch as arguments."""

    def train_step(state, images, one_hot):
        return train_on_batch(state, images, one_hot)

    return jax.jit(train_step)


def epoch_batches(perm_key, example_count, batch_size):
    """Return the epoch's index batches, (example_count // batch_size, batch_size) int32.

    The indices come from a random permutation. The remainder after the last full batch is dropped.
    """
    steps = example_count // batch_size
    order = random.permutation(perm_key, example_count)
    return order[: steps * batch_size].reshape((steps, batch_size))


def train_epoch(train_step, state, key, example_count, batch_size):
    """Run one epoch and return (state, key, losses), blocking only on the final step.

    The per-step losses stay on the device as a list of scalars.
    """
    key, perm_key = random.split(key)
    batches = epoch_batches(perm_key, example_count, batch_size)
    losses = []
    for step in range(batches.shape[0]):
        state, loss = train_step(state, batches[step])
        losses.append(loss)
    jax.block_until_ready((state, losses[-1]))
    return state, key, losses


@jax.jit
def accuracy(params, images, labels):
    logits = MLP().apply({"params": params}, images)
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


# Shared inputs


class Inputs:
    """The data that cases share, loaded on first use."""

    def __init__(self, data_dir):
        self.data_dir = data_dir

    @cached_property
    def mnist(self):
        return load_mnist(self.data_dir)

    @cached_property
    def linreg_data(self):
        """Return (x, y): x ~ uniform(0, 1) and y = 4x + 1 + normal noise, both drawn with PRNGKey(1)."""
        key = random.PRNGKey(1)
        x = random.uniform(key, (LINREG_POINTS,))
        y = 4 * x + 1 + random.normal(key, (LINREG_POINTS,))
        jax.block_until_ready(y)
        return x, y


# Tensor cases


def measure_matmul(inputs):
    size = 1024
    key_a, key_b = random.split(random.PRNGKey(0))
    a = random.normal(key_a, (size, size), jnp.float32)
    b = random.normal(key_b, (size, size), jnp.float32)
    matmul = jax.jit(jnp.matmul)
    matmul(a, b).block_until_ready()
    seconds = median_seconds(lambda: matmul(a, b).block_until_ready(), 10)
    return {"gflops": 2 * size**3 / seconds / 1e9}


def measure_dot(inputs):
    length = 100_000_000
    key_a, key_b = random.split(random.PRNGKey(0))
    a = random.uniform(key_a, (length,), jnp.float32)
    b = random.uniform(key_b, (length,), jnp.float32)
    dot = jax.jit(jnp.dot)
    dot(a, b).block_until_ready()
    seconds = median_seconds(lambda: dot(a, b).block_until_ready(), 5)
    return {"ms": seconds * 1e3}


# MNIST training cases


def measure_epoch(inputs, batch_size):
    """Train two epochs after one discarded warm-up step and report the second epoch.

    The epoch time covers the permutation and all steps. Timing the second epoch keeps
    the compilation of the per-epoch helpers (permutation, row slicing) out of it.
    """
    mnist = inputs.mnist
    example_count = mnist.train_images.shape[0]
    key, state = create_train_state(mnist)
    train_step = make_captured_step(mnist)
    jax.block_until_ready(train_step(state, jnp.arange(batch_size, dtype=jnp.int32)))

    durations = []
    mean_losses = []
    for _ in range(2):
        start = time.perf_counter()
        state, key, losses = train_epoch(train_step, state, key, example_count, batch_size)
        durations.append(time.perf_counter() - start)
        mean_losses.append(float(jnp.mean(jnp.stack(losses))))

    steps = example_count // batch_size
    print_note(f"mnist-epoch-b{batch_size}: {steps} steps per epoch, epoch times "
               f"{durations[0]:.3f} s and {durations[1]:.3f} s, "
               f"mean training loss {mean_losses[0]:.4f} and {mean_losses[1]:.4f}")
    return {"seconds_per_epoch": durations[1], "steps_per_second": steps / durations[1]}


def measure_step_latency(inputs, batch_size, warmup_steps=50, timed_steps=1000):
    """Time single training steps, each blocked, on consecutive batches of one permutation.

    The batches wrap around to the first one after the permutation's last full batch.
    """
    mnist = inputs.mnist
    example_count = mnist.train_images.shape[0]
    key, state = create_train_state(mnist)
    _, perm_key = random.split(key)
    batches = epoch_batches(perm_key, example_count, batch_size)
    batch_list = [batches[i] for i in range(min(batches.shape[0], warmup_steps + timed_steps))]
    train_step = make_captured_step(mnist)

    latencies = []
    for step in range(warmup_steps + timed_steps):
        idxs = batch_list[step % len(batch_list)]
        start = time.perf_counter()
        state, loss = train_step(state, idxs)
        jax.block_until_ready((state, loss))
        if step >= warmup_steps:
            latencies.append(time.perf_counter() - start)

    latencies_us = np.array(latencies) * 1e6
    return {"median_us": float(np.median(latencies_us)), "p90_us": float(np.percentile(latencies_us, 90))}


def measure_first_step_captured(inputs):
    """Time jax.jit of a new step that captures the training set, through its first result."""
    mnist = inputs.mnist
    _, state = create_train_state(mnist)
    idxs = jnp.arange(32, dtype=jnp.int32)
    jax.block_until_ready(idxs)

    start = time.perf_counter()
    train_step = make_captured_step(mnist)
    jax.block_until_ready(train_step(state, idxs))
    return {"seconds": time.perf_counter() - start}


def measure_first_step_argument(inputs):
    """Time jax.jit of a new step that takes a batch of 32 as arguments, through its first result."""
    mnist = inputs.mnist
    _, state = create_train_state(mnist)
    images = mnist.train_images[:32]
    one_hot = mnist.train_one_hot[:32]
    jax.block_until_ready((images, one_hot))

    start = time.perf_counter()
    train_step = make_argument_step()
    jax.block_until_ready(train_step(state, images, one_hot))
    return {"seconds": time.perf_counter() - start}


def measure_inference(inputs):
    """Time the jitted forward pass on all 10,000 test images in one call (median of 10)."""
    mnist = inputs.mnist
    _, state = create_train_state(mnist)
    predict = jax.jit(lambda params, images: state.apply_fn({"params": params}, images))
    predict(state.params, mnist.test_images).block_until_ready()
    seconds = median_seconds(lambda: predict(state.params, mnist.test_images).block_until_ready(), 10)
    image_count = mnist.test_images.shape[0]
    return {"seconds": seconds, "images_per_second": image_count / seconds}


def measure_peak_rss(inputs):
    """Run one training epoch in a child process and report the child's peak resident set size.

    The child reports its accuracy on a `#` line, which this function forwards.
    """
    # Linux keeps a process's peak RSS across exec, so the child's ru_maxrss starts at
    # this process's peak when the child starts. That is why this case runs first,
    # while this process has little more than the imported modules in memory.
    parent_kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    command = [sys.executable, os.path.abspath(__file__), CHILD_FLAG, "--data-dir", inputs.data_dir]
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"child process {command} failed with exit status {completed.returncode}")
    for line in completed.stdout.splitlines():
        if line.startswith("#"):
            print(line, flush=True)

    # RUSAGE_CHILDREN gives the maximum over all waited-for children, and this child is
    # the only one that this script starts. Linux reports ru_maxrss in kB.
    kilobytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if kilobytes <= parent_kilobytes:
        print_note(f"WARNING: the child's peak RSS ({kilobytes} kB) does not exceed this process's "
                   f"peak before the fork ({parent_kilobytes} kB), so it may be this process's figure; "
                   f"compare the child's VmHWM above")
    return {"megabytes": kilobytes * 1024 / 1e6}


def peak_rss_kilobytes_of_this_process():
    """Return VmHWM from /proc/self/status: the peak RSS since the last exec, in kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("VmHWM not found in /proc/self/status")


def run_child_epoch(data_dir):
    """Train one epoch at batch 32 as a whole program would, then print train and test accuracy."""
    start = time.perf_counter()
    mnist = load_mnist(data_dir)
    key, state = create_train_state(mnist)
    train_step = make_captured_step(mnist)
    state, key, losses = train_epoch(train_step, state, key, mnist.train_images.shape[0], 32)
    train_accuracy = float(accuracy(state.params, mnist.train_images, mnist.train_labels))
    test_accuracy = float(accuracy(state.params, mnist.test_images, mnist.test_labels))
    mean_loss = float(jnp.mean(jnp.stack(losses)))
    print_note(f"peak-rss-mnist-1-epoch child: 1 epoch at batch 32, mean training loss {mean_loss:.4f}, "
               f"train accuracy {train_accuracy:.4f}, test accuracy {test_accuracy:.4f}, "
               f"{time.perf_counter() - start:.2f} s including loading and compilation, "
               f"VmHWM {peak_rss_kilobytes_of_this_process()} kB")


# Linear regression cases


def linreg_loss(theta, x, y):
    return jnp.mean((theta["w"] * x + theta["b"] - y) ** 2)


def linreg_update(theta, x, y):
    """Take one gradient-descent step on the mean squared error."""
    grads = jax.grad(linreg_loss)(theta, x, y)
    return jax.tree_util.tree_map(lambda value, grad: value - LINREG_LEARNING_RATE * grad, theta, grads)


def initial_theta():
    return {"w": 1.0, "b": 0.0}


def note_linreg_result(case_name, theta, x, y):
    print_note(f"{case_name}: after {LINREG_STEPS} steps w={float(theta['w']):.4f} "
               f"b={float(theta['b']):.4f} loss={float(linreg_loss(theta, x, y)):.4f}")


def measure_linreg_jit(inputs):
    """Time 1000 calls of the jitted update from a Python loop (median of 3 repeats).

    The warm-up compiles both signatures: Python floats in the first step, arrays after.
    """
    x, y = inputs.linreg_data
    update = jax.jit(linreg_update)
    theta = update(initial_theta(), x, y)
    jax.block_until_ready(update(theta, x, y))

    durations = []
    for _ in range(3):
        start = time.perf_counter()
        theta = initial_theta()
        for _ in range(LINREG_STEPS):
            theta = update(theta, x, y)
        jax.block_until_ready(theta)
        durations.append(time.perf_counter() - start)
    note_linreg_result("linreg-jit-1000", theta, x, y)
    return {"seconds": statistics.median(durations)}


def measure_linreg_eager(inputs):
    """Time 1000 un-jitted updates, once, after one untimed update fills JAX's per-operation caches."""
    x, y = inputs.linreg_data
    jax.block_until_ready(linreg_update(initial_theta(), x, y))

    start = time.perf_counter()
    theta = initial_theta()
    for _ in range(LINREG_STEPS):
        theta = linreg_update(theta, x, y)
    jax.block_until_ready(theta)
    seconds = time.perf_counter() - start
    note_linreg_result("linreg-eager-1000", theta, x, y)
    return {"seconds": seconds}


def measure_linreg_fori(inputs):
    """Time all 1000 updates in one jitted lax.fori_loop (median of 3 after a warm-up call)."""
    x, y = inputs.linreg_data

    @jax.jit
    def fit(theta, x, y):
        return jax.lax.fori_loop(0, LINREG_STEPS, lambda _, current: linreg_update(current, x, y), theta)

    jax.block_until_ready(fit(initial_theta(), x, y))
    seconds = median_seconds(lambda: jax.block_until_ready(fit(initial_theta(), x, y)), 3)
    note_linreg_result("linreg-fori-1000", fit(initial_theta(), x, y), x, y)
    return {"seconds": seconds}


# Case table


@dataclass(frozen=True)
class Case:
    name: str
    needs_mnist: bool
    measure: object  # callable taking Inputs and returning {metric: value}


# peak-rss-mnist-1-epoch comes first because its child process inherits the peak RSS
# that this process has reached when it starts the child (see measure_peak_rss).
CASES = [
    Case("peak-rss-mnist-1-epoch", True, measure_peak_rss),
    Case("matmul-1024", False, measure_matmul),
    Case("dot-1e8", False, measure_dot),
    Case("mnist-epoch-b32", True, lambda inputs: measure_epoch(inputs, 32)),
    Case("mnist-epoch-b256", True, lambda inputs: measure_epoch(inputs, 256)),
    Case("train-step-b32", True, lambda inputs: measure_step_latency(inputs, 32)),
    Case("train-step-b256", True, lambda inputs: measure_step_latency(inputs, 256)),
    Case("first-step-captured", True, measure_first_step_captured),
    Case("first-step-argument", True, measure_first_step_argument),
    Case("inference-10k", True, measure_inference),
    Case("linreg-jit-1000", False, measure_linreg_jit),
    Case("linreg-eager-1000", False, measure_linreg_eager),
    Case("linreg-fori-1000", False, measure_linreg_fori),
]


def print_environment():
    versions = ", ".join(f"{package} {metadata.version(package)}" for package in ("jax", "jaxlib", "flax", "optax", "numpy"))
    print_note(f"{versions}, Python {platform.python_version()}")
    print_note(f"backend {jax.default_backend()}, devices {jax.devices()}, "
               f"{len(os.sched_getaffinity(0))} CPUs available to this process, "
               f"jax_threefry_partitionable={jax.config.jax_threefry_partitionable}")


def parse_arguments():
    parser = argparse.ArgumentParser(
        description="Measure the JAX/Flax/Optax reference figures for Weft's benchmark cases. "
                    "Prints one `<case-name> <metric>=<value> ...` line per case; other lines start with #.")
    parser.add_argument("cases", nargs="*", metavar="case",
                        help=f"cases to run (default: all): {', '.join(case.name for case in CASES)}")
    parser.add_argument("--data-dir", help="folder with the four MNIST IDX .gz files "
                                           "(required by the MNIST cases)")
    parser.add_argument(CHILD_FLAG, action="store_true",
                        help="train one MNIST epoch and print the accuracy (the child process of "
                             "peak-rss-mnist-1-epoch); runs no cases")
    arguments = parser.parse_args()

    known = {case.name for case in CASES}
    unknown = [name for name in arguments.cases if name not in known]
    if unknown:
        parser.error(f"unknown cases {unknown}; the cases are {[case.name for case in CASES]}")
    selected = [case for case in CASES if not arguments.cases or case.name in arguments.cases]

    needs_mnist = arguments.child_mnist_1_epoch or any(case.needs_mnist for case in selected)
    if needs_mnist:
        if arguments.data_dir is None:
            parser.error("--data-dir is required by the MNIST cases")
        missing = missing_mnist_files(arguments.data_dir)
        if missing:
            parser.error(f"missing in --data-dir {arguments.data_dir}: {', '.join(missing)}")
    return arguments, selected


def main():
    arguments, selected = parse_arguments()
    if arguments.child_mnist_1_epoch:
        run_child_epoch(arguments.data_dir)
        return

    print_environment()
    inputs = Inputs(arguments.data_dir)
    for case in selected:
        print_case(case.name, case.measure(inputs))


if __name__ == "__main__":
    main()
