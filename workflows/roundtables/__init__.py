"""Round tables per district: the meeting with its agenda (drawing on the district's obstacle
figures), guests and minutes (``meetings``); calendar invitations to the guests, sent again
when the meeting moves and a cancellation when it is called off (``invitations``); decisions
and action items with an owner and a due date, the open ones shown at the next meeting, an
overdue one's owner reminded once by the workers (``items``); what becomes of an action —
done, postponed, dropped, reopened — as the round-table action workflow says, a second
workflow on the case engine with its own definition file (``actions``, ``definitions/``);
the minutes as a PDF (``minutes``).
"""
