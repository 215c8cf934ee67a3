"""Mermaid state diagrams drawn from a lifecycle's transitions table, so they never drift from it.

Pure (no database, no output): used by the CLI, the README test and the case page.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workflows.engine.definition import Lifecycle, T

CURRENT_STYLE = "fill:#fde68a,stroke:#b45309,stroke-width:3px"


def edge_label(row: T) -> str:
    """UML-style ``trigger [guard, guard] / effect, effect`` for one table row."""
    label = row.trigger
    if row.conditions:
        label += f" [{', '.join(row.conditions)}]"
    if row.after:
        label += f" / {', '.join(row.after)}"
    return label


def _sources(row: T) -> Sequence[str]:
    return [str(row.source)] if isinstance(row.source, str) else [str(s) for s in row.source]


def mermaid(
    lifecycle: Lifecycle, current: str | None = None, labels: Mapping[str, str] | None = None
) -> str:
    """``stateDiagram-v2`` text for ``lifecycle``; internal transitions (dest None) loop back.

    ``current`` is highlighted; ``labels`` (state → words) become state descriptions.
    """
    states = [str(state) for state in lifecycle.states]
    if current is not None and current not in states:
        raise ValueError(f"{current!r} is not a state of the {lifecycle.name} lifecycle")
    labels = {**lifecycle.labels, **(labels or {})}
    lines = ["stateDiagram-v2", f"    %% {lifecycle.name} lifecycle, drawn from its table"]
    lines += [f"    {state} : {labels[state]}" for state in states if labels.get(state)]
    lines.append(f"    [*] --> {lifecycle.initial}")
    leaving: set[str] = set()
    for row in lifecycle.transitions:
        for source in _sources(row):
            dest = source if row.dest is None else str(row.dest)
            lines.append(f"    {source} --> {dest} : {edge_label(row)}")
            leaving.add(source)
    # A state nothing leaves ends the lifecycle.
    lines += [f"    {state} --> [*]" for state in states if state not in leaving]
    if current is not None:
        lines.append(f"    classDef current {CURRENT_STYLE}")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"


# A row leaving this many states or more (closing a case from any open state) is listed below
# the diagram instead of drawn as a fan of arrows.
FAN = 4


@dataclass(frozen=True)
class Readable:
    """A diagram for people: states and arrows in the definition's words, no guard or effect
    names; what would clutter it (staying in a state, leaving from anywhere) listed aside."""

    mermaid: str
    from_anywhere: list[str]  # "Fall vorzeitig schließen (mit Grund) → Abgeschlossen"
    within: list[str]  # "Willkommensbesuch verschieben (in: Willkommensbesuch geplant)"


def readable(lifecycle: Lifecycle, current: str | None = None) -> Readable:
    """The lifecycle in its labels, top to bottom (legible on a tablet held upright)."""
    labels = lifecycle.labels
    states = [str(state) for state in lifecycle.states]
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{_quoted(labels.get(s, s))}" as {s}' for s in states]
    lines.append(f"    [*] --> {lifecycle.initial}")
    drawn: set[tuple[str, str, str]] = set()
    from_anywhere: list[str] = []
    within: list[str] = []
    leaving: set[str] = set()
    for row in lifecycle.transitions:
        sources = _sources(row)
        words = row.label or row.trigger
        if row.dest is None:
            where = ", ".join(labels.get(s, s) for s in sources)
            within.append(f"{words} (in: {where})")
            continue
        dest = str(row.dest)
        if len(sources) >= FAN:
            from_anywhere.append(f"{words} → {labels.get(dest, dest)}")
            leaving.update(sources)
            continue
        for source in sources:
            if (source, dest, words) not in drawn:
                drawn.add((source, dest, words))
                lines.append(f"    {source} --> {dest} : {_quoted(words)}")
            leaving.add(source)
    lines += [f"    {state} --> [*]" for state in states if state not in leaving]
    if current is not None and current in states:
        lines.append(f"    classDef current {CURRENT_STYLE}")
        lines.append(f"    class {current} current")
    return Readable("\n".join(lines) + "\n", list(dict.fromkeys(from_anywhere)), within)


def _quoted(text: str) -> str:
    """Words Mermaid shows as they are (no quote, colon or semicolon to end them early)."""
    return text.replace('"', "'").replace(":", " –").replace(";", ",")


def as_text(lifecycle: Lifecycle, current: str | None = None) -> str:
    """The readable diagram as lines for a terminal: per state, where each labelled arrow leads;
    then what stays in a state and what leaves from anywhere (the same words as the page)."""
    labels = lifecycle.labels
    drawing = readable(lifecycle, current)
    lines = []
    for state in (str(s) for s in lifecycle.states):
        mark = "▶ " if state == current else "  "
        start = " (Beginn)" if state == str(lifecycle.initial) else ""
        lines.append(f"{mark}{labels.get(state, state)}{start}")
        for row in lifecycle.transitions:
            if row.dest is None or len(_sources(row)) >= FAN or state not in _sources(row):
                continue
            dest = str(row.dest)
            lines.append(f"      → {labels.get(dest, dest)}: {row.label or row.trigger}")
        if not any(state in _sources(row) for row in lifecycle.transitions):
            lines.append("      (Ende)")
    if drawing.within:
        lines += ["", "Ohne Wechsel des Zustands:"] + [f"  · {item}" for item in drawing.within]
    if drawing.from_anywhere:
        lines += ["", "Aus jedem offenen Zustand:"]
        lines += [f"  · {item}" for item in drawing.from_anywhere]
    return "\n".join(lines) + "\n"
