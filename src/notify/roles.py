"""Which roles may use this app's models (merged into the role groups by core.roles)."""

from core.choices import Role  # noqa: F401

ROLE_PERMISSIONS: dict[str, list[str]] = {}
