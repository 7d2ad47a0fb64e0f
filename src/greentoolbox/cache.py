"""What the engine made from the same inputs in the last build, kept for the next one.

``greentoolbox build`` validates every toolkit, then checks every catalog and renders every page
of every language and joins the open data: about 120 process-seconds at 1,000 toolkits x 10
languages, most of it before MkDocs starts. A rebuild after editing a hand-written page, the
theme or the configuration needs none of it again, and one after a translator's change needs it
for that language only. The cache keeps, in ``.cache/greentoolbox/`` (or the folder
``GREENTOOLBOX_CACHE`` names; ``off`` turns it off), one entry of each kind, each under a
SHA-256 of everything that decides its result, never file times:

- ``validate.pickle``, the validated ``Catalog`` (problems included, and each toolkit's
  translatable texts), keyed by the engine (``engine_key``: every file of this package, the
  versions of the libraries it calls, Python's) and the name and bytes of every file and folder
  under ``toolkits/``;
- ``lang-<lang>/``, what that language's worker made (its generated pages, its part of the open
  data, its problems, status rows and CSV rows), keyed by the validation key, the language, the
  build's options and the name and bytes of every file and folder under ``locales/<lang>/``:
  a language's worker reads nothing else;
- ``status/``, the translation-status pages (each shows every language's rows), and
  ``opendata/``, the files under ``site/api/``: keyed by the validation key, the options and
  every language's key.

The engine's output depends on nothing else (no clock, no environment: two builds of the same
tree are byte-identical, ``tests/test_site.py``), so an entry with the same key holds what the
work would make. Files are kept by hard link to the ones the build wrote, so keeping them copies
nothing. The engine never writes a generated page in place (``translate.write_if_changed``
writes a new file and renames it) and the open data are written into a site folder the build
has emptied; whatever else changes a kept file (a page edited by hand, ``mkdocs build
--dirty``), an entry whose files' size, time or inode changed since is a miss. A new entry replaces the
old one of its kind, so the cache holds one build. An entry that cannot be read is a miss, never
an error. Entries are pickles: the folder is trusted as ``__pycache__`` is (whoever can write it
can run code in the build); it is not shared between machines. ``tests/test_cache.py`` builds
trees with and without the cache after each kind of change and compares every file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

FORMAT = 1  # the layout of the entries; part of every key
# the libraries whose results the engine keeps: their versions are part of every key
LIBRARIES = ("PyYAML", "Babel", "Jinja2", "MarkupSafe", "jsonschema", "nh3")
ENV = "GREENTOOLBOX_CACHE"
_OFF = ("off", "0", "no", "false")


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


def tree_key(base: Path) -> str:
    """SHA-256 of the relative name of every folder and file under ``base`` (recursively) and
    the bytes of each file; a missing folder hashes unlike an empty one."""
    base = Path(base)
    h = hashlib.sha256()
    if not base.is_dir():
        h.update(b"missing")
        return h.hexdigest()
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).as_posix().encode("utf-8", "surrogateescape")
        if path.is_dir():
            h.update(b"d\0" + rel + b"\0")
        elif path.is_file():
            data = path.read_bytes()
            h.update(b"f\0" + rel + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def engine_key() -> str:
    """SHA-256 of every file of this package (code, templates, schemas, data), the versions of
    the libraries in ``LIBRARIES``, Python's version and ``FORMAT``: any change to the engine
    makes every entry a miss."""
    package = Path(__file__).resolve().parent
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    code = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return _digest(f"format {FORMAT}", sys.version, *versions, code.hexdigest())


class BuildCache:
    """The cache of one project's build. ``base`` is the validation key (see the module's text)."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = Path(folder)
        self.root = Path(root)
        self.base = _digest("validate", engine_key(), tree_key(self.root / "toolkits"))

    @classmethod
    def for_root(cls, root: Path, enabled: bool = True) -> "BuildCache | None":
        """The cache of the project at ``root``: ``<root>/.cache/greentoolbox``, or the folder
        the ``GREENTOOLBOX_CACHE`` environment variable names; None when ``enabled`` is false or
        the variable says ``off``."""
        setting = os.environ.get(ENV, "").strip()
        if not enabled or setting.lower() in _OFF:
            return None
        return cls(Path(setting) if setting else Path(root) / ".cache" / "greentoolbox", root)

    # -- validation ------------------------------------------------------------------------

    def catalog(self):
        """The validated Catalog of this tree from an earlier build, or None."""
        try:
            with open(self.folder / "validate.pickle", "rb") as f:
                if pickle.load(f) != {"format": FORMAT, "key": self.base}:
                    return None
                catalog = pickle.load(f)
        except Exception:  # missing, truncated or unreadable: a miss, never a failed build
            return None
        catalog.root = self.root  # the project may have moved; nothing else holds a path
        return catalog

    def store_catalog(self, catalog) -> None:
        """Keep ``catalog`` (as validated; of its memos, only the toolkits' translatable texts
        may be filled) under this tree's key. A cache that cannot be written (full disk,
        read-only folder) is left as it is."""
        try:
            with _Entry(self.folder / "validate.pickle", self.base) as write:
                write(catalog)
        except OSError:
            pass

    def store_catalog_in_background(self, catalog):
        """``store_catalog`` in a forked process (it takes about two seconds at 1,000 toolkits),
        returned to be joined; without fork, stored here and None is returned."""
        if not hasattr(os, "fork"):
            self.store_catalog(catalog)
            return None
        import multiprocessing

        process = multiprocessing.get_context("fork").Process(target=self.store_catalog, args=(catalog,), daemon=True)
        process.start()
        return process

    # -- entries of files: a language's pages, the open data --------------------------------

    def key(self, kind: str, *parts: object) -> str:
        """The key of an entry of ``kind`` made from this tree with ``parts`` (options, keys)."""
        return _digest(kind, self.base, repr(parts))

    def language_key(self, lang: str, *options: object) -> str:
        return self.key("language", lang, options, tree_key(self.root / "locales" / lang))

    def replay(self, name: str, key: str, place):
        """The record kept in entry ``name`` under ``key``, after calling ``place(rel, path)``
        for each of its files (``path``, the kept file, for ``put`` to link where ``rel`` goes);
        None when there is no such entry, or one of its files is no longer as it was kept (then
        nothing has been placed)."""
        folder = self.folder / name
        try:
            with open(folder / "entry.pickle", "rb") as f:
                if pickle.load(f) != {"format": FORMAT, "key": key}:
                    return None
                record, files = pickle.load(f)
            kept = [(rel, folder / "files" / rel) for rel, _ in files]
            if any(_stamp(path) != stamp for (_, path), (_, stamp) in zip(kept, files)):
                return None  # changed in place since (the entry shares its files' inodes)
        except Exception:  # missing, truncated or unreadable: a miss, never a failed build
            return None
        for rel, path in kept:
            place(rel, path)
        return record

    def entry(self, name: str, key: str) -> "_Files":
        """A new entry ``name`` under ``key`` (see ``_Files``); the old one is gone at once."""
        return _Files(self.folder, name, key)

    def keep(self, name: str, key: str, files, record) -> None:
        """Entry ``name`` under ``key``: ``record`` and ``files``, ``(rel, path)`` pairs of files
        made already (``replay`` hands them back under ``rel``)."""
        entry = self.entry(name, key)
        for rel, path in files:
            entry.add(rel, path)
        entry.finish(record)


