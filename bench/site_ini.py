"""The temporary CKAN ini the benchmarks hand to the `ckan` command: their plugins and options
over the given configuration, as a site would set them."""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Iterator


@contextlib.contextmanager
def site_ini(ckan_ini: str, plugins: str, options: dict[str, object] | None = None) -> Iterator[str]:
    """The path of an ini that uses ``ckan_ini`` with ``ckan.plugins = plugins`` and ``options``;
    removed on leaving the block."""
    with tempfile.TemporaryDirectory() as directory:
        ini = os.path.join(directory, "bench.ini")
        with open(ini, "w", encoding="utf-8") as out:
            out.write(f"[app:main]\nuse = config:{os.path.abspath(ckan_ini)}\nckan.plugins = {plugins}\n")
            out.writelines(f"{key} = {value}\n" for key, value in (options or {}).items())
        yield ini
