"""TLS and SSH settings in server and client configuration files.

Why configuration too: much of a system's cryptography is chosen not in code but in the web server, the
load balancer, OpenSSL's defaults and the SSH daemon — which TLS versions are allowed, which ciphers and
key-exchange groups, which SSH host-key and key-exchange algorithms. Those lines decide whether traffic
recorded today can be decrypted by a quantum computer later ("harvest now, decrypt later").

Which files are read (by name; :func:`config_dialect`):

- nginx: ``nginx.conf``; ``*.conf`` under a directory named ``nginx``; any file in ``sites-available``,
  ``sites-enabled`` or ``conf.d`` under ``nginx`` — directives ``ssl_protocols``, ``ssl_ciphers``,
  ``ssl_ecdh_curve``, ``ssl_conf_command``;
- Apache httpd: ``httpd.conf``, ``apache2.conf``, ``ssl.conf``, ``httpd-ssl.conf``; ``*.conf`` under
  ``apache2`` or ``httpd`` — ``SSLProtocol``, ``SSLProxyProtocol``, ``SSLCipherSuite``,
  ``SSLProxyCipherSuite``, ``SSLOpenSSLConfCmd``;
- HAProxy: ``haproxy.cfg``; ``*.cfg`` under ``haproxy`` — ``ssl-min-ver``, ``ssl-max-ver``,
  ``force-tlsv1x``, ``ciphers``/``ciphersuites``/``curves`` and their ``ssl-default-bind-``/
  ``ssl-default-server-`` forms;
- OpenSSL: ``openssl.cnf``, ``openssl*.cnf`` — ``MinProtocol``, ``MaxProtocol``, ``CipherString``,
  ``Ciphersuites``, ``Groups``/``Curves``, ``default_bits`` (an RSA request key), ``default_md``;
- OpenSSH: ``sshd_config``, ``ssh_config``, ``*.conf`` under ``sshd_config.d``/``ssh_config.d`` —
  ``KexAlgorithms``, ``Ciphers``, ``MACs``, ``HostKeyAlgorithms``, ``PubkeyAcceptedAlgorithms`` (and the
  older ``PubkeyAcceptedKeyTypes``), ``HostbasedAcceptedAlgorithms``, ``CASignatureAlgorithms``.

Any other ``*.conf``, ``*.cfg`` or ``*.cnf`` file is read only if it contains one of those dialects'
distinctive directives (:func:`sniff_dialect`).

Mapping choices: a TLS version line gives one ``TLS`` finding per version it enables (Apache's ``all`` is
TLS 1.0–1.3: SSLv3 is compiled out of current OpenSSL); a cipher list gives one finding per key exchange,
authentication and cipher it names explicitly (``ECDHE-RSA-AES128-GCM-SHA256`` → ECDH, RSA, AES-128-GCM;
excluded entries ``!RC4`` / ``-…`` are not uses), or a bare ``TLS`` finding holding the list when it only
names aliases (``HIGH:!aNULL``). Hybrid post-quantum key exchange is reported as its ML-KEM half with
``("hybrid", "X25519")`` (``mlkem768x25519-sha256``, ``X25519MLKEM768``); OpenSSH's
``sntrup761x25519-sha512`` is reported as ``X25519`` with ``("hybrid", "sntrup761")``, because Streamlined
NTRU Prime is not in the vocabulary (it is post-quantum, but not a NIST standard). A list prefixed ``-``
in an OpenSSH file removes algorithms from the defaults and yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from qtrust.crypto.findings import AssetType, CryptoUse

Hit = tuple[str, str | None, str | None, tuple[tuple[str, str], ...]]  # algorithm, parameter, mode, details

DIALECTS = ("nginx", "apache", "haproxy", "openssl-cnf", "openssh-config")

_TLS_VERSION = {"sslv2": "SSLv2", "sslv3": "SSLv3", "tlsv1": "1.0", "tlsv1.0": "1.0", "tlsv1.1": "1.1",
                "tlsv1.2": "1.2", "tlsv1.3": "1.3"}  # fmt: skip
_APACHE_ALL = ("1.0", "1.1", "1.2", "1.3")

_GROUPS: dict[str, Hit] = {
    "x25519": ("X25519", None, None, ()),
    "x448": ("X448", None, None, ()),
    **{n: ("ECDH", "P-256", None, ()) for n in ("secp256r1", "prime256v1", "p-256")},
    **{n: ("ECDH", "P-384", None, ()) for n in ("secp384r1", "p-384")},
    **{n: ("ECDH", "P-521", None, ()) for n in ("secp521r1", "p-521")},
    "x25519mlkem768": ("ML-KEM", "768", None, (("hybrid", "X25519"),)),
    "secp256r1mlkem768": ("ML-KEM", "768", None, (("hybrid", "P-256"),)),
    "secp384r1mlkem1024": ("ML-KEM", "1024", None, (("hybrid", "P-384"),)),
    "mlkem512": ("ML-KEM", "512", None, ()),
    "mlkem768": ("ML-KEM", "768", None, ()),
    "mlkem1024": ("ML-KEM", "1024", None, ()),
    "x25519kyber768draft00": ("ML-KEM", "768", None, (("hybrid", "X25519"), ("note", "draft Kyber-768"))),
    "ffdhe2048": ("DH", "2048", None, ()),
    "ffdhe3072": ("DH", "3072", None, ()),
    "ffdhe4096": ("DH", "4096", None, ()),
    "ffdhe6144": ("DH", "6144", None, ()),
    "ffdhe8192": ("DH", "8192", None, ()),
}

_SSH_KEX: dict[str, Hit] = {
    "curve25519-sha256": ("X25519", None, None, ()),
    "curve25519-sha256@libssh.org": ("X25519", None, None, ()),
    "curve448-sha512": ("X448", None, None, ()),
    "ecdh-sha2-nistp256": ("ECDH", "P-256", None, ()),
    "ecdh-sha2-nistp384": ("ECDH", "P-384", None, ()),
    "ecdh-sha2-nistp521": ("ECDH", "P-521", None, ()),
    "diffie-hellman-group1-sha1": ("DH", "1024", None, (("hash", "SHA-1"),)),
    "diffie-hellman-group14-sha1": ("DH", "2048", None, (("hash", "SHA-1"),)),
    "diffie-hellman-group14-sha256": ("DH", "2048", None, (("hash", "SHA-256"),)),
    "diffie-hellman-group16-sha512": ("DH", "4096", None, (("hash", "SHA-512"),)),
    "diffie-hellman-group18-sha512": ("DH", "8192", None, (("hash", "SHA-512"),)),
    "diffie-hellman-group-exchange-sha1": ("DH", None, None, (("hash", "SHA-1"),)),
    "diffie-hellman-group-exchange-sha256": ("DH", None, None, (("hash", "SHA-256"),)),
    "mlkem768x25519-sha256": ("ML-KEM", "768", None, (("hybrid", "X25519"),)),
    "mlkem768nistp256-sha256": ("ML-KEM", "768", None, (("hybrid", "P-256"),)),
    "mlkem1024nistp384-sha384": ("ML-KEM", "1024", None, (("hybrid", "P-384"),)),
    "sntrup761x25519-sha512": ("X25519", None, None, (("hybrid", "sntrup761"),)),
    "sntrup761x25519-sha512@openssh.com": ("X25519", None, None, (("hybrid", "sntrup761"),)),
}
_SSH_CIPHERS: dict[str, Hit] = {
    **{f"aes{b}-{m}": ("AES", b, m.upper(), ()) for b in ("128", "192", "256") for m in ("ctr", "cbc")},
    "aes128-gcm@openssh.com": ("AES", "128", "GCM", ()),
    "aes256-gcm@openssh.com": ("AES", "256", "GCM", ()),
    "chacha20-poly1305@openssh.com": ("ChaCha20-Poly1305", None, None, ()),
    "3des-cbc": ("3DES", None, "CBC", ()),
    "blowfish-cbc": ("Blowfish", None, "CBC", ()),
    "arcfour": ("RC4", None, None, ()),
    "arcfour128": ("RC4", None, None, ()),
    "arcfour256": ("RC4", None, None, ()),
    "rijndael-cbc@lysator.liu.se": ("AES", "256", "CBC", ()),
}
_SSH_MAC_HASH = {"sha2-256": "SHA-256", "sha2-512": "SHA-512", "sha1": "SHA-1", "sha1-96": "SHA-1",
                 "md5": "MD5", "md5-96": "MD5"}  # fmt: skip
_SSH_LISTS = {
    "kexalgorithms": "kex",
    "ciphers": "cipher",
    "macs": "mac",
    "hostkeyalgorithms": "key",
    "pubkeyacceptedalgorithms": "key",
    "pubkeyacceptedkeytypes": "key",
    "hostbasedacceptedalgorithms": "key",
    "casignaturealgorithms": "key",
}


def config_dialect(path: PurePath) -> str | None:
    """Which configuration language a file is in, judged by its name and the directories above it."""
    name = path.name.lower()
    parents = {part.lower() for part in path.parts[:-1]}
    suffix = path.suffix.lower()
    parent = path.parent.name.lower()
    if name == "nginx.conf" or (
        "nginx" in parents and (suffix == ".conf" or parent in ("sites-available", "sites-enabled", "conf.d"))
    ):
        return "nginx"
    if name in ("httpd.conf", "apache2.conf", "ssl.conf", "httpd-ssl.conf") or (
        parents & {"apache2", "httpd"} and suffix == ".conf"
    ):
        return "apache"
    if name == "haproxy.cfg" or ("haproxy" in parents and suffix == ".cfg"):
        return "haproxy"
    if name.startswith("openssl") and suffix == ".cnf":
        return "openssl-cnf"
    if name in ("sshd_config", "ssh_config") or (
        parent in ("sshd_config.d", "ssh_config.d") and suffix == ".conf"
    ):
        return "openssh-config"
    return None


_SNIFF = (
    ("nginx", re.compile(r"^\s*ssl_(?:protocols|ciphers)\s", re.M)),
    ("apache", re.compile(r"^\s*SSL(?:Protocol|CipherSuite)\s", re.M | re.I)),
    ("haproxy", re.compile(r"^\s*(?:ssl-default-(?:bind|server)-|bind\s.*\bssl\b)", re.M)),
    ("openssl-cnf", re.compile(r"^\s*(?:MinProtocol|CipherString)\s*=", re.M)),
    (
        "openssh-config",
        re.compile(r"^\s*(?:KexAlgorithms|HostKeyAlgorithms|PubkeyAcceptedAlgorithms)[\s=]", re.M),
    ),
)


def sniff_dialect(text: str) -> str | None:
    """The dialect of a ``*.conf`` / ``*.cfg`` / ``*.cnf`` file not named like one, from its directives."""
    for dialect, pattern in _SNIFF:
        if pattern.search(text):
            return dialect
    return None


def tls_versions(tokens: Iterable[str]) -> list[str]:
    return [v for v in (_TLS_VERSION.get(t.lower()) for t in tokens) if v]


def group_hits(spec: str) -> list[Hit]:
    """A TLS groups / curves list (``X25519:secp384r1:X25519MLKEM768``)."""
    return [_GROUPS[g.lower()] for g in re.split(r"[:,\s]+", spec) if g.lower() in _GROUPS]


def cipher_hits(spec: str) -> list[Hit]:
    """What an OpenSSL cipher list names explicitly: key exchange, authentication and cipher per entry."""
    hits: list[Hit] = []
    for entry in re.split(r"[:,\s]+", spec.strip("'\"")):
        if not entry or entry[0] in "!-" or entry.startswith("@"):
            continue
        for part in entry.lstrip("+").split("+"):
            hits += _suite_hits(part)
    return hits


def _suite_hits(name: str) -> list[Hit]:
    parts = re.split(r"[-_]", name.upper())
    full_suite = len(parts) > 1 and parts[-1] in ("SHA", "SHA256", "SHA384", "MD5")
    hits: list[Hit] = []
    for i, part in enumerate(parts):
        following = parts[i + 1] if i + 1 < len(parts) else ""
        if part in ("ECDHE", "EECDH", "ECDH", "KECDHE"):
            hits.append(("ECDH", None, None, ()))
        elif part in ("DHE", "EDH", "KEDH", "KDHE"):
            hits.append(("DH", None, None, ()))
        elif part in ("RSA", "ARSA", "KRSA"):
            hits.append(("RSA", None, None, ()))
        elif part in ("ECDSA", "AECDSA"):
            hits.append(("ECDSA", None, None, ()))
        elif part in ("DSS", "ADSS"):
            hits.append(("DSA", None, None, ()))
        elif part.startswith("AES") and part != "AESGCM" and part != "AESCCM":
            bits = part[3:] or (following if following in ("128", "256") else "")
            after = parts[i + 2] if not part[3:] and i + 2 < len(parts) else following
            mode = after if after in ("GCM", "CCM", "CBC") else ("CBC" if full_suite else None)
            hits.append(("AES", bits if bits in ("128", "192", "256") else None, mode, ()))
        elif part in ("AESGCM", "AESCCM"):
            hits.append(("AES", None, part[3:], ()))
        elif part == "CHACHA20":
            hits.append(("ChaCha20-Poly1305", None, None, ()))
        elif part in ("3DES", "CBC3") or (part == "DES" and following == "CBC3"):
            if not (part == "CBC3" and i and parts[i - 1] == "DES"):
                hits.append(("3DES", None, "CBC", ()))
        elif part == "DES":
            hits.append(("DES", None, "CBC" if following == "CBC" else None, ()))
        elif part == "RC4":
            hits.append(("RC4", None, None, ()))
        elif part.startswith("CAMELLIA"):
            hits.append(("Camellia", None, None, ()))
    return hits


def _ssh_hits(kind: str, name: str) -> list[Hit]:
    name = name.lower()
    if kind == "kex":
        return [_SSH_KEX[name]] if name in _SSH_KEX else []
    if kind == "cipher":
        return [_SSH_CIPHERS[name]] if name in _SSH_CIPHERS else []
    if kind == "mac":
        match = re.fullmatch(r"hmac-(.+?)(?:-etm@openssh\.com)?", name)
        digest = _SSH_MAC_HASH.get(match.group(1)) if match else None
        return [("HMAC", digest, None, ())] if digest else []
    return _ssh_key_hits(name)


def _ssh_key_hits(name: str) -> list[Hit]:
    base = name.removesuffix("-cert-v01@openssh.com").removeprefix("sk-").removesuffix("@openssh.com")
    if base == "ssh-ed25519":
        return [("Ed25519", None, None, ())]
    if base == "ssh-ed448":
        return [("Ed448", None, None, ())]
    if base == "ssh-rsa":
        return [("RSA", None, None, (("hash", "SHA-1"),))]
    if base in ("rsa-sha2-256", "rsa-sha2-512"):
        return [("RSA", None, None, (("hash", "SHA-" + base[-3:]),))]
    if base == "ssh-dss":
        return [("DSA", None, None, ())]
    match = re.fullmatch(r"ecdsa-sha2-nistp(256|384|521)", base)
    return [("ECDSA", "P-" + match.group(1), None, ())] if match else []


class _Lines:
    """Collects one file's findings, one per (line, algorithm, parameter, mode)."""

    def __init__(self, file: str, library: str) -> None:
        self.file, self.library = file, library
        self.uses: list[CryptoUse] = []
        self._seen: set[tuple[int, str, str | None, str | None]] = set()

    def add(
        self, line: int, text: str, hits: Iterable[Hit], setting: str, asset: AssetType = "algorithm"
    ) -> None:
        for algorithm, parameter, mode, details in hits:
            key = (line, algorithm, parameter, mode)
            if key in self._seen:
                continue
            self._seen.add(key)
            self.uses.append(
                CryptoUse(
                    file=self.file,
                    line=line,
                    algorithm=algorithm,
                    asset_type="protocol" if algorithm == "TLS" else asset,
                    parameter=parameter,
                    mode=mode,
                    library=self.library,
                    evidence=text.strip()[:200],
                    details=(("setting", setting), *details),
                )
            )

    def versions(self, line: int, text: str, versions: Iterable[str], setting: str) -> None:
        self.add(line, text, (("TLS", v, None, ()) for v in versions), setting)

    def ciphers(self, line: int, text: str, spec: str, setting: str) -> None:
        hits = cipher_hits(spec)
        self.add(line, text, hits or [("TLS", None, None, (("ciphers", spec[:200]),))], setting)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


