"""A demo RFC 8693 token endpoint for trying per-user upstream credentials (not for production).

    TE_SECRET=demo-secret python3 token_endpoint.py 9200

POST /oauth2/token with `client_secret_basic` (client id `mcp-gateway`, secret $TE_SECRET) and
`grant_type=urn:ietf:params:oauth:grant-type:token-exchange`: answers
`{"access_token": "minted-<sub>-<n>", "expires_in": 300}`, where <sub> is the `sub` of the
subject token. It does NOT verify the subject token's signature (a real authorization server
does); it only reads its `sub`. Standard library only.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
COUNT = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()).items()}
        scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
        client = base64.b64decode(encoded or "").decode() if scheme == "Basic" else ""
        expected = "mcp-gateway:" + urllib.parse.quote(os.environ.get("TE_SECRET", ""), safe="")
        if client != expected:
            return self.answer(401, {"error": "invalid_client"})
        if form.get("grant_type") != GRANT or "subject_token" not in form:
            return self.answer(400, {"error": "unsupported_grant_type"})
        payload = form["subject_token"].split(".")[1]
        subject = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
        COUNT[0] += 1
        print(f"exchanged a token of {subject} for audience {form.get('audience')} scope {form.get('scope')}", flush=True)
        self.answer(200, {"access_token": f"minted-{subject}-{COUNT[0]}", "token_type": "Bearer", "expires_in": 300,
                          "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"})

    def answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
