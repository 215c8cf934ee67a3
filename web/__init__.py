"""The staff web app (server-rendered, HTMX) and the JSON API under /api."""
