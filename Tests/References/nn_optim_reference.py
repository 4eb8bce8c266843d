"""Print reference values for the Weft NN and Optim tests.

The Swift tests quote the numbers this script prints. Run it from the
repository root with Python 3.11 and the versions the output was made with
(pip: jax==0.10.2 jaxlib==0.10.2 flax==0.12.8 optax==0.2.8 clu==0.0.12
numpy==2.4.6), on the CPU backend:

    python Tests/References/nn_optim_reference.py \
        > Tests/References/nn_optim_reference.txt

Float32 values are printed with '%.9g', which is enough digits to round-trip
any float32. Float64 values (sums, clu statistics) are printed with repr().
Arrays are printed flat in row-major order after their shape.

How Flax linen derives the init key of a parameter (flax 0.12.8,
flax/core/scope.py):

* The root scope gets the key passed to `init` for the 'params' stream, with
  an empty list of pending suffixes. Nothing is folded in for the top-level
  module itself.
* Creating a child scope (a submodule named 'Dense1', or an unnamed one that
  gets the automatic name 'Dense_0') does not touch the key. It appends the
  child's name to the pending suffixes and gives the child its own counter,
  starting at 0.
* Every `self.param(...)` call consumes one key, even when the initializer
  ignores it (zero bias). It increments the scope's counter and appends the
  counter value to the suffixes, so the first parameter of a module gets
  suffixes (name, 1), the second (name, 2). The parameter's own name
  ('kernel', 'bias') is not part of the derivation, only its position.
* The suffixes are hashed together with one SHA-1: a string contributes its
  UTF-8 bytes, an int its minimal big-endian bytes (1 -> b'\\x01'). No
  separator bytes are added because the flag `flax_fix_rng_separator`
  defaults to False. The first 4 digest bytes, read big-endian, form a
  uint32 that is folded into the root key with a single
  `jax.random.fold_in`.
* So params/Dense1/kernel is initialized with
  fold_in(root, u32(sha1(b'Dense1' + b'\\x01')[:4])), and params/Dense1/bias
  with the same formula over b'Dense1' + b'\\x02'.

The script checks this rule against real `init` results and prints the
derived keys.
"""

import hashlib
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
from clu import parameter_overview

# ---------------------------------------------------------------------------
# Printing helpers


def f32(x):
  return "%.9g" % float(np.float32(x))


def flat32(a):
  a = np.asarray(a, dtype=np.float32).reshape(-1)
  return "[" + ", ".join(f32(v) for v in a) + "]"


def show(name, a):
  a = np.asarray(a)
  if np.issubdtype(a.dtype, np.floating):
    print(f"{name} shape={tuple(a.shape)} = {flat32(a)}")
  else:
    values = ", ".join(str(int(v)) for v in a.reshape(-1))
    print(f"{name} shape={tuple(a.shape)} dtype={a.dtype} = [{values}]")


def key_words(key):
  words = np.asarray(jax.random.key_data(key)).reshape(-1)
  decimal = ", ".join(str(int(w)) for w in words)
  hexadecimal = ", ".join("0x%08x" % int(w) for w in words)
  return f"[{decimal}] ([{hexadecimal}])"


def section(title):
  print()
  print("=" * 78)
  print(title)
  print("=" * 78)


def begin_block(name):
  print(f"----- BEGIN {name} -----")


def end_block(name):
  print(f"----- END {name} -----")


# ---------------------------------------------------------------------------
# a) Flax Dense init, the MNIST MLP and clu's parameter overview


