"""Harvest report messages in their reader's language: written in no language, translated when read.

Harvest jobs run in consumer processes, without a visitor. What the suite
writes into a job's report (gather and object errors) is therefore not a
sentence but a msgid of the suite's catalogue with its arguments, marked:
``quebec-i18n:`` followed by a JSON object (``neutral()``). The report is
translated when it is read (ckanext-harvest's pages, its API, its e-mails; see
report.py) into the reader's language: the request's, else the portal's
default one. Marked forms may sit inside other text (an exception's message
quoted by ckanext-dcat); ckanext-harvest's and ckanext-dcat's own English
messages are translated through their known forms (upstream.py); anything else
is shown as written.
"""
from __future__ import annotations

import json
from typing import Any, Callable

import flask

import ckan.plugins.toolkit as tk

from . import language, upstream

Gettext = Callable[[str], str]

MARK = "quebec-i18n:"
_DECODER = json.JSONDecoder()


def message(msgid: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``msgid`` with the arguments of its ``str.format`` placeholders; an argument may be a message."""
    found: dict[str, Any] = {"msgid": msgid}
    if args:
        found["args"] = list(args)
    if kwargs:
        found["kwargs"] = kwargs
    return found


def of_error(error: Any) -> dict[str, Any]:
    """The message of a TabularError (``%(name)s`` placeholders) or a FeedRefused."""
    if isinstance(error.params, dict):
        return {"msgid": error.msgid, "percent": error.params}
    return message(error.msgid, *error.params)


def neutral(found: dict[str, Any] | str, *args: Any, **kwargs: Any) -> str:
    """The stored form of a message (or of ``msgid`` and its arguments)."""
    if isinstance(found, str):
        found = message(found, *args, **kwargs)
    return MARK + json.dumps(found, ensure_ascii=False, sort_keys=True)


def reader_gettext() -> Gettext:
    """The reader's gettext: the request's language, else the portal's default one."""
    return tk._ if flask.has_request_context() else language.portal_gettext()


def render(text: str, gettext: Gettext | None = None) -> str:
    """``text`` in the reader's language: its marked messages, then a known upstream form."""
    gettext = gettext or reader_gettext()
    return upstream.translate(_render_marked(text, gettext), gettext, lambda t: render(t, gettext))


def _render_marked(text: str, gettext: Gettext) -> str:
    parts, position = [], 0
    while (start := text.find(MARK, position)) >= 0:
        try:
            found, end = _DECODER.raw_decode(text, start + len(MARK))
        except ValueError:
            found, end = None, start + len(MARK)
        if isinstance(found, dict) and isinstance(found.get("msgid"), str):
            parts += [text[position:start], _format(found, gettext)]
        else:
            parts.append(text[position:end])
        position = end
    return "".join(parts) + text[position:]


def _value(value: Any, gettext: Gettext) -> Any:
    if isinstance(value, dict) and isinstance(value.get("msgid"), str):
        return _format(value, gettext)
    return render(value, gettext) if isinstance(value, str) else value


def _format(found: dict[str, Any], gettext: Gettext) -> str:
    for pattern in (gettext(found["msgid"]), found["msgid"]):
        try:
            return _fill(pattern, found, gettext)
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # a translation whose placeholders do not match: the English text
    return found["msgid"]


def _fill(pattern: str, found: dict[str, Any], gettext: Gettext) -> str:
    if "percent" in found:
        return pattern % {key: _value(value, gettext) for key, value in found["percent"].items()}
    return pattern.format(*[_value(value, gettext) for value in found.get("args", ())],
                          **{key: _value(value, gettext)
                             for key, value in found.get("kwargs", {}).items()})


def localize(result: Any, gettext: Gettext | None = None) -> Any:
    """``result`` of a harvest action with every ``message`` in the reader's language, in place."""
    gettext = gettext or reader_gettext()
    if isinstance(result, list):
        for item in result:
            localize(item, gettext)
    elif isinstance(result, dict):
        for key, value in result.items():
            if key == "message" and isinstance(value, str):
                result[key] = render(value, gettext)
            else:
                localize(value, gettext)
    return result
