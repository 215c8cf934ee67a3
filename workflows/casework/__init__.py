"""Staff's daily work on cases: intake (opening a case), notes, the work list and the timeline."""
