"""Keys, tokens and a JWKS server for the security tests (Tests/Interop/test_security.py).

Everything is made in the test: an RSA and an EC key pair, a JWKS document served by a small
HTTP server on 127.0.0.1 (the proxy accepts http:// JWKS URLs for loopback hosts only), and
tokens minted with PyJWT, good ones and the attack set.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://idp.test"
RESOURCE = "https://mcp.test/mcp"


class KeyPair:
    """A signing key, its public JWK and its kid."""

    def __init__(self, kind: str, kid: str) -> None:
        self.kid = kid
        if kind == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
        self.algorithm = kind
        self.public_pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.algorithms.RSAAlgorithm if self.algorithm == "RS256" else jwt.algorithms.ECAlgorithm
        key = json.loads(algorithm.to_jwk(self.private.public_key()))
        key.update({"kid": self.kid, "alg": self.algorithm, "use": "sig"})
        return key


class JWKSServer:
    """Serves {"keys": [...]} at /jwks.json and counts fetches."""

    def __init__(self, keys: list[KeyPair]) -> None:
        document = json.dumps({"keys": [key.jwk() for key in keys]}).encode()
        owner = self
        self.fetches = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                owner.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def claims(subject: str, roles: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER, "aud": [RESOURCE], "sub": subject, "iat": now, "nbf": now - 5, "exp": now + 600,
        "roles": roles or [], "scope": "mcp.tools",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def mint(key: KeyPair, subject: str, roles: list[str] | None = None, **overrides: Any) -> str:
    return jwt.encode(claims(subject, roles, **overrides), key.private, algorithm=key.algorithm, headers={"kid": key.kid})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(payload: dict[str, Any], kid: str) -> str:
    """`alg: none`: a header and payload with an empty signature."""
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}."


def confused(rsa_key: KeyPair, subject: str) -> str:
    """HS256 signed with the RSA public key's PEM as the secret (algorithm confusion)."""
    header = {"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims(subject, ['admin'])).encode())}"
    import hashlib
    import hmac

    signature = hmac.new(rsa_key.public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(token: str) -> str:
    """The same signature over a payload that now claims the admin role."""
    header, payload, signature = token.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    body = json.loads(base64.urlsafe_b64decode(padded))
    body["roles"] = ["admin"]
    return f"{header}.{b64(json.dumps(body).encode())}.{signature}"