def static_suffix_hash(suffixes):
  """Return the uint32 that Flax folds in for a list of scope suffixes."""
  digest = hashlib.sha1()
  for item in suffixes:
    if isinstance(item, str):
      digest.update(item.encode("utf-8"))
    else:
      digest.update(item.to_bytes((item.bit_length() + 7) // 8, "big"))
  return int.from_bytes(digest.digest()[:4], "big")


def derived_key(root, suffixes):
  return jax.random.fold_in(root, jnp.uint32(static_suffix_hash(suffixes)))


class MnistMLP(nn.Module):

  @nn.compact
  def __call__(self, x):
    x = x.reshape((x.shape[0], -1)) / 255.0
    x = nn.Dense(128, name="Dense1")(x)
    x = nn.relu(x)
    x = nn.Dense(128, name="Dense2")(x)
    x = nn.relu(x)
    return nn.Dense(10, name="Output")(x)


class CompactMLP(nn.Module):

  @nn.compact
  def __call__(self, x):
    x = nn.Dense(4)(x)
    x = nn.relu(x)
    return nn.Dense(2)(x)


def check_derivation(root, params, module, shape_of):
  """Print the derived keys of a module's kernel and bias and verify them."""
  for counter, leaf in ((1, "kernel"), (2, "bias")):
    suffixes = [module, counter]
    key = derived_key(root, suffixes)
    hash_value = static_suffix_hash(suffixes)
    print(f"params/{module}/{leaf}: suffixes={suffixes!r} "
          f"sha1_u32={hash_value} (0x{hash_value:08x}) key={key_words(key)}")
  kernel_key = derived_key(root, [module, 1])
  expected = nn.initializers.lecun_normal()(kernel_key, shape_of)
  actual = params[module]["kernel"]
  assert np.array_equal(np.asarray(expected), np.asarray(actual)), module
  print(f"  check: lecun_normal(key of params/{module}/kernel, {shape_of}) "
        "equals the init result")


def print_kernel_stats(name, kernel):
  k = np.asarray(kernel)
  k64 = k.astype(np.float64)
  print(f"{name} shape={tuple(k.shape)}")
  print(f"  first5 = {flat32(k.reshape(-1)[:5])}")
  print(f"  sum (float64 over float32 values) = {float(k64.sum())!r}")
  print(f"  std (population, float64) = {float(k64.std())!r}")
  print(f"  mean (float64) = {float(k64.mean())!r}")
  print(f"  sum (numpy float32) = {f32(k.sum())}")
  print(f"  std (numpy float32) = {f32(k.std())}")
  print(f"  min = {f32(k.min())} max = {f32(k.max())}")


def part_a():
  section("a) Flax Dense init, MNIST MLP, clu parameter overview, key derivation")

  dense = nn.Dense(3)
  dense_vars = dense.init(jax.random.PRNGKey(0), jnp.ones([1, 4]))
  print("nn.Dense(3).init(PRNGKey(0), ones([1, 4])):")
  show("  params/kernel", dense_vars["params"]["kernel"])
  show("  params/bias", dense_vars["params"]["bias"])
  print("  PRNGKey(0) =", key_words(jax.random.PRNGKey(0)))
  # A bare Dense is the top-level module, so its scope has no name suffix.
  bare_key = derived_key(jax.random.PRNGKey(0), [1])
  print(f"  kernel key (suffixes [1]) sha1_u32={static_suffix_hash([1])} "
        f"key={key_words(bare_key)}")
  expected = nn.initializers.lecun_normal()(bare_key, (4, 3))
  assert np.array_equal(np.asarray(expected),
                        np.asarray(dense_vars["params"]["kernel"]))
  print("  check: lecun_normal(kernel key, (4, 3)) equals the init result")

  print()
  root = jax.random.PRNGKey(42)
  key, m_key = jax.random.split(root)
  print("MNIST MLP: key, m_key = split(PRNGKey(42)); "
        "init(m_key, zeros((1, 28, 28), uint8))")
  print("  PRNGKey(42) =", key_words(root))
  print("  key         =", key_words(key))
  print("  m_key       =", key_words(m_key))
  variables = MnistMLP().init(m_key, jnp.zeros((1, 28, 28), jnp.uint8))
  params = variables["params"]
  for module in ("Dense1", "Dense2", "Output"):
    print_kernel_stats(f"params/{module}/kernel", params[module]["kernel"])
    show(f"params/{module}/bias first5", params[module]["bias"][:5])

  print()
  print("Per-parameter key derivation (root = m_key):")
  shapes = {"Dense1": (784, 128), "Dense2": (128, 128), "Output": (128, 10)}
  for module, shape in shapes.items():
    check_derivation(m_key, params, module, shape)

  print()
  print("Compact model with unnamed submodules, "
        "init(PRNGKey(0), ones((1, 3))), Dense(4) -> relu -> Dense(2):")
  compact_root = jax.random.PRNGKey(0)
  compact = CompactMLP().init(compact_root, jnp.ones((1, 3)))["params"]
  print("  parameter names:", sorted(
      "/".join(str(getattr(p, "key", p)) for p in path)
      for path, _ in jax.tree_util.tree_flatten_with_path(compact)[0]))
  check_derivation(compact_root, compact, "Dense_0", (3, 4))
  check_derivation(compact_root, compact, "Dense_1", (4, 2))
  show("  params/Dense_0/kernel", compact["Dense_0"]["kernel"])
  show("  params/Dense_1/kernel", compact["Dense_1"]["kernel"])

  print()
  print("clu rows with statistics "
        "(name, shape, dtype, size, repr(mean), repr(std)):")
  rows = parameter_overview._get_parameter_rows(
      jax.device_get(params), include_stats=True)
  for row in rows:
    print(f"  {row.name} {row.shape} {row.dtype} {row.size} "
          f"{row.mean!r} {row.std!r}")

  print()
  begin_block("get_parameter_overview(params)")
  print(parameter_overview.get_parameter_overview(params))
  end_block("get_parameter_overview(params)")
  begin_block("get_parameter_overview(params, include_stats=False)")
  print(parameter_overview.get_parameter_overview(params, include_stats=False))
  end_block("get_parameter_overview(params, include_stats=False)")
  begin_block("get_parameter_overview({})")
  print(parameter_overview.get_parameter_overview({}))
  end_block("get_parameter_overview({})")
  begin_block("get_parameter_overview({}, include_stats=False)")
  print(parameter_overview.get_parameter_overview({}, include_stats=False))
  end_block("get_parameter_overview({}, include_stats=False)")

  # A tree that exercises sorting, a scalar, mixed dtypes and max_lines.
  mixed = {
      "b": {"z": np.float32(2.5), "a10": np.ones((3,), np.float32)},
      "a": {"x_y": np.arange(6, dtype=np.int32).reshape(2, 3),
            "X": np.full((2, 2), -0.5, np.float16)},
      "a1": np.linspace(-1, 1, 1500, dtype=np.float64).reshape(1500, 1),
  }
  begin_block("get_parameter_overview(mixed)")
  print(parameter_overview.get_parameter_overview(mixed))
  end_block("get_parameter_overview(mixed)")
  begin_block("get_parameter_overview(mixed, max_lines=6)")
  print(parameter_overview.get_parameter_overview(mixed, max_lines=6))
  end_block("get_parameter_overview(mixed, max_lines=6)")
  print("mixed rows: (name, shape, dtype, size, repr(mean), repr(std)):")
  for row in parameter_overview._get_parameter_rows(mixed, include_stats=True):
    print(f"  {row.name} {row.shape} {row.dtype} {row.size} "
          f"{row.mean!r} {row.std!r}")


# ---------------------------------------------------------------------------
# b) jax.nn.initializers


def part_b():
  section("b) jax.nn.initializers, key PRNGKey(1), float32")
  init = jax.nn.initializers
  key = jax.random.PRNGKey(1)
  print("PRNGKey(1) =", key_words(key))
  print("fans for (3, 4): fan_in=3 fan_out=4 (in_axis=-2, out_axis=-1)")
  print("fans for (2, 3, 4): receptive field 2, fan_in=6 fan_out=8")
  print("truncated_normal variance scaling divides the stddev by "
        "0.87962566103423978, the stddev of a standard normal cut at +-2")

  print()
  print("Raw draws with the same key:")
  show("random.normal(key, (3, 4))", jax.random.normal(key, (3, 4)))
  show("random.uniform(key, (3, 4))", jax.random.uniform(key, (3, 4)))
  show("random.truncated_normal(key, -2, 2, (3, 4))",
       jax.random.truncated_normal(key, -2.0, 2.0, (3, 4)))
  show("random.bits(key, (3, 4))", jax.random.bits(key, (3, 4)))

  print()
  cases = [
      ("lecun_normal()", init.lecun_normal()),
      ("lecun_uniform()", init.lecun_uniform()),
      ("he_normal()", init.he_normal()),
      ("he_uniform()", init.he_uniform()),
      ("glorot_normal()", init.glorot_normal()),
      ("glorot_uniform()", init.glorot_uniform()),
      ("normal(0.02)", init.normal(0.02)),
      ("uniform(0.05)", init.uniform(0.05)),
      ("truncated_normal(0.1)", init.truncated_normal(0.1)),
      ("variance_scaling(2.0, 'fan_avg', 'truncated_normal')",
       init.variance_scaling(2.0, "fan_avg", "truncated_normal")),
  ]
  for name, fn in cases:
    show(f"{name} (3, 4)", fn(key, (3, 4), jnp.float32))

  print()
  shape3 = (2, 3, 4)
  cases3 = [
      ("variance_scaling(2.0, 'fan_avg', 'truncated_normal')",
       init.variance_scaling(2.0, "fan_avg", "truncated_normal")),
      ("variance_scaling(1.0, 'fan_in', 'truncated_normal')",
       init.variance_scaling(1.0, "fan_in", "truncated_normal")),
      ("variance_scaling(1.0, 'fan_out', 'normal')",
       init.variance_scaling(1.0, "fan_out", "normal")),
      ("variance_scaling(3.0, 'fan_avg', 'uniform')",
       init.variance_scaling(3.0, "fan_avg", "uniform")),
  ]
  for name, fn in cases3:
    show(f"{name} {shape3}", fn(key, shape3, jnp.float32))


# ---------------------------------------------------------------------------
# c) Optax optimizers and schedules


def initial_params():
  return {
      "a": jnp.array([[0.5, -1.0], [2.0, 0.25]], jnp.float32),
      "b": jnp.array([0.1, -0.3, 0.7], jnp.float32),
  }


def gradients(params):
  """Gradient of sum(p * p - p) over all leaves, so g = 2 * p - 1."""
  return jax.tree_util.tree_map(lambda p: 2.0 * p - 1.0, params)


def path_text(path):
  parts = []
  for entry in path:
    if hasattr(entry, "key"):
      parts.append(str(entry.key))
    elif hasattr(entry, "name"):
      parts.append(str(entry.name))
    elif hasattr(entry, "idx"):
      parts.append(str(entry.idx))
    else:
      parts.append(str(entry))
  return "/".join(parts)


def show_state(state):
  leaves = jax.tree_util.tree_flatten_with_path(state)[0]
  if not leaves:
    print("    (no array leaves)")
  for path, leaf in leaves:
    show("    " + (path_text(path) or "<root>"), leaf)


def run_optimizer(name, tx, steps=5):
  print()
  print(f"{name}:")
  params = initial_params()
  state = tx.init(params)
  for step in range(1, steps + 1):
    grads = gradients(params)
    updates, state = tx.update(grads, state, params)
    params = optax.apply_updates(params, updates)
    print(f"  step {step}: a={flat32(params['a'])} b={flat32(params['b'])}")
    if step == 2:
      print("  state after step 2:")
      show_state(state)


def part_c():
  section("c) Optax 0.2.8 optimizers: 5 steps, g = 2 * params - 1, float32")
  show("initial a", initial_params()["a"])
  show("initial b", initial_params()["b"])
  print("Each step computes g from the current params, then "
        "params = apply_updates(params, update(g, state, params)).")

  adamw_mask = {"a": True, "b": False}
  optimizers = [
      ("adam(1e-3)", optax.adam(1e-3)),
      ("adam(0.1, eps_root=1e-8)", optax.adam(0.1, eps_root=1e-8)),
      ("adamw(0.01, weight_decay=0.1, mask={'a': True, 'b': False})",
       optax.adamw(0.01, weight_decay=0.1, mask=adamw_mask)),
      ("sgd(0.1)", optax.sgd(0.1)),
      ("sgd(0.1, momentum=0.9)", optax.sgd(0.1, momentum=0.9)),
      ("sgd(0.1, momentum=0.9, nesterov=True)",
       optax.sgd(0.1, momentum=0.9, nesterov=True)),
      ("rmsprop(0.01)", optax.rmsprop(0.01)),
      ("adagrad(0.1)", optax.adagrad(0.1)),
      ("chain(clip_by_global_norm(1.0), adam(1e-2))",
       optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-2))),
      ("chain(clip(0.5), sgd(0.1))",
       optax.chain(optax.clip(0.5), optax.sgd(0.1))),
  ]
  for name, tx in optimizers:
    run_optimizer(name, tx)

  print()
  print("Global norm of the first gradient:",
        f32(optax.global_norm(gradients(initial_params()))))

  section("c) Optax 0.2.8 schedules (count passed as int32, values float32)")
  steps = [0, 1, 5, 10, 50, 99, 100, 150]
  print("steps =", steps)
  schedules = [
      ("constant_schedule(0.1)", optax.constant_schedule(0.1)),
      ("exponential_decay(1.0, transition_steps=10, decay_rate=0.5)",
       optax.exponential_decay(1.0, transition_steps=10, decay_rate=0.5)),
      ("exponential_decay(1.0, 10, 0.5, staircase=True)",
       optax.exponential_decay(1.0, 10, 0.5, staircase=True)),
      ("exponential_decay(1.0, 10, 0.5, transition_begin=5)",
       optax.exponential_decay(1.0, 10, 0.5, transition_begin=5)),
      ("exponential_decay(1.0, 10, 0.5, end_value=0.1)",
       optax.exponential_decay(1.0, 10, 0.5, end_value=0.1)),
      ("exponential_decay(1.0, 10, 0.5, transition_begin=5, staircase=True, "
       "end_value=0.1)",
       optax.exponential_decay(1.0, 10, 0.5, transition_begin=5,
                               staircase=True, end_value=0.1)),
      ("exponential_decay(1.0, 10, 2.0, end_value=4.0)",
       optax.exponential_decay(1.0, 10, 2.0, end_value=4.0)),
      ("cosine_decay_schedule(1.0, 100, alpha=0.1)",
       optax.cosine_decay_schedule(1.0, 100, alpha=0.1)),
      ("warmup_cosine_decay_schedule(0.0, 1.0, 10, 100, end_value=0.01)",
       optax.warmup_cosine_decay_schedule(0.0, 1.0, 10, 100, end_value=0.01)),
      ("linear_schedule(1.0, 0.0, 100, transition_begin=10)",
       optax.linear_schedule(1.0, 0.0, 100, transition_begin=10)),
      ("piecewise_constant_schedule(1.0, {10: 0.5, 50: 0.1})",
       optax.piecewise_constant_schedule(1.0, {10: 0.5, 50: 0.1})),
  ]
  for name, schedule in schedules:
    values = [f32(schedule(jnp.asarray(s, jnp.int32))) for s in steps]
    print(f"{name}: [{', '.join(values)}]")


