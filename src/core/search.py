"""Chinese-aware search text: jieba words, plus full pinyin and initials for names.

Each searchable model keeps a ``search_text`` column built here; a query is segmented the
same way and every token must match (AND). Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jieba
from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
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
    synonym_map()  # the dictionary's words are jieba words: "不开机的电脑" → 不开机 / 电脑
    tokens: list[str] = []
    for part in query.split(" "):
        if _HAS_HAN.search(part) and len(part) > 2:
            tokens.extend(word for word in jieba.cut(part) if word.strip())
        else:
            tokens.append(part)
    # A handful of words is a search; hundreds would only build a huge query (and can fail).
    return [token for token in dict.fromkeys(tokens) if token][:MAX_QUERY_TOKENS]


def apply_search(queryset: QuerySet, query: str, field: str = "search_text") -> QuerySet:
    """Every token must match (AND), as itself or as one of its synonyms (the dictionary of
    ADR 0023): "漏水" also finds the orders that say 渗水."""
    synonyms = synonym_map()
    condition = Q()
    for token in query_tokens(query):
        any_of = Q()
        for alternative in synonyms.get(token, (token,)):
            any_of |= Q(**{f"{field}__icontains": alternative})
        condition &= any_of
    return queryset.filter(condition)


# --- ranked full-text search (ADR 0023) ----------------------------------------------------------
#
# A record's text is segmented once, here, when its service saves it: jieba words, every Chinese
# character (short and unknown terms), and the full pinyin of its words (initials of the title's).
# The tokens go to ``core.SearchDocument`` and to the database's full-text index in the same
# transaction: SQLite FTS5 ``core_search_fts`` (rowid = the document's id), PostgreSQL the ``tsv``
# column (a tsvector of the pre-segmented lexemes, 'simple': no stemming, no stop words) with a
# GIN index. The index finds the candidates and counts document frequencies; BM25 is computed
# here, the same on both databases, with a title boost, synonyms and a product boost.


_TOKEN = re.compile(r"\w+")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
_LATIN = re.compile(r"^[a-z]+$")
MAX_TOKEN_CHARS = 64
MAX_QUERY_CHARS = 200
MAX_CONCEPTS = 8
CANDIDATE_LIMIT = 1000  # the database's own ranking picks them; BM25 here re-ranks
K1 = 1.2
B = 0.75
TITLE_BOOST = 2.5
SYNONYM_WEIGHT = 0.85
CHARACTER_WEIGHT = 0.35
PRODUCT_MODEL_BOOST = 1.5
PRODUCT_CATEGORY_BOOST = 1.2

#: Words that carry no meaning in a fault description ("我的冰箱不冷了怎么办").
_STOP_TEXT = (
    "的 了 吗 呢 啊 吧 呀 哦 嗯 我 我的 你 您 他 她 它 我们 是 在 有 就 都 也 还 又 和 与 及 或 "
    "很 太 好 一 一下 一直 这 那 这个 那个 什么 怎么 怎么办 为什么 如何 请问 帮忙 一个 没 不 会 能 "
    "要 想 给 把 被 让 说 家 家里 个 下 上 时 时候 后 现在 今天 昨天 突然 总是 老是 经常 有点 "
    "点 可以 可能 应该 需要 已经 出现 发现 问题 情况 故障 东西 用 使用 好像 感觉 还是 就是 但是 "
    "如果 然后 所以 因为 啦 么 哪 哪里 谁 中 里 得 地 着 过 对 等 之 其 该 与 及"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


# --- synonyms (data: core.SynonymGroup) -----------------------------------------------------------

_synonym_cache: dict[str, tuple[str, ...]] | None = None


def synonyms_invalidate(**_: Any) -> None:
    global _synonym_cache
    _synonym_cache = None


def synonym_map() -> dict[str, tuple[str, ...]]:
    """term → every term of its groups (itself first). Read once per process, again after an edit.
    The terms are jieba words too, so a description segments into them."""
    global _synonym_cache
    if _synonym_cache is None:
        from core.models import SynonymGroup

        mapping: dict[str, list[str]] = {}
        for group in SynonymGroup.objects.filter(is_active=True):
            terms = group.term_list()
            for term in terms:
                if _HAS_HAN.search(term) and len(term) > 1:
                    jieba.add_word(term, freq=max(jieba.get_FREQ(term) or 0, 20000))
                mapping.setdefault(term, [term])
                mapping[term].extend(t for t in terms if t not in mapping[term])
        _synonym_cache = {term: tuple(alts) for term, alts in mapping.items()}
    return _synonym_cache


# --- analysis ------------------------------------------------------------------------------------


def _clean_tokens(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        for token in _TOKEN.findall(word.lower()):
            token = token.strip("_")[:MAX_TOKEN_CHARS]
            if token:
                out.append(token)
    return out


def analyze(text: str | None) -> list[str]:
    """The index tokens of a text, repeated as often as they occur (term frequency)."""
    synonym_map()  # the vocabulary's words are jieba words before anything is segmented
    tokens: list[str] = []
    for run in _TOKEN.findall((text or "").lower()):
        if _HAS_HAN.search(run):
            tokens.extend(_clean_tokens(jieba.cut_for_search(run)))
            tokens.extend(ch for ch in run if _HAS_HAN.match(ch) and len(run) > 1)
        else:
            tokens.extend(_clean_tokens([run]))
    return tokens


def _word_pinyin(word: str) -> list[str]:
    syllables = [s for s in lazy_pinyin(word, errors="ignore") if s]
    return ["".join(syllables)] if syllables else []


def pinyin_tokens(text: str | None, *, initials: bool) -> list[str]:
    """Full pinyin of each Chinese word of ``text`` (蓝屏 → lanping); with ``initials`` their
    initials too (lp), and the whole text's spelling and initials (a title typed as 'kbljl')."""
    tokens: list[str] = []
    words = [w for w in jieba.cut((text or "").lower()) if _HAN_ONLY.match(w)]
    for word in words:
        tokens.extend(_word_pinyin(word))
        if initials and len(word) > 1:
            tokens.extend(name_pinyin(word)[1:])
    if initials and words:
        tokens.extend(name_pinyin("".join(words)))
    return [t[:MAX_TOKEN_CHARS] for t in tokens if t]


