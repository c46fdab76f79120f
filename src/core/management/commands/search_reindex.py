"""Rebuild the full-text index: every registered source re-segments its records (after a change of
the synonym dictionary or jieba), or ``--from-documents`` rewrites only the database's index from
the stored tokens (after a restore)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.search import fts_rebuild_from_documents, fts_table_ensure, search_sources


class Command(BaseCommand):
    help = "Rebuild the full-text search index (SQLite FTS5 / PostgreSQL tsvector)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", action="append", default=[], help="Only this kind (repeatable)")
        parser.add_argument("--from-documents", action="store_true", help="Rewrite the index from stored tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["from_documents"]:
            with transaction.atomic():
                count = fts_rebuild_from_documents()
            self.stdout.write(f"index rewritten: {count} documents in {time.monotonic() - started:.1f}s")
            return
        sources = search_sources()
        unknown = [k for k in options["kind"] if k not in sources]
        if unknown:
            raise CommandError(f"unknown kind(s): {', '.join(unknown)}; known: {', '.join(sorted(sources))}")
        fts_table_ensure()
        for kind, rebuild in sources.items():
            if options["kind"] and kind not in options["kind"]:
                continue
            with transaction.atomic():
                count = rebuild()
            self.stdout.write(f"{kind}: {count} documents")
        self.stdout.write(f"done in {time.monotonic() - started:.1f}s")
