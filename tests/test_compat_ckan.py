"""CKAN's internals in one place: the version guard, and no binding CKAN reads left unpatched."""
from __future__ import annotations

import ast
import importlib
import pathlib
import pkgutil
import sys
import types

import ckan
import pytest

from ckanext.quebec import compat_ckan
from ckanext.quebec.search import backend

# Packages of CKAN whose modules may bind a patched name (imported here in
# full, so a module CKAN loads lazily is looked at too).
_CKAN_PACKAGES = ("ckan.lib.search", "ckan.logic.action", "ckan.lib.dictization",
                  "ckan.views", "ckan.config", "ckan.cli")


def _unpatched_bindings() -> list[str]:
    """``module.name`` of every ckan.* module holding CKAN's own function
    under a name the suite patches."""
    found = []
    for module_name, module in list(sys.modules.items()):
        if not (module_name == "ckan" or module_name.startswith("ckan.")) or module is None:
            continue
        for name in compat_ckan.PATCHED_BINDINGS:
            if vars(module).get(name) is compat_ckan.original(name):
                found.append(f"{module_name}.{name}")
    return found


def _import_ckan_packages() -> None:
    for package_name in _CKAN_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            if ".tests" not in info.name and not info.name.endswith(".tests"):
                importlib.import_module(info.name)


def _holders_in_ckan_source() -> dict[str, set[str]]:
    """For each patched name, the CKAN modules that bind it when imported:
    the one that defines it, and every ``from ... import name`` at module
    level (whatever the order of imports, their copy would be CKAN's own)."""
    root = pathlib.Path(ckan.__file__).parent
    holders: dict[str, set[str]] = {name: set() for name in compat_ckan.PATCHED_BINDINGS}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root.parent).with_suffix("")
        if "tests" in relative.parts or "migration" in relative.parts:
            continue
        module_name = ".".join(relative.parts).removesuffix(".__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) in holders:
                        holders[alias.asname or alias.name].add(module_name)
    for name in holders:
        holders[name].add(compat_ckan.original(name).__module__)
    return holders


class TestVersionGuard:
    @pytest.mark.parametrize("version", ["2.11.0", "2.11.6", "2.12.0", "2.12.3"])
    def test_tested_versions_start(self, version):
        compat_ckan.require_tested_version(version)

    def test_this_ckan_is_a_tested_one(self):
        compat_ckan.require_tested_version(ckan.__version__)

    @pytest.mark.parametrize("version", ["2.10.4", "2.13.0", "3.0.0", "2.13.0a0", "dev"])
    def test_other_versions_stop_start_up_saying_why(self, version):
        with pytest.raises(compat_ckan.UntestedCKANVersion) as raised:
            compat_ckan.require_tested_version(version)
        message = str(raised.value)
        assert f"CKAN {version}" in message
        assert "2.11.x, 2.12.x" in message
        assert "docs/internals.md" in message


@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
@pytest.mark.usefixtures("with_plugins")
class TestEveryBindingIsPatched:
    def test_each_listed_holder_has_the_replacement(self):
        for name, replacement in backend.REPLACEMENTS.items():
            assert compat_ckan.is_patched(name, replacement), name

    def test_no_ckan_module_keeps_ckan_s_own_function(self):
        _import_ckan_packages()
        assert _unpatched_bindings() == []

    def test_every_module_binding_a_patched_name_is_listed(self):
        holders = _holders_in_ckan_source()
        assert {name: set(modules) for name, modules in compat_ckan.PATCHED_BINDINGS.items()
                } == holders

    def test_a_new_copy_of_a_binding_fails_this_check(self, monkeypatch):
        # As a future CKAN module with its own `from .common import make_connection`.
        future = types.ModuleType("ckan.lib.search.future")
        future.make_connection = compat_ckan.original("make_connection")
        monkeypatch.setitem(sys.modules, future.__name__, future)
        assert _unpatched_bindings() == ["ckan.lib.search.future.make_connection"]

