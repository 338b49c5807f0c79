"""Labelled corpus: pycryptodome, under both its import names (``Crypto`` and ``Cryptodome``)."""

from Crypto.Cipher import AES, ARC4, DES, DES3, PKCS1_OAEP, Blowfish, ChaCha20_Poly1305
from Crypto.Hash import HMAC, SHA256, SHA512
from Crypto.Hash import MD5 as OLD_MD5
from Crypto.Protocol.KDF import HKDF, PBKDF2, scrypt
from Crypto.PublicKey import DSA, ECC, RSA
from Crypto.Random import get_random_bytes
from Crypto.Signature import DSS, pkcs1_15, pss
from Cryptodome.Cipher import AES as AES2
from Cryptodome.Hash import SHA1

message = b"payload"


def ciphers():
    key = get_random_bytes(32)
    iv_size = AES.block_size
    cbc = AES.new(key, AES.MODE_CBC)
    gcm = AES.new(get_random_bytes(16), AES.MODE_GCM, nonce=get_random_bytes(12))
    eax = AES2.new(key=key, mode=AES2.MODE_EAX)
    ecb = AES.new(b"0123456789abcdef", AES.MODE_ECB)
    triple = DES3.new(get_random_bytes(24), DES3.MODE_CBC)
    single = DES.new(b"8bytekey", DES.MODE_ECB)
    rc4 = ARC4.new(key)
    fish = Blowfish.new(key, Blowfish.MODE_CFB)
    chacha = ChaCha20_Poly1305.new(key=key)
    return iv_size, cbc, gcm, eax, ecb, triple, single, rc4, fish, chacha


def public_keys(pem):
    rsa_key = RSA.generate(2048)
    imported = RSA.import_key(pem)
    ec_key = ECC.generate(curve="P-256")
    ed_key = ECC.generate(curve="Ed25519")
    dsa_key = DSA.generate(3072)
    oaep = PKCS1_OAEP.new(rsa_key, hashAlgo=SHA256)
    signature = pss.new(rsa_key).sign(SHA256.new(message))
    legacy = pkcs1_15.new(rsa_key).sign(SHA1.new(message))
    ecdsa = DSS.new(ec_key, "fips-186-3").sign(SHA256.new(message))
    return imported, ed_key, dsa_key, oaep, signature, legacy, ecdsa


def hashes_and_kdfs(password, salt):
    digest = SHA512.new(message).hexdigest()
    old = OLD_MD5.new(message).digest()
    mac = HMAC.new(b"secret", message, digestmod=SHA256)
    default_mac = HMAC.new(b"secret", message)
    derived = PBKDF2(password, salt, 32, count=100_000, hmac_hash_module=SHA512)
    expanded = HKDF(derived, 32, salt, SHA256)
    memory_hard = scrypt(password, salt, 32, N=16384, r=8, p=1)
    return digest, old, mac, default_mac, expanded, memory_hard
