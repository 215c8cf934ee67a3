from workflows.engine.changes import Change, TriggerOption, advance, allowed_triggers

__all__ = ["Change", "TriggerOption", "advance", "allowed_triggers"]