# ---------------------------------------------------------------------------
# d) Softmax cross-entropy with -inf and 1e30 logits


def part_d():
  section("d) optax softmax cross-entropy with -inf and 1e30 logits, float32")
  inf = np.inf
  logits = jnp.array([
      [1.0, -inf, 2.0],
      [1e30, 0.0, -1.0],
      [1e30, 0.0, -1.0],
      [1e30, 1e30, 0.0],
      [-inf, -inf, 0.0],
      [-inf, -inf, -inf],
      [0.5, -1.5, 3.0],
      [-1e30, 0.0, 1.0],
  ], jnp.float32)
  labels = jnp.array([2, 0, 1, 0, 2, 0, 1, 0], jnp.int32)
  one_hot = jax.nn.one_hot(labels, 3, dtype=jnp.float32)
  for row in range(logits.shape[0]):
    print(f"row {row}: logits={flat32(logits[row])} label={int(labels[row])}")

  losses = [
      ("softmax_cross_entropy(logits, one_hot)",
       lambda x: optax.softmax_cross_entropy(x, one_hot)),
      ("softmax_cross_entropy_with_integer_labels(logits, labels)",
       lambda x: optax.softmax_cross_entropy_with_integer_labels(x, labels)),
      ("safe_softmax_cross_entropy(logits, one_hot)",
       lambda x: optax.safe_softmax_cross_entropy(x, one_hot)),
  ]
  for name, loss in losses:
    print()
    print(f"{name}:")
    show("  loss per row", loss(logits))
    grad = jax.grad(lambda x: loss(x).sum())(logits)
    print("  gradient of sum(loss) w.r.t. logits, per row:")
    for row in range(logits.shape[0]):
      print(f"    row {row}: {flat32(grad[row])}")

  print()
  show("jax.nn.log_softmax(logits) flat", jax.nn.log_softmax(logits))


