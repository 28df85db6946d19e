"""Faster plugin loading for the test process; what is loaded stays the same.

CKAN's fixtures reload the plugins for every test (``with_plugins`` loads
and unloads them, ``app`` builds a new Flask app, each running every
plugin's ``update_config``). Measured with cProfile on a schema test module,
four things took most of that reload, none of them under test:

- YAML parsing: CKAN's config declaration, ckanext-scheming's schemas and
  presets and the webassets bundles are parsed again each time, from files
  that do not change during a run. A file stream read from its start is
  parsed once per (path, modification time, size) and loader, and each
  caller gets its own deep copy (scheming expands its schemas in place);
  any other input (a text, a stream read part-way, a pipe) goes to the
  real ``yaml.load``.
- ``inspect.stack()`` in ``toolkit.add_template_directory``,
  ``add_public_directory`` and ``add_resource``, which only want the
  caller's file name but read the source of every frame of the stack.
  Called from ckan.plugins.toolkit, ``inspect.stack`` answers with the
  frames' file names, line numbers and function names only.
- CKAN's own config declaration, built again from its YAML file at each
  reload: the core options are kept after the first build (per path,
  modification time and size of that file) and each reload gets a copy of each (plugins' and storages' declarations are
  still made each time).
- Entry points: CKAN looks each plugin up with
  ``importlib.metadata.entry_points``, which reads the entry points of every
  installed distribution at each call. The installed distributions do not
  change during a run, so each lookup's answer is kept.
- ``plugins.load_all()`` unloads every plugin, running CKAN's whole
  ``update_config`` (and, on Solr, its schema check over HTTP) for the
  empty set, then loads the plugins and runs it again. CKAN's fixtures do
  it for every test (the ``app`` fixture's ``load_environment``); the
  update of the empty set is left out when the load runs one after it
  (the observers and signals still see each unload). The plugins loaded
  and the configuration they leave are the same.

Beside the reload, the fixtures create users: CKAN hashes each password with
pbkdf2_sha512 at passlib's 25,000 rounds (about 25 ms), and the suite makes
thousands of users. Here a password is hashed with :data:`TEST_ROUNDS`
rounds; checking one reads the rounds from its hash, so a hash made with
more (a portal's command line) still checks, and none is "upgraded".

Installed by tests/conftest.py for the whole session, unless the
environment sets ``QUEBEC_TEST_SPEEDUPS=0``: a slice of the suite runs
without them, so that a difference they make shows.
"""
from __future__ import annotations

import copy
import functools
import importlib.metadata
import inspect
import os
import sys
from collections import OrderedDict
from typing import Any

import yaml

_original_load = yaml.load
_original_stack = inspect.stack
_parsed: dict[tuple[tuple[str, int, int], Any], Any] = {}


def _file_key(stream: Any) -> tuple[str, int, int] | None:
    """(path, modification time, size) of a file stream at offset 0, else None."""
    path = getattr(stream, "name", None)
    if not isinstance(path, str) or not hasattr(stream, "seekable"):
        return None
    try:
        if not stream.seekable() or stream.tell() != 0:
            return None
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return path, status.st_mtime_ns, status.st_size


def _cached_load(stream: Any, Loader: Any = None) -> Any:  # noqa: N803 (yaml's name)
    """yaml.load, kept per unchanged file for a file read from its start.

    Anything else (a text, a stream read part-way, a pipe) goes to the real
    parser. The stream is left at its end, as the real parser leaves it.
    """
    key = _file_key(stream)
    if key is None:
        return _original_load(stream, Loader=Loader)
    cache_key = (key, Loader)
    if cache_key not in _parsed:
        _parsed[cache_key] = _original_load(stream, Loader=Loader)
    else:
        stream.seek(0, os.SEEK_END)
    return copy.deepcopy(_parsed[cache_key])


def _cached_safe_load(stream: Any) -> Any:
    return _cached_load(stream, yaml.SafeLoader)


