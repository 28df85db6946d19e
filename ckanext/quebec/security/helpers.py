"""Template helpers of quebec_security."""
from __future__ import annotations

import re

from markupsafe import Markup

# An event handler attribute as CKAN's templates write it. Values from data
# cannot form one: the templates escape their double quotes.
_EVENT_HANDLER = re.compile(r'\s+on[a-z]+="[^"]*"')


def get_helpers() -> dict:
    return {"quebec_security_without_handlers": quebec_security_without_handlers}


def quebec_security_without_handlers(markup: str) -> Markup:
    """A rendered template block without its inline event handlers (onclick="..."), which the CSP forbids.

    The block's behaviour then comes from a script file of the portal.
    """
    return Markup(_EVENT_HANDLER.sub("", str(markup)))
