"""quebec_security's template helper: a rendered block without inline event handlers."""
from __future__ import annotations

from markupsafe import Markup, escape

from ckanext.quebec.security.helpers import quebec_security_without_handlers


def test_handlers_are_dropped_and_the_rest_kept():
    block = Markup('<button type="button" class="btn"\n    onclick="\n  a(\'x\');\n"'
                   ' onchange="b()">Remove</button>')

    assert quebec_security_without_handlers(block) == '<button type="button" class="btn">Remove</button>'


def test_escaped_values_cannot_make_a_handler():
    value = escape('x" onclick="alert(1)')
    block = Markup(f'<input value="{value}">')

    assert quebec_security_without_handlers(block) == block
    assert isinstance(quebec_security_without_handlers(block), Markup)
