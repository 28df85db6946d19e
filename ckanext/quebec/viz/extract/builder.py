"""The build of one extract: fetch or open the file, dispatch to the reader of its format, write meta.json.

Everything is written into the folder given (a fresh one that storage.py
puts in place of the previous extract only once complete). Needs no CKAN:
the preview job runs it in a child process (child.py).
"""
from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import time
from typing import Any, Optional

import duckdb

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

from . import maps, readers
from .common import FORMAT_VERSION, META_FILE, Settings
from .readers import datastore
from .resource import fingerprint, reader_of, resource_format
from .table import Table

log = logging.getLogger(__name__)


class Builder:
    """Builds one extract into ``directory`` (an empty folder) from a resource dict.

    ``path``: the resource's file when the caller already has it locally (an
    upload); otherwise the resource's URL is downloaded. ``datastore``: read
    the rows from the DataStore instead (``url``: its read-only database URL,
    ``table``, ``fields``: datastore_info's ``id`` and ``type``).
    """

    def __init__(self, resource: dict, directory: str, settings: Optional[Settings] = None,
                 path: Optional[str] = None, datastore: Optional[dict] = None) -> None:
        self.resource = resource
        self.directory = directory
        self.path = path
        self.datastore = datastore
        self.settings = settings = settings or Settings()
        self.max_rows = settings.max_rows
        self.max_columns = settings.max_columns
        self.max_features = settings.max_features
        self.meta: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "resource_id": resource["id"],
            "format": resource_format(resource),
            "source": "datastore" if datastore else "file",
            "fingerprint": fingerprint(resource),
            "state": "ready",
            "rows_total": None, "rows_kept": 0, "rows_capped": False, "rows_rejected": 0,
            "columns": [], "columns_total": 0, "columns_capped": False,
            "stats_scope": "file",
            "geo": None,
            "warnings": [],
            "error": None,
            "max_rows": self.max_rows, "max_columns": self.max_columns,
            "max_features": self.max_features,
        }
        self.connection: Optional[duckdb.DuckDBPyConnection] = None
        self.table: Optional[Table] = None

    def warn(self, code: str, msgid: str, **params: Any) -> None:
        self.meta["warnings"].append({"code": code, "msgid": msgid, "params": params})

    def fail(self, error: TabularError) -> dict[str, Any]:
        """Record ``error`` as the extract's state, without reading anything."""
        self.meta["state"] = "error"
        self.meta["error"] = error.as_dict()
        return self._finish(time.monotonic())

    def build(self) -> dict[str, Any]:
        started = time.monotonic()
        # outside the try: a DuckDB that cannot start is the portal's fault, not the file's
        self.connection = tabular.connect(memory_limit=self.settings.memory_limit, threads=2,
                                          temp_directory=os.path.join(self.directory, ".spill"))
        # "the first rows" must be the file's first rows
        self.connection.execute("SET preserve_insertion_order = true")
        self.table = Table(self.connection, self.directory, self.meta, self.warn)
        try:
            self._build()
        except TabularError as error:
            self.meta["state"] = "error"
            self.meta["error"] = error.as_dict()
        except duckdb.Error as error:
            log.info("Preview of resource %s: DuckDB cannot read it: %s", self.resource["id"], error)
            self.meta["state"] = "error"
            self.meta["error"] = TabularError(
                "unreadable", _("The file cannot be read as a table: it is not valid %(format)s"),
                format=self.meta["format"].upper() or "CSV").as_dict()
        return self._finish(started)

    def _finish(self, started: float) -> dict[str, Any]:
        if self.connection is not None:
            with contextlib.suppress(duckdb.Error):
                self.connection.close()
        self.meta["seconds"] = round(time.monotonic() - started, 3)
        self.meta["built"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with open(os.path.join(self.directory, META_FILE), "w", encoding="utf-8") as stream:
            json.dump(self.meta, stream, ensure_ascii=False, default=str)
        return self.meta

    def _build(self) -> None:
        fmt = self.meta["format"]
        reader = reader_of(self.resource)
        if reader is not None and reader.kind == readers.SERVICE:
            self.meta["kind"] = "service"
            return
        if self.datastore:
            datastore.read(self)
            maps.detect_points(self)
            return
        if reader is None:
            raise TabularError("unsupported-format",
                               _("Previews of %(format)s files are not available"),
                               format=fmt.upper() or "?")
        if self.path is not None and reader.remote_url is None:
            if not os.path.isfile(self.path):
                raise TabularError("no-data", _("The uploaded file of this resource is missing"))
            self._read(reader, self.path, os.path.getsize(self.path))
            return
        settings = self.settings
        limits = tabular.Limits(max_bytes=settings.max_download_bytes,
                                read_timeout=settings.fetch_timeout,
                                allow_private=settings.allow_private_urls)
        resource = dict(self.resource, url_type=None)  # a URL: uploads come as ``path``
        if reader.remote_url is not None:
            resource["url"] = reader.remote_url(resource.get("url") or "", self.max_features)
        if reader.kind == readers.GEO:
            limits.max_bytes = min(limits.max_bytes, settings.max_geo_bytes)
        with tabular.open_resource(resource, limits) as local:
            self._read(reader, local.path, local.size)

    def _read(self, reader: readers.Reader, path: str, size: int) -> None:
        looked = tabular.sniff(path, full_utf8_check=reader.full_utf8_check)
        if looked.kind == "empty":
            raise TabularError("empty-file", _("The file is empty"))
        if looked.kind == "html":
            raise TabularError(
                "html-instead-of-data",
                _("The file is an HTML page, not %(format)s data (a web page instead of the file?)"),
                format=self.meta["format"].upper())
        other = reader.read_as(path) if reader.read_as is not None else None
        if other is not None:
            reader = readers.named(other)
        if reader.kind == readers.GEO:
            if size > self.settings.max_geo_bytes:
                raise TabularError("too-large",
                                   _("The file is larger than the %(limit)s MB that can be previewed"),
                                   limit=self.settings.max_geo_bytes >> 20)
            maps.from_features(self, *reader.read(self, path, looked))
            return
        reader.read(self, path, looked)
        maps.detect_points(self)
