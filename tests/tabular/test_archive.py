"""ZIP archives: zip bombs refused from their declared sizes, inflation capped whatever the headers say."""
from __future__ import annotations

import io
import zipfile

import pytest

from ckanext.quebec import tabular
from ckanext.quebec.tabular import TabularError, archive


def _zip(path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, content in members.items():
            out.writestr(name, content)
    return str(path)


def test_a_bomb_is_refused_from_its_declared_sizes(tmp_path):
    # 64 MB of spaces in a .prj: about 64 kB on disk, 1000 times its size inflated
    path = _zip(tmp_path / "bombe.zip", {"lieux.shp": b"", "lieux.prj": b" " * (64 << 20)})
    assert (tmp_path / "bombe.zip").stat().st_size < 200_000
    with pytest.raises(TabularError) as error:
        tabular.check_zip(path, max_uncompressed=1 << 30)
    assert (error.value.code, error.value.params) == ("zip-bomb", {"size": 64})
    assert error.value.msgid == "The archive inflates to %(size)s MB; it is not opened"


def test_the_total_is_capped_and_small_files_may_compress_well(tmp_path):
    # a .dbf of blank fields compresses far more than MAX_RATIO times: below the floor, it is fine
    path = _zip(tmp_path / "ok.zip", {"lieux.dbf": b" " * (archive.RATIO_FLOOR - 1)})
    assert [member.filename for member in tabular.check_zip(path, 1 << 30)] == ["lieux.dbf"]
    with pytest.raises(TabularError) as error:
        tabular.check_zip(path, max_uncompressed=1 << 20)
    assert error.value.code == "zip-bomb"


def test_not_a_zip(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04 but nothing else")
    with pytest.raises(TabularError) as error:
        tabular.check_zip(str(tmp_path / "x.zip"), 1 << 30)
    assert error.value.code == "not-a-zip"


def test_inflation_stops_at_the_cap_whatever_the_sizes_declared(tmp_path):
    path = _zip(tmp_path / "a.zip", {"a.dbf": b"x" * (8 << 20)})
    with pytest.raises(TabularError) as error:
        tabular.extract_members(path, ["a.dbf"], str(tmp_path), max_uncompressed=2 << 20)
    assert error.value.code == "zip-bomb"
    assert (tmp_path / "member-0").stat().st_size <= 2 << 20


def test_a_header_that_lies_about_its_size_is_a_damaged_archive(tmp_path):
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("lieux.prj", b" " * (4 << 20))
    data = bytearray(content.getvalue())
    # the uncompressed size in the local header (offset 22) and the central directory (offset 24)
    data[22:26] = (1000).to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")
    (tmp_path / "lie.zip").write_bytes(bytes(data))
    path = str(tmp_path / "lie.zip")
    (member,) = tabular.check_zip(path, 1 << 30)  # the declared sizes are small
    assert member.file_size == 1000
    with pytest.raises(TabularError) as error:
        tabular.extract_members(path, ["lieux.prj"], str(tmp_path), max_uncompressed=1 << 30)
    assert (error.value.code, error.value.params) == ("damaged-zip", {"name": "lieux.prj"})
    assert (tmp_path / "member-0").stat().st_size <= 1000


def test_read_capped(tmp_path):
    (tmp_path / "a.prj").write_bytes(b"x" * 10)
    assert tabular.read_capped(str(tmp_path / "a.prj"), 10) == b"x" * 10
    assert tabular.read_capped(str(tmp_path / "a.prj"), 9) is None