# ---------------------------------------------------------------------------
# e) Python number formatting used by clu's table


FORMAT_VALUES = [
    0.0, -0.0, 0.0358, 6.76e-05, -0.000219, 1.0, 123.0, 1234.5,
    float("nan"), float("inf"), float("-inf"), 0.99951, 9.995, 0.00099996,
    0.5, 12.3, 12.0, 99.94, 99.95, 100.0, 999.4, 999.5, 0.0001, 0.00001,
    1.5e-05, 0.00012345, 0.000123456, 0.125, 1.125, 2.675, 0.1, 1 / 3,
    2 / 3, -1.5, -0.99951, 9.9949, 0.00995, 0.0009995, 0.000999, 1e16,
    1e22, 12345678.9, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308,
    1e-100, -1e100, 0.035826846957206726, 6.76304116495885e-05,
    -0.00021853725775144994, 0.08892402052879333, -0.0006777368253096938,
    0.08682796359062195, -1.1368683772161603e-16, 1.707825127659933,
    0.5777352977547214,
]

OTHER_PRECISIONS = [
    (0.0, 0), (0.5, 0), (1234.5, 0), (15.0, 1), (1.0, 1), (0.95, 1),
    (0.96, 1), (9.5, 1), (12.0, 2), (99.5, 2), (1.0, 5), (123.456, 5),
    (1234.5, 5), (12345.5, 5), (3.14159265358979, 10), (1e-5, 10),
    (0.1, 17), (0.1, 20),
]

