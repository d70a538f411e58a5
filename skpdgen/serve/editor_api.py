"""The editor's local backend: Decap CMS's local-repository protocol, answered by `serve`.

With it a staff member edits in the browser against the checkout on their own computer, with
the live preview beside it, and no git host or sign-in. It is the protocol Decap's own
`decap-server` speaks (POST {action, params} as JSON), limited to what skpdgen needs and to
what may be written: files under sites/ (and only under sites/<slug>/ when `serve --site` is
given), Markdown, YAML and the media types an agency may publish. Requests must come from the
server's own pages: same Host and Origin (guard.py), JSON only (no form can send it), and the
server's token in the URL, which only its own config.yml carries.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from skpdgen.editor import LOCAL_API_BUILT, LOCAL_API_PATH

API_PATH = LOCAL_API_PATH
BUILT_URL = LOCAL_API_BUILT
MAX_BODY = 32 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".md", ".yaml", ".yml"})
MEDIA_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".pdf",
                            ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
                            ".mp3", ".mp4", ".csv", ".txt", ".zip"})


class ApiError(Exception):
    """A request the local backend refuses; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class LocalRepository:
    """The region checkout the editor may read and write, and how far."""

    root: Path
    site: str | None = None           # `serve --site`: only sites/<site>/

    def resolve(self, raw: str, *, write: bool = False) -> Path:
        """A repository path from the editor as a file under the allowed folder, or refuse."""
        if not isinstance(raw, str) or not raw or "\\" in raw or "\0" in raw:
            raise ApiError(400, "bad path")
        rel = PurePosixPath(raw.lstrip("/"))
        if any(part in ("", ".", "..") or part.startswith(".") for part in rel.parts):
            raise ApiError(403, f"path not allowed: {raw}")
        scope = ("sites", self.site) if self.site else ("sites",)
        if rel.parts[:len(scope)] != scope or len(rel.parts) <= len(scope):
            raise ApiError(403, f"outside {'/'.join(scope)}/: {raw}")
        if write and rel.suffix.lower() not in TEXT_SUFFIXES | MEDIA_SUFFIXES:
            raise ApiError(403, f"this kind of file cannot be saved here: {rel.name}")
        path = self.root.joinpath(*rel.parts)
        real_root = self.root.resolve()
        current = self.root
        for part in rel.parts:       # no symbolic link anywhere on the way
            current = current / part
            if current.is_symlink():
                raise ApiError(403, f"path not allowed (link): {raw}")
        if not path.resolve().is_relative_to(real_root):
            raise ApiError(403, f"path not allowed: {raw}")
        return path

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def handle(repo: LocalRepository, body: bytes) -> Any:
    """Answer one request body; the result is JSON-serialisable."""
    try:
        request = json.loads(body)
    except ValueError:
        raise ApiError(400, "the body is not JSON") from None
    if not isinstance(request, dict):
        raise ApiError(400, "the body must be an object")
    action = request.get("action")
    params = request.get("params") or {}
    if not isinstance(params, dict):
        raise ApiError(400, "params must be an object")
    handler = ACTIONS.get(str(action))
    if handler is None:
        raise ApiError(422, f"unknown action {action!r}")
    return handler(repo, params)


def _info(repo: LocalRepository, params: dict[str, Any]) -> Any:
    return {"repo": repo.root.name, "publish_modes": ["simple"], "type": "local_fs"}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ApiError(404, f"cannot read {path.name}: {exc}") from None


def _entries_by_folder(repo: LocalRepository, params: dict[str, Any]) -> Any:
    folder = repo.resolve(str(params.get("folder", "")))
    extension = str(params.get("extension") or "md").lstrip(".")
    depth = max(1, min(int(params.get("depth") or 1), 10))
    result = []
    if folder.is_dir():
        base_depth = len(folder.parts)
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if len(Path(dirpath).parts) - base_depth >= depth:
                dirnames[:] = []
            for name in sorted(filenames):
                path = Path(dirpath, name)
                if name.startswith(".") or path.is_symlink() or not name.endswith("." + extension):
                    continue
                result.append({"file": {"path": repo.rel(path)}, "data": _read(path)})
    return result


