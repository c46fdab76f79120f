"""Dispatch: technicians, appointments, the board and route optimisation (SPEC §7)."""
