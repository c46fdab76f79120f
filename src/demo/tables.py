"""The demo content: organisation, staff, places, product lines, faults and service texts.

Chinese on purpose — it is what users of the product type. Product lines and their rules come
from the seed documents: e-bikes (seed 000 第二篇), computers, H3C-like network gear with a
3-year hardware warranty, cash-sorting machines with 36 months counted from acceptance and the
counterfeit-note claim conditions (seed 004), GPS terminals, home appliances (seed 001).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.choices import Role, UnitKind

PASSWORD = "demo-pass-2026"


def demo_authenticator_key(username: str) -> str:
    """The demo authenticator's secret of ``username`` (hex, 20 bytes): fixed, so that a visitor
    who added it to a phone keeps it across reloads of the demo. Demo data only, like PASSWORD."""
    import hashlib

    return hashlib.sha1(f"aftersales-demo-totp:{username}".encode()).hexdigest()


# --- organisation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    phone: str
    address: str
    regions: tuple[tuple[str, str], ...] = ()


HQ_CODE = "HQ"

UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(HQ_CODE, "总部售后服务中心", UnitKind.HQ, None, "400-820-2026", "浙江省杭州市滨江区江南大道3888号"),
    UnitSpec(
        "HZ",
        "杭州服务中心",
        UnitKind.CENTRE,
        HQ_CODE,
        "0571-88012026",
        "杭州市拱墅区莫干山路238号",
        (("3301", "杭州市"),),
    ),
    UnitSpec(
        "BJ", "北京服务中心", UnitKind.CENTRE, HQ_CODE, "010-62012026", "北京市朝阳区酒仙桥路10号", (("11", "北京市"),)
    ),
    UnitSpec(
        "GZ",
        "广州服务中心",
        UnitKind.CENTRE,
        HQ_CODE,
        "020-38012026",
        "广州市越秀区环市东路368号",
        (("4401", "广州市"),),
    ),
    UnitSpec(
        "ZZ",
        "郑州服务中心",
        UnitKind.CENTRE,
        HQ_CODE,
        "0371-65012026",
        "郑州市中原区建设西路66号",
        (("4101", "郑州市"),),
    ),
    UnitSpec(
        "CD",
        "成都服务中心",
        UnitKind.CENTRE,
        HQ_CODE,
        "028-85012026",
        "成都市青羊区清江东路99号",
        (("5101", "成都市"),),
    ),
    UnitSpec(
        "HZ-XH",
        "西湖特约维修站",
        UnitKind.STATION,
        "HZ",
        "0571-87652026",
        "杭州市西湖区文二路188号",
        (("330106", "西湖区"),),
    ),
    UnitSpec(
        "HZ-BJ",
        "滨江特约维修站",
        UnitKind.STATION,
        "HZ",
        "0571-86692026",
        "杭州市滨江区滨盛路1505号",
        (("330108", "滨江区"),),
    ),
    UnitSpec(
        "BJ-HD",
        "北京海淀特约维修站",
        UnitKind.STATION,
        "BJ",
        "010-82652026",
        "北京市海淀区知春路56号",
        (("110108", "海淀区"),),
    ),
    UnitSpec(
        "BJ-CY",
        "北京朝阳特约维修站",
        UnitKind.STATION,
        "BJ",
        "010-84762026",
        "北京市朝阳区望京街9号",
        (("110105", "朝阳区"),),
    ),
    UnitSpec(
        "GZ-TH",
        "天河特约维修站",
        UnitKind.STATION,
        "GZ",
        "020-87562026",
        "广州市天河区体育西路111号",
        (("440106", "天河区"),),
    ),
    UnitSpec(
        "ZZ-JS",
        "金水特约维修站",
        UnitKind.STATION,
        "ZZ",
        "0371-63892026",
        "郑州市金水区经三路15号",
        (("410105", "金水区"),),
    ),
    UnitSpec(
        "CD-WH",
        "武侯特约维修站",
        UnitKind.STATION,
        "CD",
        "028-85592026",
        "成都市武侯区科华北路62号",
        (("510107", "武侯区"),),
    ),
)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    unit: str
    full_name: str
    featured: bool = False  # one memorable login per role, listed first by demo_logins
    remote: bool = False  # works from the remote support centre (7×24 hotline engineers)


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("agent", Role.AGENT, HQ_CODE, "陈晓燕", featured=True),
    StaffSpec("dispatcher", Role.DISPATCHER, HQ_CODE, "赵磊", featured=True),
    StaffSpec("technician", Role.TECHNICIAN, "HZ", "李志强", featured=True),
    StaffSpec("qc", Role.QC_INSPECTOR, HQ_CODE, "周建华", featured=True),
    StaffSpec("director", Role.DIRECTOR, HQ_CODE, "王建国", featured=True),
    StaffSpec("finance", Role.FINANCE, HQ_CODE, "吴敏", featured=True),
    StaffSpec("parts", Role.PARTS_CLERK, HQ_CODE, "郑伟", featured=True),
    StaffSpec("station", Role.STATION, "HZ-XH", "钱海燕", featured=True),
    StaffSpec("admin", Role.ADMIN, HQ_CODE, "系统管理员", featured=True),
    StaffSpec("agent_liu", Role.AGENT, HQ_CODE, "刘婷"),
    StaffSpec("agent_sun", Role.AGENT, HQ_CODE, "孙佳怡"),
    StaffSpec("remote_ma", Role.TECHNICIAN, HQ_CODE, "马骏", remote=True),
    StaffSpec("remote_he", Role.TECHNICIAN, HQ_CODE, "何思远", remote=True),
    StaffSpec("tech_hz_2", Role.TECHNICIAN, "HZ", "徐浩然"),
    StaffSpec("tech_hz_3", Role.TECHNICIAN, "HZ", "沈一鸣"),
    StaffSpec("dispatcher_bj", Role.DISPATCHER, "BJ", "高建军"),
    StaffSpec("qc_bj", Role.QC_INSPECTOR, "BJ", "韩雪梅"),
    StaffSpec("tech_bj_1", Role.TECHNICIAN, "BJ", "张国强"),
    StaffSpec("tech_bj_2", Role.TECHNICIAN, "BJ", "杨晓东"),
    StaffSpec("tech_bj_3", Role.TECHNICIAN, "BJ", "曹永刚"),
    StaffSpec("dispatcher_gz", Role.DISPATCHER, "GZ", "梁嘉欣"),
    StaffSpec("qc_gz", Role.QC_INSPECTOR, "GZ", "黄伟文"),
    StaffSpec("tech_gz_1", Role.TECHNICIAN, "GZ", "林俊杰"),
    StaffSpec("tech_gz_2", Role.TECHNICIAN, "GZ", "谢家豪"),
    StaffSpec("tech_gz_3", Role.TECHNICIAN, "GZ", "罗志明"),
    StaffSpec("dispatcher_zz", Role.DISPATCHER, "ZZ", "郭丽华"),
    StaffSpec("qc_zz", Role.QC_INSPECTOR, "ZZ", "司马超"),
    StaffSpec("tech_zz_1", Role.TECHNICIAN, "ZZ", "牛红军"),
    StaffSpec("tech_zz_2", Role.TECHNICIAN, "ZZ", "裴振宇"),
    StaffSpec("tech_zz_3", Role.TECHNICIAN, "ZZ", "段鹏飞"),
    StaffSpec("dispatcher_cd", Role.DISPATCHER, "CD", "邓春梅"),
    StaffSpec("qc_cd", Role.QC_INSPECTOR, "CD", "蒲晓燕"),
    StaffSpec("tech_cd_1", Role.TECHNICIAN, "CD", "彭宇轩"),
    StaffSpec("tech_cd_2", Role.TECHNICIAN, "CD", "曾涛"),
    StaffSpec("tech_cd_3", Role.TECHNICIAN, "CD", "袁斌"),
    StaffSpec("station_hzbj", Role.STATION, "HZ-BJ", "方晓丽"),
    StaffSpec("station_bjhd", Role.STATION, "BJ-HD", "孟凡东"),
    StaffSpec("station_bjcy", Role.STATION, "BJ-CY", "董文静"),
    StaffSpec("station_gzth", Role.STATION, "GZ-TH", "陈家明"),
    StaffSpec("station_zzjs", Role.STATION, "ZZ-JS", "王桂英"),
    StaffSpec("station_cdwh", Role.STATION, "CD-WH", "廖勇"),
    StaffSpec("tech_hzxh", Role.TECHNICIAN, "HZ-XH", "叶子豪"),
    StaffSpec("tech_hzbj", Role.TECHNICIAN, "HZ-BJ", "金涛"),
    StaffSpec("tech_bjhd", Role.TECHNICIAN, "BJ-HD", "石磊"),
    StaffSpec("tech_bjcy", Role.TECHNICIAN, "BJ-CY", "贾宏伟"),
    StaffSpec("tech_gzth", Role.TECHNICIAN, "GZ-TH", "冯志华"),
    StaffSpec("tech_zzjs", Role.TECHNICIAN, "ZZ-JS", "常振华"),
    StaffSpec("tech_cdwh", Role.TECHNICIAN, "CD-WH", "唐浩"),
)

ROLE_NAMES_ZH: dict[str, str] = {
    Role.AGENT: "客服人员",
    Role.DISPATCHER: "调度",
    Role.TECHNICIAN: "技术人员",
    Role.QC_INSPECTOR: "质检人员",
    Role.DIRECTOR: "售后服务中心主任",
    Role.FINANCE: "行政财务部",
    Role.PARTS_CLERK: "零配件中心",
    Role.STATION: "特约维修站",
    Role.ADMIN: "系统管理员",
}

# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    short: str  # 杭州
    prefix: str  # how addresses start: 浙江省杭州市 / 北京市
    area_code: str  # landline prefix
    districts: dict[str, tuple[str, ...]]  # district → roads
    weight: int  # share of customers
    covered: bool = True  # a service centre covers it; otherwise HQ is the fallback


CITIES: tuple[City, ...] = (
    City(
        "杭州",
        "浙江省杭州市",
        "0571",
        {
            "西湖区": ("文三路", "文二路", "天目山路", "古墩路", "教工路", "学院路"),
            "滨江区": ("江南大道", "滨盛路", "长河路", "网商路"),
            "上城区": ("解放路", "庆春路", "望江路"),
            "拱墅区": ("莫干山路", "湖墅南路", "上塘路"),
            "余杭区": ("文一西路", "五常大道"),
        },
        30,
    ),
    City(
        "北京",
        "北京市",
        "010",
        {
            "海淀区": ("中关村大街", "知春路", "学院路", "北四环西路", "西三环北路"),
            "朝阳区": ("建国路", "朝阳北路", "望京街", "酒仙桥路"),
            "东城区": ("东直门南大街", "王府井大街"),
            "西城区": ("金融大街", "西单北大街"),
            "丰台区": ("南三环西路", "丰台北路"),
        },
        24,
    ),
    City(
        "广州",
        "广东省广州市",
        "020",
        {
            "天河区": ("天河路", "体育西路", "中山大道西", "华夏路"),
            "越秀区": ("环市东路", "中山五路", "东风中路"),
            "海珠区": ("新港中路", "江南大道中"),
            "番禺区": ("市桥街", "迎宾路"),
        },
        16,
    ),
    City(
        "郑州",
        "河南省郑州市",
        "0371",
        {
            "金水区": ("花园路", "经三路", "农业路", "文化路"),
            "中原区": ("建设西路", "中原路"),
            "二七区": ("大学路", "航海中路"),
            "管城回族区": ("紫荆山路", "城东路"),
        },
        12,
    ),
    City(
        "成都",
        "四川省成都市",
        "028",
        {
            "武侯区": ("人民南路四段", "科华北路", "武侯祠大街"),
            "锦江区": ("春熙路南段", "东大街"),
            "青羊区": ("人民中路一段", "清江东路"),
            "成华区": ("建设北路二段", "二环路东二段"),
        },
        12,
    ),
    City("上海", "上海市", "021", {"浦东新区": ("张江路", "世纪大道")}, 3, covered=False),
    City("宁波", "浙江省宁波市", "0574", {"鄞州区": ("天童南路", "钱湖北路")}, 3, covered=False),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN_NAMES = _words(
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 文 华 金凤 志强 海燕 晓东 雪梅 "
    "子涵 浩然 宇轩 欣怡 梓萱 俊杰 思远 佳琪 一鸣 婷婷 建国 丽华 国强 晓燕 春梅 永刚 红霞 美玲 立新 玉兰 志刚 慧敏 "
    "家乐 雨桐 嘉怡 振东 德明 淑珍 少华 宏伟 文博 梦瑶"
)
MOBILE_PREFIXES = _words(
    "138 139 136 137 135 150 151 152 158 159 186 187 188 189 177 199 133 153 180 181 182 183 170 173 176 185"
)

# --- organisation customers ------------------------------------------------------------------

BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "邮储银行")
CITY_BANKS = {"杭州": "杭州银行", "北京": "北京银行", "广州": "广州农商银行", "郑州": "郑州银行", "成都": "成都银行"}
COMPANY_WORDS = (
    "恒信",
    "华联",
    "安达",
    "鼎盛",
    "明远",
    "致远",
    "瑞丰",
    "天成",
    "博远",
    "嘉禾",
    "宏图",
    "新锐",
    "云帆",
    "启航",
)
COMPANY_KINDS = ("科技有限公司", "信息技术有限公司", "商贸有限公司", "建设工程有限公司", "设计咨询有限公司")
LOGISTICS_KINDS = ("物流有限公司", "出租汽车有限公司", "货运有限公司", "冷链物流有限公司", "客运有限公司")
CONTACT_TITLES = {
    "bank": ("运营主管", "现金中心主任", "科技部工程师", "网点负责人"),
    "school": ("信息中心主任", "总务处老师", "电教管理员"),
    "hospital": ("信息科工程师", "设备科科长", "后勤主任"),
    "company": ("IT 主管", "行政经理", "网络管理员"),
    "logistics": ("车队队长", "调度主管", "安全管理员"),
}
TAGS = {
    "person": ("", "", "", "老客户", "VIP", "多次报修"),
    "bank": ("维保合同", "重点客户", "维保合同,重点客户"),
    "school": ("维保合同", "", "教育行业"),
    "hospital": ("维保合同", "重点客户", "医疗行业"),
    "company": ("", "维保合同", "重点客户"),
    "logistics": ("车队客户", "维保合同", ""),
}
SEGMENT_WEIGHTS = {"person": 58, "bank": 12, "school": 8, "hospital": 7, "company": 10, "logistics": 5}
SEGMENT_DEVICE_WEIGHT = {"person": 1.0, "bank": 5.0, "school": 4.0, "hospital": 4.0, "company": 3.0, "logistics": 5.0}

# --- products --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    name: str
    model: str
    price: Decimal
    unit: str = "个"


@dataclass(frozen=True)
class Fault:
    text: str
    work: str  # what the technician reports when sending the order to QC
    parts: tuple[Part, ...] = ()
    urgency: str = "normal"
    remote_fix: str = ""  # set when a phone / remote session usually solves it


@dataclass(frozen=True)
class ModelSpec:
    code: str
    name: str
    serial_prefix: str
    warranty_months: int | None = None  # None: the category's
    main_parts_months: int | None = None
    description: str = ""


@dataclass(frozen=True)
class LineSpec:
    code: str
    name: str
    warranty_months: int
    models: tuple[ModelSpec, ...]
    faults: tuple[Fault, ...]
    type_weights: dict[str, int]
    contents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    firmware: tuple[str, ...] = ()
    installed: bool = False  # installed on site (installation date on the device card)
    acceptance: bool = False  # warranty counts from acceptance (验收合格之日)
    labour: tuple[int, int] = (50, 150)


P = Decimal

EBIKE = LineSpec(
    "EBIKE",
    "电动自行车",
    12,
    (
        ModelSpec("TDR-48V-LI", "TDR 48V 锂电版", "TDR48L", 12, 24, "48V 20Ah 锂电池，整车一年，电机、控制器两年"),
        ModelSpec("TDR-60V-PB", "TDR 60V 铅酸长跑版", "TDR60P", 12, 24, "60V 32Ah 铅酸电池，续航 80 公里"),
        ModelSpec("XG-400", "新国标 XG-400 轻便版", "XG400", 12, 24, "符合 GB17761-2018，最高时速 25km/h"),
    ),
    (
        Fault(
            "充满电后只能跑十几公里，续航明显下降，电池用了一年多。",
            "检测电池组内阻偏高，更换 48V 锂电池组，满电试骑续航正常。",
            (Part("锂电池组", "48V20Ah", P("1280.00"), "组"),),
        ),
        Fault(
            "骑行中突然断电，仪表无显示，重新开锁后能恢复几分钟又断。",
            "电源线插头氧化虚接，重新压接并更换电门锁，路试 10 公里无断电。",
            (Part("电门锁", "DS-12", P("45.00")),),
        ),
        Fault(
            "电机有咔咔异响，起步时明显，爬坡无力。",
            "拆检电机，霍尔元件损坏、齿轮磨损，更换电机齿轮组及霍尔板。",
            (Part("电机齿轮组", "M350-G", P("168.00"), "套"), Part("霍尔板", "H3", P("35.00"))),
        ),
        Fault(
            "充电器指示灯一直红灯不转绿，外壳发烫。",
            "充电器输出电压异常，更换原厂充电器。",
            (Part("充电器", "48V3A", P("158.00")),),
        ),
        Fault(
            "刹车断电功能失灵，捏刹车后电机仍在转，有安全隐患。",
            "刹车断电开关损坏，更换左右刹把断电开关并调整刹车间隙，复测断电正常。",
            (Part("刹把断电开关", "BK-2", P("30.00"), "对"),),
            urgency="safety",
        ),
        Fault(
            "转把失灵，拧到底车速也上不去，最高只有十几公里每小时。",
            "更换调速转把，检查控制器限速线正常。",
            (Part("调速转把", "ZB-48", P("55.00")),),
        ),
        Fault(
            "前大灯和转向灯都不亮，喇叭正常。",
            "灯光线束接头脱落，重新连接并更换闪光器。",
            (Part("闪光器", "SG-48", P("20.00")),),
        ),
        Fault(
            "后轮经常漏气，补过两次胎仍然漏气。",
            "内胎多处老化，更换真空胎及气门嘴。",
            (Part("真空胎", "14×2.5", P("120.00"), "条"),),
        ),
        Fault(
            "昨天雨天骑行后控制器进水，车辆无法启动。",
            "控制器进水烧蚀（人为/环境因素，不在保修范围），经客户确认报价后更换控制器。",
            (Part("控制器", "48V350W", P("260.00")),),
        ),
        Fault(
            "遥控钥匙失灵，防盗器一直报警。",
            "遥控器电池耗尽、防盗器主机受潮，更换防盗器并重新对码。",
            (Part("防盗器", "FD-A8", P("88.00"), "套"),),
            remote_fix="电话指导客户更换遥控器纽扣电池并重新对码，报警解除。",
        ),
        Fault(
            "仪表电量显示不准，显示满电但骑几公里就没电。",
            "电池管理板电压采样异常，更换电池管理板并校准仪表。",
            (Part("电池管理板", "BMS-48", P("150.00")),),
        ),
    ),
    {
        "repair": 70,
        "maintenance": 10,
        "consultation": 8,
        "return": 3,
        "exchange": 4,
        "complaint": 5,
    },
    {
        "maintenance": (
            "年度保养：刹车调整、链条上油、电池容量检测。",
            "换季保养，检查轮胎气压和刹车片磨损。",
        ),
        "consultation": (
            "咨询电池保修期限和更换价格。",
            "咨询新国标车辆上牌需要哪些材料。",
            "发票丢失了，咨询还能不能享受三包保修。",
        ),
        "return": ("购买不到一周，充电后无法启动，要求退货。", "刚买几天电机异响，按三包规定申请退货。"),
        "exchange": ("购买第十天出现断电故障，要求换车。", "新车仪表不显示，申请换货。"),
    },
    segments={"person": 40},
    labour=(30, 80),
)

NOTEBOOK = LineSpec(
    "NOTEBOOK",
    "笔记本电脑",
    12,
    (
        ModelSpec("NB-X14-2023", "X14 商务笔记本 i5/16G/512G", "X14N", 12, 24, "整机保修 1 年，主要部件 2 年"),
        ModelSpec("NB-Y15-PRO", "Y15 Pro 设计本 i7/32G/1T", "Y15P", 12, 24, "整机保修 1 年，主要部件 2 年"),
    ),
    (
        Fault(
            "开机无反应，电源指示灯不亮，换了插座也一样。",
            "主板供电芯片损坏，更换主板，开机自检及拷机 2 小时正常。",
            (Part("主板", "X14-MB", P("1650.00"), "块"),),
        ),
        Fault(
            "屏幕有一条竖线，外接显示器正常。",
            "液晶屏排线接触不良，重新插接后仍有竖线，更换液晶屏。",
            (Part("液晶屏", "14.0 FHD IPS", P("880.00"), "块"),),
        ),
        Fault(
            "键盘部分按键失灵（E、R、T 键），其他键正常。",
            "键盘膜损坏，更换 C 壳键盘总成。",
            (Part("键盘总成", "X14-KB", P("320.00"), "套"),),
        ),
        Fault(
            "电池无法充电，提示“已接通电源，未充电”。",
            "电池循环次数超过 800 次容量衰减，更换电池。",
            (Part("电池", "4 芯 57Wh", P("420.00"), "块"),),
            remote_fix="远程指导客户在电源管理中关闭“电池保养模式”，充电恢复正常。",
        ),
        Fault(
            "运行大型软件时风扇噪音很大，机身烫手，偶尔自动关机。",
            "清理散热模组灰尘，更换硅脂和风扇，满载温度由 98℃ 降至 78℃。",
            (Part("散热风扇", "X14-FAN", P("150.00")),),
        ),
        Fault(
            "无线网络时断时续，同一 Wi-Fi 下其他设备正常。",
            "无线网卡驱动版本过旧，更新驱动并更换天线。",
            (),
            remote_fix="远程更新无线网卡驱动并调整节能设置，连接稳定。",
        ),
        Fault(
            "咖啡洒在键盘上后无法开机。",
            "进水导致主板腐蚀（人为损坏，不在保修范围），客户确认报价后更换主板和键盘。",
            (Part("主板", "X14-MB", P("1650.00"), "块"), Part("键盘总成", "X14-KB", P("320.00"), "套")),
        ),
        Fault(
            "开机蓝屏，提示 CRITICAL_PROCESS_DIED，反复重启。",
            "固态硬盘坏块，更换硬盘并恢复系统，客户数据已备份。",
            (Part("固态硬盘", "512G NVMe", P("460.00"), "块"),),
            remote_fix="远程指导进入安全模式修复系统文件，蓝屏消失。",
        ),
        Fault(
            "屏轴断裂，开合屏幕时有异响。",
            "更换左右屏轴及 A 壳。",
            (Part("屏轴", "X14-HG", P("90.00"), "对"), Part("A 壳", "X14-A", P("260.00"))),
        ),
    ),
    {
        "repair": 62,
        "consultation": 10,
        "technical_guidance": 8,
        "software_upgrade": 5,
        "return": 3,
        "exchange": 4,
        "complaint": 4,
        "training": 4,
    },
    {
        "consultation": ("咨询如何加装内存，是否影响保修。", "咨询主要部件保修两年包含哪些部件。"),
        "technical_guidance": ("指导恢复出厂系统并保留个人文件。", "指导配置双屏显示和投影。"),
        "software_upgrade": ("BIOS 升级，修复睡眠唤醒后黑屏问题。", "升级固件修复电池电量显示异常。"),
        "return": ("购买 5 天，屏幕有坏点，要求退货。",),
        "exchange": ("购买两周内出现花屏，要求换新机。",),
        "training": ("新员工笔记本办公软件及安全使用培训。",),
    },
    segments={"person": 20, "school": 15, "hospital": 10, "company": 35, "logistics": 10},
    firmware=("BIOS 1.12.0", "BIOS 1.15.2", "BIOS 1.18.0"),
    labour=(50, 150),
)

DESKTOP = LineSpec(
    "DESKTOP",
    "台式机",
    12,
    (
        ModelSpec("PC-M720", "M720 商用台式机", "M720", 12, 36, "整机 1 年，主要部件 3 年上门"),
        ModelSpec("PC-A560", "A560 23.8 英寸一体机", "A560", 12, 36, "整机 1 年，主要部件 3 年上门"),
    ),
    (
        Fault(
            "主机开机后风扇转但显示器无信号。",
            "内存条金手指氧化，清洁后重新插拔，更换一条内存。",
            (Part("内存条", "DDR4 8G", P("180.00"), "条"),),
        ),
        Fault(
            "硬盘有异响，系统经常卡死，担心数据丢失。",
            "机械硬盘坏道，更换固态硬盘并迁移数据。",
            (Part("固态硬盘", "512G SATA", P("380.00"), "块"),),
        ),
        Fault(
            "一体机屏幕闪烁，有时黑屏。",
            "屏幕背光板故障，更换背光板。",
            (Part("背光板", "A560-BL", P("260.00"), "块"),),
        ),
        Fault(
            "前置 USB 接口接触不良，U 盘和打印机时有时无。",
            "前置 USB 板损坏，更换前面板 USB 组件。",
            (Part("USB 前面板", "M720-USB", P("60.00")),),
        ),
        Fault(
            "电源有焦糊味，开机即断电。",
            "电源电容鼓包烧毁，更换电源，检查主板无损伤。",
            (Part("电源", "180W", P("220.00")),),
            urgency="safety",
        ),
        Fault(
            "办公电脑运行缓慢，开机要五分钟以上。",
            "清理启动项和病毒，升级内存至 16G。",
            (Part("内存条", "DDR4 8G", P("180.00"), "条"),),
            remote_fix="远程清理启动项并查杀病毒，开机时间恢复到 40 秒。",
        ),
    ),
    {
        "repair": 60,
        "installation": 10,
        "maintenance": 8,
        "consultation": 6,
        "technical_guidance": 6,
        "software_upgrade": 4,
        "complaint": 3,
        "training": 3,
    },
    {
        "installation": ("新购台式机上门装机、联网、安装办公软件。", "机房搬迁，台式机拆装及重新布线调试。"),
        "maintenance": ("按维保合同对办公电脑做半年保养：除尘、系统检查。",),
        "consultation": ("咨询主要部件三年上门保修的范围。",),
        "technical_guidance": ("指导配置网络打印机共享。", "指导设置 BIOS 来电自启动。"),
        "software_upgrade": ("批量升级 BIOS 和芯片组驱动。",),
        "training": ("信息中心人员电脑日常维护培训。",),
    },
    segments={"person": 5, "bank": 20, "school": 35, "hospital": 35, "company": 25, "logistics": 20},
    firmware=("BIOS M1.0.6", "BIOS M1.1.2"),
    installed=True,
    labour=(50, 120),
)

SWITCH = LineSpec(
    "SWITCH",
    "网络交换机/路由器",
    36,
    (
        ModelSpec("HS5130-28P", "HS5130-28P 千兆接入交换机", "219801A1", 36, None, "硬件保修 3 年，7×24 远程支援"),
        ModelSpec("HS6520-26Q", "HS6520-26Q 万兆核心交换机", "219801B7", 36, None, "硬件保修 3 年，备件 7×24×4"),
        ModelSpec("HMSR3610", "HMSR3610 企业级路由器", "210235A2", 36, None, "硬件保修 3 年"),
    ),
    (
        Fault(
            "核心交换机 3 号槽位板卡告警灯红色常亮，下挂业务中断。",
            "板卡硬件故障，按 7×24×4 备件策略更换接口板，业务恢复。",
            (Part("万兆接口板", "LSQM2XGS24", P("0.00"), "块"),),
            urgency="urgent",
        ),
        Fault(
            "端口 GE1/0/12 频繁 up/down，日志显示 CRC 错误不断增加。",
            "光模块老化，更换光模块并清洁光纤接头，观察 2 小时无 CRC 错误。",
            (Part("千兆光模块", "SFP-GE-LX-SM1310", P("260.00")),),
        ),
        Fault(
            "电源模块故障，冗余电源告警。",
            "更换电源模块，双电源冗余恢复。",
            (Part("电源模块", "PSR150-A1", P("0.00")),),
            urgency="urgent",
        ),
        Fault(
            "路由器重启后配置丢失，无法连接外网。",
            "配置未保存到启动文件，恢复备份配置并执行 save。",
            (),
            remote_fix="远程登录恢复备份配置并保存，外网恢复。",
        ),
        Fault(
            "交换机风扇告警，设备温度偏高（68℃）。",
            "风扇框故障，更换风扇框，温度降至 42℃。",
            (Part("风扇框", "FAN-40B-1-A", P("0.00")),),
        ),
        Fault(
            "PoE 端口无法给摄像头供电，其他端口正常。",
            "PoE 功率预算超限，调整端口供电优先级。",
            (),
            remote_fix="远程调整 PoE 供电优先级和功率预算，摄像头全部上线。",
        ),
        Fault(
            "堆叠链路断开，两台设备分裂，部分 VLAN 不通。",
            "堆叠线缆损坏，更换堆叠线缆并重新合并 IRF。",
            (Part("堆叠线缆", "LSWM1STK", P("350.00"), "根"),),
            urgency="urgent",
        ),
    ),
    {
        "repair": 45,
        "installation": 10,
        "inspection": 12,
        "maintenance": 6,
        "consultation": 6,
        "technical_guidance": 10,
        "software_upgrade": 8,
        "training": 3,
    },
    {
        "installation": ("新购 2 台交换机上架安装，配置 VLAN 和链路聚合。", "分支机构路由器安装调试，开通 VPN。"),
        "inspection": ("季度巡检：设备运行状态、日志、温度及配置备份。", "按维保合同进行半年度网络巡检。"),
        "maintenance": ("机房网络设备年度维保：除尘、检查电源和风扇。",),
        "consultation": ("咨询设备是否受最新安全漏洞影响。", "咨询三年保修到期后续保方案。"),
        "technical_guidance": ("指导配置端口镜像用于流量分析。", "远程指导配置 ACL 限制访客网络。"),
        "software_upgrade": ("升级交换机软件版本修复安全漏洞。", "核心交换机版本升级，需要在夜间窗口实施。"),
        "training": ("网络管理员设备日常维护培训。",),
    },
    segments={"bank": 20, "school": 25, "hospital": 30, "company": 25},
    firmware=("Version 7.1.070, Release 6329", "Version 7.1.070, Release 6615", "Version 7.1.064, Release 5210"),
    installed=True,
    labour=(200, 600),
)

SORTER = LineSpec(
    "SORTER",
    "清分机/点验钞机",
    36,
    (
        ModelSpec("JL-2000", "JL-2000 A 类清分机", "JL2K", 36, None, "自验收合格之日起保修 36 个月"),
        ModelSpec("DC-618", "DC-618 点验钞机", "DC618", 36, None, "自验收合格之日起保修 36 个月"),
    ),
    (
        Fault(
            "清分机频繁卡币，走钞不顺，每天卡十几次。",
            "捻钞轮磨损，更换捻钞轮和阻力橡胶，连续走钞 5000 张无卡币。",
            (Part("捻钞轮", "JL-NL01", P("85.00"), "个"), Part("阻力橡胶", "JL-ZL02", P("40.00"))),
            urgency="urgent",
        ),
        Fault(
            "冠字号码识别率下降，部分号码读取错误。",
            "图像传感器积尘，清洁 CIS 并重新标定，识别率恢复到 99.9%。",
            (),
        ),
        Fault(
            "对 2019 版 50 元误报假币。",
            "鉴伪软件版本过旧，升级至最新鉴伪程序并测试各版别人民币。",
            (),
            remote_fix="指导客户用 U 盘升级鉴伪程序，误报消失。",
        ),
        Fault(
            "开机自检报 E12 错误，无法进入点钞界面。",
            "出钞口传感器损坏，更换传感器。",
            (Part("对射传感器", "JL-SN12", P("120.00")),),
            urgency="urgent",
        ),
        Fault(
            "网络上传冠字号码数据失败，服务器收不到数据。",
            "网口设置错误，重新设置 IP 和上传服务器地址。",
            (),
            remote_fix="远程指导修改上传服务器地址和端口，数据上传恢复。",
        ),
        Fault(
            "接钞轮磨损，钞票走斜，计数偶尔不准。",
            "更换接钞轮组件并校准计数传感器。",
            (Part("接钞轮组件", "JL-JC03", P("160.00"), "套"),),
        ),
    ),
    {
        "repair": 40,
        "installation": 6,
        "inspection": 12,
        "maintenance": 12,
        "software_upgrade": 12,
        "technical_guidance": 6,
        "training": 5,
        "claim": 4,
        "complaint": 3,
    },
    {
        "installation": ("新购清分机到货，需上门安装调试并培训操作人员。",),
        "inspection": ("按合同季度巡检，检测鉴伪功能及冠字号码存储。", "定期巡检：清洁传感器、检查走钞通道。"),
        "maintenance": ("年度维保：更换易损件，检查电机和传感器。",),
        "software_upgrade": ("新版人民币发行，需在 30 天内升级鉴伪软件。", "升级冠字号码上传程序。"),
        "technical_guidance": ("指导导出冠字号码记录到 U 盘（Excel 表）。", "指导设置鉴伪功能全开。"),
        "training": ("网点新柜员清分机操作培训（8 人）。",),
        "claim": (
            "发现收取假币，已保存 U 盘冠字号码记录，要求按假币赔付条款处理。",
            "客户反映清分后发现假币一张，申请赔付，已通知我司服务人员到场。",
        ),
    },
    segments={"bank": 50},
    firmware=("V3.2.18（2019 版人民币）", "V3.3.02", "V3.4.10"),
    installed=True,
    acceptance=True,
    labour=(150, 400),
)

GPS = LineSpec(
    "GPS",
    "车载GPS定位终端",
    12,
    (
        ModelSpec("GT-06N", "GT-06N 车载GPS定位终端", "8680", 12, None, "终端保修 1 年"),
        ModelSpec("GT-800", "GT-800 4G 北斗/GPS 双模终端", "8690", 12, None, "终端保修 1 年，平台服务按年续费"),
    ),
    (
        Fault(
            "终端离线超过 48 小时，平台显示最后位置在停车场。",
            "终端供电线被剪断，重新接线并加装防拆保护。",
            (Part("电源线束", "GT-PWR", P("35.00"), "根"),),
        ),
        Fault(
            "定位漂移严重，车辆静止时轨迹乱跳。",
            "GPS 天线接触不良，更换外置天线并调整安装位置。",
            (Part("GPS 天线", "ANT-3M", P("45.00"), "根"),),
        ),
        Fault(
            "ACC 点火状态检测不准，里程统计异常。",
            "ACC 检测线接错，重新接至点火线。",
            (),
        ),
        Fault(
            "平台下发断油电指令后终端无响应。",
            "继电器损坏，更换断油电继电器并测试指令。",
            (Part("继电器", "12V40A", P("30.00")),),
            urgency="urgent",
        ),
        Fault(
            "更换 SIM 卡后终端一直无法上线。",
            "APN 参数不匹配，重新设置 APN。",
            (),
            remote_fix="短信指令设置 APN 和服务器地址，终端上线。",
        ),
        Fault(
            "设备外壳破损，天线脱落。",
            "外力损坏（不在保修范围），客户确认报价后更换终端外壳和天线。",
            (Part("终端外壳", "GT-CASE", P("60.00")), Part("GPS 天线", "ANT-3M", P("45.00"), "根")),
        ),
    ),
    {
        "repair": 50,
        "installation": 15,
        "inspection": 8,
        "technical_guidance": 10,
        "software_upgrade": 8,
        "consultation": 5,
        "training": 4,
    },
    {
        "installation": (
            "5 辆货车加装 GPS 定位终端，需要接线并绑定平台账号。",
            "新车 3 辆安装北斗终端并设置电子围栏。",
        ),
        "inspection": ("车队终端季度巡检，检查在线率和供电。",),
        "technical_guidance": ("指导设置电子围栏和超速报警。", "指导导出车辆月度里程报表。"),
        "software_upgrade": ("终端固件远程升级，修复休眠后不上线问题。",),
        "consultation": ("咨询平台服务年费续费方式。",),
        "training": ("车队管理平台使用培训。",),
    },
    segments={"logistics": 70},
    firmware=("GT06N_V2.3.5", "GT800_V1.8.2", "GT800_V1.9.0"),
    installed=True,
    labour=(60, 150),
)

AC = LineSpec(
    "AC",
    "空调",
    12,
    (
        ModelSpec("KFR-35GW", "KFR-35GW 壁挂式空调 1.5 匹", "KFR35", 12, 36, "整机 1 年，压缩机等主要部件 3 年"),
        ModelSpec("KFR-72LW", "KFR-72LW 立柜式空调 3 匹", "KFR72", 12, 36, "整机 1 年，压缩机等主要部件 3 年"),
    ),
    (
        Fault(
            "制冷效果差，开了一小时室温仍在 30℃ 以上。",
            "系统缺氟，查漏补焊后加注 R32 冷媒，出风温度 12℃。",
            (Part("R32 冷媒", "R32", P("150.00"), "千克"),),
        ),
        Fault("室内机漏水，滴到墙面和地板上。", "排水管堵塞、倾斜，疏通并重新调整坡度。", ()),
        Fault(
            "开机几分钟后显示 E4 故障代码并停机。",
            "室外温度传感器损坏，更换传感器。",
            (Part("温度传感器", "NTC-10K", P("40.00")),),
        ),
        Fault(
            "外机噪音很大，有金属摩擦声。",
            "外机风扇电机轴承磨损，更换风扇电机。",
            (Part("风扇电机", "YDK-30", P("230.00")),),
        ),
        Fault(
            "制热时出风口吹冷风。",
            "四通阀卡滞，更换四通阀并加注冷媒。",
            (Part("四通阀", "STF-0201", P("180.00")), Part("R32 冷媒", "R32", P("150.00"), "千克")),
        ),
        Fault(
            "遥控器失灵，接收窗无反应。",
            "接收板故障，更换显示接收板。",
            (Part("显示接收板", "KFR-RX", P("75.00"), "块"),),
            remote_fix="电话指导客户更换遥控器电池并重新配对，恢复正常。",
        ),
    ),
    {"repair": 55, "installation": 18, "maintenance": 15, "consultation": 7, "complaint": 5},
    {
        "installation": ("新购空调上门安装，外机装在阳台，需要打孔。", "空调移机，从客厅移到卧室。"),
        "maintenance": ("空调清洗保养：室内机、滤网和外机翅片清洗。", "入夏前例行检查，测试制冷效果。"),
        "consultation": ("咨询空调移机收费标准。", "咨询压缩机主要部件保修几年。"),
    },
    segments={"person": 15, "bank": 10, "school": 25, "hospital": 25, "company": 15},
    installed=True,
    labour=(80, 200),
)

WASHER = LineSpec(
    "WASHER",
    "洗衣机",
    12,
    (ModelSpec("XQG100-B14", "XQG100 滚筒洗衣机 10kg", "XQG100", 12, 36, "整机 1 年，电机 3 年"),),
    (
        Fault(
            "脱水时剧烈晃动并发出很大响声。",
            "运输螺栓未拆除导致减震器损坏，拆除螺栓并更换减震器。",
            (Part("减震器", "XQG-JZ", P("65.00"), "根"),),
        ),
        Fault("排水不畅，显示 E21 排水故障。", "排水泵过滤器堵塞，清理异物并测试排水。", ()),
        Fault(
            "门锁打不开，衣服锁在里面。", "门锁开关损坏，应急开门后更换门锁。", (Part("门锁", "XQG-DL", P("85.00")),)
        ),
        Fault("进水阀不进水，提示缺水。", "进水阀线圈烧毁，更换进水阀。", (Part("进水阀", "XQG-IV", P("70.00")),)),
        Fault(
            "滚筒不转，电机有嗡嗡声。",
            "电机电容失效，更换启动电容。",
            (Part("启动电容", "12μF", P("35.00")),),
        ),
    ),
    {"repair": 70, "installation": 10, "maintenance": 8, "return": 4, "exchange": 4, "complaint": 4},
    {
        "installation": ("洗衣机上门安装，需要安装进水管和排水管。",),
        "maintenance": ("滚筒清洁保养，去除异味。",),
        "return": ("购买 4 天，机器运行时漏水，要求退货。",),
        "exchange": ("送货安装后第 12 天出现 E30 故障，申请换货。",),
    },
    segments={"person": 10},
    installed=True,
    labour=(50, 120),
)

FRIDGE = LineSpec(
    "FRIDGE",
    "冰箱",
    12,
    (ModelSpec("BCD-470WP", "BCD-470 十字对开门冰箱", "BCD470", 12, 36, "整机 1 年，压缩机 3 年"),),
    (
        Fault(
            "冷藏室不制冷，冷冻室正常。",
            "风门电机卡死，更换风门组件。",
            (Part("风门组件", "BCD-FM", P("95.00"), "套"),),
        ),
        Fault("压缩机频繁启动，噪音大。", "温控器故障，更换主控板。", (Part("主控板", "BCD-MB", P("260.00"), "块"),)),
        Fault(
            "冷冻室结霜严重，抽屉拉不出来。",
            "化霜加热丝断路，更换化霜加热器。",
            (Part("化霜加热器", "BCD-HT", P("80.00")),),
        ),
        Fault("门封条老化，关门不严。", "更换冷藏室门封条。", (Part("门封条", "BCD-SEAL", P("60.00"), "条"),)),
        Fault("显示屏报 F1 传感器故障。", "冷藏传感器损坏，更换传感器。", (Part("温度传感器", "NTC-5K", P("35.00")),)),
    ),
    {"repair": 75, "maintenance": 5, "consultation": 6, "return": 4, "exchange": 5, "complaint": 5},
    {
        "maintenance": ("冰箱除霜清洁保养。",),
        "consultation": ("咨询压缩机保修三年的条件。",),
        "return": ("刚买 6 天，冷藏不制冷，要求退货。",),
        "exchange": ("购买第 9 天压缩机异响，申请换货。",),
    },
    segments={"person": 10},
    labour=(50, 120),
)

LINES: tuple[LineSpec, ...] = (EBIKE, NOTEBOOK, DESKTOP, SWITCH, SORTER, GPS, AC, WASHER, FRIDGE)

GENERIC_CONTENT: dict[str, tuple[str, ...]] = {
    "complaint": (
        "维修师傅超过预约时间三小时才到，事先没有通知。",
        "同一故障已经维修两次仍未修好，要求换机。",
        "收费与报价不一致，要求给出解释。",
        "客服热线长时间无人接听，报修两天没人联系。",
    ),
    "consultation": ("咨询保修期还有多久，发票找不到了怎么办。",),
    "technical_guidance": ("需要技术人员远程指导日常使用。",),
    "training": ("新员工设备操作培训。",),
    "inspection": ("按维保合同进行定期巡检。",),
    "maintenance": ("按合同进行定期保养。",),
}

# --- what people write along the way ---------------------------------------------------------

INFO_REQUESTS = (
    "请补充购买发票照片和设备序列号。",
    "故障描述不完整，请说明故障出现的时间和频率。",
    "请上传故障现象照片或视频。",
)
INFO_REPLIES = ("已上传发票照片，序列号见铭牌照片。", "每天早上开机时出现，已补充视频。", "已补充照片。")
REJECT_REASONS = (
    "非本公司产品，已告知客户联系原厂。",
    "重复申请，已合并到之前的工单处理。",
    "信息不实，多次电话无法联系到客户。",
    "车辆已被用户自行改装，超出服务范围。",
)
CANCEL_REASONS_CUSTOMER = (
    "问题已自行解决，不需要上门了。",
    "出差一个月，回来再重新报修。",
    "已经找到原因，是插座没电。",
)
CANCEL_REASONS_STAFF = ("客户来电取消，已自行解决。", "客户改期，另行报修。", "客户单位搬迁，暂不需要服务。")
DECLINE_REASONS = ("报价偏高，暂不维修。", "机器已经用了很多年，打算换新的。", "需要走单位采购流程，先取消。")
QC_FAIL_REASONS = (
    "复测时仍偶发异响，需重新检查。",
    "清洁不彻底，出风口仍有积尘。",
    "测试中仍有报错记录，请排查后再提交。",
)
OBJECTIONS = ("客户认为故障没有彻底排除，要求再次检测。", "客户对外壳新增划痕有异议，已上报主管。")
INCOMPLETE_REASONS = (
    "该型号配件已停产，客户同意按三包规定换新处理。",
    "客户放弃维修，设备已退回。",
    "配件超过 90 天未到货，按第十二条为客户换机。",
)
WAIT_NOTES_PARTS = ("等待配件：已向杭州分拨中心申请。", "配件缺货，预计 3 个工作日到货。", "等待厂家寄送主板。")
WAIT_NOTES_CUSTOMER = ("客户出差，约定下周再上门。", "等待客户确认维修方案。")
REOPEN_REASONS = ("同一故障再次出现，按返修处理。", "维修后第 12 天又出现相同问题。")
SATISFIED_COMMENTS = (
    "师傅很专业，准时上门。",
    "响应及时，问题解决了。",
    "服务态度好，还讲解了使用注意事项。",
    "上门穿了鞋套，走前打扫干净，很满意。",
    "",
)
UNSATISFIED_COMMENTS = ("等配件时间太长。", "上门迟到且没有提前通知。", "收费偏高。", "问题反复出现。")
QUOTE_NOTES = ("超出保修期，按配件报价清单收费。", "人为损坏，不在三包范围，按价目表报价。", "保修期外，含上门费。")
REMOTE_DEFAULT = "电话远程指导客户完成操作，问题已解决。"
ON_SITE_DEFAULT = "已上门完成服务，设备运行正常，已向客户讲解使用注意事项。"
