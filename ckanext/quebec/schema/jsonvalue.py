"""Field values stored as JSON text (bilingual texts, lists, GeoJSON): one way to read them.

CKAN stores a scheming field's dict or list as JSON text, while validators
and ``package_show`` may hand over the dict itself; every reader of such a
field goes through :func:`from_json`.
"""
from __future__ import annotations

import json
from typing import Any

KEEP = object()
"""``invalid=KEEP``: a text that is not JSON is given back as it is."""


def from_json(value: Any, invalid: Any = KEEP) -> Any:
    """What a JSON text (``str`` or ``bytes``) holds; any other value as it is.

    A text that is not JSON gives ``invalid``: the text itself by default,
    or the value given (``None``, ``{}``, ``[]``, a marker the caller tests).
    """
    if not isinstance(value, (str, bytes)):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value if invalid is KEEP else invalid
