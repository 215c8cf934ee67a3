"""A local SMTP server for trying the product out: every email lands as an .eml file in a folder.

Run: ``python -m core.mail_catcher --port 8025 --directory var/mail``
"""

import argparse
import signal
import threading
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


class EmlFolder:
    """aiosmtpd handler: writes each accepted message to ``<directory>/<time>-<n>.eml``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = count(1)
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{next(self.numbers):04d}.eml"
        path.write_bytes(envelope.original_content or b"")
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--directory", type=Path, default=Path("var/mail"))
    options = parser.parse_args()
    controller = Controller(EmlFolder(options.directory), hostname=options.host, port=options.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