# --- the index -----------------------------------------------------------------------------------


def _vendor() -> str:
    return connection.vendor


def _fts_write(doc_id: int, tokens: list[str]) -> None:
    unique = list(dict.fromkeys(tokens))
    with connection.cursor() as cursor:
        if _vendor() == "postgresql":
            cursor.execute(
                "UPDATE core_searchdocument SET tsv = array_to_tsvector(%s::text[]) WHERE id = %s", [unique, doc_id]
            )
        else:
            cursor.execute("DELETE FROM core_search_fts WHERE rowid = %s", [doc_id])
            cursor.execute("INSERT INTO core_search_fts(rowid, tokens) VALUES (%s, %s)", [doc_id, " ".join(unique)])


def index_document(
    *,
    kind: str,
    object_id: int,
    title: str,
    body: Iterable[str | None],
    product_model_id: int | None = None,
    product_category_id: int | None = None,
) -> None:
    """(Re)index one record; its service calls it inside the transaction that saves the record."""
    from core.models import SearchDocument

    body_text = "\n".join(t for t in body if t)
    title_tokens = analyze(title) + pinyin_tokens(title, initials=True)
    body_tokens = analyze(body_text) + pinyin_tokens(body_text, initials=False)
    doc, _created = SearchDocument.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={
            "title": " ".join(title_tokens),
            "body": " ".join(body_tokens),
            "length": len(title_tokens) + len(body_tokens),
            "product_model_id": product_model_id,
            "product_category_id": product_category_id,
        },
    )
    _fts_write(doc.pk, title_tokens + body_tokens)


def unindex_document(*, kind: str, object_id: int) -> None:
    from core.models import SearchDocument

    for doc_id in SearchDocument.objects.filter(kind=kind, object_id=object_id).values_list("pk", flat=True):
        if _vendor() != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM core_search_fts WHERE rowid = %s", [doc_id])
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


#: kind → a function that re-indexes every record of that kind (``manage.py search_reindex``).
_SOURCES: dict[str, Callable[[], int]] = {}


def register_search_source(kind: str, rebuild: Callable[[], int]) -> None:
    _SOURCES[kind] = rebuild


def search_sources() -> dict[str, Callable[[], int]]:
    return dict(_SOURCES)