class _Frame:
    """What ckan.plugins.toolkit reads of inspect.stack()'s records."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, frame: Any) -> None:
        self.filename = frame.f_code.co_filename
        self.lineno = frame.f_lineno
        self.function = frame.f_code.co_name


def _stack(context: int = 1) -> list[Any]:
    caller = sys._getframe(1)
    if caller.f_globals.get("__name__") != "ckan.plugins.toolkit":
        return _original_stack(context)
    frames, frame = [], caller
    while frame is not None:
        frames.append(_Frame(frame))
        frame = frame.f_back
    return frames


# The core options, per (path, modification time, size) of CKAN's declaration file.
_core_declaration: dict[tuple[str, int, int], Any] = {}


def _core_file_key() -> tuple[str, int, int]:
    import ckan.config

    path = os.path.join(os.path.dirname(ckan.config.__file__), "config_declaration.yaml")
    status = os.stat(path)
    return path, status.st_mtime_ns, status.st_size


def _copy_option(option: Any) -> Any:
    # Its setters replace attributes; a list or dict default could be
    # changed in place through the config.
    copied = copy.copy(option)
    if isinstance(copied.default, (list, dict)):
        copied.default = copy.deepcopy(copied.default)
    return copied


def _load_core_declaration(declaration: Any) -> None:
    """Declaration.load_core_declaration, the core options built once."""
    from ckan.config.declaration import load

    if declaration._core_loaded:
        return
    # Keys and annotations are immutable; a plugin may change an option, so
    # the kept options are copies and each declaration gets copies of them.
    key = _core_file_key()
    if key not in _core_declaration:
        load.loader(declaration, "core")
        _core_declaration[key] = (
            {name: _copy_option(option) for name, option in declaration._options.items()},
            list(declaration._members))
    else:
        options, members = _core_declaration[key]
        declaration._options = OrderedDict(
            (name, _copy_option(option)) for name, option in options.items())
        declaration._members = list(members)
    if "files" in load.handler._types:  # CKAN 2.12: the storages' options
        load.loader(declaration, "files")
    declaration._core_loaded = True


_original_load_all: Any = None


class _Updates:
    """Stands in for ckan.plugins.core.plugins_update while load_all runs:
    counts the updates and runs them unless ``held``."""

    def __init__(self, update: Any) -> None:
        self.update = update
        self.held = True
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if not self.held:
            self.update()


def _load_all(*args: Any, **kwargs: Any) -> None:
    """plugins.load_all, without the update of the empty set between its
    unloading and its loading when the loading runs one.

    Its observers still hear of each unload; only ``plugins_update`` is held
    until the unloading is over, and run if nothing ran it after.
    """
    import ckan.plugins.core as core

    update = core.plugins_update
    updates = core.plugins_update = _Updates(update)
    held = 0
    try:
        core.unload_all()
        held, updates.held, updates.calls = updates.calls, False, 0
        (_original_load_all or core.load_all)(*args, **kwargs)
    finally:
        core.plugins_update = update
        if held and not updates.calls:
            # Nothing (or a failure) came to update after the unloading.
            update()


@functools.cache
def _entry_points(**selection: Any) -> Any:
    return importlib.metadata.entry_points(**selection)


# pbkdf2_sha512 rounds of the passwords the tests set (passlib's default: 25,000).
TEST_ROUNDS = 1000


# Every module of CKAN that binds load_all (ckan.plugins: ``from .core import *``).
LOAD_ALL_HOLDERS = ("ckan.plugins", "ckan.plugins.core")


def install() -> None:
    global _original_load_all
    import ckan.model.user
    import ckan.plugins.core
    from ckan.config.declaration import Declaration
    from passlib.hash import pbkdf2_sha512

    if ckan.plugins.core.load_all is not _load_all:
        _original_load_all = ckan.plugins.core.load_all
    for name in LOAD_ALL_HOLDERS:
        setattr(sys.modules[name], "load_all", _load_all)
    Declaration.load_core_declaration = _load_core_declaration
    ckan.plugins.core.entry_points = _entry_points
    yaml.load = _cached_load
    yaml.safe_load = _cached_safe_load
    inspect.stack = _stack
    # CKAN's User reads its module's name at each hash and check (default_rounds too).
    ckan.model.user.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=TEST_ROUNDS)
