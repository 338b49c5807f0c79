"""Labelled corpus: the ssl module (contexts, protocol constants, version bounds, cipher lists)."""

import ssl
from ssl import PROTOCOL_TLSv1_2, SSLContext, TLSVersion


def contexts():
    default = ssl.create_default_context()
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    old = SSLContext(ssl.PROTOCOL_TLSv1_1)
    pinned = SSLContext(PROTOCOL_TLSv1_2)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.minimum_version = ssl.TLSVersion.TLSv1_2
    client.maximum_version = TLSVersion.TLSv1_3
    client.set_ciphers("ECDHE+AESGCM:!aNULL")
    client.options |= ssl.OP_NO_COMPRESSION
    client.verify_mode = ssl.CERT_REQUIRED
    return default, legacy, old, pinned, client


def wrap(sock):
    return ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv3)
