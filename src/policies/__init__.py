"""Warranty and 三包 policies, exclusions and contracts (SPEC §4, §10)."""
