"""The log's key history as a verifier learns it, and the signature check every entry passes.

The verifier trusts the log's keys only as the log's own entries introduce them: the log-init entry names
the first pair (which the auditor must already trust), and each rotation, signed by the outgoing key,
retires it and names the next. A log key signs only inside its window. Keys from elsewhere — a person's
key bound by the project roster at that point of the log — come from entry rules
(:class:`qtrust.evidence.verify.EntryRule`), position by position.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from qtrust.evidence import statements
from qtrust.evidence.dsse import Envelope
from qtrust.evidence.keys import PublicKey, TrustedKeys
from qtrust.evidence.store import StoredEntry


@dataclass
class KeyWindow:
    key: PublicKey
    first: int  # first sequence number it may sign for
    last: int | None = None  # last one (set by a rotation)

    def covers(self, seq: int) -> bool:
        return self.first <= seq and (self.last is None or seq <= self.last)


@dataclass
class KeyHistory:
    """The log keys in force at each position, checked against the auditor's trust set."""

    trusted: TrustedKeys
    windows: dict[str, KeyWindow] = field(default_factory=dict)

    def log_key(self, keyid: str, seq: int) -> PublicKey | None:
        window = self.windows.get(keyid)
        return window.key if window is not None and window.covers(seq) else None

    def checkpoint_keys(self, size: int) -> TrustedKeys:
        """Log keys that may sign a checkpoint of ``size``: those in force for the next entry, number ``size``."""
        return TrustedKeys(w.key for w in self.windows.values() if w.covers(size))

    def signed_by_log(self, envelope: Envelope, seq: int) -> bool:
        return any(self.log_key(s.keyid, seq) for s in envelope.signatures)

    def learn(self, entry: StoredEntry, statement: dict, origin: str) -> str | None:
        """Update the history from a log-init or rotation entry; returns a problem or None."""
        predicate = statement.get("predicate", {})
        try:
            new_keys = [PublicKey.from_pem(item["public_key_pem"]) for item in predicate.get("keys", [])]
        except (KeyError, TypeError, ValueError) as error:
            return f"unreadable public key in {statements.kind_of(statement['predicateType'])} entry: {error}"
        kind = statements.kind_of(statement["predicateType"])
        if predicate.get("origin") != origin:
            return f"{kind} entry names origin {predicate.get('origin')!r}, not this log's {origin!r}"
        if statement["predicateType"] == statements.LOG_INIT_V1:
            if entry.seq != 0:
                return "a log-init entry may only be entry 0"
            untrusted = [k.keyid for k in new_keys if k.keyid not in self.trusted]
            if untrusted:
                return (
                    f"the log's own keys {', '.join(k[:23] + '…' for k in untrusted)} are not in the trusted set "
                    "(pin them with --trusted-keys)"
                )
            for key in new_keys:
                self.windows[key.keyid] = KeyWindow(key, first=0)
            return None
        retired = set(predicate.get("retired", []))
        active = {k for k, w in self.windows.items() if w.covers(entry.seq) and w.last is None}
        if retired != active:
            return "a key rotation must retire exactly the log keys in force"
        for keyid in retired:
            self.windows[keyid].last = entry.seq
        for key in new_keys:
            self.windows[key.keyid] = KeyWindow(key, first=entry.seq + 1)
        return None


def check_signatures(
    envelope: Envelope,
    seq: int,
    history: KeyHistory,
    extra: Mapping[str, PublicKey],
    ignore: Iterable[str] = (),
) -> tuple[str | None, frozenset[str]]:
    """(None or the reason the envelope fails, the key ids whose signatures verified).

    A signature by a key the verifier knows must verify; unknown signers are ignored, but at least one
    known signer is required. Known: a log key inside its window, a key an entry rule vouches for at this
    position (``extra``), or a key the auditor trusts outright — except a log key outside its window, which
    the auditor's trust set keeps only to check the entries from before its rotation.
    """
    message = envelope.signed_bytes
    untrusted = []
    verified = set()
    skip = set(ignore)
    for sig in envelope.signatures:
        if sig.keyid in history.windows:
            key = history.log_key(sig.keyid, seq) or extra.get(sig.keyid)
        else:
            key = extra.get(sig.keyid) or history.trusted.get(sig.keyid)
        if key is None:
            if sig.keyid not in skip:
                window = history.windows.get(sig.keyid)
                untrusted.append(
                    sig.keyid[:23] + "…" + (" (a retired log key)" if window is not None else "")
                )
            continue
        if not key.verify(sig.sig, message):
            return (
                f"envelope signature by {sig.keyid[:23]}… does not verify (payload or signature changed)",
                frozenset(verified),
            )
        verified.add(sig.keyid)
    if not verified:
        return f"envelope is signed only by keys outside the trusted set: {', '.join(untrusted)}", frozenset()
    return None, frozenset(verified)
