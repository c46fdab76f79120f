"""Chinese-aware search text: jieba words, plus full pinyin and initials for names.

Each searchable model keeps a ``search_text`` column built here; a query is segmented the
same way and every token must match (AND). Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import jieba
from django.db.models import Q, QuerySet
from pypinyin import lazy_pinyin

jieba.setLogLevel(logging.WARNING)
_SPACE = re.compile(r"\s+")
MAX_QUERY_TOKENS = 8
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")


def name_pinyin(text: str) -> list[str]:
    """'张三丰' → ['zhangsanfeng', 'zsf'] so agents can type either."""
    if not text or not _HAS_HAN.search(text):
        return []
    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s]
    if not syllables:
        return []
    return ["".join(syllables), "".join(s[0] for s in syllables)]


def search_document(texts: Iterable[str | None], names: Iterable[str | None] = ()) -> str:
    terms: list[str] = []
    for text in [*texts, *names]:
        if text:
            cleaned = _SPACE.sub(" ", str(text)).strip().lower()
            terms.append(cleaned)
            terms.extend(word.strip() for word in jieba.cut_for_search(cleaned) if word.strip())
    for name in names:
        if name:
            terms.extend(name_pinyin(str(name)))
    seen: dict[str, None] = dict.fromkeys(terms)
    return " ".join(seen)


def query_tokens(query: str) -> list[str]:
    query = _SPACE.sub(" ", (query or "")[:200]).strip().lower()
    if not query:
        return []
    tokens: list[str] = []
    for part in query.split(" "):
        if _HAS_HAN.search(part) and len(part) > 2:
            tokens.extend(word for word in jieba.cut(part) if word.strip())
        else:
            tokens.append(part)
    # A handful of words is a search; hundreds would only build a huge query (and can fail).
    return [token for token in dict.fromkeys(tokens) if token][:MAX_QUERY_TOKENS]


def apply_search(queryset: QuerySet, query: str, field: str = "search_text") -> QuerySet:
    condition = Q()
    for token in query_tokens(query):
        condition &= Q(**{f"{field}__icontains": token})
    return queryset.filter(condition)
