"""Service levels: deadlines, pauses and status on the work calendar (SPEC §6)."""
