"""Labelled corpus: python-jose (``from jose import jwt``), JWS and JWE."""

from jose import jwe, jws, jwt
from jose.constants import ALGORITHMS


def tokens(claims, key, token, payload, plaintext):
    a = jwt.encode(claims, key, algorithm=ALGORITHMS.RS512)
    b = jwt.encode(claims, key)
    c = jwt.decode(token, key, algorithms=["HS384"])
    d = jwt.decode(token, key, algorithms=ALGORITHMS.ES256)
    e = jws.sign(payload, key, algorithm="ES512")
    f = jws.verify(token, key, algorithms=["RS256"])
    g = jwe.encrypt(plaintext, key, algorithm="dir", encryption="A128GCM")
    i = jwe.encrypt(plaintext, key, encryption="A256CBC-HS512", algorithm="RSA-OAEP")
    claims_only = jwt.get_unverified_claims(token)
    return a, b, c, d, e, f, g, i, claims_only
