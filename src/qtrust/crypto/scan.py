"""Walk a code base once and hand each file to the scanner for its kind: Python, key / certificate, config.

Why a single deterministic walk: the CBOM is evidence, so scanning the same tree twice must give the same
findings in the same order (directories and files sorted by name; findings sorted by file, line,
algorithm). A file the scan cannot read is never an exception that stops it: it becomes a
:class:`~qtrust.crypto.findings.Skipped` entry saying why (syntax error, binary, unreadable, too large,
undecodable, a symlink loop), so a reviewer knows what the inventory does not cover.

Which files: ``*.py`` (:mod:`~qtrust.crypto.python_scan`), key and certificate names (``*.pem``,
``*.crt``, ``*.cer``, ``*.der``, ``*.key``, ``*.pub``, ``id_rsa`` …) and any other file of at most 64 KiB
that starts with ``-----BEGIN`` (:mod:`~qtrust.crypto.keyfiles`), and TLS / SSH configuration
(:mod:`~qtrust.crypto.config_scan`). Directories named ``.git``, ``__pycache__``, ``.venv``,
``node_modules`` (and a few tool caches) are not entered — unless the path given *is* such a directory or
lies inside one (scanning ``.venv/lib/python3.11/site-packages`` works). Symbolic links that lead out of
the root are followed; a link to one of its own ancestor directories, or to itself, is a "symlink loop"
(skipped, reported); a link to something under the root is not followed, because the walk reaches that
under its own path (following it would count its findings twice).

Speed: most Python files of a large code base name no crypto library at all; those are read, counted and
not parsed (they cannot hold a finding), which makes the scan several times faster (bench/README.md). The
price: a syntax error is reported only in a file that names one of the libraries — exactly the files whose
findings the error would hide. Every other Python file is parsed exactly once.

Paths in findings are relative to the root given, with forward slashes; with several roots, each file's
path starts with its root's name.
"""

from __future__ import annotations

import ast
import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path, PurePath

from qtrust.crypto import config_scan, keyfiles, python_scan
from qtrust.crypto.findings import CryptoUse, ScanResult, Skipped

#: Directories never entered while walking (a root given explicitly is still scanned).
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".tox", ".mypy_cache", ".ruff_cache",
     ".pytest_cache"}
)  # fmt: skip
#: The largest file read only because it starts like a PEM file.
PEM_SNIFF_BYTES = 64 * 1024
_CONFIG_SUFFIXES = frozenset({".conf", ".cfg", ".cnf"})