def fts_table_ensure() -> None:
    """Create the database's full-text structures if they are missing (migration and rebuild)."""
    with connection.cursor() as cursor:
        if _vendor() == "postgresql":
            cursor.execute("ALTER TABLE core_searchdocument ADD COLUMN IF NOT EXISTS tsv tsvector")
            cursor.execute("CREATE INDEX IF NOT EXISTS core_searchdocument_tsv ON core_searchdocument USING GIN (tsv)")
        else:
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS core_search_fts USING fts5(tokens, tokenize = 'unicode61')"
            )


def fts_rebuild_from_documents() -> int:
    """Rewrite the database index from the SearchDocument rows (after a restore or a bulk load)."""
    from core.models import SearchDocument

    fts_table_ensure()
    count = 0
    if _vendor() != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_search_fts")
    for doc in SearchDocument.objects.only("pk", "title", "body").iterator(chunk_size=2000):
        _fts_write(doc.pk, (doc.title + " " + doc.body).split())
        count += 1
    return count


# --- the query -----------------------------------------------------------------------------------


@dataclass
class Concept:
    """One meaning in the query: a word with its synonyms, or a character of an unknown word."""

    word: str
    alternatives: tuple[str, ...]
    weight: float = 1.0


@dataclass
class Hit:
    object_id: int
    score: float
    matched: list[str] = field(default_factory=list)


def clean_query(query: str | None) -> str:
    return _SPACE.sub(" ", str(query or "")[:MAX_QUERY_CHARS]).strip().lower()


def query_concepts(query: str | None) -> list[Concept]:
    """The query's meanings: jieba words (stop words dropped), latin words and pinyin as typed,
    each with its synonyms. Anything else — punctuation, emoji, SQL or FTS syntax — is not a
    token at all, so a query can never break the index's syntax."""
    synonyms = synonym_map()
    concepts: list[Concept] = []
    seen: set[str] = set()
    for run in _TOKEN.findall(clean_query(query)):
        words = list(jieba.cut(run)) if _HAS_HAN.search(run) else [run]
        for word in _clean_tokens(words):
            if word in seen or word in STOP_WORDS:
                continue
            seen.add(word)
            concepts.append(Concept(word, synonyms.get(word, (word,))))
    return concepts[:MAX_CONCEPTS]


def _fts_expression(tokens: Iterable[str]) -> str:
    return " OR ".join(f'"{t}"' for t in tokens)


def _tsquery(tokens: Iterable[str]) -> str:
    return " | ".join(f"'{t}'" for t in tokens)


def _candidate_ids(kind: str, tokens: list[str]) -> list[int]:
    """The documents that contain any token, read on their own first: as a subquery of the
    document query SQLite re-reads the full-text match per row (0.3 s at 1,500 articles)."""
    with connection.cursor() as cursor:
        if _vendor() == "postgresql":
            cursor.execute(
                "SELECT id FROM core_searchdocument, CAST(%s AS tsquery) q WHERE kind = %s AND tsv @@ q "
                "ORDER BY ts_rank(tsv, q) DESC, id DESC LIMIT %s",
                [_tsquery(tokens), kind, CANDIDATE_LIMIT],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s ORDER BY rank LIMIT %s",
                [_fts_expression(tokens), CANDIDATE_LIMIT],
            )
        return [row[0] for row in cursor.fetchall()]


def _document_frequencies(kind: str, tokens: list[str]) -> dict[str, int]:
    if not tokens:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for i, token in enumerate(tokens):
        if _vendor() == "postgresql":
            parts.append(f"SELECT {i}, count(*) FROM core_searchdocument WHERE kind = %s AND tsv @@ %s::tsquery")
            params += [kind, _tsquery([token])]
        else:
            # The full-text match runs once as a subquery; a join would let SQLite run it per document.
            parts.append(
                f"SELECT {i}, count(*) FROM core_searchdocument WHERE kind = %s AND id IN "
                "(SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s)"
            )
            params += [kind, _fts_expression([token])]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {tokens[i]: n for i, n in cursor.fetchall()}


