"""Cryptography in Python source, found through its syntax tree rather than by searching text.

Why a syntax tree: a grep for ``rsa`` or ``md5`` finds comments, docstrings, log messages and variables
that happen to carry those names. Here a name counts only when an import binds it to a crypto library
(``import hashlib as h``, ``from Crypto.Cipher import AES``, ``from jose import jwt``), so ``h.sha256()``
is SHA-256 and a local ``rsa = load()`` is nothing. Each use is resolved to a fully qualified name
(``cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key``) and matched against one table of
rules per library; a rule reads the call's literal arguments for the key size, curve, mode or protocol
version, and "consumes" the argument nodes it read (the ``modes.GCM(iv)`` inside ``Cipher(...)``, the
``hashes.SHA256()`` inside ``HMAC(...)``) so they are not reported a second time on their own.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from qtrust.crypto.findings import AssetType, CryptoUse

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

_HASH_NAMES = {
    "md5": "MD5",
    "sha": "SHA-1",
    "sha1": "SHA-1",
    "sha224": "SHA-224",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "sha3256": "SHA3-256",
    "sha3384": "SHA3-384",
    "sha3512": "SHA3-512",
    "blake2b": "BLAKE2b",
    "blake2s": "BLAKE2s",
}

#: pyca/cryptography curve classes → the vocabulary's curve names.
_EC_CURVES = {
    "SECP192R1": "P-192",
    "SECP224R1": "P-224",
    "SECP256R1": "P-256",
    "SECP384R1": "P-384",
    "SECP521R1": "P-521",
    "SECP256K1": "secp256k1",
    "BrainpoolP224R1": "brainpoolP224r1",
    "BrainpoolP256R1": "brainpoolP256r1",
    "BrainpoolP320R1": "brainpoolP320r1",
    "BrainpoolP384R1": "brainpoolP384r1",
    "BrainpoolP512R1": "brainpoolP512r1",
}

#: pycryptodome ``ECC`` curve names (lower case, without spaces and dashes) → (algorithm, curve).
_PYC_CURVES = {
    **{n: ("EC", "P-192") for n in ("p192", "nistp192", "prime192v1", "secp192r1")},
    **{n: ("EC", "P-224") for n in ("p224", "nistp224", "prime224v1", "secp224r1")},
    **{n: ("EC", "P-256") for n in ("p256", "nistp256", "prime256v1", "secp256r1")},
    **{n: ("EC", "P-384") for n in ("p384", "nistp384", "prime384v1", "secp384r1")},
    **{n: ("EC", "P-521") for n in ("p521", "nistp521", "prime521v1", "secp521r1")},
    "ed25519": ("Ed25519", None),
    "ed448": ("Ed448", None),
    "curve25519": ("X25519", None),
    "curve448": ("X448", None),
}

_MODES = {"GCM", "CBC", "CTR", "ECB", "CFB", "OFB", "CCM", "EAX", "SIV", "OCB", "XTS"}
_PYC_MODE_NUMBERS = {1: "ECB", 2: "CBC", 3: "CFB", 5: "OFB", 6: "CTR", 7: "CFB", 8: "CCM", 9: "EAX",
                     10: "SIV", 11: "GCM", 12: "OCB"}  # fmt: skip

_P = "cryptography.hazmat.primitives"
_A = _P + ".asymmetric"


@dataclass(frozen=True, slots=True)
class Hit:
    """What one rule says about one use; the scanner adds where it is and which library said it."""

    algorithm: str
    parameter: str | None = None
    mode: str | None = None
    details: tuple[tuple[str, str], ...] = ()
    asset_type: AssetType = "algorithm"


Handler = Callable[["_FileScan", tuple[str, ...], ast.Call | None], list[Hit]]
_RULES: dict[str, Handler] = {}


def _rule(*keys: str) -> Callable[[Handler], Handler]:
    """Register a handler for every name under ``keys`` (the handler sees the rest of the name)."""

    def register(handler: Handler) -> Handler:
        for key in keys:
            _RULES[key] = handler
        return handler

    return register


def _canonical(name: str) -> str:
    if name.split(".", 1)[0] in _CANONICAL_ROOTS:
        for old, new in _CANONICAL:
            if name == old or name.startswith(old + "."):
                return new + name[len(old) :]
    return name


def hash_name(text: str) -> str | None:
    """``"sha256"``, ``"SHA-256"``, ``"sha3_256"``, ``SHA256`` … → the vocabulary's hash name."""
    return _HASH_NAMES.get(text.lower().replace("-", "").replace("_", ""))


