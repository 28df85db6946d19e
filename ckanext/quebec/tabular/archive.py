"""ZIP archives (XLSX workbooks, zipped Shapefiles) opened with care: declared sizes checked first, inflation capped (zip bombs)."""
from __future__ import annotations

import os
import zipfile
import zlib

from .errors import TabularError, _

MAX_RATIO = 200
# Below this many inflated bytes a high ratio costs nothing: a .dbf of blank text fields
# or a sheet of empty cells compresses far more than MAX_RATIO times.
RATIO_FLOOR = 16 << 20
CHUNK = 1 << 20


def _bomb(size: int) -> TabularError:
    return TabularError("zip-bomb", _("The archive inflates to %(size)s MB; it is not opened"),
                        size=size >> 20)


def check_zip(path: str, max_uncompressed: int) -> list[zipfile.ZipInfo]:
    """The members of the ZIP at ``path``, once their declared sizes are within bounds.

    Refused: members that would inflate beyond ``max_uncompressed`` bytes in
    all, or more than ``MAX_RATIO`` times the archive's compressed bytes.
    Python's zipfile stops each member at its declared size, so what any
    reader inflates afterwards stays within what was checked here.

    :raises TabularError: ``not-a-zip``, ``zip-bomb``
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise TabularError("not-a-zip", _("The file is not a valid ZIP archive"))
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    if total > max_uncompressed or (total > RATIO_FLOOR and total / compressed > MAX_RATIO):
        raise _bomb(total)
    return members


def extract_members(path: str, names: list[str], directory: str, max_uncompressed: int) -> dict[str, str]:
    """Inflate the members ``names`` of the ZIP at ``path`` into ``directory``: {name: file}.

    Counts the bytes really inflated and stops past ``max_uncompressed``,
    whatever the headers say; a member whose bytes do not match its header
    (size, checksum) is a damaged archive.

    :raises TabularError: ``zip-bomb``, ``damaged-zip``
    """
    written = 0
    files: dict[str, str] = {}
    with zipfile.ZipFile(path) as archive:
        for index, name in enumerate(names):
            target = os.path.join(directory, f"member-{index}")
            try:
                with archive.open(name) as source, open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > max_uncompressed:
                            raise _bomb(written)
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
                raise TabularError("damaged-zip",
                                   _("The ZIP archive is damaged: %(name)s cannot be read"), name=name)
            files[name] = target
    return files


def read_capped(path: str, limit: int) -> bytes | None:
    """The bytes of a small file, or None when it holds more than ``limit`` bytes."""
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    return data if len(data) <= limit else None
