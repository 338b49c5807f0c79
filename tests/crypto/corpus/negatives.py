"""Labelled corpus negatives: crypto words that are not cryptography. Nothing here may be reported.

This docstring names an RSA key, md5, sha256, AES-GCM, hmac.new and TLS 1.0, and uses none of them.
"""

import hashlib  # noqa: F401  (imported, never used)

HASH_NAME = "md5"  # a string that is never passed to a crypto API
NOTE = "the old version called AES.new(key, AES.MODE_ECB)"


class Registry:
    """Something with ``.new()`` and ``.generate()`` that is not a crypto library."""

    def new(self, name):
        return name

    def generate(self, bits):
        return bits


def rsa(n):
    return n * 2


def examples():
    # rsa.generate_private_key(public_exponent=65537, key_size=512) in a comment
    rsa_value = rsa(3)
    aes = Registry()
    aes.new("AES")
    md5 = Registry().generate(2048)
    registry = Registry()
    registry.new("sha256")
    label = f"{HASH_NAME}:{NOTE}"
    jwt = {"alg": "HS256"}
    ssl = {"protocol": "TLSv1"}
    return rsa_value, md5, label, jwt, ssl