def put(kept: Path, target: Path) -> bool:
    """Make ``target`` the kept file (a hard link; a copy across file systems); False when it
    already is."""
    try:
        if os.path.samestat(os.stat(kept), os.stat(target)):
            return False
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        os.link(kept, tmp)
    except OSError:
        shutil.copyfile(kept, tmp)
    os.replace(tmp, target)
    return True


def _stamp(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


class _Entry:
    """A cache file written as a header and pickles, put in place only when complete."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        self.file = open(self.tmp, "wb")
        self.write({"format": FORMAT, "key": self.key})
        return self.write

    def write(self, record) -> None:
        pickle.dump(record, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def __exit__(self, kind, value, traceback) -> None:
        self.file.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


class _Files:
    """An entry of files: ``add(rel, path)`` keeps a file as it is now (a hard link to it, so
    nothing is copied; a copy across file systems), ``finish(record)`` puts the entry in place
    with ``record`` and the size, time and inode of each file, which ``replay`` checks (a kept
    file changed since makes its entry a miss; see the module's text).
    The old entry of the same name is removed when this one starts, so a build that stops
    halfway leaves none. A cache that cannot be written (full disk, read-only folder) keeps no
    entry and fails nothing."""

    def __init__(self, folder: Path, name: str, key: str) -> None:
        self.path = folder / name
        self.key = key
        self.tmp = folder / f"{name}.{os.getpid()}.tmp"
        self.files: list[tuple[str, tuple[int, int, int]]] = []
        self.broken = False
        shutil.rmtree(self.path, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add(self, rel: str, path: Path) -> None:
        if self.broken:
            return
        kept = self.tmp / "files" / rel
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, kept)
            except OSError:
                shutil.copy2(path, kept)
            self.files.append((rel, _stamp(kept)))
        except OSError:
            self.abandon()

    def finish(self, record) -> None:
        if self.broken:
            return
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
            with _Entry(self.tmp / "entry.pickle", self.key) as write:
                write((record, self.files))
            os.replace(self.tmp, self.path)
        except OSError:
            self.abandon()

    def abandon(self) -> None:
        self.broken = True
        shutil.rmtree(self.tmp, ignore_errors=True)
