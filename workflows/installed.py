"""The workflow definitions this installation runs cases on.

The engine knows no workflow by name: each definition registers itself when its package is
imported, and every process that runs cases (web app, worker, beat, command line) calls
:func:`register_all` at start-up. A new workflow (or a new version of one) is added here.
"""

from importlib import import_module

INSTALLED = ("workflows.move_in",)


def register_all() -> None:
    """Import every installed definition, which registers it with the engine, and the audit
    trail, which listens to every session (idempotent)."""
    for name in (*INSTALLED, "workflows.audit"):
        import_module(name)
