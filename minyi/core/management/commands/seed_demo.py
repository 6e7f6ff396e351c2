"""`python manage.py seed_demo` — the fictional demo congress that `make demo` serves.

示范区人民代表大会常务委员会 (code `demo`): its policy with the default taxonomies, the 18th term
and its sessions, 120 deputies in 10 groups, 8 liaison stations, the four bodies with 30 units
beneath them, and one account per role (see `demo_logins`). Everything is written through audited
paths (the roster import, the membership action or an audit row per row written here), in one
transaction, and the audit chain is verified at the end.

Idempotent: when the congress `demo` already exists, nothing is changed.

Each feature then adds its demo data through its own seeder (FEATURE_SEEDERS: the 2023 history
ledger, this year month by month, suggestions in every state, supervision with yellow/red deadlines
and ten key themes, liaison-station intake, awards, points) — what each matter is about and which
unit handles it comes from one table, `minyi.core.demo_district` — called inside the same transaction with `rng = random.Random(2026)`; a failing seeder aborts the whole seed.
"""

from __future__ import annotations

import datetime
import importlib
import io
import os
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from minyi import audit
from minyi.accounts.models import Role, User
from minyi.audit.services import verify_chain
from minyi.congress.actions import (
    do_add_taxonomy_item,
    do_create_session,
    do_create_term,
    do_grant_role,
    do_update_policy,
    do_update_unit,
    ensure_policy,
)
from minyi.congress.defaults import default_items
from minyi.congress.models import Congress, Deputy, DeputyGroup, LiaisonStation, Policy, Unit
from minyi.congress.roster import import_roster
from minyi.core.demo_names import NameGenerator

DEMO_CODE = "demo"
DEMO_NAME = "示范区人民代表大会常务委员会"
DEMO_SHORT_NAME = "示范"
SEED = 2026
DEPUTY_COUNT = 120
JUDGE_COUNT = 5
EMAIL_DOMAIN = "demo.minyi.invalid"  # .invalid never resolves: no demo mail can reach anyone

# Policy taxonomies (DOMAIN.md §2, §3): the defaults every new congress starts with
# (`minyi.congress.defaults`, imported above); the district's own rules differ from the defaults in:
DEMO_POLICY = {"completion_definition": Policy.CompletionDefinition.CLOSED_SATISFIED}

# --- Term and sessions ----------------------------------------------------------------------------
TERM_NUMBER = 18
TERM_START = datetime.date(2022, 1, 1)
#: (number, opening, closing) of the 18th term's plenary sessions.
SESSIONS = [
    (1, datetime.date(2022, 1, 8), datetime.date(2022, 1, 11)),
    (2, datetime.date(2023, 1, 7), datetime.date(2023, 1, 10)),
    (3, datetime.date(2024, 1, 6), datetime.date(2024, 1, 9)),
    (4, datetime.date(2025, 1, 11), datetime.date(2025, 1, 14)),
    (5, datetime.date(2026, 1, 10), datetime.date(2026, 1, 13)),
]

