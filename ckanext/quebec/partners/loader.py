"""Loading partners (organizations) from a CSV file: ``ckan quebec partners load``.

The file is the reference for the columns it has: a row creates its
organization or updates the fields that differ (an empty cell clears the
field); loading the same file twice changes nothing. A file that cannot be
read as a whole (not UTF-8, missing columns) is refused; a bad row (duplicate
name, unknown type or region, unknown umbrella, umbrella cycle, invalid value)
is rejected with its reasons and the other rows are still applied. Each row is
written by one organization_create or organization_patch, so a row is either
applied entirely or not at all. A dry run checks everything and writes nothing.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec.schema import validators as schema_validators

from . import validators
from .umbrella import FIELD as UMBRELLA, names_by_id

REQUIRED_COLUMNS = (
    "name", "title_fr", "title_en", "partner_type", "organisation_principale",
    "region", "date_joined", "website", "sponsor_name", "sponsor_email",
)
OPTIONAL_COLUMNS = (
    "description_fr", "description_en", "open_data_policy_url", "image_url", "certified",
)
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
# Plain fields: CSV column → organization field, and the check of a filled cell.
_CHECKS = {
    "partner_type": schema_validators.quebec_vocabulary_choice({"vocabulary": "partner_types"}, {}),
    "region": schema_validators.quebec_vocabulary_choice({"vocabulary": "regions"}, {}),
    "date_joined": schema_validators.quebec_iso_date,
    "website": schema_validators.quebec_url,
    "open_data_policy_url": schema_validators.quebec_url,
    "sponsor_email": schema_validators.quebec_email,
    "sponsor_name": schema_validators.quebec_plain_text,
    "image_url": str,
    "organisation_principale": str,
    "certified": validators.quebec_partner_boolean,
}


class FileRefused(Exception):
    """A file that is not loaded at all."""


@dataclasses.dataclass
class Row:
    line: int
    name: str
    fields: dict[str, Any]
    errors: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Report:
    dry_run: bool = False
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    rejected: list[tuple[int, str, list[str]]] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        _ = tk._
        lines = []
        if self.dry_run:
            lines.append(_("Dry run: nothing is written."))
        verb_created = _("would create") if self.dry_run else _("created")
        verb_updated = _("would update") if self.dry_run else _("updated")
        lines += [f"{verb_created}: {name}" for name in self.created]
        lines += [f"{verb_updated}: {name} ({', '.join(fields)})" for name, fields in self.updated]
        lines += [f"{_('unchanged')}: {name}" for name in self.unchanged]
        for line, name, errors in self.rejected:
            lines.append(_("rejected: line {line} ({name}): {errors}").format(
                line=line, name=name or "?", errors="; ".join(errors)))
        lines.append(_("{created} created, {updated} updated, {unchanged} unchanged, "
                       "{rejected} rejected").format(
            created=len(self.created), updated=len(self.updated),
            unchanged=len(self.unchanged), rejected=len(self.rejected)))
        return lines


def load(path: str, dry_run: bool = False) -> Report:
    """Create or update the partners of the CSV file at ``path``.

    :raises FileRefused: the file cannot be read as UTF-8 CSV with every required column.
    """
    rows = read(path)
    report = Report(dry_run=dry_run)
    _check_duplicates(rows)
    _check_umbrellas(rows)
    for row in rows:
        if row.errors:
            report.rejected.append((row.line, row.name, row.errors))
    for row in _umbrellas_first([row for row in rows if not row.errors]):
        _apply(row, report, dry_run)
    report.rejected.sort()
    return report


def read(path: str) -> list[Row]:
    _ = tk._
    with open(path, "rb") as f:
        content = f.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(_("The file is not encoded in UTF-8 (byte {position}): "
                            "save it as UTF-8 and load it again").format(position=error.start))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [column.strip() for column in reader.fieldnames or []]
    if not columns:
        raise FileRefused(_("The file is empty"))
    reader.fieldnames = columns
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise FileRefused(_("Missing columns: {columns}").format(columns=", ".join(missing)))
    rows = []
    for record in reader:
        rows.append(_parse(reader.line_num, record))
    return rows


def _parse(line: int, record: dict[str, Any]) -> Row:
    _ = tk._
    cells = {key: (value or "").strip() for key, value in record.items()
             if key is not None and isinstance(value, (str, type(None)))}
    row = Row(line=line, name=cells.get("name", ""), fields={})
    if not _NAME.match(row.name):
        row.errors.append(_("name: must be 2 to 100 lowercase letters, digits, - or _"))
    for field in ("title", "description"):
        texts = {language: cells[f"{field}_{language}"] for language in schema_validators.LANGUAGES
                 if cells.get(f"{field}_{language}")}
        if field == "title" and not texts.get("fr"):
            row.errors.append(_("title_fr: the French name is required"))
        if texts or f"{field}_fr" in cells:
            row.fields[f"{field}_translated"] = texts
    for column, check in _CHECKS.items():
        if column not in cells:
            continue
        value = cells[column]
        if not value:
            row.fields[column] = None
            continue
        try:
            row.fields[column] = check(value)
        except tk.Invalid as error:
            row.errors.append(f"{column}: {error.error}")
    return row


def _check_duplicates(rows: list[Row]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if row.name in first_line:
            row.errors.append(tk._("duplicate of line {line}").format(line=first_line[row.name]))
        else:
            first_line[row.name] = row.line


def _check_umbrellas(rows: list[Row]) -> None:
    """Reject rows whose umbrella is unknown or rejected, or would make a cycle, until none is left."""
    _ = tk._
    stored = _stored_umbrellas()
    changed = True
    while changed:
        changed = False
        loaded = {row.name: row for row in rows if not row.errors}

        def umbrella_of(name: str) -> Optional[str]:
            if name in loaded:
                return loaded[name].fields.get("organisation_principale")
            return stored.get(name)

        for row in loaded.values():
            umbrella = row.fields.get("organisation_principale")
            if not umbrella:
                continue
            if umbrella not in loaded and umbrella not in stored:
                rejected_row = any(other.name == umbrella for other in rows)
                row.errors.append(
                    (_("organisation_principale: {name} is rejected") if rejected_row
                     else _("organisation_principale: no organization named {name}"))
                    .format(name=umbrella))
            else:
                chain = validators.find_cycle(row.name, umbrella, umbrella_of)
                if chain:
                    row.errors.append(_("organisation_principale: this umbrella would make "
                                        "a cycle: {chain}").format(chain=" → ".join(chain)))
            changed = changed or bool(row.errors)


def _stored_umbrellas() -> dict[str, Optional[str]]:
    """Each active organization's umbrella, by current names (the umbrella is stored by id)."""
    organizations = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").all()
    names = names_by_id((group.extras or {}).get(UMBRELLA) for group in organizations)
    return {group.name: names.get((group.extras or {}).get(UMBRELLA))
            for group in organizations}


