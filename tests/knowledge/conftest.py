"""Knowledge fixtures: published cases written through the services (a director reviews and
publishes what an agent wrote), an internal and a public one."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge import services
from knowledge.models import Article


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted by their English msgids (zh-hans is the project default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en


@pytest.fixture
def publish(agent: Any, director: Any) -> Any:
    def make(**fields: Any) -> Article:
        article = services.article_create(acting_user=agent, **fields)
        article = services.article_transition(article=article, acting_user=director, action="review")
        return services.article_transition(article=article, acting_user=director, action="publish")

    return make


@pytest.fixture
def internal_case(publish: Any, product_model: Any) -> Article:
    return publish(
        title="电脑频繁蓝屏重启",
        symptom="开机后使用十几分钟出现系统崩溃，屏幕显示错误代码后自动重启。",
        cause="内存条接触不良或显卡驱动冲突。",
        solution="重新插拔内存条并清理金手指；卸载并重装显卡驱动。",
        steps="断电拆机\n清理内存金手指\n重装驱动",
        audience="internal",
        product_model=product_model,
    )


@pytest.fixture
def public_faq(publish: Any) -> Article:
    return publish(
        kind="faq",
        title="空调遥控器没反应怎么办",
        symptom="按遥控器空调没有任何反应，屏幕不亮。",
        solution="更换两节7号电池；对准空调接收窗再按；仍无效请报修。",
        audience="public",
    )


@pytest.fixture
def completed_order(
    agent: Any, director: Any, technician: Any, qc_inspector: Any, customer_a: Any, product_model: Any
) -> Any:
    """An order of customer A (station A's area) repaired on site and signed off."""
    from workorders.services import workorder_create, workorder_transition

    order = workorder_create(
        acting_user=agent,
        customer=customer_a,
        service_type="repair",
        channel="phone",
        description="电脑一开机就蓝屏，然后自己重启",
        product_model=product_model,
    )
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="assign", acting_user=director, data={"technician": technician.pk})
    order = workorder_transition(order=order, action="start", acting_user=technician)
    order = workorder_transition(
        order=order, action="submit_qc", acting_user=technician, data={"note": "重新插拔内存条，蓝屏消失"}
    )
    order = workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector)
    return workorder_transition(
        order=order, action="sign_off", acting_user=None, by_customer=True, data={"signer_name": "王先生"}
    )


@pytest.fixture
def open_order(agent: Any, customer_a: Any, product_model: Any) -> Any:
    from workorders.services import workorder_create

    return workorder_create(
        acting_user=agent,
        customer=customer_a,
        service_type="repair",
        channel="phone",
        description="用了一会儿电脑就系统崩溃重启",
        product_model=product_model,
    )