def argument(call: ast.Call | None, position: int | None, keyword: str) -> ast.expr | None:
    """The expression passed as ``keyword=`` or at ``position`` (before any ``*args``); None if absent."""
    if call is None:
        return None
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return None
        return call.args[position]
    return None


# JWS / JWA names (RFC 7518) → what they are.
def jws_hits(name: str, *, default: bool = False) -> list[Hit]:
    """A JWT ``alg`` (``HS256``, ``RS256``, ``ES256``, ``EdDSA``, ``none`` …) as a finding; [] if unknown."""
    extra: tuple[tuple[str, str], ...] = (("jwt_alg", name),) + ((("default", "true"),) if default else ())
    bits = name[2:]
    digest = {"256": "SHA-256", "384": "SHA-384", "512": "SHA-512"}.get(bits)
    if name.lower() == "none":
        return [Hit("none", details=extra)]
    if name.startswith("HS") and digest:
        return [Hit("HMAC", digest, details=extra)]
    if name.startswith(("RS", "PS")) and digest:
        padding = "PKCS1v15" if name.startswith("RS") else "PSS"
        return [Hit("RSA", details=(("hash", digest), ("padding", padding), *extra))]
    curve = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}.get(name)
    if curve:
        return [Hit("ECDSA", curve, details=extra)]
    if name in ("EdDSA", "Ed25519"):
        return [Hit("Ed25519", details=extra)]
    if name == "Ed448":
        return [Hit("Ed448", details=extra)]
    return []


def jwe_hits(name: str) -> list[Hit]:
    """A JWE ``enc`` or key-management ``alg`` (RFC 7518 §4–5) as a finding; [] for ``dir`` or unknown."""
    extra = (("jwe", name),)
    match = re.fullmatch(r"A(128|192|256)(GCM|CBC-HS(256|384|512)|KW|GCMKW)", name)
    if match:
        mode = {"GCM": "GCM", "GCMKW": "GCM", "KW": None}.get(match.group(2), "CBC")
        return [Hit("AES", match.group(1), mode, extra)]
    if name.startswith("RSA"):
        return [Hit("RSA", details=(("padding", "PKCS1v15" if name == "RSA1_5" else "OAEP"), *extra))]
    if name.startswith("ECDH-ES"):
        return [Hit("ECDH", details=extra)]
    return []


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


class _FileScan:
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

    def _once(self, node: ast.expr | None) -> ast.expr | None:
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
            value = self._once(node)
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
        node = self._once(node)
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
        if name and name.startswith(_P + ".ciphers.aead.") and name.endswith(".generate_key"):
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
            value = self._once(node)
            return None if value is node else self.hash_of(value, depth + 1)
        target = node.func if isinstance(node, ast.Call) else node
        name = self.qualname(target)
        if name is None:
            return None
        for prefix in (_P + ".hashes.", "hashlib.", "Crypto.Hash."):
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
            value = self._once(node)
            return None if value is node else self.curve_of(value, depth + 1)
        target = node.func if isinstance(node, ast.Call) else node
        name = self.qualname(target)
        if name and name.startswith(_A + ".ec."):
            return _EC_CURVES.get(name.rsplit(".", 1)[1])
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
            handler = _RULES.get(".".join(parts[:cut]))
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
                version = _TLS_VERSIONS.get(name.rsplit(".", 1)[1], "?")
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
    scan = _FileScan(tree, source.splitlines(), file)
    if not any(target.split(".", 1)[0] in _IMPORT_ROOTS for target in scan.aliases.values()):
        return []
    scan.walk(tree)
    return scan.uses


_IMPORT_ROOTS = frozenset({*LIBRARIES, "Cryptodome"})


# == pyca/cryptography =================================================================================


