"""What the WordPress import wrote, so that running it again never overwrites a person's edit.

sites/<slug>/import/wordpress.json records, per post or page, the file written and the sha256
of its bytes; a file whose bytes differ was edited since, and one that is gone was deleted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from skpdgen.importers.wp_plan import Entry

if TYPE_CHECKING:
    from skpdgen.importers.wordpress import ImportOptions, ImportReport

STATE_FILE = "import/wordpress.json"


def write_item(site_dir: Path, entry: Entry, text: str, items_state: dict[str, object],
           options: ImportOptions, report: ImportReport) -> bool:
    """Write one file unless a person changed or deleted it since the last import."""
    key = f"{entry.kind}:{entry.post_id}"
    previous = items_state.get(key)
    recorded = previous if isinstance(previous, dict) else None
    path = site_dir / (str(recorded["path"]) if recorded else entry.src_path)
    rel = f"sites/{options.site}/{path.relative_to(site_dir).as_posix()}"
    digest = _sha(text.encode("utf-8"))
    if recorded is not None:
        if not path.exists() and not options.force:
            report.kept_deleted.append(rel)
            return False
        if path.exists():
            current = _sha(path.read_bytes())
            if current == digest:
                report.unchanged += 1
                return False
            if current != recorded.get("sha256") and not options.force:
                report.kept_edited.append(rel)
                return False
        report.updated.append(rel)
    elif path.exists() and not options.force:
        report.kept_edited.append(rel)       # a file of the same name that we did not write
        return False
    else:
        report.created.append(rel)
    if options.dry_run:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    items_state[key] = {"path": path.relative_to(site_dir).as_posix(), "sha256": digest}
    return True


def load_state(site_dir: Path) -> dict[str, object]:
    try:
        data = json.loads((site_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(site_dir: Path, state: dict[str, object]) -> None:
    path = site_dir / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".wordpress.json.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
