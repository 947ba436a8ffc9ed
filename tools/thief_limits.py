#!/usr/bin/env python3
"""What limits the thief: simulate it on altered copies of a profile.

Usage: tools/thief_limits.py PROFILE_DIR [--ekya build/ekya] [--config configs/default.yaml]

PROFILE_DIR is a folder written by `ekya profile` (profiles.csv,
inference_profile.csv, profiler_costs.csv). Each variant below copies it,
changes what the thief is told (predicted_* columns) or what the profiler
costs (profiler_costs.csv), and runs `ekya simulate` with the thief (both
variants) and the pinned cheap `fair` on it. The truth the simulator
replays (measured_* columns) is never changed, so every row scores the same
streams; only the thief's information and the profiler's time differ.

Standard library only.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

POLICIES = ["thief:variant=released", "thief:variant=paper",
            "fair:config=all-h1024-f0.1-e5,inference_fraction=0.5"]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, rows, fields):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def variant(src, dst, predictions, cost_scale, drop_head=False):
    shutil.copytree(src, dst)
    rows = read_csv(os.path.join(src, "profiles.csv"))
    fields = list(rows[0].keys())
    out = []
    for r in rows:
        if drop_head and r["config"].startswith("head-"):
            continue
        r = dict(r)
        is_none = r["config"] == "none"
        if predictions == "true" or (predictions == "true-none" and is_none) or \
                (predictions == "true-configs" and not is_none):
            r["predicted_accuracy"] = r["measured_accuracy"]
            if not is_none:
                r["predicted_cost_s"] = r["measured_cost_s"]
        out.append(r)
    write_csv(os.path.join(dst, "profiles.csv"), out, fields)
    costs = read_csv(os.path.join(src, "profiler_costs.csv"))
    for c in costs:
        c["seconds"] = repr(float(c["seconds"]) * cost_scale)
    write_csv(os.path.join(dst, "profiler_costs.csv"), costs, ["stream", "window", "seconds"])


def simulate(ekya, config, profiles, out):
    cmd = [ekya, "simulate", "--config", config, "--profiles", profiles, "--out", out]
    for p in POLICIES:
        cmd += ["--policy", p]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scores = {}
    for r in read_csv(os.path.join(out, "comparison.csv")):
        scores[r["policy"]] = float(r["mean_accuracy"])
    return scores


def parse_spec(spec):
    name, _, params = spec.partition(":")
    return name, set(x for x in params.split(",") if x)


def score_of(scores, policy):
    """The score of the run whose spec has policy's name and parameters."""
    name, params = parse_spec(policy)
    for spec, value in scores.items():
        n, p = parse_spec(spec)
        if n == name and params <= p:
            return value
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("profiles")
    ap.add_argument("--ekya", default="build/ekya")
    ap.add_argument("--config", default="configs/default.yaml")
    args = ap.parse_args()
    rows = [
        ("profiler's estimates, recorded profiling cost", "profiler", 1.0, False),
        ("profiler's estimates, half the profiling cost", "profiler", 0.5, False),
        ("profiler's estimates, free profiling", "profiler", 0.0, False),
        ("profiler's estimates without head-only configs, free profiling", "profiler", 0.0, True),
        ("true config accuracies, estimated deployed accuracy, free profiling", "true-configs", 0.0, False),
        ("estimated config accuracies, true deployed accuracy, free profiling", "true-none", 0.0, False),
        ("true everything, recorded profiling cost", "true", 1.0, False),
        ("true everything, half the profiling cost", "true", 0.5, False),
        ("true everything, free profiling", "true", 0.0, False),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        print("| what the thief is told | thief (released) | thief (paper) | fair cheap @0.5 |")
        print("|---|---|---|---|")
        for i, (label, predictions, scale, drop_head) in enumerate(rows):
            prof = os.path.join(tmp, "p%d" % i)
            variant(args.profiles, prof, predictions, scale, drop_head)
            s = simulate(args.ekya, args.config, prof, os.path.join(tmp, "o%d" % i))
            vals = [score_of(s, p) for p in POLICIES]
            print("| %s | %.4f | %.4f | %.4f |" % (label, vals[0], vals[1], vals[2]))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
