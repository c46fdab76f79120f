"""Notifications: outbox, channels, templates and delivery log (SPEC §9)."""
