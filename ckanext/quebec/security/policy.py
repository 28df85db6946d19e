"""The security headers of every response: the Content-Security-Policy built from the configuration, and the fixed ones."""
from __future__ import annotations

import urllib.parse

import ckan.plugins.toolkit as tk

CSP_EXTRA = "ckanext.quebec.security.csp_extra"
FRAME_ANCESTORS = "ckanext.quebec.security.frame_ancestors"
# quebec_viz's option, read as text: the map tiles are images from that server.
TILE_URL = "ckanext.quebec.viz.tile_url"
# CKAN shows users without a picture of their own Gravatar's, unless disabled.
GRAVATAR_DEFAULT = "ckan.gravatar_default"
GRAVATAR_SOURCE = "gravatar.com"

# No inline script anywhere: every script is a file of the portal. Styles allow
# 'unsafe-inline': htmx, which CKAN loads on every page, writes a <style>
# element, and ckanext-scheming's form snippets (multiple_checkbox,
# multiple_select, the form's stages) write <style> elements and attributes.
BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
}
EXTENSIBLE = ("script-src", "style-src", "img-src", "font-src", "connect-src",
              "frame-src", "media-src", "worker-src")
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class ConfigError(ValueError):
    """A security option the portal cannot use."""


def security_headers() -> dict[str, str]:
    """Every security header of a response, from the current configuration.

    :raises ConfigError: an option names an unknown directive, lists no source,
        or the tile URL has no host.
    """
    ancestors = tuple((tk.config.get(FRAME_ANCESTORS) or "").split())
    if not ancestors:
        raise ConfigError(f"{FRAME_ANCESTORS} is empty: give 'self', 'none' or origins")
    policy = {directive: list(sources) for directive, sources in BASE_POLICY.items()}
    policy["frame-ancestors"] = list(ancestors)
    tiles = tile_source(tk.config.get(TILE_URL) or "")
    if tiles:
        policy["img-src"].append(tiles)
    if tk.config.get(GRAVATAR_DEFAULT) != "disabled":
        policy["img-src"].append(GRAVATAR_SOURCE)
    for directive, sources in extra_sources(tk.config.get(CSP_EXTRA) or ""):
        known = policy.setdefault(directive, list(policy["default-src"]))
        known.extend(source for source in sources if source not in known)
    headers = dict(FIXED_HEADERS)
    headers["Content-Security-Policy"] = "; ".join(
        " ".join([directive, *sources]) for directive, sources in policy.items())
    frame_options = {("'self'",): "SAMEORIGIN", ("'none'",): "DENY"}.get(ancestors)
    if frame_options:
        headers["X-Frame-Options"] = frame_options
    return headers


def extra_sources(text: str) -> list[tuple[str, list[str]]]:
    """The (directive, sources) pairs of ``ckanext.quebec.security.csp_extra``.

    :raises ConfigError: a directive is not one of EXTENSIBLE, or lists no source.
    """
    pairs = []
    for part in text.split(";"):
        words = part.split()
        if not words:
            continue
        directive, sources = words[0].lower(), words[1:]
        if directive not in EXTENSIBLE:
            raise ConfigError(f"{CSP_EXTRA}: {directive!r} is not one of {', '.join(EXTENSIBLE)}")
        if not sources:
            raise ConfigError(f"{CSP_EXTRA}: {directive} lists no source")
        pairs.append((directive, sources))
    return pairs


def tile_source(template: str) -> str:
    """The CSP source of a Leaflet tile URL template: its scheme and host.

    A ``{s}`` subdomain placeholder becomes a wildcard (``https://*.tile.example``);
    an empty template (no tiles) gives no source.
    """
    if not template.strip():
        return ""
    parts = urllib.parse.urlsplit(template.strip())
    host = parts.netloc.replace("{s}", "*")
    if not parts.scheme or not host or "{" in host:
        raise ConfigError(f"{TILE_URL}: {template!r} has no scheme and host a browser can load")
    return f"{parts.scheme}://{host}"