# --- Roster ---------------------------------------------------------------------------------------
#: Towns and streets of the fictional district: each has a deputy group, a station and a unit.
TOWNS = [
    ("城关街道", "街道"), ("东城街道", "街道"), ("月湖街道", "街道"), ("滨河街道", "街道"),
    ("南山镇", "镇"), ("北岗镇", "镇"), ("青石镇", "镇"), ("白沙镇", "镇"),
]  # fmt: skip
GROUPS = [f"{town}代表小组" for town, _kind in TOWNS] + ["区直机关代表小组", "驻区单位代表小组"]
#: (name, kind label, address, group) — two of each kind.
STATIONS = [
    ("城关街道人大代表联络站", "代表联络站", "示范区城关街道人民路18号", "城关街道代表小组"),
    ("东城街道代表活动室", "代表活动室", "示范区东城街道和平路66号", "东城街道代表小组"),
    ("月湖街道人大代表工作室", "代表工作室", "示范区月湖街道湖滨路9号", "月湖街道代表小组"),
    (
        "滨河街道全过程人民民主基层实践点",
        "全过程人民民主基层实践点",
        "示范区滨河街道滨江大道120号",
        "滨河街道代表小组",
    ),
    ("南山镇人大代表联络站", "代表联络站", "示范区南山镇青山路3号", "南山镇代表小组"),
    ("北岗镇代表活动室", "代表活动室", "示范区北岗镇红旗街12号", "北岗镇代表小组"),
    ("青石镇人大代表工作室", "代表工作室", "示范区青石镇石桥路5号", "青石镇代表小组"),
    (
        "白沙镇全过程人民民主基层实践点",
        "全过程人民民主基层实践点",
        "示范区白沙镇沙湾路28号",
        "白沙镇代表小组",
    ),
]
#: (username, name, short name, body label) — the four bodies (一府一委两院).
BODIES = [
    ("gov", "示范区人民政府", "区政府", "人民政府"),
    ("supervision", "示范区监察委员会", "区监委", "监察委员会"),
    ("court", "示范区人民法院", "区法院", "人民法院"),
    ("procuratorate", "示范区人民检察院", "区检察院", "人民检察院"),
]
GOVERNMENT = BODIES[0][1]
#: (name, short name, kind label) — the units beneath the government, in the order of the
#: `unitN` / `leaderN` accounts.
UNITS = [
    ("示范区住房和城乡建设局", "区住建局", "部门"),
    ("示范区教育局", "区教育局", "部门"),
    ("示范区卫生健康委员会", "区卫健委", "部门"),
    ("示范区民政局", "区民政局", "部门"),
    ("示范区交通运输局", "区交通局", "部门"),
    ("示范区生态环境分局", "生态环境分局", "部门"),
    ("示范区城市管理局", "区城管局", "部门"),
    ("示范区农业农村局", "区农业农村局", "部门"),
    ("示范区市场监督管理局", "区市场监管局", "部门"),
    ("示范区人力资源和社会保障局", "区人社局", "部门"),
    ("示范区发展和改革委员会", "区发改委", "部门"),
    ("示范区财政局", "区财政局", "部门"),
    ("示范区自然资源和规划分局", "自然资源分局", "部门"),
    ("示范区水利局", "区水利局", "部门"),
    ("示范区文化和旅游局", "区文旅局", "部门"),
    ("示范区应急管理局", "区应急局", "部门"),
    ("示范区公安分局", "公安分局", "部门"),
    ("示范区商务局", "区商务局", "部门"),
    ("示范区退役军人事务局", "区退役军人局", "部门"),
    ("示范区医疗保障局", "区医保局", "部门"),
    *[
        (f"示范区{town}{'办事处' if kind == '街道' else '人民政府'}", town, "镇（街道）")
        for town, kind in TOWNS
    ],
    ("示范区水务集团有限公司", "水务集团", "企事业单位"),
    ("示范区城市建设投资有限公司", "城投公司", "企事业单位"),
]
#: Each unit's 主要职责 (`Unit.duties`): the functions of a district bureau as its 三定 provisions
#: usually list them, in keywords, in our own words. Unit routing (`textsearch.routing`) matches a new
#: suggestion against them before the congress has any history. Written from the bureaus' functions,
#: not from any set of suggestions (docs/PERFORMANCE.md, "Unit routing").
DUTIES = {
    "示范区住房和城乡建设局": (
        "房屋安全管理，危房鉴定与危旧房屋治理，农村危房改造与农房建设管理；物业管理与物业服务企业监管，"
        "业主委员会指导，住宅专项维修资金；老旧小区改造与城市更新，既有住宅加装电梯，棚户区改造；"
        "保障性住房、公租房与人才住房，住房保障；房地产市场监管，商品房预售与交房、房地产开发企业；"
        "建筑市场监管与施工许可，建设工程质量安全监督，建筑施工扬尘与夜间施工，建筑节能与装配式建筑；"
        "城镇燃气与燃气管道安全，市政基础设施与市政道路建设，村镇建设与美丽乡村建设规划实施，"
        "建筑业企业与工程招标投标，拖欠工程款，建筑工人工资"
    ),
    "示范区教育局": (
        "学前教育与幼儿园，普惠性幼儿园建设；义务教育，中小学校与学校布局规划，校舍新建、改扩建与学校搬迁，"
        "薄弱学校改造，农村学校与教学点，寄宿制学校；招生入学，学区划分，随迁子女入学；高中教育与职业教育，"
        "特殊教育；教师队伍建设，教师编制、招聘、培训、交流与待遇，乡村教师；课后服务与课后托管，"
        "双减与校外培训机构监管；校园安全，校园周边环境，校车与学生上下学接送，学生资助与贫困学生，"
        "学生营养餐与学校食堂，学生体质健康、近视防控与心理健康，教育信息化，教育均衡与集团化办学，"
        "民办学校管理，家庭教育指导，学校体育与校园足球"
    ),
    "示范区卫生健康委员会": (
        "医疗卫生服务体系建设，区属医院、社区卫生服务中心、乡镇卫生院与村卫生室，乡村医生队伍；"
        "基本公共卫生服务，家庭医生签约服务，慢性病管理；疾病预防控制，传染病防治，预防接种与疫苗；"
        "妇幼保健，孕产妇与儿童健康，出生缺陷防治，母婴设施；托育服务与婴幼儿照护；老年健康与医养结合，"
        "医疗质量与医疗安全，医疗纠纷调处，看病难看病贵，医疗卫生人才引进与医生培养，医疗设备配置；"
        "院前急救与120急救站点，精神卫生，职业病防治，公共场所卫生与饮用水卫生监督；"
        "中医药事业，爱国卫生运动与健康教育，人口监测与计划生育服务，生育支持政策"
    ),
    "示范区民政局": (
        "养老服务体系，养老机构与敬老院建设管理，居家和社区养老，日间照料中心，老年食堂与助餐服务，"
        "高龄津贴与老年人福利；城乡最低生活保障，特困人员救助供养，临时救助，低收入人口帮扶；"
        "残疾人两项补贴；儿童福利，农村留守儿童与困境儿童关爱保护；城乡社区治理与社区服务，"
        "村（居）民委员会建设，社区工作者队伍；社会组织登记与监管，慈善事业与社会捐助，志愿服务；"
        "婚姻登记，殡葬管理与殡葬改革，公益性公墓与骨灰堂，地名管理与门牌标识，行政区划，"
        "流浪乞讨人员救助，社会工作"
    ),
    "示范区交通运输局": (
        "交通基础设施规划建设，公路建设与养护管理，国省干线公路，农村公路与通村公路、村组道路硬化，"
        "道路拓宽改造与路面修复，桥梁建设与危桥改造，公路安全生命防护工程，公路沿线护栏与警示设施；"
        "城乡公交一体化，公交线路与公交站台、公交车班次，农村客运与村村通客车，客运站与道路客运，"
        "出租车与网约车管理，驾驶员培训机构；道路货运与物流站点，超限超载治理，交通运输市场与执法，"
        "水路运输、航道与渡口渡船，交通运输安全生产，交通工程质量监督"
    ),
    "示范区生态环境分局": (
        "生态环境保护，大气污染防治与空气质量，工业废气与挥发性有机物，水污染防治与河流水质，"
        "饮用水水源地保护，黑臭水体与农村生活污水治理，土壤污染防治，固体废物与危险废物、医疗废物监管，"
        "畜禽养殖污染与农业面源污染防治，工业企业排污与排污许可，建设项目环境影响评价，环境监测，"
        "环境执法与环保督察问题整改，工业噪声与社会生活噪声污染，辐射安全，生态保护与生物多样性，"
        "碳排放与应对气候变化，秸秆禁烧，环境污染投诉"
    ),
    "示范区城市管理局": (
        "城市管理与综合行政执法，市容市貌与环境卫生，道路清扫保洁，生活垃圾分类与垃圾收运处理，"
        "垃圾中转站，建筑垃圾与渣土管理，公共厕所建设管理；城市照明与路灯、亮化，园林绿化、公园与绿地，"
        "行道树管护；市政设施维护管养，城市道路、人行道、窨井盖与城市排水管网、内涝治理，"
        "占道经营与流动摊贩，户外广告与店招，违法建设查处，餐饮油烟，停车管理与停车泊位，"
        "共享单车与非机动车停放秩序，供热与城市供水排水行业管理，城中村环境整治"
    ),
    "示范区农业农村局": (
        "乡村振兴，农业农村发展规划，粮食生产与种植业，高标准农田建设，耕地质量与撂荒地治理，"
        "畜牧业与畜禽养殖，动物防疫与检疫，渔业与水产养殖，农产品质量安全，特色农业与农业产业化，"
        "农民专业合作社与家庭农场，农业技术推广与新型职业农民培训，农机购置补贴与农业机械化，"
        "种业发展与良种繁育推广，种子、化肥、农药等农资管理，农业保险与惠农补贴，农村人居环境整治，农村厕所改造，"
        "农村集体经济与集体资产，农村土地承包与宅基地管理，村庄建设与和美乡村，防止返贫与脱贫人口帮扶，"
        "农田灌溉与农村产业路"
    ),
    "示范区市场监督管理局": (
        "市场主体登记注册与营业执照，食品安全监管，餐饮服务与小作坊、食品摊贩，校园食品安全，"
        "药品、医疗器械与化妆品监管，特种设备安全（电梯、锅炉、压力容器、气瓶），工业产品质量监督，打击假冒伪劣与制假售假，"
        "计量与标准化、检验检测，价格监督检查与明码标价，消费者权益保护与消费投诉举报，"
        "广告监管与网络交易监管，反不正当竞争与反垄断，知识产权与商标专利保护，农贸市场公平秤与市场秩序"
    ),
    "示范区人力资源和社会保障局": (
        "就业创业，就业服务与招聘会，高校毕业生就业，农民工就业与返乡创业，就业困难人员援助与公益性岗位，"
        "灵活就业，职业技能培训与技能人才，技工学校；社会保险，企业职工养老保险，城乡居民养老保险，"
        "失业保险与工伤保险，社保待遇与退休；劳动关系与劳动合同，劳动保障监察，农民工工资拖欠治理，"
        "劳动人事争议仲裁；人才引进与人才服务，专业技术人员职称评审，事业单位人事与工资福利，"
        "公务员管理"
    ),
    "示范区发展和改革委员会": (
        "国民经济和社会发展规划，年度计划，重大项目谋划与储备，政府投资项目审批、核准和备案，"
        "固定资产投资，重点项目建设推进，争取上级资金与专项债项目，区域协调发展与新型城镇化，"
        "产业结构调整，营商环境优化，社会信用体系建设，价格管理与收费管理，水电气价格，"
        "能源发展与节能降耗，电力供应与电网建设，新能源与充电基础设施，粮食和物资储备，以工代赈，"
        "招商项目与民营经济发展"
    ),
    "示范区财政局": (
        "财政预算编制与执行，财政收支管理，财政资金保障，上级转移支付与专项资金，补助资金与经费拨付，"
        "政府债务管理，政府采购，行政事业单位国有资产管理，国有企业财务管理，财政监督与预算绩效评价，"
        "惠民惠农财政补贴一卡通发放，村级组织运转经费，政府投资项目预算评审，会计管理，"
        "社会保障资金与民生支出"
    ),
    "示范区自然资源和规划分局": (
        "国土空间规划，城乡规划与详细规划、村庄规划，规划许可与规划审批，建设用地审批与土地征收，"
        "土地供应与土地出让，耕地保护与占补平衡，永久基本农田，不动产登记与房产证办理，土地整治与生态修复，"
        "矿产资源管理与矿山治理，地质灾害防治，测绘与地理信息，违法用地查处，林地与森林资源管理，"
        "植树造林与林长制"
    ),
    "示范区水利局": (
        "水资源管理与节约用水，取水许可与水资源费，防汛抗旱与水旱灾害防御，河道治理与河道清淤，"
        "堤防与护岸工程，中小河流治理，河长制与河湖管理，河道采砂，水库、山塘与塘坝除险加固，"
        "小型水利工程，农田水利与灌区、灌溉渠道（干渠、支渠）与沟渠，泵站与排涝设施，农村饮水安全与农村供水工程，"
        "人畜饮水工程，水土保持与小流域综合治理，水利工程建设与运行管理，水文与水利设施管护"
    ),
    "示范区文化和旅游局": (
        "公共文化服务体系，文化馆、图书馆、博物馆与综合文化站，农家书屋与村级文化活动室，"
        "群众文化活动与文艺演出，文化惠民；文物保护与利用，历史文化遗存与古建筑、传统村落，"
        "非物质文化遗产保护传承；旅游业发展与旅游规划，景区建设与A级景区，乡村旅游与民宿，"
        "旅游线路与旅游宣传推介，文旅融合；广播电视与应急广播，新闻出版，文化市场管理与执法，"
        "体育事业与全民健身，体育场馆与健身设施"
    ),
    "示范区应急管理局": (
        "安全生产综合监管，工矿商贸企业安全生产，危险化学品与烟花爆竹安全，非煤矿山安全，"
        "应急管理体系与应急预案，应急救援队伍与应急演练，应急物资储备，应急避难场所，"
        "防灾减灾救灾与自然灾害救助，灾情统计，森林防灭火，防汛抗旱指挥协调，地震灾害防治，"
        "消防工作协调与基层消防力量，安全生产事故调查处理"
    ),
    "示范区公安分局": (
        "社会治安管理与治安防控，派出所与警务室，视频监控与天网工程，打击违法犯罪，电信网络诈骗防范，"
        "禁毒，道路交通安全管理，交通秩序与交通违法查处，交通信号灯（红绿灯）、交通标志标线与交通设施，"
        "交通拥堵治理，电动自行车与摩托车管理，机动车与驾驶证业务，户籍管理与户口迁移，居民身份证，"
        "出入境证件，养犬管理，校园周边治安与护学岗，网络安全，流动人口与出租房屋管理"
    ),
    "示范区商务局": (
        "商贸流通与内贸发展，农贸市场与菜市场建设改造，商业网点规划，商圈与特色街区，消费促进与夜间经济，"
        "电子商务与农村电商，县乡村三级物流配送体系，对外贸易与进出口，利用外资，招商引资，"
        "餐饮业与住宿业，家政服务业，再生资源回收，成品油流通，生活必需品市场供应"
    ),
    "示范区退役军人事务局": (
        "退役军人移交安置与就业创业，退役士兵安置与待遇，退役军人服务中心（站）建设，困难退役军人帮扶，"
        "优抚对象抚恤优待，伤残军人，军人军属与烈属优待，光荣牌悬挂，拥军优属与双拥工作，"
        "烈士褒扬，烈士陵园与纪念设施建设管护，零散烈士墓迁移，军队离退休干部服务"
    ),
    "示范区医疗保障局": (
        "基本医疗保险，职工医保与城乡居民医保参保缴费，医保报销与医保待遇，大病保险与医疗救助，"
        "门诊慢特病与门诊共济，异地就医结算，医保基金监管与欺诈骗保，定点医药机构管理，"
        "药品和医用耗材集中带量采购，医疗服务价格，长期护理保险，医保电子凭证与医保经办服务"
    ),
    "示范区水务集团有限公司": (
        "城乡供水，自来水生产与水厂，供水管网建设与改造，老旧管网更新，水压与水质，二次供水，"
        "用水报装与抄表收费，水费，停水与供水抢修，城乡供水一体化，污水处理厂运营，污水管网运营维护"
    ),
    "示范区城市建设投资有限公司": (
        "城市基础设施投资建设与融资，政府投资项目代建，片区开发，安置房建设，城市道路与桥梁建设，"
        "公共停车场与城市公共设施建设运营，国有资产经营"
    ),
}
TOWN_DUTIES = (
    "本辖区经济社会发展，基层治理与网格化管理，矛盾纠纷调解，村（社区）建设，辖区环境卫生，"
    "便民服务，辖区内的乡村振兴和民生事务"
)


