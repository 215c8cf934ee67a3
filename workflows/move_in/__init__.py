from workflows.move_in.tables import CURRENT, MOVE_IN, STEPS, StepDef, end_of_day, step_due

__all__ = ["CURRENT", "MOVE_IN", "STEPS", "StepDef", "end_of_day", "step_due"]
