"""The SMTP server of the end-to-end scenario: accepts every message and notes when, in Redis.

Run by the benchmark in its own process: ``python -m bench.smtp_sink --port P --redis URL``.
For each accepted message it pushes ``"<reminder id> <unix time>"`` to the Redis list
``bench:smtp:accepted``; the id is the message's ``X-Willkommen-Reminder`` header.
"""

import argparse
import re
import signal
import threading
import time

import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

ACCEPTED = "bench:smtp:accepted"
REMINDER = re.compile(rb"X-Willkommen-Reminder: (\d+)")


class Sink:
    def __init__(self, client: "redis.Redis[bytes]") -> None:
        self.client = client

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        accepted_at = time.time()
        found = REMINDER.search(envelope.original_content or b"")
        number = int(found.group(1)) if found else 0
        self.client.rpush(ACCEPTED, f"{number} {accepted_at:.6f}")
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True)
    options = parser.parse_args()
    sink = Sink(redis.Redis.from_url(options.redis))
    controller = Controller(sink, hostname="127.0.0.1", port=options.port)
    controller.start()
    print("listening", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
