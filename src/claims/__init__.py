"""Claims decided by checklist rule sets (SPEC §10)."""