#: Workplaces and posts for the deputies (fictional organisations).
ORGANISATIONS = [
    "城关街道人民路社区居委会主任",
    "东城街道和平社区党委书记",
    "月湖街道湖畔社区网格员",
    "滨河街道滨江社区居委会主任",
    "南山镇青山村党支部书记",
    "北岗镇红旗村村委会主任",
    "青石镇石桥村党支部书记",
    "白沙镇沙湾村村委会主任",
    "示范区第一中学教师",
    "示范区实验小学校长",
    "示范区人民医院主任医师",
    "示范区中医院护士长",
    "示范区星河科技有限公司总经理",
    "示范区绿源农业专业合作社理事长",
    "示范区恒通物流有限公司职工",
    "示范区明德律师事务所律师",
    "示范区阳光养老服务中心主任",
    "示范区青禾家庭农场负责人",
    "示范区惠民超市店长",
    "示范区融创建材有限公司工人",
]
ROSTER_HEADERS = {
    "代表小组": ["名称", "召集人"],
    "联络站": ["名称", "类型", "地址", "所属代表小组"],
    "承办单位": ["名称", "简称", "类型", "上级单位", "机关类别"],
    "代表": [
        "代表证号", "姓名", "代表层级", "代表小组", "选区", "工作单位及职务",
        "联系电话", "电子邮箱", "任职起始", "任职终止", "登录账号",
    ],
}  # fmt: skip


