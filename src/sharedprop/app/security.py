"""Safe by default: a secret token on every request, and the Origin on every change.

The launch URL carries a random token (``/?token=...``); the server answers it with a cookie
(HttpOnly, SameSite=Strict, one name per port) and a redirect to the same page without the token,
so it does not linger in the address bar. Every later request must carry the token — in that
cookie, in the ``X-Sharedprop-Token`` header or as ``Authorization: Bearer`` (for other tools) —
or is refused with 403. A request that changes state must also come from the app's own page: its
``Origin`` header, when a browser sends one, must be the server's own origin; without an Origin
the token must come in a header, which a foreign page cannot set. Responses forbid framing and
inline scripts.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
HEADER = "x-sharedprop-token"
CSP = (
    # Images from anywhere: a base map's tiles come from the URL the planner gives.
    "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def cookie_name(port: int) -> str:
    # Cookies ignore the port: two apps on one machine must not overwrite each other's token.
    return f"sharedprop_token_{port}"


class TokenGuard:
    """Starlette middleware (``app.middleware("http")(guard)``) enforcing the rules above."""

    def __init__(self, token: str, port_of: Callable[[], int], allowed_hosts: tuple[str, ...]):
        self.token = token
        self.port_of = port_of
        self.allowed_hosts = allowed_hosts

    def _origins(self, request: Request) -> set[str]:
        port = self.port_of()
        return {f"http://{h}:{port}" for h in self.allowed_hosts} | {
            f"http://[{h}]:{port}" for h in self.allowed_hosts if ":" in h
        }

    def _matches(self, value: str | None) -> bool:
        return bool(value) and secrets.compare_digest(value.encode(), self.token.encode())

    def _header_token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return request.headers.get(HEADER)

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        query = request.query_params.get("token")
        if request.method == "GET" and self._matches(query):
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(
                cookie_name(self.port_of()), self.token, httponly=True, samesite="strict"
            )
            return response
        header = self._header_token(request)
        cookie = request.cookies.get(cookie_name(self.port_of()))
        if not (self._matches(header) or self._matches(cookie)):
            return _refuse(
                request, "open the address that `sharedprop app` printed (with its token)"
            )
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("origin")
            if origin is not None and origin not in self._origins(request):
                return _refuse(request, f"requests from {origin} may not change this workspace")
            if origin is None and not self._matches(header):
                return _refuse(
                    request, "a change needs the token in a header or a same-origin page"
                )
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response


def _refuse(request: Request, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=403)
    return PlainTextResponse(f"403 Forbidden: {message}\n", status_code=403)
