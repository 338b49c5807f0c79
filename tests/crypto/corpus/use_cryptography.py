"""Labelled corpus: pyca/cryptography (see labels.yaml). Parsed by the scanner's tests, never run."""

import os

from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, ed448, ed25519, mldsa, mlkem, padding, rsa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_SIZE = 3072
data = b"payload"


def keys():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    big = rsa.generate_private_key(65537, KEY_SIZE)
    ec_key = ec.generate_private_key(ec.SECP384R1())
    curve = ec.SECP256R1()
    dsa_key = dsa.generate_private_key(key_size=1024)
    params = dh.generate_parameters(generator=2, key_size=2048)
    signer = ed25519.Ed25519PrivateKey.generate()
    other = ed448.Ed448PrivateKey.generate()
    agree = X25519PrivateKey.generate()
    pq_sign = mldsa.MLDSA65PrivateKey.generate()
    pq_kem = mlkem.MLKEM768PrivateKey.generate()
    return rsa_key, big, ec_key, curve, dsa_key, params, signer, other, agree, pq_sign, pq_kem


def sign(rsa_key, ec_key):
    signature = rsa_key.sign(
        data,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
        hashes.SHA256(),
    )
    ciphertext = rsa_key.public_key().encrypt(
        data,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
    )
    ec_signature = ec_key.sign(data, ec.ECDSA(hashes.SHA384()))
    shared = ec_key.exchange(ec.ECDH(), ec_key.public_key())
    return signature, ciphertext, ec_signature, shared


def is_ed25519(key) -> bool:
    return isinstance(key, ed25519.Ed25519PublicKey)


def verify(key: rsa.RSAPublicKey, signature: bytes) -> None:
    key.verify(signature, data, padding.PKCS1v15(), hashes.SHA512())


def symmetric():
    key = os.urandom(32)
    iv = os.urandom(16)
    gcm = Cipher(algorithms.AES(key), modes.GCM(iv))
    cbc = Cipher(algorithms.AES(os.urandom(16)), modes.CBC(iv))
    ecb = Cipher(algorithms.AES(bytes(24)), mode=modes.ECB())
    legacy = Cipher(algorithms.TripleDES(os.urandom(24)), modes.CBC(iv[:8]))
    stream = Cipher(algorithms.ChaCha20(key, iv), mode=None)
    camellia = Cipher(algorithms.Camellia(key), modes.CTR(iv))
    aead_key = AESGCM.generate_key(bit_length=128)
    aead = AESGCM(aead_key)
    chacha = ChaCha20Poly1305(ChaCha20Poly1305.generate_key())
    token = Fernet(Fernet.generate_key()).encrypt(data)
    return gcm, cbc, ecb, legacy, stream, camellia, aead, chacha, token


def macs_and_kdfs(password, salt):
    mac = hmac.HMAC(os.urandom(32), hashes.SHA256())
    digest = hashes.Hash(hashes.SHA3_256())
    old = hashes.Hash(hashes.MD5())
    kdf = PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=600_000)
    memory_hard = Scrypt(salt=salt, length=32, n=16384, r=8, p=1)
    expand = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"context")
    return mac, digest, old, kdf.derive(password), memory_hard, expand


def certificates(pem):
    cert = x509.load_pem_x509_certificate(pem)
    builder = x509.CertificateBuilder()
    loaded = serialization.load_pem_private_key(pem, password=None)
    return cert, builder, loaded
