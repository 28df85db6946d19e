"""The link checker: does a resource's URL answer, with what type and size (HEAD, then GET when HEAD is refused)."""
from __future__ import annotations

import contextlib
import os
from typing import Optional

from ckanext.quebec import tabular
from ckanext.quebec.tabular import TabularError


def check_resource(resource: dict, limits: tabular.Limits) -> dict:
    """The link check of a resource: an upload must be in storage, a URL must answer with a 2xx status.

    :returns: {"ok", "status", "url", "content_type", "size", "redirects", "elapsed", "error"}
    """
    path = tabular.uploaded_path(resource)
    if path is not None:
        exists = os.path.isfile(path)
        return {"ok": exists, "status": 200 if exists else 404, "url": resource.get("url"),
                "content_type": resource.get("mimetype"), "size": os.path.getsize(path) if exists else None,
                "redirects": [], "elapsed": 0.0,
                "error": None if exists else TabularError(
                    "no-data", "The uploaded file of this resource is missing").as_dict()}
    return check_url((resource.get("url") or "").strip(), limits)


def check_url(url: str, limits: tabular.Limits) -> dict:
    result: dict = {"ok": False, "status": None, "url": url, "content_type": None, "size": None,
                    "redirects": [], "elapsed": None, "error": None}
    if not url:
        result["error"] = TabularError("no-data", "This resource has neither a file nor a URL").as_dict()
        return result
    try:
        response = _ask(url, limits, "HEAD")
        if response.status in (403, 405, 501) or response.status >= 500:
            response = _ask(url, limits, "GET")
    except TabularError as error:
        result["error"] = error.as_dict()
        return result
    result.update(ok=200 <= response.status < 300, status=response.status, url=response.url,
                  content_type=response.content_type, size=response.content_length,
                  redirects=response.redirects, elapsed=round(response.elapsed, 3))
    if not result["ok"]:
        result["error"] = TabularError("http-error", "%(url)s answered with HTTP status %(status)s",
                                       url=url, status=response.status).as_dict()
    return result


def _ask(url: str, limits: tabular.Limits, method: str) -> tabular.Response:
    response, answer = tabular.request(url, limits, method)
    with contextlib.closing(answer):
        return response


def fresh_enough(checked: Optional[str], days: int, now) -> bool:
    """Whether a check recorded at ISO time ``checked`` is younger than ``days``."""
    import datetime

    if not checked:
        return False
    when = datetime.datetime.fromisoformat(checked)
    return (now - when).days < days