def _fixed(algorithm: str) -> Handler:
    def handler(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        return [Hit(algorithm)] if member else []

    return handler


for _module, _algorithm in (
    ("ed25519", "Ed25519"),
    ("ed448", "Ed448"),
    ("x25519", "X25519"),
    ("x448", "X448"),
):
    _RULES[f"{_A}.{_module}"] = _fixed(_algorithm)


@_rule(_A + ".rsa")
def _rsa(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    bits = scan.int_text(argument(call, 1, "key_size")) if member[-1] == "generate_private_key" else None
    return [Hit("RSA", bits)]


def _finite_field(family: str, size_position: int) -> Handler:
    """DSA / DH: ``generate_private_key(key_size)`` / ``generate_parameters([generator,] key_size)``."""

    def handler(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if not member:
            return []
        bits = None
        if member[-1] in ("generate_private_key", "generate_parameters"):
            bits = scan.int_text(argument(call, size_position, "key_size"))
        return [Hit(family, bits)]

    return handler


_RULES[_A + ".dsa"] = _finite_field("DSA", 0)
_RULES[_A + ".dh"] = _finite_field("DH", 1)


@_rule(_A + ".ec")
def _ec(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    curve = _EC_CURVES.get(member[0]) or _EC_CURVES.get(member[-1])
    if curve:
        return [Hit("EC", curve)]
    if member[0] == "ECDSA":
        digest = scan.hash_of(argument(call, 0, "algorithm"))
        if call is not None:
            scan.consume(*call.args, *(kw.value for kw in call.keywords))
        return [Hit("ECDSA", details=(("hash", digest),) if digest else ())]
    if member[0] == "ECDH":
        return [Hit("ECDH")]
    if call is not None:
        for expr in (*call.args, *(kw.value for kw in call.keywords)):
            curve = scan.curve_of(expr)
            if curve:
                if not isinstance(expr, ast.Name):
                    scan.consume(expr)
                break
    return [Hit("EC", curve)]


@_rule(_A + ".mldsa", _A + ".mlkem")
def _ml(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    match = re.match(r"ML(DSA|KEM)(\d+)", member[0])
    if match:
        return [Hit(f"ML-{match.group(1)}", match.group(2))]
    return [Hit("ML-DSA" if "DSA" in member[0] else "ML-KEM")] if member[0].startswith("ML") else []


@_rule(_A + ".padding")
def _rsa_padding(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member or member[0] not in ("OAEP", "PSS", "PKCS1v15", "MGF1"):
        return []
    details = [("padding", member[0])]
    if call is not None:
        digest = scan.hash_of(argument(call, 1 if member[0] == "OAEP" else 0, "algorithm"))
        mgf = argument(call, 0, "mgf")
        if digest is None and isinstance(mgf, ast.Call):
            digest = scan.hash_of(argument(mgf, 0, "algorithm"))
        if digest:
            details.append(("hash", digest))
        scan.consume(*call.args, *(kw.value for kw in call.keywords))
    return [Hit("RSA", details=tuple(details))]


_SYMMETRIC = {
    "AES": "AES",
    "AES128": "AES",
    "AES256": "AES",
    "Camellia": "Camellia",
    "TripleDES": "3DES",
    "ChaCha20": "ChaCha20",
    "ARC4": "RC4",
    "Blowfish": "Blowfish",
}


def _symmetric(scan: _FileScan, node: ast.expr | None, mode: str | None = None) -> Hit | None:
    """``algorithms.AES(key)`` (directly, or through a name assigned once) → the cipher and key size."""
    node = scan._once(node)
    target = node.func if isinstance(node, ast.Call) else node
    name = scan.qualname(target)
    prefix = _P + ".ciphers.algorithms."
    if not name or not name.startswith(prefix):
        return None
    cls = name[len(prefix) :]
    algorithm = _SYMMETRIC.get(cls)
    if algorithm is None:
        return None
    bits = {"AES128": "128", "AES256": "256"}.get(cls)
    if cls == "AES" and isinstance(node, ast.Call):
        bits = scan.aes_bits(argument(node, 0, "key"), mode)
    return Hit(algorithm, bits, mode)


def _mode(scan: _FileScan, node: ast.expr | None) -> str | None:
    node = scan._once(node)
    target = node.func if isinstance(node, ast.Call) else node
    name = scan.qualname(target)
    prefix = _P + ".ciphers.modes."
    if name and name.startswith(prefix):
        mode = name[len(prefix) :].rstrip("0123456789")  # CFB8 → CFB
        return mode if mode in _MODES else None
    return None


@_rule(_P + ".ciphers.Cipher")
def _cipher(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or member:
        return []
    algorithm_node, mode_node = argument(call, 0, "algorithm"), argument(call, 1, "mode")
    mode = _mode(scan, mode_node)
    hit = _symmetric(scan, algorithm_node, mode)
    if hit is None:
        return []
    scan.consume(algorithm_node, mode_node)
    return [hit]


@_rule(_P + ".ciphers.algorithms")
def _algorithm(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if len(member) != 1:
        return []
    hit = _symmetric(scan, call) if call is not None else None
    if hit is None and member[0] in _SYMMETRIC:
        hit = Hit(_SYMMETRIC[member[0]], {"AES128": "128", "AES256": "256"}.get(member[0]))
    return [hit] if hit else []


_AEAD = {
    "AESGCM": ("AES", "GCM"),
    "AESCCM": ("AES", "CCM"),
    "AESOCB3": ("AES", "OCB"),
    "AESSIV": ("AES", "SIV"),
    "AESGCMSIV": ("AES", "SIV"),
    "ChaCha20Poly1305": ("ChaCha20-Poly1305", None),
}


@_rule(_P + ".ciphers.aead")
def _aead(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member or member[0] not in _AEAD:
        return []
    algorithm, mode = _AEAD[member[0]]
    details = (("aead", "AES-GCM-SIV"),) if member[0] == "AESGCMSIV" else ()
    bits = None
    if algorithm == "AES" and call is not None:
        if len(member) == 1:
            bits = scan.aes_bits(argument(call, 0, "key"), mode)
        elif member[1] == "generate_key":
            value = scan.const(argument(call, 0, "bit_length"))
            if isinstance(value, int) and mode == "SIV":
                value //= 2
            bits = str(value) if value in (128, 192, 256) else None
    return [Hit(algorithm, bits, mode, details)]


@_rule("cryptography.fernet")
def _fernet(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    return [Hit("Fernet")] if member and member[0] in ("Fernet", "MultiFernet") else []


@_rule(_P + ".hashes")
def _hashes(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    name = hash_name(member[0]) if member else None
    return [Hit(name)] if name else []


@_rule(_P + ".hmac")
def _pyca_hmac(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member != ("HMAC",):
        return []
    algorithm = argument(call, 1, "algorithm")
    scan.consume(algorithm)
    return [Hit("HMAC", scan.hash_of(algorithm))]


def _kdf_hash(
    scan: _FileScan, call: ast.Call | None, position: int, keyword: str
) -> tuple[tuple[str, str], ...]:
    node = argument(call, position, keyword)
    digest = scan.hash_of(node)
    if digest:
        scan.consume(node)
        return (("hash", digest),)
    return ()


@_rule(_P + ".kdf.pbkdf2", _P + ".kdf.scrypt", _P + ".kdf.hkdf", _P + ".kdf.argon2")
def _pyca_kdf(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    if head == "PBKDF2HMAC":
        details = _kdf_hash(scan, call, 0, "algorithm")
        iterations = scan.int_text(argument(call, 3, "iterations"))
        return [Hit("PBKDF2", details=details + ((("iterations", iterations),) if iterations else ()))]
    if head == "Scrypt":
        return [Hit("scrypt")]
    if head in ("HKDF", "HKDFExpand"):
        return [Hit("HKDF", details=_kdf_hash(scan, call, 0, "algorithm"))]
    if head in ("Argon2id", "Argon2i", "Argon2d"):
        return [Hit("Argon2", details=(("variant", head),))]
    return []


_X509_CERTIFICATE = {
    "load_pem_x509_certificate",
    "load_der_x509_certificate",
    "load_pem_x509_certificates",
    "CertificateBuilder",
}


@_rule("cryptography.x509")
def _x509(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    # The certificate's key algorithm is in the certificate, not the code: reported as "unknown".
    if member and member[0] in _X509_CERTIFICATE:
        return [Hit("unknown", details=(("operation", member[0]),), asset_type="certificate")]
    return []


# == pycryptodome (Crypto.* and Cryptodome.*) ==========================================================


def _pyc_mode(scan: _FileScan, node: ast.expr | None) -> str | None:
    node = scan._once(node)
    name = scan.qualname(node)
    if name and ".MODE_" in name:
        mode = name.rsplit(".MODE_", 1)[1]
        return "CFB" if mode == "OPENPGP" else (mode if mode in _MODES else None)
    value = scan.const(node)
    return _PYC_MODE_NUMBERS.get(value) if isinstance(value, int) else None


_PYC_CIPHERS = {
    "AES": "AES",
    "DES3": "3DES",
    "DES": "DES",
    "Blowfish": "Blowfish",
    "ARC4": "RC4",
    "ChaCha20": "ChaCha20",
    "ChaCha20_Poly1305": "ChaCha20-Poly1305",
}


def _pyc_cipher(algorithm: str) -> Handler:
    def handler(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if member != ("new",) or call is None:
            return []
        mode = None
        if algorithm in ("AES", "3DES", "DES", "Blowfish"):
            mode_node = argument(call, 1, "mode")
            mode = _pyc_mode(scan, mode_node)
            scan.consume(mode_node)
        bits = scan.aes_bits(argument(call, 0, "key"), mode) if algorithm == "AES" else None
        return [Hit(algorithm, bits, mode)]

    return handler


for _module, _algorithm in _PYC_CIPHERS.items():
    _RULES[f"Crypto.Cipher.{_module}"] = _pyc_cipher(_algorithm)


def _pyc_rsa(padding: str) -> Handler:
    """``PKCS1_OAEP.new(key, hashAlgo=SHA256)``, ``pss.new(key)``, ``pkcs1_15.new(key)``: RSA, padded so."""

    def handler(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if member != ("new",) or call is None:
            return []
        details = [("padding", padding)]
        if padding == "OAEP":
            node = argument(call, 1, "hashAlgo")
            digest = scan.hash_of(node)
            if digest:
                scan.consume(node)
                details.append(("hash", digest))
        return [Hit("RSA", details=tuple(details))]

    return handler


for _module, _padding in (("Cipher.PKCS1_OAEP", "OAEP"), ("Cipher.PKCS1_v1_5", "PKCS1v15"),
                          ("Signature.pss", "PSS"), ("Signature.PKCS1_PSS", "PSS"),
                          ("Signature.pkcs1_15", "PKCS1v15"), ("Signature.PKCS1_v1_5", "PKCS1v15")):  # fmt: skip
    _RULES[f"Crypto.{_module}"] = _pyc_rsa(_padding)


def _pyc_key(family: str) -> Handler:
    """``RSA.generate(2048)``, ``DSA.generate(bits=2048)``, ``RSA.import_key(…)``, ``RSA.construct(…)``."""

    def handler(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if not member:
            return []
        return [Hit(family, scan.int_text(argument(call, 0, "bits")) if member[0] == "generate" else None)]

    return handler


_RULES["Crypto.PublicKey.RSA"] = _pyc_key("RSA")
_RULES["Crypto.PublicKey.DSA"] = _pyc_key("DSA")


@_rule("Crypto.PublicKey.ECC")
def _pyc_ecc(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    curve = scan.const(argument(call, None, "curve"))
    if isinstance(curve, str):
        family, parameter = _PYC_CURVES.get(curve.lower().replace(" ", "").replace("-", ""), ("EC", None))
        return [Hit(family, parameter)]
    return [Hit("EC")]


def _pyc_hash(algorithm: str) -> Handler:
    def handler(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        # The module itself is the hash parameter of other pycryptodome calls; a bare use still names it.
        return [Hit(algorithm)] if member in ((), ("new",)) else []

    return handler


for _module in ("MD5", "SHA", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3_256", "SHA3_384",
                "SHA3_512", "BLAKE2b", "BLAKE2s"):  # fmt: skip
    _RULES[f"Crypto.Hash.{_module}"] = _pyc_hash(hash_name(_module) or _module)


@_rule("Crypto.Hash.HMAC")
def _pyc_hmac(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member != ("new",) or call is None:
        return []
    node = argument(call, 2, "digestmod")
    if node is None:
        return [Hit("HMAC", "MD5", details=(("default", "true"),))]  # pycryptodome's default digestmod
    scan.consume(node)
    return [Hit("HMAC", scan.hash_of(node))]


@_rule("Crypto.Signature.DSS")
def _pyc_dss(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member != ("new",) or call is None:
        return []
    key = scan._once(argument(call, 0, "key"))
    name = scan.qualname(key.func) if isinstance(key, ast.Call) else None
    if name and name.startswith("Crypto.PublicKey.DSA."):
        return [Hit("DSA", scan.int_text(argument(key, 0, "bits")) if name.endswith(".generate") else None)]
    if name and name.startswith("Crypto.PublicKey.ECC."):
        curve = scan.const(argument(key, None, "curve"))
        if isinstance(curve, str):
            return [
                Hit("ECDSA", _PYC_CURVES.get(curve.lower().replace(" ", "").replace("-", ""), ("", None))[1])
            ]
        return [Hit("ECDSA")]
    return [
        Hit("ECDSA", details=(("note", "DSS signs with a DSA or an ECC key; the code does not say which"),))
    ]


@_rule("Crypto.Signature.eddsa")
def _pyc_eddsa(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    return [Hit("Ed25519", details=(("note", "or Ed448, by the key"),))] if member == ("new",) else []


@_rule("Crypto.Protocol.KDF")
def _pyc_kdf(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    if head == "PBKDF2":
        details = _kdf_hash(scan, call, 5, "hmac_hash_module")
        return [Hit("PBKDF2", details=details or (("hash", "SHA-1"), ("default", "true")))]
    if head == "HKDF":
        return [Hit("HKDF", details=_kdf_hash(scan, call, 3, "hashmod"))]
    if head == "scrypt":
        return [Hit("scrypt")]
    if head in ("bcrypt", "bcrypt_check"):
        return [Hit("bcrypt")]
    return []


# == hashlib and hmac (standard library) ===============================================================


@_rule("hashlib")
def _hashlib(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if len(member) != 1:
        return []
    head = member[0]
    details: tuple[tuple[str, str], ...] = ()
    if call is not None and scan.const(argument(call, None, "usedforsecurity")) is False:
        details = (("usedforsecurity", "false"),)
    if head == "new":
        name = scan.const(argument(call, 0, "name"))
        algorithm = hash_name(name) if isinstance(name, str) else None
        return [Hit(algorithm, details=details)] if algorithm else []
    if head == "pbkdf2_hmac":
        name = scan.const(argument(call, 0, "hash_name"))
        digest = hash_name(name) if isinstance(name, str) else None
        iterations = scan.int_text(argument(call, 3, "iterations"))
        extra = ((("hash", digest),) if digest else ()) + (
            (("iterations", iterations),) if iterations else ()
        )
        return [Hit("PBKDF2", details=extra)]
    if head == "scrypt":
        return [Hit("scrypt")]
    if head == "file_digest":
        node = argument(call, 1, "digest")
        digest = scan.hash_of(node)
        scan.consume(node)
        return [Hit(digest)] if digest else []
    algorithm = hash_name(head)
    return [Hit(algorithm, details=details)] if algorithm else []


@_rule("hmac")
def _hmac(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member not in (("new",), ("HMAC",), ("digest",)):
        return []
    node = argument(call, 2, "digest" if member == ("digest",) else "digestmod")
    scan.consume(node)
    return [Hit("HMAC", scan.hash_of(node))]


# == ssl ===============================================================================================

_TLS_PROTOCOLS = {
    "PROTOCOL_TLSv1": "1.0",
    "PROTOCOL_TLSv1_1": "1.1",
    "PROTOCOL_TLSv1_2": "1.2",
    "PROTOCOL_SSLv2": "SSLv2",
    "PROTOCOL_SSLv3": "SSLv3",
    "PROTOCOL_SSLv23": None,
    "PROTOCOL_TLS": None,
    "PROTOCOL_TLS_CLIENT": None,
    "PROTOCOL_TLS_SERVER": None,
}
_TLS_VERSIONS = {
    "SSLv3": "SSLv3",
    "TLSv1": "1.0",
    "TLSv1_1": "1.1",
    "TLSv1_2": "1.2",
    "TLSv1_3": "1.3",
    "MINIMUM_SUPPORTED": None,
    "MAXIMUM_SUPPORTED": None,
}


def _tls(version: str | None, *details: tuple[str, str]) -> list[Hit]:
    return [Hit("TLS", version, details=tuple(details), asset_type="protocol")]


@_rule("ssl")
def _ssl(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    if head in ("SSLContext", "wrap_socket") and len(member) == 1:
        node = argument(
            call, 0 if head == "SSLContext" else 5, "protocol" if head == "SSLContext" else "ssl_version"
        )
        name = scan.qualname(node)
        constant = name.rsplit(".", 1)[1] if name and name.startswith("ssl.PROTOCOL_") else None
        if constant in _TLS_PROTOCOLS:
            scan.consume(node)
            return _tls(_TLS_PROTOCOLS[constant], ("protocol", constant))
        return _tls(None)
    if head == "create_default_context":
        return _tls(None)
    if head in _TLS_PROTOCOLS:
        return _tls(_TLS_PROTOCOLS[head], ("protocol", head))
    if head == "TLSVersion" and len(member) == 2 and _TLS_VERSIONS.get(member[1]):  # not MINIMUM_SUPPORTED
        return _tls(_TLS_VERSIONS[member[1]], ("constant", "ssl.TLSVersion." + member[1]))
    return []


# == paramiko ==========================================================================================

_ECDSA_BITS = {"256": "P-256", "384": "P-384", "521": "P-521"}


@_rule("paramiko")
def _paramiko(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    generate = member[-1:] == ("generate",)
    if head == "RSAKey":
        return [Hit("RSA", scan.int_text(argument(call, 0, "bits")) if generate else None)]
    if head == "DSSKey":
        return [Hit("DSA", scan.int_text(argument(call, 0, "bits")) if generate else None)]
    if head == "ECDSAKey":
        curve = None
        if generate:
            node = argument(call, 0, "curve")
            curve = scan.curve_of(node)
            scan.consume(node)
            curve = curve or _ECDSA_BITS.get(scan.int_text(argument(call, 2, "bits")) or "")
        return [Hit("ECDSA", curve)]
    if head == "Ed25519Key":
        return [Hit("Ed25519")]
    if head in ("Transport", "SSHClient") and len(member) == 1:
        return [Hit("SSH", details=(("class", head),), asset_type="protocol")]
    return []


# == PyJWT and python-jose =============================================================================


def _jwt_algorithms(scan: _FileScan, node: ast.expr | None) -> list[Hit]:
    value = scan.const(node)
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    scan.consume(node)
    return [hit for name in names if isinstance(name, str) for hit in jws_hits(name)]


def _jwt_encode(scan: _FileScan, call: ast.Call | None, position: int) -> list[Hit]:
    node = argument(call, position, "algorithm")
    if node is None:
        return jws_hits("HS256", default=True)  # PyJWT's and python-jose's default
    return _jwt_algorithms(scan, node)


@_rule("jwt", "jose.jwt")
def _jwt(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or len(member) != 1:
        return []
    if member[0] == "encode":
        return _jwt_encode(scan, call, 2)
    if member[0] in ("decode", "decode_complete"):
        return _jwt_algorithms(scan, argument(call, 2, "algorithms"))
    return []


@_rule("jose.jws")
def _jose_jws(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or len(member) != 1:
        return []
    if member[0] == "sign":
        return _jwt_encode(scan, call, 3)
    if member[0] == "verify":
        return _jwt_algorithms(scan, argument(call, 2, "algorithms"))
    return []


@_rule("jose.jwe")
def _jose_jwe(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or member != ("encrypt",):
        return []
    hits = []
    for position, keyword, default in ((2, "encryption", "A256GCM"), (3, "algorithm", "dir")):
        node = argument(call, position, keyword)
        value = default if node is None else scan.const(node)
        scan.consume(node)
        if isinstance(value, str):
            hits += jwe_hits(value)
    return hits


@_rule("jose.jwk")
def _jose_jwk(scan: _FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or member != ("construct",):
        return []
    return _jwt_algorithms(scan, argument(call, 1, "algorithm"))
