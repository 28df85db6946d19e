"""How many suggestions, comments and votes one account may make per window, counted in Redis.

Redis, not a process's memory: the web processes share the count. A fixed
window per account and kind; the call counts once it has passed validation,
before anything is written, so a refused call writes nothing.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from . import config

KINDS = ("suggestion", "comment", "vote")


def _key(kind: str, user_id: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:quebec_participation:rate:{kind}:{user_id}"


def check(kind: str, user_id: str) -> None:
    """Count one ``kind`` for ``user_id``.

    :raises ValidationError: the account made as many as the limit in the
        current window (the API answers 409), saying when to try again.
    """
    limit = config.rate_limit()
    if limit <= 0:
        return
    window = config.rate_window()
    redis = connect_to_redis()
    key = _key(kind, user_id)
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    pipe.ttl(key)
    count, _set, ttl = pipe.execute()
    if count > limit:
        minutes = max(1, (int(ttl) + 59) // 60) if ttl and ttl > 0 else 1
        raise tk.ValidationError({"rate_limit": [tk._(
            "Too many at once: you may add {limit} of these per period. "
            "Try again in {minutes} minutes.").format(limit=limit, minutes=minutes)]})
