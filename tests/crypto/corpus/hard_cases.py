"""Labelled corpus: harder cases, labelled as a reviewer reads them (some the scanner is known to miss)."""

import functools
import hashlib
import hmac

from Crypto.Cipher import AES
from cryptography.hazmat.primitives.asymmetric import rsa

data = b"payload"
CHAIN_MODE = AES.MODE_CBC
DIGEST_NAME = "sha256"


def dynamic():
    digest = getattr(hashlib, DIGEST_NAME)(data)
    generate = rsa.generate_private_key
    key = generate(65537, 4096)
    return digest, key


def indirect(key, size):
    cipher = AES.new(key, CHAIN_MODE)
    signer = functools.partial(hmac.new, key, digestmod=hashlib.sha256)
    unknown_size = rsa.generate_private_key(65537, size)
    return cipher, signer, unknown_size