# --- The demo accounts (also what `demo_logins` prints) -------------------------------------------
@dataclass(frozen=True)
class AccountGroup:
    role: str
    role_en: str
    usernames: str
    try_first: str


ACCOUNT_GROUPS = [
    AccountGroup(
        Role.CONGRESS_ADMIN,
        "Congress admin",
        "admin",
        "办理规则、分类和人员名单 / policy, taxonomies, roster",
    ),
    AccountGroup(
        Role.CONGRESS_CLERK, "Congress clerk", "clerk", "审查立案、交办 / review and assign suggestions"
    ),
    AccountGroup(
        Role.DEPUTY,
        "Deputy",
        f"deputy1 … deputy{DEPUTY_COUNT}",
        "提出建议、联名、测评 / submit, co-sign, evaluate",
    ),
    AccountGroup(
        Role.LIAISON_CLERK,
        "Liaison clerk",
        f"liaison1 … liaison{len(STATIONS)}",
        "代代表录入建议草稿 / draft for a deputy",
    ),
    AccountGroup(
        Role.COORDINATOR,
        "Coordinator",
        "gov, supervision, court, procuratorate",
        "分办给承办单位 / assign units",
    ),
    AccountGroup(
        Role.UNIT_HANDLER,
        "Unit handler",
        f"unit1 … unit{len(UNITS)}",
        "签收、联系代表、起草答复 / handle, reply",
    ),
    AccountGroup(
        Role.UNIT_LEADER, "Unit leader", f"leader1 … leader{len(UNITS)}", "签发答复 / sign off replies"
    ),
    AccountGroup(Role.SUPERVISOR, "Supervisor", "supervisor", "重点督办、逾期预警 / key themes, warnings"),
    AccountGroup(Role.INSPECTOR, "Inspection office", "inspector", "领导批示专项督查 / special supervision"),
    AccountGroup(
        Role.JUDGE, "Awards judge", f"judge1 … judge{JUDGE_COUNT}", "季度评选打分 / score award nominees"
    ),
    AccountGroup(Role.VIEWER, "Viewer", "viewer", "只读查看统计 / read-only figures"),
]


