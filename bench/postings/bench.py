"""Timing: reference (2 partitions in parallel, 2 connections) vs posting readers, interleaved."""
import json, os, random, statistics, sys, time
from common import queries, VISIBLE
from reader import Reader
from reference import Reference

ROUNDS = int(os.environ.get("ROUNDS", "5"))
F = Reference()
readers = {"full": Reader(mode="full"), "nopos": Reader(mode="nopos")}
qs = queries()
for q in qs + qs[:10]:  # warm up all
    F.search(q, VISIBLE)
    for r in readers.values():
        r.search(q, VISIBLE)

names = ["reference"] + list(readers)
tot = {n: [] for n in names}
parts = {n: {} for n in readers}
per_q = {q: {n: [] for n in names} for q in qs}
nbytes = {n: [] for n in readers}
rng = random.Random(1)
load0 = os.getloadavg(); t_start = time.time()
for r in range(ROUNDS):
    order = qs[:]; rng.shuffle(order)
    for i, q in enumerate(order):
        seq = names[(i + r) % 3:] + names[:(i + r) % 3]   # rotate who goes first
        for n in seq:
            t = time.perf_counter()
            out = F.search(q, VISIBLE) if n == "reference" else readers[n].search(q, VISIBLE)
            x = (time.perf_counter() - t) * 1000
            tot[n].append(x); per_q[q][n].append(x)
            if n != "reference":
                nbytes[n].append(out["bytes"])
                for k, v in out["times"].items():
                    parts[n].setdefault(k, []).append(v * 1000 if isinstance(v, float) else v)
load1 = os.getloadavg()


def stats(xs):
    xs = sorted(xs)
    return {"median": round(statistics.median(xs), 2), "p95": round(xs[int(round(0.95 * (len(xs) - 1)))], 2),
            "mean": round(statistics.fmean(xs), 2), "min": round(xs[0], 2), "n": len(xs)}


out = {"total_ms": {n: stats(v) for n, v in tot.items()},
       "parts_ms": {n: {k: stats(v) for k, v in p.items()} for n, p in parts.items()},
       "postings_bytes_read": {n: stats(v) for n, v in nbytes.items()},
       "ratio_of_medians_reference_over_reader": {n: round(statistics.median(tot["reference"]) / statistics.median(tot[n]), 2) for n in readers},
       "loadavg_before_after": [load0, load1], "wall_s": round(time.time() - t_start),
       "per_query_median_ms": {q: {n: round(statistics.median(v[n]), 1) for n in names} for q, v in per_q.items()}}
print(json.dumps({k: out[k] for k in ("total_ms", "ratio_of_medians_reference_over_reader", "loadavg_before_after", "wall_s")}, indent=1))
json.dump(out, open(sys.argv[1] if len(sys.argv) > 1 else "postings-bench.json", "w"),
          indent=1, ensure_ascii=False)
