"""Import of a partner's DCAT feed: datasets created or updated, matched by dct:identifier, never deleted.

A feed is a file or an http(s) URL in Turtle, RDF/XML or JSON-LD, maybe
paginated with hydra (next pages followed up to a cap). It is read with
limits and parsed defensively:

- URLs: http and https only; hosts resolving to private, loopback,
  link-local or reserved addresses refused (unless
  ``ckanext.quebec.dcat.import_allow_private_addresses``), at every redirect;
  a size cap and a time limit for the whole download;
- RDF/XML: any DOCTYPE refused before rdflib sees the document, so no
  external entity is ever fetched and no entity expansion happens;
- JSON-LD: only inline ``@context``s (a remote context would be fetched);
- files (the CLI only, never the API): the same size cap;
- errors say where a document is malformed, never what it holds.

Each dataset of the feed keeps its ``dct:identifier`` (the ``identifier``
extra) and gets a stable name from its organization and its identifier:
importing the same feed again updates the organization's dataset with that
identifier (even renamed since), else the one of that name. A
dataset that the schema refuses, that lacks an identifier or a title, or
whose name belongs to another organization is skipped with the reason.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlparse
from xml.parsers import expat

import ckan.plugins.toolkit as tk

from ckanext.quebec import tabular

from . import config, quality
from .profiles.base import UNMAPPED

PROFILES = ["euro_dcat_ap_3", "quebec_dcat_ap_3"]
# Fields the feed may not set: they belong to the portal.
PORTAL_FIELDS = ("id", "name", "owner_org", "organization", "private", "state", "type",
                  "metadata_created", "metadata_modified", "creator_user_id", "uri",
                  quality.KEY)
_FORMATS = {"turtle": "turtle", "ttl": "turtle", "xml": "xml", "rdf": "xml",
            "json-ld": "json-ld", "jsonld": "json-ld"}


def _(msgid: str) -> str:
    """Marks a FeedRefused msgid for extraction; FeedRefused translates it (``tk._`` translates at once)."""
    return msgid


class FeedRefused(Exception):
    """A feed (or one of its pages) that is not read at all; the message says why.

    As a TabularError, it keeps its ``msgid`` and ``params`` (``str.format``
    arguments, or a TabularError's ``%(name)s`` ones), so a harvest report can
    say it again in its reader's language; ``str()`` is in the current one.
    """

    def __init__(self, msgid: str, *args: Any, percent: dict[str, Any] | None = None) -> None:
        self.msgid = msgid
        self.params: tuple | dict = percent if percent is not None else args
        text = tk._(msgid)
        super().__init__(text % percent if percent is not None else text.format(*args))


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created, "updated": self.updated,
            "skipped": [{"identifier": i, "reason": r} for i, r in self.skipped],
            "pages": self.pages, "dry_run": self.dry_run,
        }

    def lines(self) -> list[str]:
        would = tk._("(dry run, nothing written)") if self.dry_run else ""
        lines = [f"{tk._('created')}: {name}" for name in self.created]
        lines += [f"{tk._('updated')}: {name}" for name in self.updated]
        lines += [f"{tk._('skipped')}: {identifier}: {reason}"
                  for identifier, reason in self.skipped]
        lines.append(tk._("{pages} page(s): {created} created, {updated} updated, "
                          "{skipped} skipped {dry_run}").format(
            pages=self.pages, created=len(self.created), updated=len(self.updated),
            skipped=len(self.skipped), dry_run=would).strip())
        return lines


# Reading

_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9"


def _limits() -> "tabular.Limits":
    timeout = config.import_timeout()
    return tabular.Limits(max_bytes=config.import_max_bytes(), connect_timeout=timeout,
                          read_timeout=timeout, total_timeout=timeout,
                          allow_private=config.import_allow_private_addresses())


def _download(url: str) -> tuple[bytes, str]:
    """The body and media type at ``url``, through the suite's fetcher (tabular/fetch.py)."""
    try:
        response, body = tabular.read_bytes(url, _limits(), {"Accept": _ACCEPT})
    except tabular.TabularError as error:
        if error.code == "too-large":
            raise _too_big(config.import_max_bytes())
        if error.code == "url-timeout":
            raise FeedRefused(_("The feed took more than {0} s to download"), config.import_timeout())
        raise FeedRefused(error.msgid, percent=error.params)
    return body, response.content_type or ""


def _too_big(limit: int) -> FeedRefused:
    return FeedRefused(_("The feed is larger than {0} bytes"), limit)


def read(source: str, local_files: bool = False) -> tuple[bytes, str]:
    """The bytes of an http(s) URL, or of a local file when ``local_files`` (the CLI), and its media type.

    Errors never quote what a file holds.
    """
    if urlparse(source).scheme in ("http", "https"):
        return _download(source)
    if not local_files or "://" in source:
        raise FeedRefused(_("Only http and https URLs can be imported: {0}"), source)
    try:
        size = os.path.getsize(source)
        if size > config.import_max_bytes():
            raise _too_big(config.import_max_bytes())
        with open(source, "rb") as stream:
            return stream.read(), os.path.splitext(source)[1].lstrip(".").lower()
    except OSError as error:
        raise FeedRefused(_("The file could not be read: {0}"), error.strerror)


def guess_format(data: bytes, hint: str) -> str:
    """turtle, xml or json-ld, from the media type or extension, else from the content."""
    hint = (hint or "").lower()
    for marker, rdf_format in (("turtle", "turtle"), ("ttl", "turtle"), ("n3", "turtle"),
                               ("json", "json-ld"), ("xml", "xml"), ("rdf", "xml")):
        if marker in hint:
            return rdf_format
    start = data.lstrip()[:1]
    if start in (b"{", b"["):
        return "json-ld"
    if start == b"<" and not data.lstrip().startswith(b"<http"):
        return "xml"
    return "turtle"


def _refuse_doctype(*_args: Any) -> None:
    raise FeedRefused(_("XML with a DOCTYPE or entities is refused"))


def check_safe(data: bytes, rdf_format: str) -> None:
    """Refuse what would make the parser fetch anything or expand entities."""
    if rdf_format == "xml":
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
        parser.ExternalEntityRefHandler = _refuse_doctype
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            parser.Parse(data, True)
        except expat.ExpatError as error:
            raise FeedRefused(_("Malformed XML: {0}"), str(error))
    elif rdf_format == "json-ld":
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            raise FeedRefused(_("Malformed JSON: {0}"), str(error))
        if not isinstance(document, (dict, list)):
            raise FeedRefused(_("Malformed JSON: not an object or a list"))
        if _remote_context(document):
            raise FeedRefused(_("JSON-LD with a remote @context is refused"))


def _remote_context(node: Any) -> bool:
    if isinstance(node, list):
        return any(_remote_context(child) for child in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key in ("@context", "@import"):
            contexts = value if isinstance(value, list) else [value]
            if any(isinstance(c, str) for c in contexts):
                return True
        if _remote_context(value):
            return True
    return False


def _too_deep() -> FeedRefused:
    return FeedRefused(_("The feed is nested too deeply to be read"))


def _malformed(rdf_format: str, error: BaseException) -> FeedRefused:
    """Where the document is malformed and why, without quoting it."""
    cause = error.args[0] if error.args and isinstance(error.args[0], BaseException) else error
    line = getattr(cause, "lines", None)
    if line is None and hasattr(cause, "getLineNumber"):
        line = cause.getLineNumber() - 1
    if line is not None:
        return FeedRefused(_("Malformed RDF ({0}) at line {1}"), rdf_format, line + 1)
    return FeedRefused(_("Malformed RDF ({0}): {1}"), rdf_format, type(cause).__name__)


def parse_page(data: bytes, hint: str):
    """An RDFParser holding the page's graph (checked first, see check_safe)."""
    from ckanext.dcat.exceptions import RDFParserException
    from ckanext.dcat.processors import RDFParser

    rdf_format = _FORMATS.get(hint) or guess_format(data, hint)
    parser = RDFParser(profiles=PROFILES)
    try:
        check_safe(data, rdf_format)
        parser.parse(data, _format=rdf_format)
    except RecursionError:
        raise _too_deep()
    except (RDFParserException, ValueError, SyntaxError, LookupError) as error:
        raise _malformed(rdf_format, error)
    return parser


# Importing

def dataset_name(organization: str, identifier: str) -> str:
    """A stable dataset name for ``identifier`` in ``organization``'s feed."""
    text = unicodedata.normalize("NFKD", identifier).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text.rsplit("/", 1)[-1] or text).strip("-")[:60]
    digest = hashlib.sha1(f"{organization}\n{identifier}".encode()).hexdigest()[:10]
    return f"{slug}-{digest}" if slug else f"jeu-{digest}"


def identifier_of(dataset: dict[str, Any]) -> str | None:
    value = dataset.get("identifier")
    for extra in dataset.get("extras") or []:
        if extra.get("key") == "identifier":
            value = value or extra.get("value")
    return str(value).strip() if value else None


def _prepared(dataset: dict[str, Any], organization: dict[str, Any], name: str,
              identifier: str) -> dict[str, Any]:
    dataset = {k: v for k, v in dataset.items() if k not in PORTAL_FIELDS}
    dataset.pop("identifier", None)
    dataset.pop(UNMAPPED, None)  # the harvester reports them (ckanext/quebec/harvest/mapping.py)
    dataset["extras"] = [
        e for e in dataset.get("extras") or []
        if e.get("key") not in ("identifier", "guid") and e.get("key") not in dataset
    ] + [{"key": "identifier", "value": identifier}]
    for resource in dataset.get("resources") or []:
        resource.pop("uri", None)
        resource.pop("id", None)
    dataset.update(name=name, owner_org=organization["id"])
    return dataset


def _errors(error: tk.ValidationError) -> str:
    summary = error.error_summary if hasattr(error, "error_summary") else error.error_dict
    return "; ".join(f"{key}: {value}" for key, value in (summary or {}).items()) or str(error)


def _validate(context: dict[str, Any], dataset: dict[str, Any], create: bool) -> None:
    """package_create/update's validation, without writing (for dry runs)."""
    from ckan import model

    from ckanext.quebec.compat_ckan import validate_dataset

    context = dict(context, model=model, session=model.Session)
    _data, errors = validate_dataset(context, dataset, create)
    if errors:
        raise tk.ValidationError(errors)


def import_feed(source: str, organization: str, *, user: str, dry_run: bool = False,
                data: bytes | None = None, data_format: str = "",
                local_files: bool = False) -> Report:
    """Import the feed at ``source`` (or ``data``) into ``organization``; see the module docstring.

    ``source`` may be a local file only with ``local_files`` (the CLI, run by
    the server's administrator); the API reads http(s) URLs and given data only.

    :raises FeedRefused: the first page cannot be read or parsed
    :raises ckan.plugins.toolkit.ObjectNotFound: no such organization
    """
    org = tk.get_action("organization_show")(
        {"user": user}, {"id": organization, "include_datasets": False, "include_users": False})
    report = Report(dry_run=dry_run)
    seen_pages: set[str] = set()
    seen_identifiers: set[str] = set()
    url = None if data is not None else source
    first = True
    while first or url:
        if report.pages >= config.import_max_pages():
            report.skipped.append((url, tk._("page cap of {0} reached").format(
                config.import_max_pages())))
            break
        if first and data is not None:
            body, hint = data, data_format
        else:
            seen_pages.add(url)
            try:
                body, hint = read(url, local_files=local_files and first)
            except FeedRefused as error:
                if first:
                    raise
                report.skipped.append((url, str(error)))
                break
        first = False
        parser = parse_page(body, hint)
        report.pages += 1
        for dataset in parser.datasets():
            identifier = identifier_of(dataset)
            if not identifier:
                report.skipped.append((dataset.get("title") or "?",
                                       tk._("no dct:identifier")))
                continue
            if identifier in seen_identifiers:
                report.skipped.append((identifier, tk._("already in an earlier page")))
                continue
            seen_identifiers.add(identifier)
            _import_one(dataset, identifier, org, user, dry_run, report)
        next_page = parser.next_page()
        # Only a downloaded page has a base for its next page's URL.
        if next_page and url and urlparse(url).scheme in ("http", "https"):
            next_page = urljoin(url, next_page)
            url = next_page if next_page not in seen_pages else None
        else:
            url = None
    return report


def _with_identifier(context: dict[str, Any], org: dict[str, Any],
                     identifier: str) -> dict[str, Any] | None:
    """The organization's dataset that an earlier import gave ``identifier``, or None."""
    quoted = identifier.replace("\\", "\\\\").replace('"', '\\"')
    found = tk.get_action("package_search")(dict(context), {
        "fq": f'+owner_org:"{org["id"]}" +extras_identifier:"{quoted}"',
        "rows": 10, "include_private": True, "include_drafts": True,
    })["results"]
    return next((dataset for dataset in found if identifier_of(dataset) == identifier), None)


def _import_one(dataset: dict[str, Any], identifier: str, org: dict[str, Any], user: str,
                dry_run: bool, report: Report) -> None:
    if not (dataset.get("title") or dataset.get("title_translated")):
        report.skipped.append((identifier, tk._("no title")))
        return
    context = {"user": user}
    existing = _with_identifier(context, org, identifier)
    name = existing["name"] if existing else dataset_name(org["name"], identifier)
    if existing is None:
        try:
            existing = tk.get_action("package_show")(dict(context), {"id": name})
        except tk.ObjectNotFound:
            existing = None
        except tk.NotAuthorized:
            report.skipped.append(
                (identifier, tk._("{0} exists and may not be changed").format(name)))
            return
    if existing and existing.get("owner_org") != org["id"]:
        report.skipped.append((identifier, tk._("{0} belongs to another organization").format(name)))
        return
    prepared = _prepared(dataset, org, name, identifier)
    try:
        if dry_run:
            if existing:
                prepared["id"] = existing["id"]
            _validate(context, prepared, create=not existing)
        elif existing:
            prepared["id"] = existing["id"]
            tk.get_action("package_patch")(dict(context), prepared)
        else:
            tk.get_action("package_create")(dict(context), prepared)
    except tk.ValidationError as error:
        report.skipped.append((identifier, _errors(error)))
        return
    (report.updated if existing else report.created).append(name)
