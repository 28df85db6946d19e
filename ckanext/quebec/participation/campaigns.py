"""API actions of the prioritization campaigns."""
from __future__ import annotations

__all__: list[str] = []