def _nginx(lines: list[str], out: _Lines) -> None:
    for number, raw in enumerate(lines, 1):
        text = _strip_comment(raw).rstrip(";").strip()
        words = text.split()
        if len(words) < 2:
            continue
        directive, value = words[0], " ".join(words[1:]).strip("'\"")
        if directive == "ssl_protocols":
            out.versions(number, raw, tls_versions(words[1:]), directive)
        elif directive == "ssl_ciphers":
            out.ciphers(number, raw, value, directive)
        elif directive == "ssl_ecdh_curve":
            out.add(number, raw, group_hits(value), directive)
        elif directive == "ssl_conf_command" and len(words) >= 3:
            _openssl_command(number, raw, words[1], " ".join(words[2:]), out)


def _openssl_command(number: int, raw: str, key: str, value: str, out: _Lines) -> None:
    """An OpenSSL configuration command (``openssl.cnf`` line, ``ssl_conf_command``, ``SSLOpenSSLConfCmd``)."""
    key_lower = key.lower()
    value = value.strip().strip("'\"")
    if key_lower in ("minprotocol", "maxprotocol"):
        out.versions(number, raw, tls_versions([value]), key)
    elif key_lower in ("cipherstring", "ciphersuites", "cipher"):
        out.ciphers(number, raw, value, key)
    elif key_lower in ("groups", "curves"):
        out.add(number, raw, group_hits(value), key)


