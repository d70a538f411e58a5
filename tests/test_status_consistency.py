"""status.json and `skpdgen report` agree, also after a build of only some agencies."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import make_region, run_cli

TODAY = "2026-11-29"


def test_partial_build_keeps_the_recorded_health_of_a_failed_agency(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/dinkes/content/berita/2026-11-20-a.md":
            "---\ntitle: A\ndate: 2026-11-20\n---\nLihat [b](b.md) dan ![x](/img/x.jpg).\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/disdik/content/berita/2026-11-20-b.md": "---\ntitle: B\ndate: 2026-11-20\n---\nIsi.\n",
    })
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 1
    assert run_cli("build", "--today", TODAY, "--site", "disdik", cwd=root).returncode == 0
    status = {s["slug"]: s for s in json.loads((root / "build/status.json").read_text())["sites"]}
    report = run_cli("report", "--format", "json", "--today", TODAY, cwd=root)
    assert report.returncode == 0, report.stderr
    reported = {s["slug"]: s for s in json.loads(report.stdout)["sites"]}
    assert status["dinkes"]["build"] == reported["dinkes"]["build"] == "partial"   # isolate.py
    assert status["dinkes"]["build_errors"] == reported["dinkes"]["build_errors"] == 2
    assert status["dinkes"]["broken_links"] == reported["dinkes"]["broken_links"] == 2
    assert status == reported
