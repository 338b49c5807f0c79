"""The rules of the Python scanner (:mod:`qtrust.crypto.python_scan`): one module per library, each
registering a handler per qualified name it recognises.

- :mod:`~qtrust.crypto.python_rules.core`: the registry (:data:`RULES`, :func:`rule`), :class:`Hit` and the
  helpers and tables that several modules share;
- :mod:`~qtrust.crypto.python_rules.pyca`: pyca/cryptography;
- :mod:`~qtrust.crypto.python_rules.pycryptodome`: pycryptodome (``Crypto`` / ``Cryptodome``);
- :mod:`~qtrust.crypto.python_rules.stdlib`: ``hashlib``, ``hmac`` and ``ssl``;
- :mod:`~qtrust.crypto.python_rules.tokens`: PyJWT and python-jose;
- :mod:`~qtrust.crypto.python_rules.ssh`: paramiko.

Importing this package imports every rule module, so :data:`RULES` is complete once it is imported; a
handler is looked up by the longest registered prefix of the name the code uses.
"""

from __future__ import annotations

from qtrust.crypto.python_rules import pyca, pycryptodome, ssh, stdlib, tokens
from qtrust.crypto.python_rules.core import (
    ASYMMETRIC,
    EC_CURVES,
    MODES,
    PRIMITIVES,
    RULES,
    TLS_VERSIONS,
    Handler,
    Hit,
    argument,
    hash_name,
    rule,
)

__all__ = [
    "ASYMMETRIC",
    "EC_CURVES",
    "MODES",
    "PRIMITIVES",
    "RULES",
    "TLS_VERSIONS",
    "Handler",
    "Hit",
    "argument",
    "hash_name",
    "pyca",
    "pycryptodome",
    "rule",
    "ssh",
    "stdlib",
    "tokens",
]