THOUSANDS_INTS = [
    0, 1, 12, 123, 999, 1000, 1234, 12345, 123456, 1234567, 100352, 118282,
    473128, -1, -999, -1000, -1234567, 9223372036854775807,
    -9223372036854775808,
]

THOUSANDS_FLOATS = [
    0.0, 1.0, 1514.0, 12048.0, 999999.0, 1e15, 9007199254740992.0,
    9999999999999998.0, 1e16, 1.2345678901234568e17, 1e300,
]


def part_e():
  section("e) Python number formatting used by clu's table")
  print("format(value, '.3'):")
  for value in FORMAT_VALUES:
    print(f"  {value!r} -> {format(value, '.3')!r}")
  print("format(value, '.<precision>'):")
  for value, precision in OTHER_PRECISIONS:
    print(f"  {value!r} .{precision} -> {format(value, f'.{precision}')!r}")
  print("format(int, ','):")
  for value in THOUSANDS_INTS:
    print(f"  {value!r} -> {format(value, ',')!r}")
  print("format(float, ',') (clu's Total line when a parameter has shape ()):")
  for value in THOUSANDS_FLOATS:
    print(f"  {value!r} -> {format(value, ',')!r}")


def main():
  print("Weft NN/Optim reference values")
  print(f"jax {jax.__version__}, flax {flax.__version__}, "
        f"optax {optax.__version__}, numpy {np.__version__}, "
        f"backend {jax.default_backend()}")
  part_a()
  part_b()
  part_c()
  part_d()
  part_e()


if __name__ == "__main__":
  main()
