"""The playground's ASGI application: the page, its static files and the JSON API.

What it guarantees, whatever the browser sends:

* it reads no file the browser names: the page and its scripts are package data, the world is
  what the ``-i`` inputs held when the server started;
* a request body larger than :data:`MAX_BODY_BYTES` is refused (413) before it is parsed;
* every question runs in a worker thread under the limits the command was started with
  (``--limit``), and one taking longer than ``time_limit`` seconds is answered 503 (the thread
  finishes on its own; the pools are small, so abandoned work cannot pile up);
* bad input is answered 400 with the same located message as the CLI's; anything unexpected
  is logged here and answered 500 with a generic message: no stack trace ever leaves;
* only the loopback host names are accepted in ``Host`` (a DNS-rebinding page cannot read the
  loaded world), and the page runs under a Content-Security-Policy allowing its own scripts
  only.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from iamsim import limits
from iamsim.errors import IamsimError, InputError
from iamsim.model import World
from iamsim.server import api

LOG = logging.getLogger("iamsim.server")

# A scenario holds a few policies of at most 10,240 characters (inline) or 20 KB (a bucket
# policy) each; 1 MiB leaves room for any real one and keeps a hostile body cheap to refuse.
MAX_BODY_BYTES = 1024 * 1024
# Seconds one question may take before the browser is told so (escalation over a large
# account takes longest; the CLI has no such cap because nobody waits on it in a browser).
DEFAULT_TIME_LIMIT = 60.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")

_STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "pictures.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _TooLarge(Exception):
    pass


class Playground:
    """The state behind the routes: the loaded world, the limits, the worker pools."""

    def __init__(
        self,
        world: World | None,
        *,
        run_limits: limits.Limits | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
    ) -> None:
        self.world = world
        self.limits = run_limits or limits.current()
        self.time_limit = time_limit
        # Scenario evaluations share nothing; questions about the world share the analyzers'
        # caches, so they run one at a time.
        self._eval_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="iamsim-eval")
        self._world_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iamsim-world")

    def close(self) -> None:
        self._eval_pool.shutdown(wait=False, cancel_futures=True)
        self._world_pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, pool: ThreadPoolExecutor, work: Callable[[], dict[str, Any]]) -> Response:
        """``work`` in ``pool`` under the limits, its answer (or error) as a response."""

        def bounded() -> dict[str, Any]:
            with limits.override(self.limits):
                return work()

        future = asyncio.wrap_future(pool.submit(bounded))
        try:
            return _json(await asyncio.wait_for(future, self.time_limit))
        except TimeoutError:
            return _json(
                {"error": f"the question took longer than {self.time_limit:g} seconds"}, 503
            )
        except api.ScenarioRejected as exc:
            return _json(exc.to_dict(), 400)
        except InputError as exc:
            return _json({"error": exc.describe()}, 400)
        except IamsimError as exc:
            return _json({"error": str(exc) or type(exc).__name__}, 400)
        except RecursionError:
            return _json({"error": "the request is nested too deeply"}, 400)

    # -- routes ---------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        return _static("index.html")

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC_TYPES or name == "index.html":
            return _json({"error": "not found"}, 404)
        return _static(name)

    async def world_summary(self, request: Request) -> Response:
        return _json(api.world_summary(self.world))

    async def eval(self, request: Request) -> Response:
        try:
            text = (await _body(request)).decode("utf-8-sig")
        except _TooLarge:
            return _too_large()
        except UnicodeDecodeError as exc:
            return _json({"error": f"the request body is not UTF-8 text (byte {exc.start})"}, 400)
        return await self.run(self._eval_pool, lambda: api.eval_scenario(text))

    def world_question(
        self, answer: Callable[[World, Mapping[str, Any]], dict[str, Any]]
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            world = self.world
            if world is None:
                return _json(
                    {"error": "no inputs loaded: start the server with iamsim serve -i PATH"}, 409
                )
            try:
                raw = await _body(request)
            except _TooLarge:
                return _too_large()
            try:
                body = json.loads(raw.decode("utf-8-sig") or "{}")
            except (UnicodeDecodeError, ValueError) as exc:
                return _json({"error": f"the request body is not a JSON object ({exc})"}, 400)
            except RecursionError:
                return _json({"error": "the request body is nested too deeply"}, 400)
            return await self.run(self._world_pool, lambda: answer(world, body))

        return endpoint


async def _body(request: Request) -> bytes:
    """The body, refused as soon as it is known to exceed :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Response:
    return _json({"error": f"the request body is larger than {MAX_BODY_BYTES} bytes"}, 413)


def _json(value: Any, status: int = 200) -> Response:
    return JSONResponse(value, status_code=status, headers=_SECURITY_HEADERS)


def _static(name: str) -> Response:
    data = resources.files("iamsim.server").joinpath("static", name).read_bytes()
    return Response(data, media_type=_STATIC_TYPES[name], headers=_SECURITY_HEADERS)


async def _server_error(request: Request, exc: Exception) -> Response:
    """The catch-all: the traceback goes to the server's log, the browser gets a sentence."""
    LOG.error("error answering %s %s", request.method, request.url.path, exc_info=exc)
    return _json({"error": "internal error: the server could not answer (see its log)"}, 500)


def _lifespan(state: Playground) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            state.close()

    return lifespan


def create_app(
    world: World | None = None,
    *,
    run_limits: limits.Limits | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
) -> Starlette:
    """The playground for ``world`` (None: the scenario editor alone)."""
    state = Playground(world, run_limits=run_limits, time_limit=time_limit)
    routes = [
        Route("/", state.page, methods=["GET"]),
        Route("/static/{name}", state.asset, methods=["GET"]),
        Route("/api/world", state.world_summary, methods=["GET"]),
        Route("/api/eval", state.eval, methods=["POST"]),
        Route("/api/check", state.world_question(api.check), methods=["POST"]),
        Route("/api/who-can", state.world_question(api.who_can), methods=["POST"]),
        Route("/api/permissions", state.world_question(api.permissions), methods=["POST"]),
        Route("/api/escalation", state.world_question(api.escalation), methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))],
        exception_handlers={Exception: _server_error},
        lifespan=_lifespan(state),
    )
    app.state.playground = state
    return app
