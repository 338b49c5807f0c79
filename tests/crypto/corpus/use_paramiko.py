"""Labelled corpus: paramiko keys and SSH sessions."""

import paramiko
from cryptography.hazmat.primitives.asymmetric import ec
from paramiko import DSSKey, ECDSAKey, Ed25519Key, RSAKey


def keys(path):
    generated = paramiko.RSAKey.generate(bits=3072)
    short = RSAKey.generate(1024)
    loaded = RSAKey.from_private_key_file(path)
    nist = ECDSAKey.generate(bits=384)
    big = ECDSAKey.generate(curve=ec.SECP521R1())
    edwards = Ed25519Key.from_private_key_file(path)
    dss = DSSKey.generate(bits=1024)
    return generated, short, loaded, nist, big, edwards, dss


def connect(host, key):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, pkey=key)
    transport = paramiko.Transport((host, 22))
    return client, transport