def _apache(lines: list[str], out: _Lines) -> None:
    for number, raw in enumerate(lines, 1):
        words = _strip_comment(raw).split()
        if len(words) < 2:
            continue
        directive = words[0].lower()
        if directive in ("sslprotocol", "sslproxyprotocol"):
            enabled: list[str] = []
            for word in words[1:]:
                sign, name = (word[0], word[1:]) if word[0] in "+-" else ("+", word)
                versions = list(_APACHE_ALL) if name.lower() == "all" else tls_versions([name])
                for version in versions:
                    if sign == "-" and version in enabled:
                        enabled.remove(version)
                    elif sign == "+" and version not in enabled:
                        enabled.append(version)
            out.versions(number, raw, enabled, words[0])
        elif directive in ("sslciphersuite", "sslproxyciphersuite"):
            spec = words[-1] if len(words) > 2 else words[1]  # "SSLCipherSuite TLSv1.3 TLS_AES_…"
            out.ciphers(number, raw, spec, words[0])
        elif directive == "sslopensslconfcmd" and len(words) >= 3:
            _openssl_command(number, raw, words[1], " ".join(words[2:]), out)


_HAPROXY_VERSION = {"ssl-min-ver", "ssl-max-ver"}
_HAPROXY_CIPHERS = {"ciphers", "ciphersuites", "ssl-default-bind-ciphers", "ssl-default-server-ciphers",
                    "ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites"}  # fmt: skip
