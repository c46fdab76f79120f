"""core.search on both databases: segmentation, synonyms, pinyin, BM25 ranking with the title and
product boosts, highlighted snippets, the index kept in step, and any query answered normally."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from core.models import SearchDocument, SynonymGroup
from core.search import highlight, index_document, query_concepts, search_ranked, unindex_document

KIND = "test.doc"

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs() -> dict[str, int]:
    texts = {
        1: ("电脑蓝屏", "系统崩溃后自动重启，内存条松动"),
        2: ("冰箱不制冷", "压缩机不启动，冷藏室温度升高"),
        3: ("空调遥控器失灵", "更换电池后遥控板仍无反应"),
        4: ("路由器断网", "双绞线水晶头氧化，更换网线后恢复"),
        5: ("洗衣机漏水", "进水管接头渗水，更换密封圈"),
    }
    for pk, (title, body) in texts.items():
        index_document(kind=KIND, object_id=pk, title=title, body=[body])
    return {title: pk for pk, (title, _b) in texts.items()}


def ids(query: str, **kw: Any) -> list[int]:
    return [h.object_id for h in search_ranked(kind=KIND, query=query, **kw)]


def test_seeded_vocabulary_has_forty_groups() -> None:
    assert SynonymGroup.objects.count() >= 40
    assert any("死机" in g.term_list() and "卡死" in g.term_list() for g in SynonymGroup.objects.all())


def test_customer_words_find_the_technicians_case(docs: dict[str, int]) -> None:
    assert ids("冰箱不冷了")[0] == docs["冰箱不制冷"]
    assert ids("一开机就蓝屏")[0] == docs["电脑蓝屏"]
    assert ids("系统崩溃")[0] == docs["电脑蓝屏"]
    assert ids("遥控板没反应")[0] == docs["空调遥控器失灵"]
    assert ids("网线坏了")[0] == docs["路由器断网"]


def test_pinyin_and_initials(docs: dict[str, int]) -> None:
    assert ids("lanping")[0] == docs["电脑蓝屏"]
    assert ids("xyjls")[0] == docs["洗衣机漏水"]  # initials of the title


def test_title_boost_and_product_boost() -> None:
    index_document(kind=KIND, object_id=10, title="漏水", body=["说明"], product_model_id=7)
    index_document(kind=KIND, object_id=11, title="说明", body=["漏水"], product_model_id=8)
    assert ids("漏水") == [10, 11]
    assert ids("说明", product_model_id=8)[0] == 11


def test_unknown_word_falls_back_to_characters(docs: dict[str, int]) -> None:
    assert docs["冰箱不制冷"] in ids("冷藏温")


def test_restrict_and_matched_words(docs: dict[str, int]) -> None:
    hits = search_ranked(kind=KIND, query="渗水", restrict=[docs["洗衣机漏水"]])
    assert [h.object_id for h in hits] == [docs["洗衣机漏水"]]
    assert "漏水" in hits[0].matched or "渗水" in hits[0].matched
    assert ids("渗水", restrict=[docs["电脑蓝屏"]]) == []


def test_index_follows_writes(docs: dict[str, int]) -> None:
    index_document(kind=KIND, object_id=docs["电脑蓝屏"], title="显示器黑屏", body=["背光坏"])
    assert docs["电脑蓝屏"] not in ids("内存条")
    assert ids("黑屏") == [docs["电脑蓝屏"]]
    unindex_document(kind=KIND, object_id=docs["电脑蓝屏"])
    assert ids("黑屏") == []


def test_rebuild_command_restores_the_index(docs: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE core_searchdocument SET tsv = NULL")
        else:
            cursor.execute("DELETE FROM core_search_fts")
    assert ids("蓝屏") == []
    call_command("search_reindex", "--from-documents")
    assert ids("蓝屏") == [docs["电脑蓝屏"]]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 1000,
        "蓝" * 1000,
        "！！！。。。，，，???",
        "😀🔥💻",
        "'; DROP TABLE core_searchdocument; --",
        '"蓝屏',
        "蓝屏*",
        "NEAR(蓝屏 重启)",
        "蓝屏 OR 重启 AND NOT",
        "title:蓝屏 ^ - + ( ) { } :",
        "\x00\x01",
        "' | & ! :*",
    ],
)
def test_any_query_answers_normally(docs: dict[str, int], query: str) -> None:
    result = search_ranked(kind=KIND, query=query)
    assert isinstance(result, list)
    assert SearchDocument.objects.filter(kind=KIND).count() == len(docs)


def test_fts_syntax_words_are_plain_words(docs: dict[str, int]) -> None:
    assert ids('"蓝屏" OR NEAR') == [docs["电脑蓝屏"]]


def test_stop_words_only_is_no_query() -> None:
    assert query_concepts("我的 了 吗 怎么办") == []


def test_highlight_escapes_html() -> None:
    text = "<script>alert(1)</script> 电脑蓝屏后重启"
    snippet = highlight(text, ["蓝屏"])
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>蓝屏</mark>" in snippet


def test_synonym_edit_counts_at_once(docs: dict[str, int]) -> None:
    before = search_ranked(kind=KIND, query="冒水")
    assert all("漏水" not in h.matched for h in before)  # only the character 水 matched
    SynonymGroup.objects.create(terms="冒水/漏水")
    after = search_ranked(kind=KIND, query="冒水")
    assert after[0].object_id == docs["洗衣机漏水"]
    assert "漏水" in after[0].matched


def test_the_order_list_search_knows_the_synonyms(agent: Any, customer_a: Any) -> None:
    """core.search.apply_search (the lists of orders, customers and devices): a word finds its
    synonyms too, every word must still match, and numbers still match in part."""
    from workorders.models import WorkOrder
    from workorders.services import workorder_create

    leak = workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="洗衣机底部渗水"
    )
    other = workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="电脑蓝屏"
    )
    from core.search import apply_search

    def found(q: str) -> set[int]:
        return set(apply_search(WorkOrder.objects.all(), q).values_list("pk", flat=True))

    assert found("漏水") == {leak.pk}
    assert found("洗衣机 漏水") == {leak.pk}
    assert found("系统崩溃") == {other.pk}
    assert found("冰箱 漏水") == set()
    assert found(leak.number[-4:]) >= {leak.pk}
    assert found("38000") == {leak.pk, other.pk}  # the contact phone 13800138000, in part
