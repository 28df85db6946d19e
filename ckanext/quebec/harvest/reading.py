"""What a harvested DCAT document must pass before rdflib keeps it, and how its datasets are named.

- RDF/XML: any DOCTYPE refused before rdflib sees the document, so no
  external entity is ever fetched and no entity expansion happens;
- JSON-LD: only inline ``@context``s (a remote context would be fetched);
- every document is parsed once here, so one nested too deeply or malformed
  is refused with where it is malformed, never with what it holds.

Each dataset keeps its ``dct:identifier`` (the ``identifier`` extra) and gets
a stable name from its organization and its identifier (mapping.py).
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any
from xml.parsers import expat

import ckan.plugins.toolkit as tk

from ckanext.quebec.dcat import quality

# Fields the feed may not set: they belong to the portal.
PORTAL_FIELDS = ("id", "name", "owner_org", "organization", "private", "state", "type",
                 "metadata_created", "metadata_modified", "creator_user_id", "uri",
                 quality.KEY)


def _(msgid: str) -> str:
    """Marks a FeedRefused msgid for extraction; FeedRefused translates it (``tk._`` translates at once)."""
    return msgid


class FeedRefused(Exception):
    """A document (or the request for it) that is not read at all; the message says why.

    As a TabularError, it keeps its ``msgid`` and ``params`` (``str.format``
    arguments), so a harvest report can say it again in its reader's language
    (messages.of_error); ``str()`` is in the current one.
    """

    def __init__(self, msgid: str, *args: Any) -> None:
        self.msgid = msgid
        self.params: tuple | dict = args
        super().__init__(tk._(msgid).format(*args))


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


def _malformed(rdf_format: str, error: BaseException) -> FeedRefused:
    """Where the document is malformed and why, without quoting it."""
    cause = error.args[0] if error.args and isinstance(error.args[0], BaseException) else error
    line = getattr(cause, "lines", None)
    if line is None and hasattr(cause, "getLineNumber"):
        line = cause.getLineNumber() - 1
    if line is not None:
        return FeedRefused(_("Malformed RDF ({0}) at line {1}"), rdf_format, line + 1)
    return FeedRefused(_("Malformed RDF ({0}): {1}"), rdf_format, type(cause).__name__)


def check_document(data: bytes, hint: str = "") -> None:
    """Refuse a document that is unsafe to parse, or that rdflib cannot read (see the module docstring).

    ``hint``: its media type or extension, else its format is guessed from its content.
    """
    from ckanext.dcat.exceptions import RDFParserException
    from ckanext.dcat.processors import RDFParser

    rdf_format = guess_format(data, hint)
    try:
        check_safe(data, rdf_format)
        RDFParser().parse(data, _format=rdf_format)
    except RecursionError:
        raise FeedRefused(_("The feed is nested too deeply to be read"))
    except (RDFParserException, ValueError, SyntaxError, LookupError) as error:
        raise _malformed(rdf_format, error)


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