_HAPROXY_CURVES = {"curves", "ecdhe", "ssl-default-bind-curves", "ssl-default-server-curves"}


def _haproxy(lines: list[str], out: _Lines) -> None:
    for number, raw in enumerate(lines, 1):
        words = _strip_comment(raw).split()
        for i, word in enumerate(words):
            value = words[i + 1] if i + 1 < len(words) else ""
            if word in _HAPROXY_VERSION:
                out.versions(number, raw, tls_versions([value]), word)
            elif word in _HAPROXY_CIPHERS and value:
                out.ciphers(number, raw, value, word)
            elif word in _HAPROXY_CURVES and value:
                out.add(number, raw, group_hits(value), word)
            elif re.fullmatch(r"force-(sslv3|tlsv1[0-3])", word):
                version = {
                    "sslv3": "SSLv3",
                    "tlsv10": "1.0",
                    "tlsv11": "1.1",
                    "tlsv12": "1.2",
                    "tlsv13": "1.3",
                }
                out.versions(number, raw, [version[word[6:]]], word)


def _openssl_cnf(lines: list[str], out: _Lines) -> None:
    for number, raw in enumerate(lines, 1):
        text = _strip_comment(raw)
        if "=" not in text:
            continue
        key, value = (part.strip() for part in text.split("=", 1))
        if key.lower() == "default_bits" and value.isdigit():
            out.add(number, raw, [("RSA", value, None, ())], key)
        elif key.lower() == "default_md":
            digest = {"sha1": "SHA-1", "sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512",
                      "md5": "MD5"}.get(value.lower())  # fmt: skip
            out.add(number, raw, [(digest, None, None, ())] if digest else [], key)
        else:
            _openssl_command(number, raw, key, value, out)


def _openssh(lines: list[str], out: _Lines) -> None:
    for number, raw in enumerate(lines, 1):
        text = _strip_comment(raw)
        match = re.match(r"(\w+)(?:\s*=\s*|\s+)(\S+)", text)
        if not match or match.group(1).lower() not in _SSH_LISTS:
            continue
        kind, value = _SSH_LISTS[match.group(1).lower()], match.group(2)
        if value.startswith("-"):
            continue  # removes algorithms from the defaults
        names = value.lstrip("+^").split(",")
        out.add(number, raw, (hit for name in names for hit in _ssh_hits(kind, name)), match.group(1))


_PARSERS = {"nginx": _nginx, "apache": _apache, "haproxy": _haproxy, "openssl-cnf": _openssl_cnf,
            "openssh-config": _openssh}  # fmt: skip


def scan_config(text: str, file: str, dialect: str) -> list[CryptoUse]:
    """The TLS / SSH settings of one configuration file in ``dialect`` (one of :data:`DIALECTS`)."""
    out = _Lines(file, dialect)
    _PARSERS[dialect](text.splitlines(), out)
    return out.uses
