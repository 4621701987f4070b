"""The web server: the FastAPI app, its static files and :func:`serve` (uvicorn).

Everything the page needs comes from this process: the app's own JS modules and CSS, and
Leaflet's files read from the ``django-js-lib-leaflet`` package with :mod:`importlib.resources`.
Nothing is fetched from the network at run time (a base map's tiles only if the planner gives a
tile URL).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import webbrowser
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sharedprop import __version__
from sharedprop.app.api import router
from sharedprop.app.i18n import _
from sharedprop.app.security import CSP, TokenGuard
from sharedprop.app.settings import AppSettings
from sharedprop.app.solving import SolveBusy
from sharedprop.app.uploads import UploadError
from sharedprop.app.workbench import NotReady, Workbench
from sharedprop.app.workspace import WorkspaceBusy
from sharedprop.errors import SharedpropError
from sharedprop.i18n import use_language

log = logging.getLogger("sharedprop.app")
HERE = Path(__file__).resolve().parent


def leaflet_dir() -> Path:
    """Leaflet's ``leaflet.js``, ``leaflet.css`` and images, as installed by its package."""
    root = resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    return Path(str(root))


class InLanguage:
    """ASGI middleware: each request is handled in the app's language, so that the library's
    messages (validation, explanations) and the app's own strings come in the page's language
    (:func:`sharedprop.i18n.use_language` sets a context variable, which the worker threads of
    the request inherit)."""

    def __init__(self, app: Any, lang: str) -> None:
        self.app = app
        self.lang = lang

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with use_language(self.lang):
            await self.app(scope, receive, send)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(SharedpropError)
    async def on_error(request: Request, exc: SharedpropError) -> JSONResponse:
        if isinstance(exc, SolveBusy | WorkspaceBusy | NotReady):
            return _error(409, str(exc))
        if isinstance(exc, UploadError):
            return _error(400, str(exc))
        problems = getattr(exc, "problems", None)
        return _error(400, "\n".join(problems) if problems else str(exc))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _error(422, "; ".join(parts))


def create_app(settings: AppSettings, *, workbench: Workbench | None = None) -> FastAPI:
    """The ASGI app of the workbench.

    Parameters
    ----------
    settings
        Workspace, address, language, token and limits.
    workbench
        The state to serve; a new :class:`Workbench` on ``settings.workspace`` when omitted.

    Returns
    -------
    FastAPI
        The app; ``app.state.workbench`` holds the state.
    """
    bench = workbench or Workbench(settings)
    port_box = [settings.port]

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        bench.close()

    app = FastAPI(
        title="sharedprop app",
        version=__version__,
        description="The planner's workbench: load, edit, optimise and compare plans. "
        "Send the launch token in the X-Sharedprop-Token header.",
        docs_url=None,  # Swagger UI would come from a CDN: the schema alone is served
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.workbench = bench
    app.state.port_box = port_box
    hosts = ("127.0.0.1", "localhost", "[::1]", settings.host)
    app.middleware("http")(TokenGuard(settings.token, lambda: port_box[0], hosts))
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(InLanguage, lang=settings.lang)  # added last: the outermost
    _install_handlers(app)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/vendor/leaflet", StaticFiles(directory=leaflet_dir()), name="leaflet")
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        html = templates.get_template("index.html").render(
            _=_, lang=settings.lang, version=__version__
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    return app


class Server:
    """uvicorn in a thread with a bound socket: the port is known before it serves."""

    def __init__(self, settings: AppSettings, *, app: FastAPI | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((settings.host, settings.port))
        # Listening now queues connections until uvicorn serves: the printed address works at once.
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.app = app or create_app(settings)
        self.app.state.port_box[0] = self.port
        self.settings = settings
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.settings.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}/"

    @property
    def launch_url(self) -> str:
        return f"{self.url}?token={self.settings.token}"

    def run(self) -> None:
        """Serve in this thread until interrupted."""
        self.server.run(sockets=[self.sock])

    def start(self, timeout: float = 20.0) -> None:
        """Serve in a background thread; return once it accepts connections."""
        self.thread = threading.Thread(target=self.run, name="sharedprop-app", daemon=True)
        self.thread.start()
        ready = threading.Event()
        for _attempt in range(int(timeout / 0.05)):
            if self.server.started:
                ready.set()
                break
            ready.wait(0.05)
        if not ready.is_set():
            raise RuntimeError(f"the app did not start within {timeout} s")

    def stop(self, timeout: float = 30.0) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)
        with contextlib.suppress(OSError):
            self.sock.close()


def serve(
    settings: AppSettings, *, open_browser: bool = True, workbench: Workbench | None = None
) -> None:
    """Run the app until Ctrl-C; print (and open) the address with its token.

    Parameters
    ----------
    settings
        Workspace, address, language, token and limits.
    open_browser
        Open the system's browser on the address once the server listens.
    workbench
        The state to serve (e.g. with an instance already opened); a new one when omitted.
    """
    server = Server(settings, app=create_app(settings, workbench=workbench))
    with use_language(settings.lang):
        print(_("sharedprop app: open {url}").format(url=server.launch_url), flush=True)
        print(_("workspace: {path}").format(path=settings.workspace), flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(server.launch_url,)).start()
    server.run()
