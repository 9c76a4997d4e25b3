"""Prefect's API server for one run: `python -P -m flows.ops.prefect_server HOST PORT`.

What `uvicorn --factory prefect.server.api.server:create_app` does, with the cyclic garbage
collector paused while Prefect's server is imported and its app built (2.5-3 CPU-s of objects
that live as long as the server: collections then find nothing to free, and cost 0.4-0.6
CPU-s), those objects then frozen out of later collections. FastAPI builds each router's table
of routes on the first request that reaches it (0.25 CPU-s in all), which would keep the run's
first requests waiting: a request that matches no route builds them all before the server
answers, while the run still imports and loads its model. Launched by `flows.ops.runners`;
imports nothing of zhnews beyond this package's light `__init__` modules.
"""

from __future__ import annotations

import gc

gc.disable()

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import sys  # noqa: E402

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from prefect.server.api.server import create_app  # noqa: E402


async def _build_routes(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
        await client.get("/api/-")


def main(host: str, port: int) -> None:
    app = create_app()
    with contextlib.suppress(Exception):  # else the first requests build them
        asyncio.run(_build_routes(app))
    gc.freeze()
    gc.enable()
    uvicorn.run(app, host=host, port=port, log_level="error", lifespan="on")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
