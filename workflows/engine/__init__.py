"""The case engine: runs any registered workflow definition; knows none of them by name.

- ``definition`` lifecycles and workflows as data, compiled once into ``transitions`` machines
- ``changes``    ``advance``, the one writer of a case (``transition``: the same, answering
                 with the change), and ``Change`` (judge, write, finish)
- ``judging``    is a trigger offered, do its guards hold (pure); the buttons of a case page
- ``writing``    the new state, one history entry, the effects, in the caller's transaction
- ``derived``    fields kept true after every change (next deadline)
- ``effects``    the base of what transitions set off, applied with a ``Context``
- ``facts``      what guards and effects may know about a case, loaded when asked
- ``reminders``  reminder rows: scheduled, swept when due, claimed, cancelled when moot
- ``outbox``     work leaves after commit: task name and ids, relayed to Celery
- ``access``     who may work on which office's cases
- ``errors``     domain errors with German messages (the web maps them to 404/409/422)
- ``diagram``    any lifecycle as a Mermaid state diagram
"""

from workflows.engine.changes import Change, advance, allowed_triggers, transition
from workflows.engine.judging import TriggerOption

__all__ = ["Change", "TriggerOption", "advance", "allowed_triggers", "transition"]