class _Scan:
    """The state of one scan: what was found, what was skipped, how much was read."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.uses: list[CryptoUse] = []
        self.skipped: list[Skipped] = []
        self.files = 0
        self.lines = 0
        self._visited_dirs: set[str] = set()
        self._root = ""

    # -- walking --------------------------------------------------------------------------------------
    def root(self, root: Path, prefix: str) -> None:
        try:
            info = root.stat()
        except OSError as error:
            self.skip(prefix or root.name, _os_reason(error))
            return
        real = os.path.realpath(root)
        if stat.S_ISDIR(info.st_mode):
            self._root = real + os.sep
            self.directory(root, prefix, (real,))
        else:
            self._root = real
            self.file(root, prefix or root.name, info)

    def _inside_root(self, real: str) -> bool:
        """A link to something the walk reaches anyway (under the root): following it would count it twice."""
        return real.startswith(self._root) or real + os.sep == self._root

    def directory(self, path: Path, rel: str, ancestors: tuple[str, ...]) -> None:
        self._visited_dirs.add(ancestors[-1])
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.skip(rel or ".", _os_reason(error))
            return
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            try:
                info = entry.stat()  # follows a symbolic link; ELOOP for a link that points at itself
            except OSError as error:
                self.skip(child_rel, _os_reason(error))
                continue
            link = entry.is_symlink()
            real = os.path.realpath(entry.path) if link else ""
            if stat.S_ISDIR(info.st_mode):
                if entry.name in SKIP_DIRS:
                    continue
                if link:
                    if real in ancestors:
                        self.skip(child_rel, "symlink loop")
                        continue
                    if self._inside_root(real) or real in self._visited_dirs:
                        continue  # scanned under its own path
                else:
                    real = os.path.join(ancestors[-1], entry.name)
                self.directory(Path(entry.path), child_rel, (*ancestors, real))
            elif stat.S_ISREG(info.st_mode) and not (link and self._inside_root(real)):
                self.file(Path(entry.path), child_rel, info)

    def skip(self, rel: str, reason: str) -> None:
        self.skipped.append(Skipped(rel, reason))

    # -- one file -------------------------------------------------------------------------------------
    def file(self, path: Path, rel: str, info: os.stat_result) -> None:
        name = path.name
        if name.endswith(".py"):
            kind, dialect = "python", None
        elif keyfiles.is_key_file(name):
            kind, dialect = "key", None
        else:
            dialect = config_scan.config_dialect(PurePath(rel))
            kind = "config" if dialect else None
            if kind is None and PurePath(name).suffix.lower() in _CONFIG_SUFFIXES:
                kind = "config?"
        if kind is None and info.st_size > min(PEM_SNIFF_BYTES, self.max_bytes):
            return
        if info.st_size > self.max_bytes:
            if kind != "config?":  # a large *.cfg that may be no TLS / SSH config at all is no gap
                self.skip(rel, f"larger than {self.max_bytes} bytes ({info.st_size} bytes)")
            return
        if kind is None:
            try:
                with path.open("rb") as handle:
                    if not keyfiles.looks_like_pem(handle.read(64)):
                        return
            except OSError:
                return  # not a file the scan looks at: its being unreadable is no gap in the inventory
            kind = "key"
        try:
            data = path.read_bytes()
        except OSError as error:
            if kind != "config?":
                self.skip(rel, _os_reason(error))
            return
        if kind == "key":
            self.key_file(data, rel)
            return
        if b"\0" in data:
            if kind != "config?":
                self.skip(rel, "binary file (NUL byte) where text was expected")
            return
        text = _decode(data, python=kind == "python")
        if text is None:
            if kind != "config?":
                self.skip(rel, "undecodable text (not UTF-8)")
            return
        if kind == "python":
            self.python(data, text, rel)
            return
        if kind == "config?":
            dialect = config_scan.sniff_dialect(text)
        if dialect is None:
            return
        self.count(text)
        self.uses += config_scan.scan_config(text, rel, dialect)

    def count(self, text: str) -> None:
        self.files += 1
        self.lines += text.count("\n") + (0 if not text or text.endswith("\n") else 1)

    def python(self, data: bytes, text: str, rel: str) -> None:
        if not python_scan.TRIGGER.search(text):
            self.count(text)  # names no crypto library, so holds no finding: not worth parsing
            return
        try:
            tree = ast.parse(data, filename=rel)
        except SyntaxError as error:
            self.skip(rel, f"syntax error at line {error.lineno}")
            return
        except (ValueError, RecursionError, MemoryError) as error:
            self.skip(rel, f"not parsed: {type(error).__name__}")
            return
        self.count(text)
        self.uses += python_scan.scan_python(tree, text, rel)

    def key_file(self, data: bytes, rel: str) -> None:
        result = keyfiles.scan_key_file(data, rel)
        if result.problem and not result.uses:
            self.skip(rel, result.problem)
            return
        self.files += 1
        self.lines += result.lines
        self.uses += result.uses


def _decode(data: bytes, *, python: bool) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if python:  # PEP 263: a coding cookie in the first two lines
        import io
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            return data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            return None
    return None


def _os_reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "unreadable: permission denied"
    if error.errno == errno.ENOENT:
        return "unreadable: no such file (a broken symlink?)"
    return f"unreadable: {error.strerror or error}"


def scan(paths: Sequence[Path], *, max_bytes: int = 5_000_000) -> ScanResult:
    """Scan every file under ``paths`` for cryptography; findings sorted by (file, line, algorithm)."""
    state = _Scan(max_bytes)
    roots = [Path(p) for p in paths]
    for root in roots:
        prefix = (root.resolve().name or str(root)) if len(roots) > 1 else ""
        state.root(root, prefix)
    uses = sorted(state.uses, key=lambda u: (u.file, u.line, u.algorithm, u.parameter or "", u.mode or ""))
    skipped = sorted(state.skipped, key=lambda s: (s.file, s.reason))
    return ScanResult(
        roots=tuple(str(p) for p in paths),
        uses=tuple(uses),
        skipped=tuple(skipped),
        files_scanned=state.files,
        lines_scanned=state.lines,
    )
