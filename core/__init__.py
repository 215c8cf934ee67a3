"""Infrastructure for every layer: settings, time, database, Celery app, mail, private Redis."""