def _entries_by_files(repo: LocalRepository, params: dict[str, Any]) -> Any:
    files = params.get("files") or []
    result = []
    for item in files if isinstance(files, list) else []:
        raw = item.get("path", "") if isinstance(item, dict) else ""
        path = repo.resolve(str(raw))
        if path.is_file():
            result.append({"file": {"path": repo.rel(path)}, "data": _read(path)})
    return result


def _get_entry(repo: LocalRepository, params: dict[str, Any]) -> Any:
    path = repo.resolve(str(params.get("path", "")))
    return {"file": {"path": repo.rel(path)}, "data": _read(path)}


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.editor-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _persist_entry(repo: LocalRepository, params: dict[str, Any]) -> Any:
    # Decap 3 sends dataFiles and assets in params; decap-server also took them in params.entry
    entry = params.get("entry") or params
    files = entry.get("dataFiles") or [{"path": entry.get("path"), "raw": entry.get("raw")}]
    for asset in entry.get("assets") or []:
        _persist_asset(repo, asset)
    for data_file in files:
        path = repo.resolve(str(data_file.get("path", "")), write=True)
        if path.suffix.lower() not in TEXT_SUFFIXES:
            raise ApiError(403, f"an entry must be Markdown or YAML: {path.name}")
        raw = data_file.get("raw")
        if not isinstance(raw, str):
            raise ApiError(400, "the entry has no text")
        _write(path, raw.encode("utf-8"))
    return {"message": "entry persisted"}


def _persist_asset(repo: LocalRepository, asset: Any) -> dict[str, Any]:
    if not isinstance(asset, dict):
        raise ApiError(400, "bad media")
    path = repo.resolve(str(asset.get("path", "")), write=True)
    content = asset.get("content", "")
    try:
        data = (base64.b64decode(content, validate=True) if asset.get("encoding") == "base64"
                else str(content).encode("utf-8"))
    except ValueError:
        raise ApiError(400, "media is not valid base64") from None
    _write(path, data)
    return _media(repo, path)


def _media(repo: LocalRepository, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    rel = repo.rel(path)
    return {"id": rel, "content": base64.b64encode(data).decode(), "encoding": "base64",
            "path": rel, "name": path.name}


def _get_media(repo: LocalRepository, params: dict[str, Any]) -> Any:
    folder = repo.resolve(str(params.get("mediaFolder", "")))
    if not folder.is_dir():
        return []
    return [_media(repo, p) for p in sorted(folder.iterdir())
            if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
            and p.suffix.lower() in MEDIA_SUFFIXES]


def _get_media_file(repo: LocalRepository, params: dict[str, Any]) -> Any:
    path = repo.resolve(str(params.get("path", "")))
    if not path.is_file():
        raise ApiError(404, "no such file")
    return _media(repo, path)


def _persist_media(repo: LocalRepository, params: dict[str, Any]) -> Any:
    return _persist_asset(repo, params.get("asset"))


def _delete_file(repo: LocalRepository, params: dict[str, Any]) -> Any:
    paths = params.get("paths") or [params.get("path")]
    for raw in paths:
        path = repo.resolve(str(raw), write=True)
        if path.is_file():
            path.unlink()
    return {"message": "deleted"}


def _deploy_preview(repo: LocalRepository, params: dict[str, Any]) -> Any:
    return None


ACTIONS = {
    "info": _info, "entriesByFolder": _entries_by_folder, "entriesByFiles": _entries_by_files,
    "getEntry": _get_entry, "persistEntry": _persist_entry, "getMedia": _get_media,
    "getMediaFile": _get_media_file, "persistMedia": _persist_media, "deleteFile": _delete_file,
    "deleteFiles": _delete_file, "getDeployPreview": _deploy_preview,
}
