"""The app through Starlette's test client, as the page calls it (token cookie, own Origin)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sharedprop.app.server import create_app
from sharedprop.app.settings import AppSettings, Limits
from sharedprop.app.workbench import Workbench

TOKEN = "a-test-token-of-some-length"
ORIGIN = "http://127.0.0.1:8765"


def make_client(workspace, solver=None, limits=None, lang="en") -> TestClient:
    settings = AppSettings(
        workspace=workspace, token=TOKEN, port=8765, limits=limits or Limits(), lang=lang
    )
    bench = Workbench(settings, solver=solver)
    client = TestClient(create_app(settings, workbench=bench), base_url=ORIGIN)
    client.cookies.set("sharedprop_token_8765", TOKEN)
    client.headers["Origin"] = ORIGIN
    return client
