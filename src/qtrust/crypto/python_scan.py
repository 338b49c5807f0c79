"""Cryptography in Python source, found through its syntax tree rather than by searching text.

Why a syntax tree: a grep for ``rsa`` or ``md5`` finds comments, docstrings, log messages and variables
that happen to carry those names. Here a name counts only when an import binds it to a crypto library
(``import hashlib as h``, ``from Crypto.Cipher import AES``, ``from jose import jwt``), so ``h.sha256()``
is SHA-256 and a local ``rsa = load()`` is nothing. Each use is resolved to a fully qualified name
(``cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key``) and matched against one table of
rules per library (:mod:`qtrust.crypto.python_rules`, a module per library); a rule reads the call's
literal arguments for the key size, curve, mode or protocol version, and "consumes" the argument nodes it
read (the ``modes.GCM(iv)`` inside ``Cipher(...)``, the ``hashes.SHA256()`` inside ``HMAC(...)``) so they
are not reported a second time on their own. This module is the walk: imports, literals, which rule
applies, and the finding each hit becomes.

What counts as a use: a call of, or a reference to, a library name that states an algorithm (a key class
passed to ``isinstance`` is a use: the code handles that kind of key). Type annotations are not uses, nor
are bare imports. Literals are read where the code states them, including through a name assigned exactly
once in the file (``KEY_SIZE = 2048`` … ``key_size=KEY_SIZE``; ``key = os.urandom(32)`` … ``AESGCM(key)``).

Speed: a file is parsed once (by the caller, which parses only files that mention one of the libraries,
see :data:`TRIGGER`) and walked twice: once over its statements for imports and assignments, once over the
whole tree for uses — and the second walk only when an import binds one of the libraries.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from qtrust.crypto.findings import CryptoUse
from qtrust.crypto.python_rules import (
    ASYMMETRIC,
    EC_CURVES,
    PRIMITIVES,
    RULES,
    TLS_VERSIONS,
    Hit,
    argument,
    hash_name,
)

#: A file that mentions none of these cannot import a library this scanner knows.
TRIGGER = re.compile(r"hashlib|hmac|ssl|cryptography|Crypto|paramiko|jwt|jose")

#: The first segment of a qualified name → the ``library`` a finding reports.
LIBRARIES = {
    "cryptography": "cryptography",
    "Crypto": "pycryptodome",
    "hashlib": "hashlib",
    "hmac": "hmac",
    "ssl": "ssl",
    "paramiko": "paramiko",
    "jwt": "pyjwt",
    "jose": "python-jose",
}
#: An import of one of these roots is what makes a file worth walking.
_IMPORT_ROOTS = frozenset({*LIBRARIES, "Cryptodome"})

# Import paths that name the same thing: rewritten so one rule covers both.
_CANONICAL = (
    ("Cryptodome", "Crypto"),
    ("cryptography.hazmat.primitives.ciphers.base", "cryptography.hazmat.primitives.ciphers"),
    ("cryptography.hazmat.decrepit.ciphers.algorithms", "cryptography.hazmat.primitives.ciphers.algorithms"),
    ("cryptography.hazmat.primitives.hmac", "cryptography.hazmat.primitives.hmac"),
    ("paramiko.rsakey", "paramiko"),
    ("paramiko.dsskey", "paramiko"),
    ("paramiko.ecdsakey", "paramiko"),
    ("paramiko.ed25519key", "paramiko"),
    ("paramiko.transport", "paramiko"),
    ("paramiko.client", "paramiko"),
    ("jwt.api_jwt", "jwt"),
)
_CANONICAL_ROOTS = frozenset(old.split(".", 1)[0] for old, _ in _CANONICAL)


def _canonical(name: str) -> str:
    if name.split(".", 1)[0] in _CANONICAL_ROOTS:
        for old, new in _CANONICAL:
            if name == old or name.startswith(old + "."):
                return new + name[len(old) :]
    return name


def _statements(tree: ast.Module) -> Iterable[ast.stmt]:
    """Every statement, nested ones included, without visiting expressions (imports and assignments are
    statements; expressions are most of a tree's nodes)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, name, None)
            if block:
                stack.extend(block)


class FileScan:
    """One file's walk: its imports, its once-assigned names, the findings, the nodes already read."""

    def __init__(self, tree: ast.Module, lines: list[str], file: str) -> None:
        self.lines = lines
        self.file = file
        self.aliases: dict[str, str] = {}
        self.assigned: dict[str, ast.expr | None] = {}  # None: assigned more than once
        self.consumed: set[int] = set()
        self.uses: list[CryptoUse] = []
        self._seen: set[tuple[int, str, str | None, str | None]] = set()
        self._collect(tree)
        self.imports_ssl = any(target.split(".", 1)[0] == "ssl" for target in self.aliases.values())

    # -- what the file binds --------------------------------------------------------------------------
    def _collect(self, tree: ast.Module) -> None:
        for node in _statements(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".", 1)[0]
                        self.aliases[root] = root
            elif isinstance(node, ast.ImportFrom):
                if node.level or not node.module:
                    continue  # a relative import names this package, not a crypto library
                for alias in node.names:
                    if alias.name != "*":
                        self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Assign):
                value = node.value
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned[target.id] = None if target.id in self.assigned else value

    def qualname(self, node: ast.AST | None) -> str | None:
        """``h.sha256`` with ``import hashlib as h`` → ``hashlib.sha256``; None unless an import binds it."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.aliases.get(node.id)
        if base is None:
            return None
        if parts:
            parts.reverse()
            base = base + "." + ".".join(parts)
        return _canonical(base)

    def resolve(self, node: ast.expr | None) -> ast.expr | None:
        """A name assigned exactly once in the file → its value; anything else → itself."""
        if isinstance(node, ast.Name) and node.id not in self.aliases:
            value = self.assigned.get(node.id)
            if value is not None:
                return value
        return node

    def consume(self, *nodes: ast.AST | None) -> None:
        for node in nodes:
            if node is not None:
                self.consumed.add(id(node))

    # -- literals ------------------------------------------------------------------------------------
    def const(self, node: ast.expr | None, depth: int = 0) -> object:
        """The literal value of ``node`` (int, str, bytes, or a list of them), or None."""
        if node is None or depth > 4:
            return None
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            value = self.resolve(node)
            return None if value is node else self.const(value, depth + 1)
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.const(item, depth + 1) for item in node.elts]
            return None if any(item is None for item in items) else items
        if isinstance(node, ast.BinOp):
            return self._arith(node, depth)
        if isinstance(node, ast.Attribute):
            name = self.qualname(node)
            if name and name.startswith(("jose.constants.ALGORITHMS.", "jose.constants.Algorithms.")):
                return name.rsplit(".", 1)[1]
        return None

    def _arith(self, node: ast.BinOp, depth: int) -> object:
        left, right = self.const(node.left, depth + 1), self.const(node.right, depth + 1)
        if isinstance(left, bool) or isinstance(right, bool):
            return None
        if isinstance(left, int) and isinstance(right, int) and max(abs(left), abs(right)) < 1 << 20:
            op = type(node.op)
            if op is ast.Mult:
                return left * right
            if op is ast.Add:
                return left + right
            if op is ast.Sub:
                return left - right
            if op is ast.FloorDiv and right:
                return left // right
        if isinstance(node.op, ast.Mult):
            if isinstance(left, bytes) and isinstance(right, int) and len(left) * right <= 4096:
                return left * right
            if isinstance(right, bytes) and isinstance(left, int) and len(right) * left <= 4096:
                return right * left
        return None

    def int_text(self, node: ast.expr | None) -> str | None:
        value = self.const(node)
        return str(value) if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

    def key_bytes(self, node: ast.expr | None, depth: int = 0) -> int | None:
        """How many bytes a key expression holds when the code says: ``os.urandom(32)``, ``bytes(16)``,
        ``b"…"``, ``get_random_bytes(24)``, ``AESGCM.generate_key(bit_length=256)``, ``key[:32]``."""
        if node is None or depth > 4:
            return None
        node = self.resolve(node)
        value = self.const(node)
        if isinstance(value, bytes):
            return len(value)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            part = node.slice
            lower = self.const(part.lower) if part.lower is not None else 0
            upper = self.const(part.upper)
            if lower == 0 and isinstance(upper, int) and part.step is None:
                inner = self.key_bytes(node.value, depth + 1)
                return min(upper, inner) if inner else upper
            return None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        name = self.qualname(func)
        if name is None and isinstance(func, ast.Name) and func.id in ("bytes", "bytearray"):
            name = func.id
        if name in (
            "os.urandom",
            "secrets.token_bytes",
            "Crypto.Random.get_random_bytes",
            "bytes",
            "bytearray",
        ):
            count = self.const(argument(node, 0, "nbytes" if name == "secrets.token_bytes" else "n"))
            return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else None
        if name and name.startswith(PRIMITIVES + ".ciphers.aead.") and name.endswith(".generate_key"):
            if name.endswith("ChaCha20Poly1305.generate_key"):
                return 32
            bits = self.const(argument(node, 0, "bit_length"))
            return bits // 8 if isinstance(bits, int) and not isinstance(bits, bool) and bits > 0 else None
        return None

    def aes_bits(self, key: ast.expr | None, mode: str | None = None) -> str | None:
        count = self.key_bytes(key)
        if count is None:
            return None
        bits = count * 8
        if mode in ("XTS", "SIV") and bits in (256, 384, 512):
            bits //= 2  # two keys: one for the cipher, one for the tweak / the MAC
        return str(bits) if bits in (128, 192, 256) else None

    def hash_of(self, node: ast.expr | None, depth: int = 0) -> str | None:
        """The hash an argument denotes: ``hashes.SHA256()``, ``hashlib.sha256``, ``"sha1"``, ``SHA256``
        (a pycryptodome module) or ``SHA256.new()``."""
        if node is None or depth > 3:
            return None
        if isinstance(node, ast.Constant):
            return hash_name(node.value) if isinstance(node.value, str) else None
        if isinstance(node, ast.Name) and node.id not in self.aliases:
            value = self.resolve(node)
            return None if value is node else self.hash_of(value, depth + 1)
        target = node.func if isinstance(node, ast.Call) else node
        name = self.qualname(target)
        if name is None:
            return None
        for prefix in (PRIMITIVES + ".hashes.", "hashlib.", "Crypto.Hash."):
            if name.startswith(prefix):
                rest = name[len(prefix) :]
                if rest.endswith(".new"):
                    rest = rest[:-4]
                return hash_name(rest) if "." not in rest else None
        return None

    def curve_of(self, node: ast.expr | None, depth: int = 0) -> str | None:
        """The curve an argument names: ``ec.SECP256R1()`` or ``ec.SECP256R1`` → ``"P-256"``."""
        if node is None or depth > 3:
            return None
        if isinstance(node, ast.Name) and node.id not in self.aliases:
            value = self.resolve(node)
            return None if value is node else self.curve_of(value, depth + 1)
        target = node.func if isinstance(node, ast.Call) else node
        name = self.qualname(target)
        if name and name.startswith(ASYMMETRIC + ".ec."):
            return EC_CURVES.get(name.rsplit(".", 1)[1])
        return None

    # -- the walk ------------------------------------------------------------------------------------
    def emit(self, node: ast.AST, library: str, hits: Iterable[Hit]) -> None:
        line = getattr(node, "lineno", 1)
        for hit in hits:
            key = (line, hit.algorithm, hit.parameter, hit.mode)
            if key in self._seen:
                continue
            self._seen.add(key)
            text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
            self.uses.append(
                CryptoUse(
                    file=self.file,
                    line=line,
                    algorithm=hit.algorithm,
                    asset_type=hit.asset_type,
                    parameter=hit.parameter,
                    mode=hit.mode,
                    library=library,
                    evidence=text[:200],
                    details=hit.details,
                )
            )

    def match(self, node: ast.AST, name: str, call: ast.Call | None) -> bool:
        """Apply the rule for ``name`` (longest registered prefix); False when no rule covers it."""
        root = name.split(".", 1)[0]
        library = LIBRARIES.get(root)
        if library is None:
            return False
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            handler = RULES.get(".".join(parts[:cut]))
            if handler is not None:
                member = tuple(parts[cut:])
                if not (member and member[0].startswith("_") and member[0].isupper()):  # a private constant
                    self.emit(node, library, handler(self, member, call))
                return True
        return False

    def walk(self, tree: ast.Module) -> None:
        stack: list[ast.AST] = [tree]
        consumed = self.consumed
        while stack:
            node = stack.pop()
            if id(node) in consumed:
                continue
            if isinstance(node, ast.Call):
                func = node.func
                name = self.qualname(func)
                if name is None:
                    stack.append(func)
                    if isinstance(func, ast.Attribute) and func.attr == "set_ciphers" and self.imports_ssl:
                        self._set_ciphers(node)
                elif name == "functools.partial" and node.args:
                    self._partial(node)
                else:
                    self.match(node, name, node)
                stack.extend(node.args)
                stack.extend(kw.value for kw in node.keywords)
            elif isinstance(node, ast.Attribute | ast.Name):
                if not isinstance(node.ctx, ast.Load):
                    if isinstance(node, ast.Attribute):  # ``obj.attr = …``: obj is still read
                        stack.append(node.value)
                    continue  # a name assigned to is not a use of what an import once bound to it
                name = self.qualname(node)
                if name is not None:
                    self.match(node, name, None)
                elif isinstance(node, ast.Attribute):
                    base = node.value
                    while isinstance(base, ast.Attribute):
                        base = base.value
                    if not isinstance(base, ast.Name):
                        stack.append(base)
            elif isinstance(node, ast.arg | ast.Import | ast.ImportFrom):
                continue  # annotations and imports are not uses
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                stack.extend(node.decorator_list)
                stack.append(node.args)
                stack.extend(node.body)
            elif isinstance(node, ast.AnnAssign):
                if node.value is not None:
                    stack.append(node.value)
                stack.append(node.target)
            else:
                if isinstance(node, ast.Assign):
                    self._tls_setting(node)
                stack.extend(ast.iter_child_nodes(node))

    def _partial(self, node: ast.Call) -> None:
        """``functools.partial(hmac.new, key, digestmod=hashlib.sha256)``: read as the call it prepares."""
        target = self.qualname(node.args[0])
        if target is None:
            return
        prepared = ast.Call(func=node.args[0], args=node.args[1:], keywords=node.keywords)
        ast.copy_location(prepared, node)
        self.consume(node.args[0])
        self.match(node, target, prepared)

    def _tls_setting(self, node: ast.Assign) -> None:
        """``ctx.minimum_version = ssl.TLSVersion.TLSv1_2``: the version, and which bound it sets."""
        target = node.targets[0]
        if isinstance(target, ast.Attribute) and target.attr in ("minimum_version", "maximum_version"):
            name = self.qualname(node.value)
            if name and name.startswith("ssl.TLSVersion."):
                version = TLS_VERSIONS.get(name.rsplit(".", 1)[1], "?")
                if version != "?":
                    self.consume(node.value)
                    details = (("setting", target.attr), ("constant", name))
                    self.emit(node, "ssl", [Hit("TLS", version, details=details, asset_type="protocol")])

    def _set_ciphers(self, call: ast.Call) -> None:
        ciphers = self.const(argument(call, 0, "ciphers"))
        if isinstance(ciphers, str):
            self.emit(call, "ssl", [Hit("TLS", details=(("ciphers", ciphers[:200]),), asset_type="protocol")])


def scan_python(tree: ast.Module, source: str, file: str) -> list[CryptoUse]:
    """The crypto uses in one parsed Python file (``file`` is the path the findings report)."""
    if not TRIGGER.search(source):
        return []
    scan = FileScan(tree, source.splitlines(), file)
    if not any(target.split(".", 1)[0] in _IMPORT_ROOTS for target in scan.aliases.values()):
        return []
    scan.walk(tree)
    return scan.uses
