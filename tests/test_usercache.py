"""What skpdgen keeps in the user's cache folder (skpdgen/usercache.py): a shortcut that can
be damaged, missing or unwritable and still gives the same answer, and the parsed
skpdgen.yaml (yamlio.parse_kept) that spares every command importing PyYAML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from skpdgen import usercache, yamlio
from skpdgen.messages.lang import region_language


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "skpdgen"


def _count(made: list[int]) -> object:
    made.append(1)
    return {"a": [1, 2], "b": "teks"}


def _shape(value: object) -> dict[str, object]:
    if not isinstance(value, dict) or set(value) != {"a", "b"}:
        raise TypeError("not this shape")
    return value


def test_a_value_is_made_once_per_data_and_kept_as_plain_data(cache: Path) -> None:
    made: list[int] = []
    first = usercache.kept("uji", b"satu", lambda: _count(made), _shape)
    assert usercache.kept("uji", b"satu", lambda: _count(made), _shape) == first
    assert len(made) == 1
    usercache.kept("uji", b"dua", lambda: _count(made), _shape)
    assert len(made) == 2
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["uji", "uji"]
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]    # no temporary left


def test_a_damaged_or_foreign_entry_is_made_again_and_replaced(cache: Path) -> None:
    made: list[int] = []
    usercache.kept("uji", b"satu", lambda: _count(made), _shape)
    (entry,) = cache.glob("uji-*.marshal")
    for damage in (b"\x00rusak", b"", entry.read_bytes()[:5]):
        entry.write_bytes(damage)
        assert usercache.kept("uji", b"satu", lambda: _count(made), _shape) == {
            "a": [1, 2], "b": "teks"}
    # a well-formed value of another shape (another kind's file under this name) too
    import marshal
    entry.write_bytes(marshal.dumps(["lain"]))
    assert usercache.kept("uji", b"satu", lambda: _count(made), _shape)["b"] == "teks"
    assert len(made) == 5
    assert usercache.kept("uji", b"satu", lambda: _count(made), _shape) and len(made) == 5


def test_only_the_newest_entries_of_a_kind_are_kept(cache: Path) -> None:
    for number in range(usercache.KEEP + 4):
        usercache.kept("uji", str(number).encode(), lambda: {"a": 1, "b": 2}, _shape)
        os.utime(next(iter(sorted(cache.glob("uji-*"), key=os.path.getmtime))),
                 ns=(number, number))     # the older entries are older
    usercache.kept("lain", b"x", lambda: {"a": 1, "b": 2}, _shape)
    assert len(list(cache.glob("uji-*.marshal"))) == usercache.KEEP
    assert len(list(cache.glob("lain-*.marshal"))) == 1


def test_an_unwritable_cache_folder_costs_only_the_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))      # skpdgen/ cannot be made in it
    made: list[int] = []
    for _ in range(2):
        assert usercache.kept("uji", b"satu", lambda: _count(made), _shape)["a"] == [1, 2]
    assert len(made) == 2


REGION = """\
# Wilayah
name: "Pemerintah Kabupaten Contoh"
base_url: https://contoh.go.id/
language: id
telepon: 0712345
daftar:
  - satu
  - dua: 2
    tiga: 'tiga'
"""


def test_parse_kept_gives_what_parse_gives_and_parses_each_text_once(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = yamlio.parse(REGION)
    assert yamlio.parse_kept(REGION) == fresh
    assert len(list(cache.glob("yaml-*.marshal"))) == 1
    assert yamlio.parse_kept("# kosong\n") is None and yamlio.parse("# kosong\n") is None

    def no_yaml(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml, "compose", no_yaml)
    kept = yamlio.parse_kept(REGION)
    assert kept == fresh
    assert isinstance(kept, yamlio.YMap)
    assert kept.key_lines["telepon"] == 5 and kept.items["telepon"] == yamlio.YScalar(
        "0712345", 5, False)
    assert yamlio.parse_kept("# kosong\n") is None


def test_parse_kept_never_keeps_an_error(cache: Path) -> None:
    broken = 'name: "Dinas "Kesehatan""\n'
    for _ in range(2):
        with pytest.raises(yamlio.YamlError) as caught:
            yamlio.parse_kept(broken)
        assert caught.value.line == 1
    assert not list(cache.glob("yaml-*.marshal"))


def test_a_damaged_kept_tree_is_parsed_again(cache: Path) -> None:
    yamlio.parse_kept(REGION)
    (entry,) = cache.glob("yaml-*.marshal")
    import marshal
    tree = marshal.loads(entry.read_bytes())
    for damaged in (("m", {"name": ("s", 1, 2, False)}, {"name": 2}, 1),    # a number as text
                    ("m", {"name": ("s", "x", 2, False)}, {}, 1),          # a key without line
                    ("l", ("s",), 1), ("x",), "teks"):
        entry.write_bytes(marshal.dumps(damaged))
        assert yamlio.parse_kept(REGION) == yamlio.parse(REGION)
    assert marshal.loads(entry.read_bytes()) == tree


def test_the_command_language_is_read_from_the_kept_region_file(cache: Path, tmp_path: Path
                                                                ) -> None:
    root = tmp_path / "wilayah"
    root.mkdir()
    (root / "skpdgen.yaml").write_text(REGION.replace("language: id", "language: en"),
                                       encoding="utf-8")
    assert region_language(root) == "en"
    assert region_language(root) == "en"      # from the kept tree
    (root / "skpdgen.yaml").write_text(REGION.replace("language: id", "language: xx"),
                                       encoding="utf-8")
    assert region_language(root) is None
    (root / "skpdgen.yaml").write_text("name: [rusak\n", encoding="utf-8")
    assert region_language(root) is None
    (root / "skpdgen.yaml").write_text("- bukan\n- peta\n", encoding="utf-8")
    assert region_language(root) is None


def test_another_parser_parses_the_text_again(cache: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    yamlio.parse_kept(REGION)
    identity = yamlio._parser_identity()
    assert b"def parse_kept" in identity            # this module's code is part of the key
    composed: list[int] = []
    real = yaml.compose

    def counting(*args: object, **kwargs: object) -> object:
        composed.append(1)
        return real(*args, **kwargs)        # type: ignore[arg-type]

    monkeypatch.setattr(yaml, "compose", counting)
    yamlio.parse_kept(REGION)
    assert composed == []
    # skpdgen or PyYAML upgraded: another identity, parsed again and kept beside the old
    monkeypatch.setattr(yamlio, "_parser_identity", lambda: identity + b"\0versi baru")
    assert yamlio.parse_kept(REGION) == yamlio.parse(REGION)
    assert len(composed) == 2
    assert len(list(cache.glob("yaml-*.marshal"))) == 2
