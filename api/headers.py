"""Security headers on every response: pages, API answers, the OpenAPI document and its docs page."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, current_app, request

# Pages load scripts, styles, fonts and data from this server only; the browser refuses anything else.
PAGE_CSP = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# JSON, XML, files: nothing in them may run or be framed.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def _docs_path() -> str:
    cfg = current_app.config
    return f"{cfg['OPENAPI_URL_PREFIX'].rstrip('/')}/{cfg['OPENAPI_SWAGGER_UI_PATH'].lstrip('/')}"


def _inline_hashes(response: Response) -> str:
    """CSP sources for the inline script that starts flask-smorest's Swagger UI page (on that page only:
    anywhere else an inline script is refused, whatever it holds)."""
    if response.is_streamed or request.path != _docs_path():
        return ""
    found = _INLINE_SCRIPT.findall(response.get_data())
    return "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'" for body in found)


def security_headers(response: Response) -> Response:
    csp = PAGE_CSP.format(scripts=_inline_hashes(response)) if response.mimetype == "text/html" else DATA_CSP
    response.headers.setdefault("Content-Security-Policy", csp)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
