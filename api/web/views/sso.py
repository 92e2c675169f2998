"""Sign-in with the enterprise's OpenID Connect provider (使用企业账号登录), when OIDC_ISSUER is configured.

Authlib's client does the protocol: discovery, the authorization code flow with `state` and `nonce` kept in
the session, the code exchanged at the token endpoint, and the ID token's signature (provider's JWKS),
issuer, audience, expiry and nonce validated. Then the person is provisioned (engine/directory.py) and a
fresh login session starts, as after a password.
"""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from flask import abort, redirect, request, session
from joserfc.errors import JoseError  # Authlib validates ID tokens with joserfc
from requests.exceptions import RequestException

from engine import directory
from engine.errors import Forbidden, Unauthorized

from ... import directories
from ...extension import uow
from .. import i18n
from ..core import blp, login, render, safe_next

NEXT = "sso_next"


@blp.route("/login/sso")
def sso_start():
    if not directories.oidc_enabled():
        abort(404)
    session[NEXT] = safe_next(request.args.get("next"))
    try:
        return directories.oidc_client().authorize_redirect(directories.redirect_uri())
    except (AuthlibBaseError, RequestException, ValueError):
        return render("login.html", 503, next=session.get(NEXT, "/"), username="",
                      error=i18n.t("login.directory_down"))


@blp.route("/login/sso/callback")
def sso_callback():
    if not directories.oidc_enabled():
        abort(404)
    target = session.get(NEXT) or "/"
    try:
        token = directories.oidc_client().authorize_access_token()
        person = directories.person_from_oidc(token.get("userinfo") or {})
        result = directory.provision(uow(), person, directories.mapping())
    except Forbidden:
        return render("login.html", 403, next=target, username="", error=i18n.t("login.directory_refused"))
    except (AuthlibBaseError, JoseError, Unauthorized, ValueError, KeyError):
        # a forged or replayed callback: wrong state, bad signature, wrong nonce, issuer or audience
        return render("login.html", 401, next=target, username="", error=i18n.t("login.sso_failed"))
    except RequestException:
        return render("login.html", 503, next=target, username="", error=i18n.t("login.directory_down"))
    login(result)
    return redirect(target)
