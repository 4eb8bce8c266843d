#!/usr/bin/env python3
"""Pair Weft's and JAX's benchmark outputs and print Weft/JAX ratios and the targets.

Usage: ratios.py --weft FILE [FILE ...] --jax FILE [FILE ...]

Each file is the output of one round of `weft-bench` or `reference.py`. Case lines read
`<case-name> <metric>=<value> ...`. Lines that start with `#`, and lines that do not
have this form, are skipped. Per case and metric, the table shows the value of every
round and compares the medians over the rounds. Standard library only.
"""

import argparse
import math
import statistics
import sys
from dataclasses import dataclass

# Metrics where a larger value is better. For these, the time ratio is JAX/Weft,
# so that a ratio below 1 means that Weft is better for every metric.
RATE_METRICS = {"gflops", "direct_gflops", "gbps", "steps_per_second", "images_per_second"}
MEMORY_METRICS = {"megabytes"}
TIME_METRICS = {"seconds", "seconds_per_epoch", "median_us", "p90_us", "ms", "ns"}
# Counts of events in a measured loop, such as tensor allocations per step.
COUNT_METRICS = {"allocations"}


@dataclass(frozen=True)
class Target:
    case: str
    metric: str
    subject: str  # "ratio" checks the Weft/JAX time ratio, "weft" checks Weft's median value.
    limit: float
    inclusive: bool  # Whether a value equal to the limit passes (value <= limit).

    def describe(self):
        subject = "Weft/JAX ratio" if self.subject == "ratio" else "Weft"
        return f"{self.case} {self.metric}: {subject} {'<=' if self.inclusive else '<'} {self.limit:g}"


TARGETS = [
    Target("mnist-epoch-b32", "seconds_per_epoch", "ratio", 0.5, True),
    Target("first-step-captured", "seconds", "weft", 0.05, False),
    Target("first-step-argument", "seconds", "weft", 0.05, False),
    Target("peak-rss-mnist-1-epoch", "megabytes", "ratio", 0.25, True),
    Target("linreg-jit-1000", "seconds", "ratio", 0.5, True),
]


def parse_case_line(line):
    """Return (case, {metric: value}) for a case line, or None for any other line."""
    if line.startswith("#"):
        return None
    tokens = line.split()
    if len(tokens) < 2:
        return None
    figures = {}
    for token in tokens[1:]:
        metric, separator, text = token.partition("=")
        if not separator or not metric:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
        if not math.isfinite(value):
            return None
        figures[metric] = value
    return tokens[0], figures


def read_round(path):
    """Return {case: {metric: value}} from one output file, in the file's case order."""
    cases = {}
    skipped = 0
    with open(path, encoding="utf-8") as file:
        for line in file:
            if not line.strip() or line.startswith("#"):
                continue
            parsed = parse_case_line(line)
            if parsed is None:
                skipped += 1
                continue
            case, figures = parsed
            if case in cases:
                print(f"ratios.py: {path}: case {case} appears twice; using the later line", file=sys.stderr)
            cases[case] = figures
    if skipped:
        noun = "line" if skipped == 1 else "lines"
        print(f"ratios.py: {path}: skipped {skipped} {noun} not of the form `<case> <metric>=<value> ...`",
              file=sys.stderr)
    return cases


def collect(paths):
    """Return {(case, metric): [value per round that has it]} and the keys in first-seen order."""
    values = {}
    for path in paths:
        for case, figures in read_round(path).items():
            for metric, value in figures.items():
                values.setdefault((case, metric), []).append(value)
    return values


def time_ratio(metric, weft_median, jax_median):
    """Return the Weft/JAX ratio oriented so that below 1 means Weft is better, or None."""
    if metric in RATE_METRICS:
        numerator, denominator = jax_median, weft_median
    else:
        numerator, denominator = weft_median, jax_median
    if denominator == 0:
        return None
    return numerator / denominator


def format_figure(value):
    """Format a figure with about four significant digits as a plain decimal."""
    magnitude = math.floor(math.log10(abs(value))) if value != 0 else 0
    decimals = min(6, max(0, 3 - magnitude))
    return f"{value:.{decimals}f}"


def format_values(values):
    return " / ".join(format_figure(value) for value in values) if values else "-"


def direction(metric):
    if metric in RATE_METRICS:
        return "higher is better"
    if metric in MEMORY_METRICS:
        return "memory, lower is better"
    if metric in TIME_METRICS:
        return "lower is better"
    if metric in COUNT_METRICS:
        return "count, lower is better"
    return "unknown metric, ratio assumes lower is better"


def build_rows(weft, jax):
    """Return the table rows, in Weft's case order followed by the JAX-only cases."""
    keys = list(weft) + [key for key in jax if key not in weft]
    rows = []
    for case, metric in keys:
        weft_values = weft.get((case, metric), [])
        jax_values = jax.get((case, metric), [])
        ratio = None
        if weft_values and jax_values:
            ratio = time_ratio(metric, statistics.median(weft_values), statistics.median(jax_values))
        rows.append((case, metric, format_values(weft_values), format_values(jax_values),
                     "n/a" if ratio is None else f"{ratio:.3f}", direction(metric)))
    return rows


def print_table(rows):
    header = ("case", "metric", "Weft", "JAX", "Weft/JAX time ratio", "metric direction")
    widths = [max(len(row[column]) for row in rows + [header]) for column in range(len(header))]

    def render(row):
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()

    print(render(header))
    print(render(tuple("-" * width for width in widths)))
    for row in rows:
        print(render(row))


def evaluate_target(target, weft, jax):
    """Return (passed, measured value or None) for one target."""
    weft_values = weft.get((target.case, target.metric), [])
    jax_values = jax.get((target.case, target.metric), [])
    if target.subject == "weft":
        value = statistics.median(weft_values) if weft_values else None
    elif weft_values and jax_values:
        value = time_ratio(target.metric, statistics.median(weft_values), statistics.median(jax_values))
    else:
        value = None
    if value is None:
        return False, None
    passed = value <= target.limit if target.inclusive else value < target.limit
    return passed, value


def print_targets(weft, jax):
    met = 0
    for target in TARGETS:
        passed, value = evaluate_target(target, weft, jax)
        met += passed
        measured = "missing" if value is None else format_figure(value)
        print(f"{'PASS' if passed else 'FAIL'}  {target.describe()} (measured {measured})")
    print(f"{met} of {len(TARGETS)} targets met")


def main():
    parser = argparse.ArgumentParser(
        description="Print the Weft/JAX ratio of every benchmark case from the saved outputs of "
                    "weft-bench and reference.py, then the pass/fail state of the targets.")
    parser.add_argument("--weft", nargs="+", required=True, metavar="FILE",
                        help="weft-bench outputs, one file per round")
    parser.add_argument("--jax", nargs="+", required=True, metavar="FILE",
                        help="reference.py outputs, one file per round")
    arguments = parser.parse_args()

    try:
        weft = collect(arguments.weft)
        jax = collect(arguments.jax)
    except OSError as error:
        parser.exit(2, f"ratios.py: cannot read an output file: {error}\n")
    if not weft and not jax:
        parser.exit(1, "ratios.py: no case lines found in any input file\n")

    print("Values are listed per round; ratios compare the medians over the rounds. The time ratio is")
    print("Weft/JAX for times and memory and JAX/Weft for rates, so below 1 means Weft is better.")
    print()
    print_table(build_rows(weft, jax))
    print()
    print_targets(weft, jax)


if __name__ == "__main__":
    main()
