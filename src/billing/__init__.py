"""Fee schedules, parts prices, quotes and settlement (SPEC §5)."""
