"""Where the embedded backend's index lives on disk, and how it is written.

Layout of ``root``::

    CURRENT            name of the live generation (replaced atomically)
    gen-<stamp>-<rand>/ one complete tantivy index, plus jiujinan.json (analyzer id)

A rebuild fills a new generation while searches keep reading the live one, then replaces
``CURRENT`` (:meth:`Generations.publish`); every reader (in this process or another) reads
``CURRENT`` on each search and moves over (:meth:`Generations.live`).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from .backend import SearchUnavailable
from .embedded_schema import SCHEMA, to_tantivy
from .indexing import LAYOUT_VERSION, AnalyzedDocument
from .segmenter import ANALYZER_ID

__all__ = ["Generations", "remove", "upsert"]

log = logging.getLogger(__name__)

_CURRENT = "CURRENT"
_META = "jiujinan.json"


def _is_lock_busy(error: Exception) -> bool:
    return "LockBusy" in str(error)


class Generations:
    """The generations under ``root``: which one is live, opening it, making new ones, and
    tantivy writers on them (waiting up to ``lock_timeout`` for another process's writer).

    ``state_lock`` guards the live generation; the backend also holds it while it swaps one
    in, so a write recorded during a rebuild is replayed before the swap.
    """

    def __init__(self, root: Path, *, lock_timeout: float) -> None:
        self.root = root
        self.lock_timeout = lock_timeout
        self.state_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._live: tuple[str, tantivy.Index] | None = None

    def read_current(self) -> str | None:
        try:
            name = (self.root / _CURRENT).read_text("ascii").strip()
        except FileNotFoundError:
            return None
        return name or None

    def read_meta(self, name: str) -> dict[str, Any]:
        try:
            meta = json.loads((self.root / name / _META).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def new_generation(self) -> tuple[str, tantivy.Index]:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"gen-{stamp}-{secrets.token_hex(3)}"
        path = self.root / name
        path.mkdir(parents=True)
        meta = {"analyzer": ANALYZER_ID, "schema": LAYOUT_VERSION}
        (path / _META).write_text(json.dumps(meta), "utf-8")
        return name, tantivy.Index(SCHEMA, path=str(path), reuse=False)

    def publish(self, name: str, index: tantivy.Index) -> str | None:
        """Make generation ``name`` live; return the name of the one it replaced."""
        with self.state_lock:
            previous = self.read_current()
            tmp = self.root / f"{_CURRENT}.{secrets.token_hex(4)}.tmp"
            tmp.write_text(name, "ascii")
            os.replace(tmp, self.root / _CURRENT)
            self._live = (name, index)
        return previous

    def create_empty_live(self) -> None:
        with self.state_lock:
            if self.read_current() is not None:
                return
            self.publish(*self.new_generation())

    def live(self) -> tuple[str, tantivy.Index]:
        """The live generation, reopened when ``CURRENT`` changed; raises if unavailable."""
        try:
            name = self.read_current()
        except OSError as error:
            raise SearchUnavailable("搜索索引目录无法读取") from error
        if name is None:
            raise SearchUnavailable("搜索索引不存在或已被删除，请重建索引")
        live = self._live
        if live is not None and live[0] == name:
            return live
        with self.state_lock:
            if self._live is not None and self._live[0] == name:
                return self._live
            path = self.root / name
            if not (path / "meta.json").exists():
                raise SearchUnavailable("搜索索引已损坏或不完整，请重建索引")
            if self.read_meta(name).get("schema") != LAYOUT_VERSION:
                raise SearchUnavailable("搜索索引的格式已更新，请重建索引")
            try:
                index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            except (OSError, ValueError) as error:
                raise SearchUnavailable("搜索索引无法打开，请重建索引") from error
            self._live = (name, index)
            return self._live

    def writable(self) -> tantivy.Index:
        """The live index, recreated empty if the directory disappeared."""
        try:
            return self.live()[1]
        except SearchUnavailable:
            name = self.read_current()
            if name is not None and (self.root / name).exists():
                raise  # present but unreadable: leave it for an operator or a rebuild
        with self.state_lock:
            self._live = None
            try:
                os.remove(self.root / _CURRENT)
            except FileNotFoundError:
                pass
            log.warning("search index under %s was missing; starting an empty one", self.root)
            self.create_empty_live()
        return self.live()[1]

    def forget(self) -> None:
        """Drop the open live index (it is reopened on the next read)."""
        with self.state_lock:
            self._live = None

    def remove(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)

    def remove_stale(self, *, keep: str, older_than: float = 3600.0) -> None:
        """Delete generations left by crashed rebuilds (old enough not to be in progress)."""
        cutoff = time.time() - older_than
        for path in self.root.glob("gen-*"):
            if path.name != keep and path.is_dir() and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)

    # -- writers -----------------------------------------------------------------------

    def writer(self, index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as error:
                if not _is_lock_busy(error) or time.monotonic() >= deadline:
                    raise SearchUnavailable("搜索索引正被其他进程写入，请稍后重试") from error
                time.sleep(0.05)

    def write(
        self,
        index: tantivy.Index,
        apply: Callable[[tantivy.IndexWriter], int],
        *,
        heap: int,
        threads: int,
    ) -> int:
        """Run ``apply`` on a writer of ``index``, commit, and reload the index's readers."""
        with self._write_lock:
            writer = self.writer(index, heap, threads)
            try:
                written = apply(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            index.reload()
        return written


def upsert(writer: tantivy.IndexWriter, docs: list[AnalyzedDocument]) -> int:
    for item in docs:
        writer.delete_documents_by_term("uid", item.document.uid)
        writer.add_document(to_tantivy(item))
    return len(docs)


def remove(writer: tantivy.IndexWriter, uids: list[str]) -> int:
    for uid in uids:
        writer.delete_documents_by_term("uid", uid)
    return len(uids)
