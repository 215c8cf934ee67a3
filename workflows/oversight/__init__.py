"""What supervisors watch: open and overdue steps, failed messages, durations (``figures``),
and the daily digest email (``digest``)."""