def _expand_unknown(kind: str, concepts: list[Concept]) -> tuple[list[Concept], dict[str, int]]:
    """A word no document has (nor its synonyms) is searched by its characters instead."""
    tokens = list(dict.fromkeys(t for c in concepts for t in c.alternatives))
    df = _document_frequencies(kind, tokens)
    out: list[Concept] = []
    extra: list[str] = []
    for concept in concepts:
        if any(df.get(t) for t in concept.alternatives) or not _HAN_ONLY.match(concept.word) or len(concept.word) < 2:
            out.append(concept)
            continue
        for ch in dict.fromkeys(concept.word):
            if ch not in STOP_WORDS:
                out.append(Concept(ch, (ch,), CHARACTER_WEIGHT))
                extra.append(ch)
    df.update(_document_frequencies(kind, [t for t in dict.fromkeys(extra) if t not in df]))
    return out, df


def search_ranked(
    *,
    kind: str,
    query: str | None,
    restrict: Any = None,
    product_model_id: int | None = None,
    product_category_id: int | None = None,
    limit: int = 50,
) -> list[Hit]:
    """The records of ``kind`` that match ``query``, best first (BM25 with the title boost,
    synonyms at a lower weight, unknown words by their characters, the product boost).
    ``restrict`` is a queryset of the records the caller may show (its scoping), or their ids:
    nothing else is ranked or returned. Any text is a valid query; one without words answers []."""
    from core.models import SearchDocument

    concepts = query_concepts(query)
    if not concepts:
        return []
    concepts, df = _expand_unknown(kind, concepts)
    tokens = [t for c in concepts for t in c.alternatives if df.get(t)]
    if not tokens:
        return []
    stats = SearchDocument.objects.filter(kind=kind).aggregate(n=Count("pk"), avg=Avg("length"))
    total = stats["n"] or 1
    avgdl = float(stats["avg"] or 1.0) or 1.0
    candidates = _candidate_ids(kind, list(dict.fromkeys(tokens)))
    if not candidates:
        return []
    rows = list(
        SearchDocument.objects.filter(kind=kind, pk__in=candidates).values_list(
            "object_id", "title", "body", "length", "product_model_id", "product_category_id"
        )
    )
    if restrict is not None:
        # The scope is applied to the candidates' ids, not joined into the document query: as a
        # subquery there SQLite walks every record of the scope first (160 ms at 3,000 articles
        # instead of 2 ms).
        if isinstance(restrict, QuerySet):
            allowed = set(restrict.filter(pk__in=[row[0] for row in rows]).values_list("pk", flat=True))
        else:
            allowed = set(restrict)
        rows = [row for row in rows if row[0] in allowed]
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    hits: list[Hit] = []
    for object_id, title, body, length, model_id, category_id in rows:
        title_tf = _counts(title)
        body_tf = _counts(body)
        norm = K1 * (1 - B + B * (length or 1) / avgdl)
        score = 0.0
        matched: list[str] = []
        for concept in concepts:
            best = 0.0
            best_term = ""
            for i, term in enumerate(concept.alternatives):
                tf = body_tf.get(term, 0) + TITLE_BOOST * title_tf.get(term, 0)
                if not tf:
                    continue
                value = idf.get(term, 0.0) * tf * (K1 + 1) / (tf + norm) * (1.0 if i == 0 else SYNONYM_WEIGHT)
                if value > best:
                    best, best_term = value, term
            if best_term:
                score += best * concept.weight
                matched.append(best_term)
        if not score:
            continue
        if product_model_id and model_id == product_model_id:
            score *= PRODUCT_MODEL_BOOST
        elif product_category_id and category_id == product_category_id:
            score *= PRODUCT_CATEGORY_BOOST
        hits.append(Hit(object_id=object_id, score=round(score, 4), matched=list(dict.fromkeys(matched))))
    hits.sort(key=lambda h: (-h.score, -h.object_id))
    return hits[:limit]


def _counts(tokens: str) -> dict[str, int]:
    return Counter(tokens.split())  # counted in C: the ranking's inner loop


def highlight(text: str | None, terms: Iterable[str], *, width: int = 90) -> SafeString:
    """A snippet of ``text`` around the first matched term, HTML-escaped, the terms in <mark>."""
    text = _SPACE.sub(" ", text or "").strip()
    words = sorted({t for t in terms if t and (not _LATIN.match(t) or len(t) > 2)}, key=len, reverse=True)
    words = [w for w in words if w.lower() in text.lower()]
    if not words:
        snippet = text[:width] + ("…" if len(text) > width else "")
        return mark_safe(escape(snippet))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    out: list[str] = ["…" if start else ""]
    pos = 0
    for match in pattern.finditer(piece):
        out.append(escape(piece[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(piece[pos:]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))
