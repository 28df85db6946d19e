"""What the guides and the reuses share: validating a data dict, the datasets a user may see, facet links."""
from __future__ import annotations

from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, Schema


def validated(data_dict: DataDict, schema: Schema, context: Context) -> dict[str, Any]:
    """``data_dict`` checked against ``schema``; a ValidationError with every field's messages."""
    data, errors = tk.navl_validate(dict(data_dict or {}), schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def visible_dataset(user: Optional[str], reference: str) -> Optional[model.Package]:
    """The active dataset of that id or name if ``user`` may see it, else None."""
    dataset = model.Package.get(reference)
    if dataset is None or dataset.state != "active":
        return None
    try:
        tk.check_access("package_show", {"user": user}, {"id": dataset.id})
    except tk.NotAuthorized:
        return None
    return dataset


def facet_links(endpoint: str, counts: dict[str, dict[str, int]], params: dict[str, str],
                facets: dict[str, tuple[str, str, Callable[[str], Optional[str]]]]) -> list[dict]:
    """Each facet's title and values, each value with the link (to ``endpoint``) that adds or removes it.

    ``facets``: facet field → (its filter parameter, its title, the label of a value).
    """
    links = []
    for field, (param, title, label) in facets.items():
        items = []
        for value, count in (counts.get(field) or {}).items():
            active = params.get(param) == value
            args = {key: item for key, item in params.items() if key != param}
            if not active:
                args[param] = value
            items.append({"label": label(value) or value, "count": count, "active": active,
                          "url": tk.h.url_for(endpoint, **args)})
        links.append({"title": title, "items": items})
    return links
