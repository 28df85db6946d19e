"""How many suggestions, comments and votes one account, and one address, may make per window, counted in Redis.

Redis, not a process's memory: the web processes share the count. A fixed
window per account and kind; the call counts once it has passed validation,
before anything is written, so a refused call writes nothing.

A refusal is a ValidationError (callers of the action handle it as one) that
notes its wait on the request; ``answer_429`` then turns the request's answer,
the API's or a page's, into a 429 with a Retry-After header.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import g, has_request_context

from . import config

KINDS = ("suggestion", "comment", "vote")
_RETRY_AFTER = "quebec_participation_retry_after"


class RateLimited(tk.ValidationError):
    """The caller made as many as its limit; ``retry_after`` seconds are left in the window."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__({"rate_limit": [message]})
        self.retry_after = retry_after


def _key(kind: str, who: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:quebec_participation:rate:{kind}:{who}"


def _address() -> str | None:
    """The caller's address, when the call comes from a request (CKAN's own reading of it)."""
    try:
        return tk.request.remote_addr or None
    except RuntimeError:  # no request: the CLI, a job, a test calling the action
        return None


def _count(key: str, window: int) -> tuple[int, int]:
    """Count one call under ``key``; the count in the current window and the seconds it has left."""
    pipe = connect_to_redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    pipe.ttl(key)
    count, _set, ttl = pipe.execute()
    return count, int(ttl)


def check(kind: str, user_id: str) -> None:
    """Count one ``kind`` for ``user_id`` and for the caller's address.

    :raises RateLimited: the account (or the address) made as many as its
        limit in the current window (the request answers 429), saying when to try again.
    """
    window = config.rate_window()
    address = _address()
    for who, limit in ((f"user:{user_id}", config.rate_limit()),
                       (f"address:{address}", config.address_rate_limit())):
        if limit <= 0 or who == "address:None":
            continue
        count, ttl = _count(_key(kind, who), window)
        if count > limit:
            ttl = max(1, ttl)
            if has_request_context():
                setattr(g, _RETRY_AFTER, ttl)
            raise RateLimited(tk._(
                "Too many at once: you may add {limit} of these per period. "
                "Try again in {minutes} minutes.").format(limit=limit, minutes=(ttl + 59) // 60), ttl)


def answer_429(response):
    """A request refused by the rate limit answers 429 with Retry-After, the API (409 by CKAN) as the pages.

    Registered on the whole application (the API's blueprint is CKAN's) by the plugin's blueprint.
    """
    retry_after = getattr(g, _RETRY_AFTER, None)
    if retry_after is not None and response.status_code >= 400:
        response.status_code = 429
        response.headers["Retry-After"] = str(retry_after)
    return response
