"""The version guard of the compat_* modules: an untested library version stops start-up."""
from __future__ import annotations

import importlib.metadata


def require(distribution: str, tested: tuple[str, ...], module: str, what: str,
            installed: str | None = None) -> None:
    """Raise RuntimeError unless ``installed`` (default: the installed ``distribution``) is in ``tested``.

    ``module`` is the compat module to check against a new version; ``what``
    says which of the library's internals it uses.
    """
    installed = installed or importlib.metadata.version(distribution)
    if installed not in tested:
        raise RuntimeError(
            f"ckanext-quebec's quebec_dcat uses {what} of {distribution} and was tested with "
            f"{distribution} {', '.join(tested)} only; {installed} is installed. Install a "
            f"tested version, or check {module} against {installed} and add it to "
            f"TESTED_VERSIONS."
        )
