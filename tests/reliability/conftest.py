"""Load and attack tests: the staff of the web tests, against a real server process."""

from tests.web.conftest import client, web_world  # noqa: F401 - the same staff as the HTTP tests
