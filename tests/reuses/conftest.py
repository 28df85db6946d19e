"""Fixtures of the quebec_reuses tests: a publisher's dataset, a citizen, images."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from ckan.tests import factories

REUSES_PLUGINS = "quebec_search quebec_reuses"


def png(width: int = 1600, height: int = 900) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def upload(data: bytes, filename: str = "capture.png") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename)


def reuse_fields(datasets: list[str], **fields) -> dict:
    data = {"title_fr": "Carte des vélos", "title_en": "Bike map",
            "description_fr": "Une carte des comptages.", "description_en": "A map of the counts.",
            "reuse_type": "visualisation", "url": "https://exemple.qc.ca/velos", "datasets": datasets}
    data.update(fields)
    return data


def as_user(user: dict | None) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


@pytest.fixture
def publisher_dataset() -> tuple[dict, dict]:
    """A dataset of the transport category, and an editor of its organization."""
    publisher = factories.UserWithToken()
    organization = factories.Organization(name="ville", users=[{"name": publisher["name"], "capacity": "editor"}])
    group = factories.Group(name="transport")
    dataset = factories.Dataset(name="velos", owner_org=organization["id"], groups=[{"name": group["name"]}])
    return publisher, dataset
