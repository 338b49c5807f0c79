"""A server on 127.0.0.1 for as long as a block runs: the drills and the red team talk to the real app.

Why a real uvicorn server and not a test client: latency, connection handling and the thread pool the guard
answers from are part of what the drills and the side-channel red team measure. The port is a free one the
OS picks; the server stops when the block ends, however it ends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(app: Any, name: str, *, start_timeout_s: float = 30.0) -> Iterator[str]:
    """Run ``app`` on a free loopback port in a daemon thread; yield its base URL; stop it afterwards."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + start_timeout_s
        while not server.started and time.monotonic() < deadline:
            if not thread.is_alive():
                break  # the server failed to start (its error is in the log)
            time.sleep(0.01)
        if not server.started:
            raise RuntimeError(
                f"the {name} server did not start on 127.0.0.1:{port} within {start_timeout_s:g} s"
            )
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
