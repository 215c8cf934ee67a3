"""The database drops its connection at the worst moment: the mail server took a reminder and
the worker is writing its "sent" mark. The mark is written again on a fresh connection,
so the reminder is not offered again after the lease and mailed twice.

The window that remains (the worker killed between the mail server's "250 OK" and the mark)
is in README "Reliability"; the copy it would send carries the same Message-ID.
"""

import threading
import time

import psycopg
import pytest
from aiosmtpd.smtp import Envelope
from sqlalchemy.engine import make_url

from tests.helpers import reminders
from tests.services import SmtpServer, postgres_admin_url, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


class _DropsTheDatabase:
    """An SMTP handler that, for the first message, holds the reminders table so the worker's
    "sent" mark has to wait, kills the worker's connection while it waits, then lets go."""

    def __init__(self, inbox, database: str) -> None:  # type: ignore[no-untyped-def]
        self.inbox, self.database, self.dropped = inbox, database, 0

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        if not self.dropped:
            self.dropped = -1
            admin = psycopg.connect(postgres_admin_url().rsplit("/", 1)[0] + f"/{self.database}")
            admin.execute("LOCK TABLE reminders IN SHARE MODE")  # reads go on, writes wait
            threading.Thread(target=self._kill_waiting, args=(admin,), daemon=True).start()
        return await self.inbox.handle_DATA(server, session, envelope)

    def _kill_waiting(self, admin: psycopg.Connection) -> None:
        waiting = (
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(postgres_admin_url(), autocommit=True) as killer:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                pids = [row[0] for row in killer.execute(waiting, (self.database,))]
                if pids:
                    for pid in pids:
                        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    self.dropped = len(pids)
                    break
                time.sleep(0.05)
        admin.rollback()
        admin.close()


def test_a_reminder_is_mailed_once_when_the_database_drops_its_connections_mid_send(
    world, start_worker, env, monkeypatch
):
    """Given a worker sending the household's welcome email, when every database connection is
    killed just as the mail server accepts it, then the reminder is marked sent anyway and no
    second copy goes out, although the lease (3 s) and the sweep (1 s) would offer it again."""
    server = SmtpServer()
    database = make_url(env["WILLKOMMEN_DATABASE_URL"]).database
    server.controller.handler = _DropsTheDatabase(server.inbox, database)
    server.start()
    try:
        start_worker(
            beat=True,
            WILLKOMMEN_SMTP_PORT=str(server.port),
            WILLKOMMEN_SENDING_LEASE_SECONDS="3",
            WILLKOMMEN_DISPATCH_INTERVAL_SECONDS="1",
        )
        case_id = world.open_case()
        (welcome,) = server.wait_for_messages(1, timeout=30)
        handler = server.controller.handler
        wait_for(lambda: handler.dropped >= 1, 20, what="the worker's connection to be killed")
        with pytest.raises(AssertionError):
            server.wait_for_messages(2, timeout=8)  # longer than lease and sweep together
        (reminder,) = [r for r in reminders(case_id) if r.kind == "consultation_info"]
        assert reminder.status == "sent" and welcome["Message-ID"]
    finally:
        server.stop()
