"""`build --shard I/N` in N jobs, their build/ folders copied together, `build --portal-only`:
the same site as one build of everything."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import make_region, run_cli
from fixtures.region import published_hashes

from skpdgen.shard import Shard, shard_of

TODAY = "2026-11-29"
# slug -> kind; with 3 shards each shard gets two of them (shard_of: 1, 1, 2, 2, 3, 3)
AGENCIES = {"disdik": "dinas", "dishub": "dinas", "dinkes": "dinas", "setda": "sekretariat",
            "kec-utara": "kecamatan", "rsud": "lainnya"}


def agency_files(slug: str, kind: str) -> dict[str, str | bytes]:
    return {
        f"sites/{slug}/site.yaml": f"name: Unit {slug.title()}\nkind: {kind}\n"
                                   f"contact:\n  phone: 0283-1{len(slug):05d}\n",
        f"sites/{slug}/content/berita/2026-11-20-rapat.md":
            f"---\ntitle: Rapat Koordinasi {slug}\ndate: 2026-11-20\ntags: [rapat]\n---\n"
            "Rapat membahas [layanan](../layanan/izin.md) terpadu.\n",
        f"sites/{slug}/content/berita/2026-11-25-kunjungan.md":
            f"---\ntitle: Kunjungan Kerja {slug}\ndate: 2026-11-25\n---\nKunjungan kerja.\n",
        f"sites/{slug}/content/layanan/izin.md":
            "---\ntitle: Izin Usaha\ncost: Gratis\nduration: 1 hari\n---\nSyarat izin usaha.\n",
        f"sites/{slug}/content/profil.md": "---\ntitle: Profil\n---\nTentang kami.\n",
    }


def region(root: Path, agencies: dict[str, str] = AGENCIES) -> Path:
    files: dict[str, str | bytes] = {}
    for slug, kind in agencies.items():
        files.update(agency_files(slug, kind))
    return make_region(root, files)


def manifest(build: Path) -> dict[str, object]:
    data = json.loads((build / ".skpdgen/manifest.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def sharded_build(tmp_path: Path, source: Path, count: int, skip: tuple[int, ...] = (),
                  today: dict[int, str] | None = None) -> tuple[Path, list[str]]:
    """Each shard in its own checkout (a CI job), their build/ copied into one; the stderr of
    each shard."""
    final = tmp_path / "final"
    shutil.copytree(source, final, ignore=shutil.ignore_patterns("build"))
    logs = []
    for index in range(1, count + 1):
        job = tmp_path / f"job{index}"
        shutil.copytree(source, job, ignore=shutil.ignore_patterns("build"))
        done = run_cli("build", "--today", (today or {}).get(index, TODAY),
                       "--shard", f"{index}/{count}", cwd=job)
        logs.append(f"{done.returncode}\n{done.stderr}")
        if index not in skip:
            shutil.copytree(job / "build", final / "build", dirs_exist_ok=True)
    return final, logs


def test_the_union_of_the_shards_is_one_build(tmp_path: Path) -> None:
    source = region(tmp_path / "repo")
    assert sorted(shard_of(slug, 3) for slug in AGENCIES) == [1, 1, 2, 2, 3, 3]
    whole = tmp_path / "whole"
    shutil.copytree(source, whole)
    done = run_cli("build", "--today", TODAY, cwd=whole)
    assert done.returncode == 0, done.stderr

    final, logs = sharded_build(tmp_path, source, 3)
    for index, log in enumerate(logs, start=1):
        assert log.startswith("0\n"), log
        assert f"built 2 of 2 sites of shard {index}/3" in log
        shard_out = tmp_path / f"job{index}" / "build"
        # no portal, no manifest: nothing two shards would both write
        assert not (shard_out / "index.html").exists()
        assert not (shard_out / ".skpdgen/manifest.json").exists()
        built = sorted(p.name for p in shard_out.iterdir() if not p.name.startswith("."))
        assert built == sorted(s for s in AGENCIES if shard_of(s, 3) == index)
    # the portal job takes the shards' day: no --today needed
    done = run_cli("build", "--portal-only", cwd=final)
    assert done.returncode == 0, done.stderr
    assert "built the portal of 6 of 6 sites built by shards" in done.stderr

    assert published_hashes(final / "build") == published_hashes(whole / "build")
    assert manifest(final / "build") == manifest(whole / "build")
    for slug in AGENCIES:       # each agency's search index came with its shard
        assert (final / "build" / slug / "pagefind/pagefind-entry.json").is_file()
    assert (final / "build/pagefind/pagefind-entry.json").is_file()
    assert not (final / "build/.skpdgen/shards").exists() or not any(
        (final / "build/.skpdgen/shards").iterdir())
    # the assembled build/ is an ordinary one: check and a later build agree with it
    assert run_cli("check", cwd=final).returncode == 0
    done = run_cli("build", "--today", TODAY, cwd=final)
    assert done.returncode == 0 and "6 unchanged since the last build" in done.stderr, done.stderr
    assert published_hashes(final / "build") == published_hashes(whole / "build")


@pytest.mark.parametrize(("value", "message"), [
    ("0/3", "'0/3': the shard's number must be 1 to 3"),
    ("4/3", "'4/3': the shard's number must be 1 to 3"),
    ("1/0", "'1/0': the number of shards must be 1 to 1000"),
    ("3", "'3' is not I/N"),
    ("a/b", "'a/b' is not I/N"),
])
def test_a_bad_shard_is_one_line_with_the_right_form(tmp_path: Path, value: str,
                                                     message: str) -> None:
    root = region(tmp_path, {"disdik": "dinas"})
    done = run_cli("build", "--shard", value, cwd=root)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], done.stderr
    assert "Traceback" not in done.stderr and not (root / "build").exists()


def test_shard_parses_and_other_choices_of_agencies_are_refused(tmp_path: Path) -> None:
    assert Shard.parse(" 2 / 4 ") == Shard(2, 4) and str(Shard(2, 4)) == "2/4"
    root = region(tmp_path, {"disdik": "dinas"})
    for args, message in ((("--shard", "1/2", "--site", "disdik"), "--site and --shard"),
                          (("--portal-only", "--site", "disdik"), "--site and --portal-only"),
                          (("--shard", "1/2", "--portal-only"), "give one of them"),
                          (("--shard", "1/2", "--clean"), "--clean rebuilds every agency")):
        done = run_cli("build", *args, cwd=root)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    done = run_cli("--lang", "id", "build", "--shard", "9/4", cwd=root)
    assert "nomor shard harus 1 sampai 4" in done.stderr, done.stderr


def test_a_broken_agency_in_a_shard_and_a_shard_that_never_came(tmp_path: Path) -> None:
    source = region(tmp_path / "repo")
    (source / "sites/dinkes/site.yaml").write_text("name: [rusak\n", encoding="utf-8")
    final, logs = sharded_build(tmp_path, source, 3, skip=(3,))
    assert logs[1].startswith("1\n") and "sites/dinkes/site.yaml:2: error: invalid YAML" in logs[1], logs[1]
    assert "failed: dinkes" in logs[1]
    assert logs[0].startswith("0\n") and logs[2].startswith("0\n")

    done = run_cli("build", "--portal-only", cwd=final)
    assert done.returncode == 1, done.stderr
    # shard 3's folder never arrived: its agencies are errors, never published empty
    for slug in ("kec-utara", "rsud"):
        assert (f"sites/{slug}: error: not built: build/ has no shard record of '{slug}'"
                in done.stderr), done.stderr
    assert "failed: dinkes, kec-utara, rsud" in done.stderr
    sites = manifest(final / "build")["sites"]
    assert isinstance(sites, dict)
    assert {slug for slug, state in sites.items() if state["build"] == "failed"} == {
        "dinkes", "kec-utara", "rsud"}
    assert sites["dinkes"]["errors"] >= 1 and sites["setda"]["build"] == "ok"
    # the portal is built from the others; the scorecard shows the failed agency as failed
    home = (final / "build/index.html").read_text(encoding="utf-8")
    assert "Rapat Koordinasi setda" in home and "Rapat Koordinasi dinkes" not in home
    status = json.loads((final / "build/status.json").read_text(encoding="utf-8"))
    text = json.dumps(status)
    assert "dinkes" in text and "failed" in text


def test_shards_built_for_different_days_are_not_assembled(tmp_path: Path) -> None:
    source = region(tmp_path / "repo")
    final, _ = sharded_build(tmp_path, source, 3, today={2: "2026-11-30"})
    done = run_cli("build", "--portal-only", cwd=final)
    assert done.returncode == 2
    assert ("build/.skpdgen/shards: error: the shards were built for different days: "
            "2026-11-29 (") in done.stderr, done.stderr
    assert "SKPDGEN_TODAY" in done.stderr and not (final / "build/index.html").exists()
    (final / "build/.skpdgen/shards/dinkes.json").unlink()     # the shard of 2026-11-30
    (final / "build/.skpdgen/shards/setda.json").unlink()
    done = run_cli("build", "--portal-only", "--today", "2026-12-01", cwd=final)
    assert done.returncode == 2, done.stderr
    assert ("the shards were built for 2026-11-29 (disdik), the portal was asked for "
            "2026-12-01") in done.stderr, done.stderr


def test_an_added_agency_moves_no_other_agency(tmp_path: Path) -> None:
    root = region(tmp_path / "repo")

    def built_by(index: int) -> set[str]:
        shutil.rmtree(root / "build", ignore_errors=True)
        done = run_cli("build", "--today", TODAY, "--shard", f"{index}/3", cwd=root)
        assert done.returncode == 0, done.stderr
        return {p.name for p in (root / "build").iterdir() if not p.name.startswith(".")}

    before = built_by(1)
    assert before == {"disdik", "dishub"}
    region(root, {"bappeda": "badan"})     # shard_of("bappeda", 3) == 1
    assert built_by(1) == before | {"bappeda"}
    assert built_by(2) == {"dinkes", "setda"}
    # the assignment of a slug never depends on the others
    slugs = [f"desa-{n}" for n in range(200)]
    assert [shard_of(s, 4) for s in slugs] == [shard_of(s, 4) for s in reversed(slugs)][::-1]
    counts = [sum(1 for s in slugs if shard_of(s, 4) == i) for i in range(1, 5)]
    assert min(counts) >= 35, counts      # roughly even


def test_the_portal_news_pager_names_a_window_of_pages(tmp_path: Path) -> None:
    """A province's portal has hundreds of news pages: each names the first, the last and its
    neighbours, not every other page (which grew with the square of their number)."""
    files: dict[str, str | bytes] = {
        "skpdgen.yaml": "name: Pemerintah Provinsi Uji\nbase_url: https://ujiprov.go.id/\n"
                        "paginate: 1\n"}
    for slug in ("disdik", "dinkes"):
        files.update(agency_files(slug, "dinas"))
        for n in range(4):
            files[f"sites/{slug}/content/berita/2026-11-0{n + 1}-kabar-{n}.md"] = (
                f"---\ntitle: Kabar {n} {slug}\ndate: 2026-11-0{n + 1}\n---\nIsi.\n")
    root = make_region(tmp_path, files)
    done = run_cli("build", "--today", TODAY, cwd=root)
    assert done.returncode == 0, done.stderr
    pages = sorted((root / "build/berita/page").iterdir(), key=lambda p: int(p.name))
    total = len(pages) + 1
    assert total == 12          # 6 news items of each agency, one per page
    html = (root / "build/berita/page/6/index.html").read_text(encoding="utf-8")
    pager = html[html.index('class="pager"'):html.index("</nav>", html.index('class="pager"'))]
    linked = {int(n) for n in re.findall(r'href="[^"]*berita/(?:page/(\d+)/)?"', pager) if n}
    linked |= {1} if re.search(r'href="[^"]*berita/"', pager) else set()
    assert linked == {1, 4, 5, 7, 8, 12}, pager
    assert 'aria-current="page">6<' in pager and pager.count('class="pager__gap"') == 2
    first = (root / "build/berita/index.html").read_text(encoding="utf-8")
    assert 'href="page/12/"' in first or "berita/page/12/" in first


def test_a_shard_forgets_the_records_its_restored_build_brought(tmp_path: Path) -> None:
    """CI keeps a shard's build/ from one run to the next: the records in it are the last
    run's. `build --shard` removes them first, so the final job never takes an agency the
    last run built for this run's (no `rm` needed in the CI file)."""
    job = region(tmp_path / "job")
    assert run_cli("build", "--today", TODAY, "--shard", "1/3", cwd=job).returncode == 0
    records = job / "build/.skpdgen/shards"
    ours = sorted(s for s in AGENCIES if shard_of(s, 3) == 1)
    assert sorted(p.stem for p in records.iterdir()) == ours
    # what an older run left: another day's record, and one of an agency since removed
    (records / "lama.json").write_text((records / f"{ours[0]}.json").read_text("utf-8"), "utf-8")
    old = json.loads((records / f"{ours[1]}.json").read_text("utf-8"))
    old["today"] = "2026-11-01"
    (records / f"{ours[1]}.json").write_text(json.dumps(old), "utf-8")
    shutil.rmtree(job / f"sites/{ours[1]}")     # this run does not build it any more
    done = run_cli("build", "--today", TODAY, "--shard", "1/3", cwd=job)
    assert done.returncode == 0, done.stderr
    assert sorted(p.stem for p in records.iterdir()) == [ours[0]]
