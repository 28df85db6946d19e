"""ckanext-harvest's and ckanext-dcat's report messages, written in English, in the reader's language.

Their harvesters write their gather and object errors as English text. The
ones a source can cause (down, slow, huge, not RDF, records the schema
refuses, a portal with nothing to harvest) are recognised here by their
known forms and said again through the suite's catalogue; a validation
summary's field names and messages through CKAN's and the suite's. Each form
is tested against the text ckanext-harvest 1.6.3 or ckanext-dcat 2.4.4 writes
(tests/harvest/test_messages.py).
"""
from __future__ import annotations

import ast
import re
from typing import Any, Callable

from .language import mark as _

Gettext = Callable[[str], str]


def _validation(gettext: Gettext, errors: str) -> str:
    """A validation error summary or error dict (a Python literal), field by field."""
    try:
        found = ast.literal_eval(errors)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return errors
    if not isinstance(found, dict):
        return errors
    return "; ".join(gettext(_("{field}: {problem}")).format(
        field=gettext(_field_label(str(key))), problem=_problem(gettext, value))
        for key, value in found.items())


def _field_label(key: str) -> str:
    # CKAN's error summary names a field as ValidationError.error_summary does.
    return key.replace("_", " ").capitalize() if "_" in key or key.islower() else key


def _problem(gettext: Gettext, value: Any) -> str:
    if isinstance(value, str):
        return gettext(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "; ".join(gettext(item) for item in value)
    return str(value)


# (English form written upstream, the suite's msgid, which groups are validation summaries)
_FORMS: list[tuple[re.Pattern[str], str, tuple[int, ...]]] = [(re.compile(pattern, re.S), msgid, summaries)
                                                            for pattern, msgid, summaries in [
    # ckanext-dcat, harvesters/base.py and rdf.py
    (r"Could not get content from (\S+)\. Server responded with (\d+) (.*)",
     _("The source could not be read at {0}: its server answered {1} {2}"), ()),
    (r"Could not get content from (\S+) because a\s+connection error occurred\. (.*)",
     _("The source could not be reached at {0}: {1}"), ()),
    (r"Could not get content from (\S+) because the connection timed out\.",
     _("The source at {0} did not answer in time"), ()),
    (r"Remote file is too big\. Allowed\s+file size: (\d+), Content-Length: (\d+)\.",
     _("The source's file is too big: {1} bytes, over the {0} allowed"), ()),
    (r"Remote file is too big\.", _("The source's file is too big"), ()),
    (r"Error parsing the RDF file: (.*)", _("The source's file could not be read as RDF: {0}"), ()),
    (r"(?:Create|Update) validation Error: (\{.*\})",
     _("The record does not fit the portal's schema and was not stored: {0}"), (1,)),
    # ckanext-harvest, harvesters/base.py and ckanharvester.py, queue.py, logic/action/update.py
    (r"Invalid package with GUID (.*?): (\{.*\})",
     _("The record {0} does not fit the portal's schema and was not stored: {1}"), (2,)),
    (r"No datasets found at CKAN: (.*)", _("The CKAN portal at {0} has no dataset to harvest"), ()),
    (r"Unable to search remote CKAN for datasets:(.*) url:(.*?)terms:(.*)",
     _("The datasets of the CKAN portal at {1} could not be listed: {0}"), ()),
    (r"Error sending request to search remote CKAN instance (\S+) using URL '(.*?)'\. Error: (.*)",
     _("The request to the CKAN portal at {0} failed: {2}"), ()),
    (r"Response from remote CKAN was not JSON: .*", _("The CKAN portal's answer is not JSON"), ()),
    (r"No remote datasets could be identified", _("The source lists no dataset"), ()),
    (r"System error - No harvester could be found for source type (.*)",
     _("No harvester of type {0} is enabled on the portal"), ()),
    (r"Job (\S+) timeout \((\d+) minutes\)\n.*",
     _("The job was stopped after {1} minutes without progress"), ()),
]]


def translate(text: str, gettext: Gettext, render: Callable[[str], str]) -> str:
    """``text`` in the reader's language if it has a known upstream form, else ``text``.

    ``render`` translates what a form quotes (an exception's message may be one of the suite's).
    """
    stripped = text.strip()
    for pattern, msgid, summaries in _FORMS:
        match = pattern.fullmatch(stripped)
        if match:
            args = [_validation(gettext, group) if number in summaries else render(group.strip())
                    for number, group in enumerate(match.groups(), start=1)]
            return gettext(msgid).format(*args)
    return text