# --- Audited writers ------------------------------------------------------------------------------
def _create_congress() -> Congress:
    """No page creates congresses (deployments are set up by operators), so the demo writes the row
    and its audit entry itself."""
    congress = Congress(
        code=DEMO_CODE, name=DEMO_NAME, short_name=DEMO_SHORT_NAME, level=Congress.Level.COUNTY
    )
    congress.full_clean()
    congress.save()
    audit.record(
        "congress.created",
        actor=None,
        congress=congress,
        obj=congress,
        new=audit.snapshot(congress, ["code", "name", "short_name", "level"]),
        note="seed_demo",
    )
    return congress


def _create_user(
    congress: Congress | None, username: str, full_name: str, password_hash: str, **flags: Any
) -> User:
    """An account with an already-hashed password, audited exactly like `do_create_user`.

    `do_create_user` hashes each password (PBKDF2, a quarter of a second): for the ~200 demo accounts,
    which all share one password, the hash is computed once and reused instead.
    """
    user = User(username=username, full_name=full_name, email=f"{username}@{EMAIL_DOMAIN}", **flags)
    if congress is not None and not flags.get("is_superuser"):
        user.home_congress = congress
    user.password = password_hash
    user.full_clean()
    user.save()
    audit.record(
        "user.created",
        actor=None,
        congress=congress,
        obj=user,
        target_user=user,
        new=audit.snapshot(user, ["username", "full_name", "phone", *sorted(flags)]),
        note="seed_demo",
    )
    return user


