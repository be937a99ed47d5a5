#!/usr/bin/env python3
"""A tiny policy hook for mcp-proxy's `proxy.policyHook` (Documentation/Governance.md).

    python3 Examples/policy-hook/hook.py --port 8181

It answers each POST from the proxy with a decision:
- request phase: denies tools whose name contains one of DENIED_WORDS, and removes a
  `password` argument from any call (a rewrite); allows the rest;
- response phase (`response: true`): withholds results whose text contains "CONFIDENTIAL".
Every decision is printed on stdout, one JSON line each. Standard library only.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DENIED_WORDS = ("crash", "delete", "drop")


def decide(question: dict[str, Any]) -> dict[str, Any]:
    """The policy: one question from the proxy in, one decision out."""
    name = question.get("name") or ""
    if question["phase"] == "request":
        if any(word in name for word in DENIED_WORDS):
            who = question["principal"]["subject"]
            return {"decision": "deny", "reason": f"{name} is not allowed through this gateway (asked by {who})"}
        arguments = question.get("arguments")
        if isinstance(arguments, dict) and "password" in arguments:
            cleaned = {key: value for key, value in arguments.items() if key != "password"}
            return {"decision": "allow", "reason": "password argument removed", "arguments": cleaned}
        return {"decision": "allow"}
    texts = [item.get("text", "") for item in (question.get("result") or {}).get("content", []) if isinstance(item, dict)]
    if any("CONFIDENTIAL" in text for text in texts):
        return {"decision": "deny", "reason": "the result is marked CONFIDENTIAL"}
    return {"decision": "allow"}


class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the proxy pools its connections
    disable_nagle_algorithm = True  # one small answer per question: do not wait for the ACK (40 ms)

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        try:
            question = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            answer = decide(question)
        except (ValueError, KeyError) as error:
            body = json.dumps({"error": str(error)}).encode()
            self.send_response(400)
        else:
            print(json.dumps({"phase": question["phase"], "name": question.get("name"), **answer}), flush=True)
            body = json.dumps(answer).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8181)
    options = parser.parse_args()
    server = ThreadingHTTPServer((options.host, options.port), Hook)
    print(f"policy hook listening on http://{options.host}:{server.server_address[1]}/mcp-policy", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
