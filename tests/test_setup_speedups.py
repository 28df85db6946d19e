"""The test speedups give what the real libraries give."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
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


def _ckan_load_all():
    from ckan.plugins import core

    return setup_speedups._original_load_all or core.load_all


def _loaded_state() -> tuple:
    """What a reload leaves: the plugins, the options, the paths, helpers and dataset types."""
    from ckan.common import config
    from ckan.lib import helpers
    from ckan.lib import plugins as lib_plugins
    from ckan.plugins import core

    return (list(core._PLUGINS), sorted(config.keys()), config["ckan.plugins"],
            list(config["plugin_template_paths"]), list(config["plugin_public_paths"]),
            sorted(helpers.helper_functions), sorted(lib_plugins._package_plugins))


def _count_updates(monkeypatch) -> list[None]:
    from ckan.config import environment

    update, calls = environment.update_config, []

    def counted() -> None:
        calls.append(None)
        update()

    monkeypatch.setattr(environment, "update_config", counted)
    return calls


def test_every_ckan_module_binding_load_all_is_listed():
    holders = [name for name, module in list(sys.modules.items())
               if name.startswith("ckan") and module is not None
               and vars(module).get("load_all") is _ckan_load_all()]
    assert set(holders) <= set(setup_speedups.LOAD_ALL_HOLDERS)


@pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema")
@pytest.mark.usefixtures("with_plugins")
def test_a_reload_updates_once_and_loads_what_ckan_loads(monkeypatch):
    updates = _count_updates(monkeypatch)
    _ckan_load_all()()
    loaded_by_ckan = _loaded_state()
    assert len(updates) == 2  # the empty set's, then the plugins'
    updates.clear()
    setup_speedups._load_all()
    assert len(updates) == 1
    assert _loaded_state() == loaded_by_ckan


@pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema")
@pytest.mark.usefixtures("with_plugins")
def test_a_reload_without_plugins_still_updates(ckan_config, monkeypatch):
    configured = ckan_config["ckan.plugins"]
    monkeypatch.setitem(ckan_config, "ckan.plugins", "")
    _ckan_load_all()()
    unloaded_by_ckan = _loaded_state()
    monkeypatch.setitem(ckan_config, "ckan.plugins", configured)
    _ckan_load_all()()
    monkeypatch.setitem(ckan_config, "ckan.plugins", "")
    updates = _count_updates(monkeypatch)
    setup_speedups._load_all()
    assert len(updates) == 1
    assert _loaded_state() == unloaded_by_ckan


@pytest.mark.usefixtures("clean_db")
def test_a_password_is_hashed_faster_and_any_hash_still_checks():
    from ckan import model
    from passlib.hash import pbkdf2_sha512

    user = model.User(name="essai-mot-de-passe", email="essai@example.org", password="premier-mot-1")
    model.Session.add(user)
    model.Session.commit()
    # the unpatched slice of the suite (QUEBEC_TEST_SPEEDUPS=0) hashes as CKAN does
    installed = os.environ.get("QUEBEC_TEST_SPEEDUPS") != "0"
    rounds = setup_speedups.TEST_ROUNDS if installed else pbkdf2_sha512.default_rounds
    assert pbkdf2_sha512.from_string(user.password).rounds == rounds
    assert user.validate_password("premier-mot-1") and not user.validate_password("autre-mot-2")

    # a hash made at passlib's default (`ckan user add` on a served portal) checks, unchanged
    user._password = pbkdf2_sha512.hash("second-mot-2")
    kept = user.password
    assert user.validate_password("second-mot-2") and user.password == kept
