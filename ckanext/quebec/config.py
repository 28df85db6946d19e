"""Typed readers of the suite's configuration options (declared in each plugin's config_declaration.yaml)."""
from __future__ import annotations

import os

import ckan.plugins.toolkit as tk

SCHEMA_REQUIRED_LANGUAGES = "ckanext.quebec.schema.required_languages"


class ConfigError(ValueError):
    """An option whose value the suite cannot use."""


def schema_required_languages() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The language policy of bilingual fields: default languages, and per field.

    The option is a space-separated list of tokens. A token without a colon
    lists the default required languages (``fr`` or ``fr,en``); a token
    ``field:languages`` sets them for one field (``title_translated:fr,en``);
    ``field:`` (nothing after the colon) requires no language for that field.

    :returns: (default languages, {field name: languages})
    :raises ConfigError: a token names a language other than fr or en.
    """
    tokens = tk.config.get(SCHEMA_REQUIRED_LANGUAGES)
    if isinstance(tokens, str):
        tokens = tokens.split()
    default: tuple[str, ...] = ()
    by_field: dict[str, tuple[str, ...]] = {}
    for token in tokens or ():
        field, _colon, languages = token.rpartition(":")
        parsed = tuple(language for language in languages.split(",") if language)
        for language in parsed:
            if language not in ("fr", "en"):
                raise ConfigError(
                    f"{SCHEMA_REQUIRED_LANGUAGES}: {token!r}: {language!r} is not fr or en")
        if field:
            by_field[field] = parsed
        else:
            default = parsed
    return default, by_field


SEARCH_REBUILD_WORKERS = "ckanext.quebec.search.rebuild_workers"
SEARCH_MAX_COUNTED_FIELDS = "ckanext.quebec.search.max_counted_fields"
SEARCH_COUNTED_FIELDS = "ckanext.quebec.search.counted_fields"
SEARCH_RESULT_CACHE_MB = "ckanext.quebec.search.result_cache_mb"
SEARCH_POSTING_LISTS = "ckanext.quebec.search.posting_lists"
SEARCH_POSTINGS_REBUILD_PERCENT = "ckanext.quebec.search.posting_lists_rebuild_percent"


def _count_option(option: str, default: int) -> int:
    """A whole number option, ``default`` when unset.

    :raises ConfigError: the option is negative.
    """
    value = tk.config.get(option)
    value = int(value) if value not in (None, "") else default
    if value < 0:
        raise ConfigError(f"{option}: {value} is not 0 or more")
    return value


def search_rebuild_workers() -> int:
    """Worker processes of ``ckan search-index rebuild``: the option, or one per CPU.

    :raises ConfigError: the option is negative.
    """
    workers = _count_option(SEARCH_REBUILD_WORKERS, 0)
    if workers == 0:
        # The CPUs this process may run on, not all those of the machine.
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
    return workers


def search_max_counted_fields() -> int:
    """How many facet fields the search index may keep counts of.

    :raises ConfigError: the option is negative.
    """
    return _count_option(SEARCH_MAX_COUNTED_FIELDS, 40)


def search_result_cache_bytes() -> int:
    """How many bytes of answers a process keeps for searches asked again.

    :raises ConfigError: the option is negative.
    """
    return _count_option(SEARCH_RESULT_CACHE_MB, 32) * 1024 * 1024


def search_posting_lists() -> bool:
    """Whether searches of plain words read the posting lists (and builds are made)."""
    return tk.asbool(tk.config.get(SEARCH_POSTING_LISTS, True))


def search_postings_rebuild_share() -> float:
    """The share of the index written since the posting lists' build past which a
    background build is queued.

    :raises ConfigError: the option is negative.
    """
    return _count_option(SEARCH_POSTINGS_REBUILD_PERCENT, 5) / 100


def search_counted_fields() -> list[str]:
    """The facet fields the search index is to count, as configured (``default`` included)."""
    return tk.aslist(tk.config.get(SEARCH_COUNTED_FIELDS))
