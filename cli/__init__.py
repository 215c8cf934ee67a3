"""The ``willkommen`` command line: a thin door onto the workflows (parse, call, render)."""
