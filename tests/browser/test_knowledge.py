"""Knowledge base in a real browser: the agent types a fault description on the intake form and
sees matching cases (htmx) with the matched words marked; the public FAQ on a phone, no sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from knowledge import services

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE_SCREEN = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _publish(agent: Any, director: Any, **fields: Any) -> Any:
    article = services.article_create(acting_user=agent, **fields)
    article = services.article_transition(article=article, acting_user=director, action="review")
    return services.article_transition(article=article, acting_user=director, action="publish")


def test_agent_sees_suggestions_while_typing_the_description(page: Page, login: Any, agent: Any, director: Any) -> None:
    case = _publish(
        agent,
        director,
        title="冰箱冷藏室不制冷",
        symptom="冷藏室温度很高，食物变质。",
        solution="检查化霜加热器，更换冷藏风机。",
        audience="internal",
    )
    login(page, agent)
    page.goto("/work-orders/register/")
    page.wait_for_load_state()
    box = page.locator("#knowledge-suggestion-box")
    expect(box).to_be_visible()
    page.locator("#id_description").press_sequentially("冰箱不冷了，菜都坏了", delay=20)
    link = box.locator(f"a[href='/knowledge/{case.pk}/']")
    expect(link).to_be_visible()
    expect(link).to_contain_text("冰箱冷藏室不制冷")
    expect(box.locator("mark").first).to_be_visible()  # the matched words, explained


def test_public_faq_on_a_phone(new_context: Any, agent: Any, director: Any) -> None:
    faq = _publish(
        agent,
        director,
        kind="faq",
        title="空调遥控器没反应怎么办",
        symptom="按遥控器空调没有反应。",
        solution="更换两节7号电池，对准接收窗再按。",
        audience="public",
    )
    _publish(
        agent,
        director,
        title="空调压缩机内部检修",
        symptom="遥控器正常但压缩机不启动",
        solution="更换启动电容",
        audience="internal",
    )
    phone = new_context(**PHONE_SCREEN)
    phone.goto("/s/request/")
    phone.locator("#faq-link").click()
    expect(phone).to_have_url(re.compile(r"/s/faq/$"))
    phone.locator("#faq-search input[name=q]").fill("遥控板按了没用")
    phone.locator("#faq-search button").click()
    items = phone.locator("#faq-list a")
    expect(items).to_have_count(1)  # the internal case is not shown to the public
    expect(items.first).to_contain_text("空调遥控器没反应怎么办")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    items.first.click()
    expect(phone.locator("#faq-title")).to_have_text(faq.title)
    phone.locator("#faq-helped").click()
    expect(phone.locator("#faq-thanks")).to_be_visible()
    faq.refresh_from_db()
    assert faq.helpful_count == 1
