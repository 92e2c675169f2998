"""A small OpenID Connect provider for the directory tests, served on loopback (a stub of the enterprise's
single sign-on): discovery, an authorization endpoint that signs in whoever the test chose, a token endpoint
that checks the client and the code, and RS256-signed ID tokens whose public key is on the JWKS endpoint.

`misbehave` makes it forge what a hostile or broken provider might: a token signed with another key, a wrong
nonce, another audience.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "dmflow", "dmflow-client-secret"


class Provider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"})  # same kid, not published
        self.person: dict = {}  # the claims of whoever signs in next
        self.misbehave: str | None = None  # None, "signature", "nonce", "audience"
        self.codes: dict[str, dict] = {}
        self.app = self._app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def _id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant["person"]["preferred_username"],
                  "aud": "someone-else" if self.misbehave == "audience" else CLIENT_ID,
                  "iat": now, "exp": now + 300,
                  "nonce": "forged-nonce" if self.misbehave == "nonce" else grant["nonce"], **grant["person"]}
        key = self.other_key if self.misbehave == "signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "signing-1"}, claims, key)

    def _app(self) -> Flask:
        app = Flask("oidc-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(issuer=self.issuer, authorization_endpoint=f"{self.issuer}/authorize",
                           token_endpoint=f"{self.issuer}/token", jwks_uri=f"{self.issuer}/jwks",
                           response_types_supported=["code"], subject_types_supported=["public"],
                           id_token_signing_alg_values_supported=["RS256"],
                           token_endpoint_auth_methods_supported=["client_secret_basic"])

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            args = request.args
            if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code" or not self.person:
                abort(400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"person": dict(self.person), "nonce": args.get("nonce"),
                                "redirect_uri": args["redirect_uri"]}
            return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

        @app.post("/token")
        def token():
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if request.headers.get("Authorization") != f"Basic {expected}":
                return jsonify(error="invalid_client"), 401
            grant = self.codes.pop(request.form.get("code", ""), None)  # each code works once
            if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify(error="invalid_grant"), 400
            return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                           id_token=self._id_token(grant))

        return app
