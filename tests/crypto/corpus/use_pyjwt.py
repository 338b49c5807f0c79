"""Labelled corpus: PyJWT (``import jwt``)."""

import jwt
import jwt as pyjwt

ALGORITHM = "ES512"


def tokens(payload, secret, private_key, public_key, token):
    a = jwt.encode(payload, secret, algorithm="HS256")
    b = jwt.encode(payload, private_key, algorithm="RS256")
    c = jwt.encode(payload, private_key, "ES384")
    d = jwt.encode(payload, secret)
    e = pyjwt.encode(payload, private_key, algorithm="EdDSA")
    f = jwt.encode(payload, None, algorithm="none")
    g = jwt.decode(token, public_key, algorithms=["HS512", "ES256"])
    i = jwt.decode(token, public_key, algorithms=["PS256"])
    k = jwt.decode(token, public_key, algorithms=[ALGORITHM])
    header = jwt.get_unverified_header(token)
    return a, b, c, d, e, f, g, i, k, header