def _umbrellas_first(rows: list[Row]) -> list[Row]:
    by_name = {row.name: row for row in rows}

    def depth(row: Row) -> int:
        level, umbrella = 0, row.fields.get("organisation_principale")
        while umbrella in by_name and level <= len(rows):
            level, umbrella = level + 1, by_name[umbrella].fields.get("organisation_principale")
        return level

    return sorted(rows, key=depth)


def _apply(row: Row, report: Report, dry_run: bool) -> None:
    context = {"user": _site_user(), "ignore_auth": True}
    try:
        current = tk.get_action("organization_show")(
            dict(context), {"id": row.name, "include_datasets": False, "include_users": False})
    except tk.ObjectNotFound:
        current = None
    try:
        if current is None:
            if not dry_run:
                values = {key: value for key, value in row.fields.items() if value is not None}
                tk.get_action("organization_create")(dict(context), dict(values, name=row.name))
            report.created.append(row.name)
            return
        changes = {field: value for field, value in row.fields.items()
                   if _comparable(value) != _comparable(current.get(field))}
        if not changes:
            report.unchanged.append(row.name)
            return
        if not dry_run:
            patch = {field: ("" if value is None else value) for field, value in changes.items()}
            tk.get_action("organization_patch")(dict(context), dict(patch, id=current["id"]))
        report.updated.append((row.name, sorted(changes)))
    except tk.ValidationError as error:
        model.Session.rollback()
        messages = [f"{field}: {'; '.join(map(str, problems))}"
                    if isinstance(problems, list) else f"{field}: {problems}"
                    for field, problems in error.error_dict.items()]
        report.rejected.append((row.line, row.name, messages))


def _comparable(value: Any) -> Any:
    if value in (None, "", {}):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
