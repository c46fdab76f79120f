"""Which work-order events send which messages, to whom (SPEC §9). Registered as a timeline hook."""
