"""Benchmark of quebec_quality: CSV validation throughput and peak memory, metadata score of 10,000 datasets.

    .venv-2.12/bin/python bench/quality.py                 # 1 GB CSV, 3 runs, 10,000 datasets
    .venv-2.12/bin/python bench/quality.py --size-mb 200 --repeat 1

The CSV (8 columns: integer key, code, text, two decimals, ISO date, boolean,
free text) is generated into /tmp and deleted afterwards. Each validation
runs in a child process; its peak memory is the child's maximum resident set
size (wait4's ru_maxrss), so the parent's memory does not count. Figures are
medians over the runs. Targets (issue 6): >= 20 MB/s, <= 300 MB, score of
10,000 datasets < 60 s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SCHEMA = {"fields": [
    {"name": "id", "type": "integer"}, {"name": "code", "type": "integer"}, {"name": "nom", "type": "string"},
    {"name": "montant", "type": "number"}, {"name": "ratio", "type": "number"}, {"name": "date", "type": "date"},
    {"name": "actif", "type": "boolean"}, {"name": "commentaire", "type": "string"}],
    "primaryKey": ["id"]}


def generate(path: str, size_mb: int) -> int:
    """Write an ordinary 8-column CSV of about ``size_mb`` MB; returns its size in bytes."""
    target = size_mb << 20
    rng = random.Random(6)
    names = [f"Municipalité {i}" for i in range(977)]
    written = 0
    row = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("id,code,nom,montant,ratio,date,actif,commentaire\n")
        while written < target:
            lines = []
            for _ in range(10_000):
                lines.append(f"{row},{rng.randint(1000, 99999)},{names[row % 977]},{rng.randint(0, 10**7) / 100},"
                             f"{rng.random():.6f},20{10 + row % 15}-{1 + row % 12:02d}-{1 + row % 28:02d},"
                             f"{'true' if row % 2 else 'false'},Relevé numéro {row} du secteur {row % 313}\n")
                row += 1
            chunk = "".join(lines)
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
    return os.path.getsize(path)


def child(path: str, with_schema: bool) -> None:
    from ckanext.quebec.quality import validation

    options = validation.Options()  # the plugin's defaults: 192MB, 2 threads
    report = validation.validate_file(path, "csv", SCHEMA if with_schema else None, options)
    print(json.dumps({"status": report.status, "rows": report.rows, "errors": report.error_count}))


def validate_once(path: str, with_schema: bool) -> tuple[float, float, dict]:
    """(seconds, peak MB of the child, its report summary)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, __file__, "--child", path] + (["--schema"] if with_schema else []),
                               stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"validation child failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024, json.loads(output)


def datasets(count: int) -> list[dict]:
    rng = random.Random(405)
    formats = ["CSV", "GeoJSON", "XLSX", "PDF", "JSON", "SHP", "", "HTML"]
    result = []
    for i in range(count):
        resources = [{"id": f"r{i}-{j}", "url": f"https://example.org/{i}/{j}", "format": rng.choice(formats),
                      "url_type": "upload" if rng.random() < .5 else "", "resource_type": "donnees",
                      "data_dictionary": "id" if rng.random() < .5 else "", "size": 100,
                      "conformite_encodage_utf8": "oui"} for j in range(rng.randint(0, 6))]
        result.append({
            "id": f"d{i}", "title": f"Jeu {i}", "notes": "Description" if rng.random() < .8 else "",
            "title_translated": {"fr": f"Jeu {i}", "en": f"Dataset {i}" if rng.random() < .6 else ""},
            "notes_translated": {"fr": "Description", "en": "Description"},
            "keywords": {"fr": ["a"], "en": []} if rng.random() < .7 else {}, "categories": ["transport"],
            "spatial": "{}" if rng.random() < .5 else "", "temporal_start": "2020-01-01",
            "license_id": rng.choice(["cc-by", "other", ""]), "author_email": "a@b.c", "owner_org": "o",
            "update_frequency": rng.choice(["annual", "monthly", "irregular"]),
            "metadata_created": "2024-01-01T00:00:00", "metadata_modified": "2025-06-01T00:00:00",
            "resources": resources,
        })
    return result


def score_many(count: int) -> tuple[float, dict]:
    from ckanext.quebec.quality import score

    items = datasets(count)
    links = {r["id"]: {"ok": True} for d in items for r in d["resources"]}
    started = time.monotonic()
    levels: dict[str, int] = {}
    for dataset in items:
        level = score.score(dataset, links, "valid").as_dict()["level"]
        levels[level] = levels.get(level, 0) + 1
    return time.monotonic() - started, levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--child")
    parser.add_argument("--schema", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.schema)
        return

    handle, path = tempfile.mkstemp(prefix="quebec-bench-", suffix=".csv", dir="/tmp")
    os.close(handle)
    try:
        size = generate(path, args.size_mb)
        print(f"CSV: {size / 1e6:.0f} MB ({size >> 20} MiB), 8 columns, in {path}")
        for with_schema, label in ((False, "inferred types"), (True, "Table Schema + primary key")):
            runs = [validate_once(path, with_schema) for _ in range(args.repeat)]
            seconds = statistics.median(run[0] for run in runs)
            peak = statistics.median(run[1] for run in runs)
            print(f"validation, {label}: median {seconds:.1f} s, {size / 1e6 / seconds:.1f} MB/s, "
                  f"peak {peak:.0f} MB (child max RSS), {args.repeat} runs; report {runs[0][2]}")
    finally:
        os.remove(path)
    runs = [score_many(args.datasets) for _ in range(args.repeat)]
    seconds = statistics.median(run[0] for run in runs)
    print(f"metadata score of {args.datasets:,} datasets: median {seconds:.2f} s "
          f"({args.datasets / seconds:,.0f} datasets/s), levels {runs[0][1]}")


if __name__ == "__main__":
    main()
