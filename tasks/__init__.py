"""Celery tasks: thin doors that take ids, call a workflows service and return a status word."""
