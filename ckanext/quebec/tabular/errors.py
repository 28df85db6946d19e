"""The one exception of the tabular reader: why a file cannot be read, in words a publisher understands."""
from __future__ import annotations

from typing import Any


def _(message: str) -> str:
    """Marks a msgid for extraction; translation happens when the error is shown."""
    return message


class TabularError(Exception):
    """A file that cannot be read as what it claims to be, or cannot be fetched.

    ``code`` is stable and machine-readable (``html-instead-of-data``,
    ``download-refused``...); ``msgid`` is an English message of the suite's
    catalogue with ``%(name)s`` placeholders filled from ``params``, so the
    reason can be shown in the reader's language (``translated()``) long
    after a background job recorded it.
    """

    def __init__(self, code: str, msgid: str, **params: Any) -> None:
        self.code = code
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)

    def translated(self, gettext=None) -> str:
        """The reason in the current request's language, or through ``gettext`` when given."""
        if gettext is None:
            import ckan.plugins.toolkit as tk
            gettext = tk._
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def as_dict(self) -> dict:
        return {"code": self.code, "msgid": self.msgid, "params": self.params}
