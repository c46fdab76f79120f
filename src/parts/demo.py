"""Demo content for the parts app: warehouses of every kind tied to the demo's units, a catalogue of
genuine parts fitted to the demo's product models, stock received through the ledger, a van for
each technician, and a small pool of spare units. Idempotent: a second call adds nothing.

Called by the demo loader (``parts.demo.load_demo_parts()``); it writes only through the parts
services, so balances and ledger agree."""

from __future__ import annotations

from typing import Any

from django.db import transaction

#: (code, name, unit of measure); each fits every demo product model
DEMO_PARTS: tuple[tuple[str, str, str], ...] = (
    ("BAT-48V20AH", "48V20Ah 锂电池组", "块"),
    ("CHG-48V", "48V 智能充电器", "个"),
    ("CTL-48V350W", "48V350W 无刷控制器", "个"),
    ("MTR-350W", "350W 轮毂电机", "台"),
    ("BRK-PAD-F", "前碟刹片", "副"),
    ("TYR-14X2.5", "14×2.5 真空胎", "条"),
    ("LGT-LED-F", "LED 前大灯总成", "个"),
    ("DSP-LCD", "液晶仪表", "个"),
    ("CBL-CHG", "充电器输出线", "根"),
    ("KEY-SET", "电门锁（含钥匙）", "套"),
)

#: Distribution centres of the seeds (北京, 杭州, 深圳).
CENTRES = (("DC-BJ", "北京分发中心"), ("DC-HZ", "杭州分发中心"), ("DC-SZ", "深圳分发中心"))


@transaction.atomic
def load_demo_parts() -> dict[str, int]:
    """Create the demo's parts, warehouses, stock and spare units; returns what was created."""
    from django.contrib.auth import get_user_model

    from catalog.models import ProductModel
    from core.choices import Role, UnitKind
    from core.models import OrgUnit
    from parts import services
    from parts.choices import WarehouseKind
    from parts.models import Loaner, Part, Warehouse

    created = {"parts": 0, "warehouses": 0, "moves": 0, "loaners": 0}
    models = list(ProductModel.objects.order_by("code"))
    for code, name, uom in DEMO_PARTS:
        if Part.objects.filter(code=code).exists():
            continue
        services.part_create(acting_user=None, code=code, name=name, uom=uom, product_models=models)
        created["parts"] += 1

    def warehouse(code: str, name: str, kind: str, unit: Any, technician: Any = None) -> Any:
        found = Warehouse.objects.filter(code=code).first()
        if found is not None:
            return None
        created["warehouses"] += 1
        return services.warehouse_create(
            acting_user=None, code=code, name=name, kind=kind, unit=unit, technician=technician
        )

    hq = OrgUnit.objects.filter(kind=UnitKind.HQ).order_by("id").first()
    if hq is None:
        return created
    fresh = [warehouse("HQ-MAIN", "总部中心备件库", WarehouseKind.HQ, hq)]
    fresh += [warehouse(code, name, WarehouseKind.CENTRE, hq) for code, name in CENTRES]
    for unit in OrgUnit.objects.filter(kind=UnitKind.CENTRE).order_by("code"):
        fresh.append(warehouse(f"DEP-{unit.code}", f"{unit.name}城市备件库", WarehouseKind.DEPOT, unit))
    for unit in OrgUnit.objects.filter(kind=UnitKind.STATION).order_by("code"):
        fresh.append(warehouse(f"ST-{unit.code}", f"{unit.name}备件库", WarehouseKind.STATION, unit))
    technicians = get_user_model().objects.filter(groups__name=Role.TECHNICIAN, profile__isnull=False).distinct()
    for technician in technicians.select_related("profile__unit").order_by("username"):
        fresh.append(
            warehouse(
                f"VAN-{technician.username}"[:32],
                f"{technician.get_full_name() or technician.username} 的工程车",
                WarehouseKind.VAN,
                technician.profile.unit,
                technician,
            )
        )

    parts = list(Part.objects.filter(code__in=[code for code, _name, _uom in DEMO_PARTS]).order_by("code"))
    quantities = {WarehouseKind.HQ: 200, WarehouseKind.CENTRE: 60, WarehouseKind.DEPOT: 20, WarehouseKind.STATION: 6}
    for target in (w for w in fresh if w is not None):
        for index, part in enumerate(parts):
            quantity = quantities.get(target.kind, 2 if index % 3 == 0 else 0)
            if quantity:
                services.stock_move(
                    acting_user=None, kind="receive", part=part, warehouse=target, quantity=quantity, note="期初库存"
                )
                created["moves"] += 1
    # One station runs low on batteries: the stock page's "nothing available" filter shows it.
    station = next((w for w in fresh if w is not None and w.kind == WarehouseKind.STATION), None)
    battery = next((p for p in parts if p.code == "BAT-48V20AH"), None)
    if station is not None and battery is not None:
        services.stock_move(
            acting_user=None, kind="adjust", part=battery, warehouse=station, quantity=-6, note="盘点：电池借出未还"
        )
        created["moves"] += 1

    for unit in OrgUnit.objects.filter(kind=UnitKind.STATION).order_by("code")[:3]:
        for number, model in enumerate(models[:2], start=1):
            serial = f"LOAN-{unit.code}-{number:02d}"[:64]
            if not Loaner.objects.filter(serial_number=serial).exists():
                services.loaner_create(acting_user=None, serial_number=serial, product_model=model, unit=unit)
                created["loaners"] += 1
    return created
