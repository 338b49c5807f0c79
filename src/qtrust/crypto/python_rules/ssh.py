"""Rules for paramiko, the SSH library (this module is ``ssh``, not ``paramiko``, so that it can never
stand in for the library of that name).

What counts as a use: a key class or its methods (``RSAKey.generate(bits=3072)``, ``ECDSAKey(...)``,
``Ed25519Key.from_private_key_file(...)``: the code holds or makes a key of that kind), and a
``Transport`` or ``SSHClient``: an SSH connection, reported with asset type ``protocol`` and the class in
``details`` (which algorithms it negotiates is the server's and paramiko's configuration, not the code's).

What goes where: ``parameter`` is the RSA / DSA size given to ``generate``, or the ECDSA curve, read from
``curve=ec.SECP384R1()`` or, failing that, from ``bits=`` (256, 384, 521).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from qtrust.crypto.python_rules.core import Hit, argument, rule

if TYPE_CHECKING:
    from qtrust.crypto.python_scan import FileScan

_ECDSA_BITS = {"256": "P-256", "384": "P-384", "521": "P-521"}


@rule("paramiko")
def _paramiko(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
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
