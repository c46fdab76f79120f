"""Work calendars: business hours, Chinese holidays and 调休 (SPEC §6)."""
