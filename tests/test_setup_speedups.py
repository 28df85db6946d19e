"""The test speedups give what the real libraries give."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import yaml

from tests import setup_speedups

DOCUMENT = "first: 1\n---\nsecond: 2\n"


def _real(text: str) -> object:
    return setup_speedups._original_load(io.StringIO(text), Loader=yaml.SafeLoader)


def test_a_stream_read_part_way_is_parsed_from_where_it_is(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text("ignored: 0\n" + DOCUMENT.split("---\n")[1], encoding="utf-8")
    with open(path, encoding="utf-8") as stream:
        setup_speedups._cached_load(stream, yaml.SafeLoader)  # the whole file, now cached
    with open(path, encoding="utf-8") as stream:
        stream.readline()
        loaded = setup_speedups._cached_load(stream, yaml.SafeLoader)
    assert loaded == {"second": 2} == _real("second: 2\n")


def test_a_stream_that_cannot_seek_is_parsed_by_the_real_function():
    read, write = os.pipe()
    os.write(write, b"piped: [1, 2]\n")
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as stream:
        loaded = setup_speedups._cached_load(stream, yaml.SafeLoader)
    assert loaded == {"piped": [1, 2]} == _real("piped: [1, 2]\n")


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    with open(path, encoding="utf-8") as stream:
        assert setup_speedups._cached_load(stream, yaml.SafeLoader) == {"version": 1}
    path.write_text("version: 22\n", encoding="utf-8")
    with open(path, encoding="utf-8") as stream:
        assert setup_speedups._cached_load(stream, yaml.SafeLoader) == {"version": 22}


def test_each_caller_gets_its_own_copy(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text("items: [1]\n", encoding="utf-8")
    with open(path, encoding="utf-8") as stream:
        setup_speedups._cached_load(stream, yaml.SafeLoader)["items"].append(2)
    with open(path, encoding="utf-8") as stream:
        assert setup_speedups._cached_load(stream, yaml.SafeLoader) == {"items": [1]}


def test_a_text_is_parsed_by_the_real_function():
    assert setup_speedups._cached_load(DOCUMENT.split("---")[0], yaml.SafeLoader) == {"first": 1}


def test_the_switch_leaves_the_libraries_alone():
    code = ("import yaml, inspect; real = (yaml.load, inspect.stack); import tests.conftest; "
            "print((yaml.load, inspect.stack) == real)")
    env = dict(os.environ, QUEBEC_TEST_SPEEDUPS="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)), check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"
