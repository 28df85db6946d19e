"""The process that builds one preview extract, started by the preview job: ``python -m ckanext.quebec.viz.child``.

It reads its order as JSON on standard input (resource, build folder,
settings, local path of an upload, DataStore table to read) and imports no
CKAN: its memory is DuckDB's (under its limit) plus the reader's, and
whatever a file does to it
(a crash, the kernel's OOM killer) ends this process, never the worker.
"""
from __future__ import annotations

import json
import sys

from .extract import Builder, Settings


def main() -> int:
    order = json.load(sys.stdin)
    meta = Builder(order["resource"], order["directory"], Settings(**order["settings"]),
                   order.get("path"), order.get("datastore")).build()
    print(json.dumps({"state": meta["state"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
