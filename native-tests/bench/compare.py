"""Joins the JSON lines of GpuBench (dpvm) and torch_bench.py into one table: both times, both rates, and the
ratio dpvm time / PyTorch time (below 1 means the engine is faster)."""
import json
import sys


def load(path, errors):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                if "case" in r:
                    rows[r["case"]] = r
                else:  # a group of cases that failed; the others still ran
                    errors.append(f"{path}: {r}")
    return rows


def main(dpvm_path, torch_path):
    errors = []
    ours, theirs = load(dpvm_path, errors), load(torch_path, errors)
    cases = list(ours) + [c for c in theirs if c not in ours]
    head = f"{'case':28} {'dpvm ms':>10} {'torch ms':>10} {'dpvm/torch':>10} {'dpvm rate':>12} {'torch rate':>12}  unit"
    print(head)
    print("-" * len(head))
    for c in cases:
        o, t = ours.get(c), theirs.get(c)
        om = f"{o['ms']:.3f}" if o else "-"
        tm = f"{t['ms']:.3f}" if t else "-"
        ratio = f"{o['ms'] / t['ms']:.2f}" if o and t else "-"
        orate = f"{o['rate']:.1f}" if o else "-"
        trate = f"{t['rate']:.1f}" if t else "-"
        unit = (o or t)["unit"]
        print(f"{c:28} {om:>10} {tm:>10} {ratio:>10} {orate:>12} {trate:>12}  {unit}")
    if "add_256MiB" in ours and "copy_d2d_256MiB" in ours:
        print(f"dpvm add at {100 * ours['add_256MiB']['rate'] / ours['copy_d2d_256MiB']['rate']:.0f}% of its device copy rate")
    if "add_256MiB" in theirs and "copy_d2d_256MiB" in theirs:
        print(f"torch add at {100 * theirs['add_256MiB']['rate'] / theirs['copy_d2d_256MiB']['rate']:.0f}% of its device copy rate")
    for e in errors:
        print("FAILED " + e)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
