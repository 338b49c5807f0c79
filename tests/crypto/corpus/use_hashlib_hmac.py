"""Labelled corpus: hashlib and hmac from the standard library, also under other names."""

import hashlib
import hashlib as h
import hmac
from hashlib import sha1, sha256
from hmac import new as new_hmac

data = b"payload"
HASH_FOR = {"fingerprint": sha256}


def digests():
    a = hashlib.sha256(data).hexdigest()
    b = h.md5(data, usedforsecurity=False)
    c = sha1(data)
    d = hashlib.new("sha512")
    e = hashlib.new("md5", data)
    f = hashlib.blake2b(data, digest_size=32)
    g = hashlib.sha3_384()
    i = hashlib.blake2s()
    j = hashlib.sha224()
    k = hashlib.sha384()
    return a, b, c, d, e, f, g, i, j, k


def derive(password, salt):
    key = hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)
    memory_hard = hashlib.scrypt(password, salt=salt, n=16384, r=8, p=1)
    return key, memory_hard


def macs(key):
    m1 = hmac.new(key, data, hashlib.sha256)
    m2 = hmac.new(key, data, digestmod="sha1")
    m3 = hmac.digest(key, data, "sha512")
    m4 = new_hmac(key, data, digestmod=h.sha384)
    m5 = hmac.HMAC(key, data, "md5")
    same = hmac.compare_digest(m1.digest(), m2.digest())
    return m3, m4, m5, same