# --- The seeder -----------------------------------------------------------------------------------
class DemoSeeder:
    def __init__(self, *, password: str) -> None:
        self.names = NameGenerator(random.Random(SEED))
        self.rng = random.Random(SEED)
        # Every demo account has the same password, so its salted hash is computed once.
        self.password_hash = make_password(password)

    def run(self) -> Congress:
        congress = _create_congress()
        self.seed_policy(congress)
        self.seed_term(congress)
        deputy_names = self.names.take(DEPUTY_COUNT)
        # The deputies' accounts first: the roster's 登录账号 column then links each deputy to its
        # account and grants it the deputy role.
        for i, name in enumerate(deputy_names, 1):
            _create_user(congress, f"deputy{i}", name, self.password_hash)
        self.import_roster(congress, deputy_names)
        self.order_units(congress)
        self.seed_accounts(congress)
        return congress

    def seed_policy(self, congress: Congress) -> None:
        policy = ensure_policy(congress)
        # The district counts a suggestion as 办结 when it is closed and its deputy was satisfied or
        # basically satisfied (a stricter definition the policy allows, DOMAIN.md §5): that is how
        # its 2023 report reaches 91% with every suggestion of the year closed.
        do_update_policy(policy, actor=None, changes=DEMO_POLICY)
        for kind, fields in default_items():
            do_add_taxonomy_item(congress, actor=None, kind=kind, fields=fields)

    def seed_term(self, congress: Congress) -> None:
        term = do_create_term(congress, actor=None, fields={"number": TERM_NUMBER, "start_date": TERM_START})
        for number, start, end in SESSIONS:
            do_create_session(
                term, actor=None, fields={"number": number, "start_date": start, "end_date": end}
            )

    def roster_workbook(self, deputy_names: list[str]) -> io.BytesIO:
        """The roster in the import format (`minyi.congress.roster`), built in memory."""
        from minyi.core import xlsx

        wb = xlsx.new_workbook()
        wb.remove(wb.active)
        sheets = {title: wb.create_sheet(title) for title in ROSTER_HEADERS}
        for title, headers in ROSTER_HEADERS.items():
            sheets[title].append(headers)
        per_group = -(-DEPUTY_COUNT // len(GROUPS))
        with translation.override("zh-hans"):
            level = str(Deputy.Level.COUNTY.label)
        for g, group in enumerate(GROUPS):
            sheets["代表小组"].append([group, deputy_names[g * per_group]])
        for name, kind, address, group in STATIONS:
            sheets["联络站"].append([name, kind, address, group])
        for _username, name, short, body_label in BODIES:
            sheets["承办单位"].append([name, short, "机关", None, body_label])
        for name, short, kind in UNITS:
            sheets["承办单位"].append([name, short, kind, GOVERNMENT, None])
        for i, name in enumerate(deputy_names, 1):
            g = (i - 1) // per_group
            group = GROUPS[g]
            place = TOWNS[g][0] if g < len(TOWNS) else "示范区"
            sheets["代表"].append(
                [
                    f"D{i:03d}",
                    name,
                    level,
                    group,
                    f"{place}第{(i - 1) % per_group // 3 + 1}选区",
                    self.rng.choice(ORGANISATIONS),
                    f"13800138{i:03d}",
                    f"deputy{i}@{EMAIL_DOMAIN}",
                    TERM_START,
                    None,
                    f"deputy{i}",
                ]
            )
        return io.BytesIO(xlsx.workbook_bytes(wb))

    def import_roster(self, congress: Congress, deputy_names: list[str]) -> None:
        report = import_roster(congress, self.roster_workbook(deputy_names), actor=None, dry_run=False)
        if not report.ok:
            problems = "; ".join(f"{e.sheet} row {e.row} {e.column}: {e.reason}" for e in report.errors[:10])
            raise CommandError(f"the demo roster did not import: {problems}")

    def order_units(self, congress: Congress) -> None:
        """The roster has no order or duties column: list the bodies first, then the units as above, each
        with its duties (`DUTIES`)."""
        names = [name for _username, name, *_rest in BODIES] + [name for name, *_rest in UNITS]
        units = {u.name: u for u in Unit.objects.filter(congress=congress)}
        towns = {name for name, _short, kind in UNITS if kind == "镇（街道）"}
        for position, name in enumerate(names, 1):
            duties = DUTIES.get(name) or (TOWN_DUTIES if name in towns else "")
            do_update_unit(units[name], actor=None, changes={"order": position * 10, "duties": duties})

    def seed_accounts(self, congress: Congress) -> None:
        units = {u.name: u for u in Unit.objects.filter(congress=congress)}
        stations = {s.name: s for s in LiaisonStation.objects.filter(congress=congress)}

        def account(username: str, role: str, **where: Any) -> None:
            user = _create_user(congress, username, self.names.next(), self.password_hash)
            do_grant_role(congress, actor=None, user=user, role=role, **where)

        account("admin", Role.CONGRESS_ADMIN)
        account("clerk", Role.CONGRESS_CLERK)
        linked = Deputy.objects.filter(congress=congress, user__username__startswith="deputy").count()
        if linked != DEPUTY_COUNT:
            raise CommandError(f"only {linked} of {DEPUTY_COUNT} demo deputies were linked to their accounts")
        for i, (name, *_rest) in enumerate(STATIONS, 1):
            account(f"liaison{i}", Role.LIAISON_CLERK, station=stations[name])
        for username, name, *_rest in BODIES:
            account(username, Role.COORDINATOR, unit=units[name])
        for i, (name, *_rest) in enumerate(UNITS, 1):
            account(f"unit{i}", Role.UNIT_HANDLER, unit=units[name])
        for i, (name, *_rest) in enumerate(UNITS, 1):
            account(f"leader{i}", Role.UNIT_LEADER, unit=units[name])
        account("supervisor", Role.SUPERVISOR)
        account("inspector", Role.INSPECTOR)
        for i in range(1, JUDGE_COUNT + 1):
            account(f"judge{i}", Role.JUDGE)
        account("viewer", Role.VIEWER)


#: (module, function) of every feature's demo seeder, run in this order after the roster exists.
FEATURE_SEEDERS = [
    ("minyi.reports.history", "seed_demo_history"),  # the model district's 2023, from a ledger
    ("minyi.supervision.demo_year", "seed_demo_year"),  # this year, month by month up to today
    ("minyi.suggestions.demo", "seed_demo_suggestions"),
    ("minyi.supervision.demo", "seed_demo_supervision"),
    ("minyi.intake.demo", "seed_demo_intake"),
    ("minyi.awards.demo", "seed_demo_awards"),
    ("minyi.points.demo", "seed_demo_points"),
    ("minyi.publication.demo", "seed_demo_publication"),  # the public site: 2023 and part of this year
]


class Command(BaseCommand):
    help = "Create the fictional demo congress 示范区 (code `demo`) with its roster and one account per role."

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.MINYI_DEMO_PASSWORD
        existing = Congress.objects.filter(code=DEMO_CODE).first()
        if existing is not None:
            self.stdout.write(
                f"The demo congress already exists ({existing.name}, code “{DEMO_CODE}”): nothing changed. "
                "To start afresh, delete the database (by default var/minyi.sqlite3) and run `make demo` again."
            )
        else:
            with transaction.atomic():
                congress = DemoSeeder(password=password).run()
                self.seed_features(congress)
            self.stdout.write(self.style.SUCCESS(self.summary(congress)))
        self.ensure_superuser(password)
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"the audit chain is broken after seeding: row {result.seq}: {result.problem}")
        self.stdout.write(f"Audit chain OK: {result.checked} events.")

    def seed_features(self, congress: Congress) -> None:
        """Each feature's own demo seeder, in dependency order; they write through the real actions."""
        for path, name in FEATURE_SEEDERS:
            seeder = getattr(importlib.import_module(path), name)
            try:
                seeder(congress, rng=random.Random(SEED))
            except Exception as exc:
                raise CommandError(f"{path}.{name} failed, so nothing was seeded: {exc!r}") from exc
            self.stdout.write(f"  {name}: done")

    def summary(self, congress: Congress) -> str:
        counts = {
            "deputy groups": DeputyGroup.objects.filter(congress=congress).count(),
            "deputies": Deputy.objects.filter(congress=congress).count(),
            "liaison stations": LiaisonStation.objects.filter(congress=congress).count(),
            "units": Unit.objects.filter(congress=congress).count(),
            "accounts": User.objects.filter(memberships__congress=congress).distinct().count(),
        }
        return f"Created the demo congress {congress.name} (code “{DEMO_CODE}”): " + ", ".join(
            f"{n} {what}" for what, n in counts.items()
        )

    def ensure_superuser(self, password: str) -> None:
        """`root`, a superuser, only when MINYI_DEMO_SUPERUSER=1 (never by default)."""
        if os.environ.get("MINYI_DEMO_SUPERUSER") != "1" or User.objects.filter(username="root").exists():
            return
        with transaction.atomic():
            _create_user(
                None, "root", "系统管理员", make_password(password), is_staff=True, is_superuser=True
            )
        self.stdout.write("Created the superuser “root” (MINYI_DEMO_SUPERUSER=1).")
