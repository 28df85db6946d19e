"""The statistics page's charts: labelled series from quebec_partnership_stats, laid out as horizontal bars for SVG."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.schema import vocabularies

# Geometry of a bar chart, in SVG user units.
LABEL_WIDTH = 300
BAR_AREA = 320
VALUE_WIDTH = 60
ROW_HEIGHT = 26
BAR_HEIGHT = 18
PADDING = 8


def bar_chart(chart_id: str, title: str, description: str, label_heading: str,
              value_heading: str, rows: list[tuple[str, int]]) -> dict[str, Any]:
    """A chart: its texts, its data rows and, per row, the bar's geometry.

    :param rows: ``(label, value)`` in display order
    """
    largest = max([value for _label, value in rows] + [0])
    bars = []
    for index, (label, value) in enumerate(rows):
        width = round(BAR_AREA * value / largest, 1) if largest else 0
        y = PADDING + index * ROW_HEIGHT
        bars.append({
            "label": label, "value": value, "y": y, "width": width,
            "text_y": y + BAR_HEIGHT - 4, "value_x": LABEL_WIDTH + width + 6,
        })
    return {
        "id": chart_id, "title": title, "description": description,
        "label_heading": label_heading, "value_heading": value_heading,
        "rows": bars, "total": sum(value for _label, value in rows),
        "width": LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        "height": PADDING * 2 + max(len(rows), 1) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT,
    }


def charts(stats: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The statistics page's charts, labelled in ``language``."""
    _ = tk._
    types = vocabularies.get("partner_types")

    def type_rows(counts: dict[str, int], without_type: int) -> list[tuple[str, int]]:
        rows = [(entry["label"][_language(language)], counts.get(entry["value"], 0)) for entry in types]
        if without_type:
            rows.append((_("No type given"), without_type))
        return rows

    partners, datasets = stats["partners"], stats["datasets"]
    partners_count = _("Partners")
    datasets_count = _("Datasets")
    return [
        bar_chart(
            "partners-by-type", _("Partners by type"),
            _("{total} partners, by partner type.").format(total=partners["total"]),
            _("Partner type"), partners_count,
            type_rows(partners["by_type"], partners["without_type"])),
        bar_chart(
            "datasets-by-type", _("Datasets by publisher type"),
            _("{total} datasets, by the type of the partner that publishes them.").format(
                total=datasets["total"]),
            _("Publisher type"), datasets_count,
            type_rows(datasets["by_type"], datasets["without_type"])),
        bar_chart(
            "datasets-by-category", _("Datasets by category"),
            _("Datasets in each category; a dataset may be in several categories."),
            _("Category"), datasets_count,
            sorted(_category_rows(datasets["by_category"]), key=lambda row: (-row[1], row[0]))),
        bar_chart(
            "partners-per-year", _("Partners joined per year"),
            _("Partners that joined the partnership each year."),
            _("Year"), partners_count, list(stats["partners_joined_per_year"].items())),
        bar_chart(
            "datasets-per-year", _("Datasets published per year"),
            _("Datasets first published on the portal each year."),
            _("Year"), datasets_count, list(stats["datasets_published_per_year"].items())),
    ]


def _language(language: str) -> str:
    language = (language or "").split("_")[0]
    return language if language in vocabularies.LANGUAGES else vocabularies.DEFAULT_LANGUAGE


def _category_rows(by_category: dict[str, int]) -> list[tuple[str, int]]:
    """Categories (CKAN groups) by their title, read in one query."""
    if not by_category:
        return []
    titles = dict(model.Session.query(model.Group.name, model.Group.title).filter(
        model.Group.name.in_(list(by_category))).all())
    return [(titles.get(name) or name, count) for name, count in by_category.items()]
