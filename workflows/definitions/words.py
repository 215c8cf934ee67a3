"""The definition's codes in the words staff read (pages, command line)."""

COUNTED_FROM = {
    "move_in": "nach dem Einzug",
    "opening": "nach dem Öffnen (bei der Aufnahme: nach dem Einzug)",
    "birth": "nach der Geburt",
}
MILESTONE_FROM = {"move_in": "nach dem Einzug", "welcome_visit": "nach dem Willkommensbesuch"}
