"""Joins the JSON lines of GpuBench (dpvm) and torch_bench.py into one table: both times, both rates, the ratio
dpvm time / PyTorch time (below 1 means the engine is faster), each GB/s rate as a share of the same side's
device-to-device copy rate, and the issue's targets: matmul and convolution at most 1.10x PyTorch's time,
softmax, layer norm and add at least 80% of the copy rate. Above the table: the machine, then each side's
"# " lines (its device and library versions).

usage: compare.py DPVM.jsonl TORCH.jsonl [MACHINE]"""
import json
import sys

COPY = "copy_d2d_256MiB"
TIME_TARGET = 1.10  # dpvm time / PyTorch time, for the vendor-library cases
COPY_TARGET = 0.80  # share of the copy rate, for the memory-bound cases the issue names
MEMORY_BOUND_TARGETS = ("softmax_8192x4096", "layernorm_8192x4096", "add_256MiB")


def load(path, errors, notes, about):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("# rehearsal"):  # either side at rehearsal sizes: the times mean nothing
                notes.append(f"{path}: {line[2:]}")
            elif line.startswith("# "):  # what the side ran on: device, library versions
                about.append(line[2:])
            elif line.startswith("{"):
                r = json.loads(line)
                if "case" in r:
                    rows[r["case"]] = r
                else:  # a group of cases that failed; the others still ran
                    errors.append(f"{path}: {r}")
    return rows


def copy_share(side, case):
    """The case's rate over the same side's copy rate, or None where either is missing or not a byte rate."""
    r, c = side.get(case), side.get(COPY)
    if not r or not c or r["unit"] != "GB/s" or case == COPY:
        return None
    return r["rate"] / c["rate"]


def target(case, ours, theirs):
    """'met', 'missed' or '' (no target, or not both measured)."""
    if case.startswith(("matmul_", "conv3d_")):
        if case in ours and case in theirs:
            return "met" if ours[case]["ms"] / theirs[case]["ms"] <= TIME_TARGET else "missed"
        return ""
    if case in MEMORY_BOUND_TARGETS:
        share = copy_share(ours, case)
        return "" if share is None else ("met" if share >= COPY_TARGET else "missed")
    return ""


def percent(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def main(dpvm_path, torch_path, machine=None):
    errors, rehearsals, about = [], [], []
    ours, theirs = load(dpvm_path, errors, rehearsals, about), load(torch_path, errors, rehearsals, about)
    cases = list(ours) + [c for c in theirs if c not in ours]
    verdicts = {c: "" if rehearsals else target(c, ours, theirs) for c in cases}
    if machine:
        print(f"machine: {machine}")
    for a in about:
        print(a)
    head = (f"{'case':28} {'dpvm ms':>10} {'torch ms':>10} {'dpvm/torch':>10} {'dpvm rate':>10} {'torch rate':>10}"
            f"  {'unit':7} {'dpvm/copy':>9} {'torch/copy':>10}  target")
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
        print(f"{c:28} {om:>10} {tm:>10} {ratio:>10} {orate:>10} {trate:>10}  {unit:7}"
              f" {percent(copy_share(ours, c)):>9} {percent(copy_share(theirs, c)):>10}  {verdicts[c]}")
    if rehearsals:
        print("targets: not judged, a rehearsal (" + "; ".join(rehearsals) + ")")
    else:
        judged = list(verdicts.values())
        print(f"targets: {judged.count('met')} met, {judged.count('missed')} missed "
              f"(matmul and conv3d <= {TIME_TARGET:.2f}x PyTorch's time; "
              f"{', '.join(MEMORY_BOUND_TARGETS)} >= {100 * COPY_TARGET:.0f}% of the copy rate)")
    for e in errors:
        print("FAILED " + e)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
