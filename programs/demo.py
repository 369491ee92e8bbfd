"""Demo programs, roads, land donations and the Sa Pa airport site clearance for Bảo Yên, 2021–2024.

One ``seed_demo`` step, ``seed_programs``. Every record is written through ``programs.services``
by the demo account whose job it is: demo_district records the district-level programs and the
site clearance, demo_commune everything in Vĩnh Yên, demo_commune2 everything in Nghĩa Đô, and
demo_admin the other communes (which have no demo account). So the demo passes the same checks
as the pages (validity dates, plausibility, qualifiers, who may record what).

What comes from the source article (seed/000_ffea95bce85c4951.txt):

* five programs at district level ("Cấp huyện tổ chức được 05 Chương trình"); the kinds of work
  (clean-up, waste, flowers and trees, rural infrastructure, production models, replacing
  makeshift houses, health); participants (officials, armed forces, residents);
* Nặm Mèng residential cluster (bản Tổng Kim, xã Vĩnh Yên): households gave over 1,200 m² of
  land, over 1,000 cinnamon trees (quế) and hundreds of labour-days for over 750 m of concrete
  road; money and labour for an inner road of over 600 m; almost 300 m² for a future common
  area and traditional house;
* the Sa Pa airport clearance: 290 households, 263.26 ha, 250 billion đồng disbursed, 100 % of
  plan; a key project run by the district.

ILLUSTRATIVE, not from the article: the dates; every other program, road and donation; the
split of Nặm Mèng's totals among households and exact lengths (760 m, 620 m, 290 m²); the money
values of contributions; donation values (land area × the district's average, 55,599.7 million
đồng / 649,003 m² ≈ 85,670 đồng per m², plus any cash); the split of the 250 billion đồng into
payments; the airport's commune (Cam Cọn, from general knowledge, unverified). Programs say so
in their results text and payments in their note; roads, donations and clearance projects have
no note field.

Idempotent: each record is looked up by its natural key (unit + title + date for programs, unit
+ name + year for roads, unit + donor + date for donations, unit + name for clearance projects,
project + date + amount for payments) and created only when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from organization.models import Document, DocumentKind, Unit, User

from . import services
from .models import (
    ClearanceStatus,
    ContributionKind,
    ContributorType,
    DonationPurpose,
    LandDonation,
    OrganizerLevel,
    ParticipantCategory,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
    RoadProject,
    SiteClearanceProject,
    Surface,
    WorkCategory,
)
from .services import ProgramInput

if TYPE_CHECKING:  # seed_demo imports this module; import its Seed only for type checking
    from organization.management.commands.seed_demo import Seed

DISTRICT = "bao-yen"
BAN_DAN_VAN = "bao-yen/huyen-uy/ban-dan-van"
VINH_YEN = "bao-yen/vinh-yen"
NGHIA_DO = "bao-yen/nghia-do"
NAM_MENG = "bao-yen/vinh-yen/tong-kim/nam-meng"

ILLUSTRATIVE = "Ngày tháng và số liệu chi tiết là số liệu minh họa (demo), không phải số liệu thực của huyện."
NAM_MENG_NOTE = (
    "Các số tổng (trên 1.200 m² đất, hơn 1.000 cây quế, hàng trăm ngày công, trên 750 m đường bê tông, "
    "tuyến nội thôn trên 600 m, gần 300 m² đất khu sinh hoạt chung) lấy từ bài viết; cách chia theo hộ, "
    "ngày tháng và giá trị quy ra tiền là số liệu minh họa (demo)."
)
#: Money equivalent of a donation: the district's average, 55.599,7 million đồng for 649.003 m².
DONG_PER_M2 = 85_670

W = WorkCategory
PF = ProgramField
PC = ParticipantCategory
CT = ContributorType
OVER = Qualifier.OVER
EXACT = Qualifier.EXACT


# --- What the programs were ---------------------------------------------------------------------


@dataclass(frozen=True)
class Gift:
    by: str
    kind: str
    value: int
    quantity: int = 0
    unit: str = ""
    qualifier: str = EXACT
    note: str = ""


def cash(by: str, value: int, qualifier: str = EXACT) -> Gift:
    return Gift(by, ContributionKind.CASH, value, unit="đồng", qualifier=qualifier)


def labour(by: str, days: int, value: int, qualifier: str = EXACT) -> Gift:
    return Gift(by, ContributionKind.LABOUR_DAYS, value, days, "ngày công", qualifier)


def goods(by: str, what: str, value: int, qualifier: str = EXACT) -> Gift:
    return Gift(by, ContributionKind.IN_KIND, value, unit="", qualifier=qualifier, note=what)


def seedlings(by: str, count: int, value: int) -> Gift:
    return Gift(by, ContributionKind.TREES, value, count, "cây")


@dataclass(frozen=True)
class ProgramSpec:
    day: date
    place: str  # the commune's key below bao-yen/
    title: str
    fields: tuple[str, ...]
    work: tuple[tuple[str, str, int, str], ...]  # (category, description, quantity, unit of measure)
    gifts: tuple[Gift, ...]
    people: tuple[tuple[str, int] | tuple[str, int, str], ...]  # (category, person-times[, qualifier])
    village: str = ""  # key below the commune
    district: bool = False  # organized by the district (Ban Dân vận Huyện ủy)
    status: str = ProgramStatus.REVIEWED
    summary: str = ""


NAM_MENG_PROGRAM = ProgramSpec(
    date(2022, 3, 19),
    "vinh-yen",
    "Ra quân xây dựng mô hình “Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới” tại Khu dân cư Nặm Mèng",
    (PF.INFRASTRUCTURE, PF.CULTURE, PF.PERSUASION),
    (
        (W.INFRASTRUCTURE, "Làm đường bê tông xi măng vào Khu dân cư Nặm Mèng", 760, "m"),
        (W.INFRASTRUCTURE, "Làm tuyến đường nội thôn Khu dân cư Nặm Mèng", 620, "m"),
        (W.CLEAN_UP, "Dọn vệ sinh nhà cửa, làm hàng rào, di chuyển chuồng trại ra xa nhà ở", 0, ""),
        (W.GREENERY, "Trồng hoa hai bên đường làng", 0, ""),
        (W.PERSUASION, "Vận động các hộ ký cam kết “Không còn hủ tục lạc hậu”, không tảo hôn", 0, ""),
    ),
    (
        goods(CT.AGENCIES, "Xi măng, cát, sỏi hỗ trợ làm đường", 350_000_000),
        cash(CT.HOUSEHOLDS, 45_000_000),
        labour(CT.HOUSEHOLDS, 200, 40_000_000, OVER),
        labour(CT.OFFICIALS, 60, 12_000_000),
    ),
    ((PC.RESIDENTS, 400, OVER), (PC.OFFICIALS, 60), (PC.ARMED_FORCES, 20), (PC.YOUTH, 35)),
    village="tong-kim/nam-meng",
    summary="Nhân dân Khu dân cư Nặm Mèng hiến đất, cây quế và ngày công làm đường bê tông xi măng; đóng góp "
    "kinh phí, ngày công làm tuyến đường nội thôn; hiến đất để tạo khu sinh hoạt chung và nhà truyền thống. "
    + NAM_MENG_NOTE,
)

NA_PONG_PROGRAM = ProgramSpec(
    date(2021, 9, 11),
    "nghia-do",
    "Ra quân làm đường bê tông nội thôn Nà Pồng",
    (PF.INFRASTRUCTURE,),
    ((W.INFRASTRUCTURE, "Đổ bê tông đường nội thôn", 850, "m"),),
    (goods(CT.AGENCIES, "Xi măng", 95_000_000), labour(CT.RESIDENTS, 150, 30_000_000, OVER)),
    ((PC.RESIDENTS, 150, OVER), (PC.OFFICIALS, 25)),
    village="na-pong",
)

PROGRAMS = (
    # Organized by the district (the article's five).
    ProgramSpec(date(2021, 4, 10), "xuan-hoa", "Ra quân dân vận tại cơ sở: vệ sinh môi trường, trồng cây xanh",
                (PF.ENVIRONMENT,),
                ((W.CLEAN_UP, "Phát quang, dọn vệ sinh đường liên thôn", 5, "km"),
                 (W.GREENERY, "Trồng cây xanh hai bên đường", 1200, "cây")),
                (cash(CT.AGENCIES, 60_000_000), seedlings(CT.AGENCIES, 1200, 36_000_000),
                 labour(CT.RESIDENTS, 300, 60_000_000, OVER)),
                ((PC.OFFICIALS, 150), (PC.ARMED_FORCES, 40), (PC.RESIDENTS, 300, OVER)), district=True),
    ProgramSpec(date(2022, 5, 14), "bao-ha", "Ra quân hỗ trợ Nhân dân xây dựng hạ tầng nông thôn",
                (PF.INFRASTRUCTURE,),
                ((W.INFRASTRUCTURE, "Đổ bê tông đường ngõ xóm", 450, "m"),
                 (W.CLEAN_UP, "Nạo vét rãnh thoát nước", 2, "km")),
                (goods(CT.BUSINESSES, "Xi măng", 120_000_000), labour(CT.RESIDENTS, 250, 50_000_000, OVER)),
                ((PC.OFFICIALS, 120), (PC.ARMED_FORCES, 30), (PC.RESIDENTS, 250)), district=True),
    ProgramSpec(date(2023, 3, 25), "tan-duong", "Ra quân xóa nhà tạm, nhà dột nát cho hộ nghèo",
                (PF.HOUSING,),
                ((W.HOUSING, "Xây mới nhà cho hộ nghèo", 3, "nhà"),
                 (W.HEALTH, "Khám bệnh, cấp thuốc miễn phí", 150, "lượt")),
                (cash(CT.AGENCIES, 180_000_000), cash(CT.BUSINESSES, 90_000_000),
                 labour(CT.ARMED_FORCES, 120, 24_000_000)),
                ((PC.OFFICIALS, 80), (PC.ARMED_FORCES, 60), (PC.MEMBERS, 45)), district=True),
    ProgramSpec(date(2023, 11, 18), "nghia-do", "Ra quân dân vận khéo gắn với phát triển du lịch cộng đồng",
                (PF.ECONOMY, PF.CULTURE),
                ((W.GREENERY, "Trồng đường hoa vào điểm du lịch cộng đồng", 1, "km"),
                 (W.WASTE, "Đặt thùng phân loại rác tại các homestay", 40, "thùng")),
                (cash(CT.AGENCIES, 70_000_000), goods(CT.BUSINESSES, "Thùng rác, cây hoa", 30_000_000)),
                ((PC.OFFICIALS, 90), (PC.YOUTH, 60), (PC.RESIDENTS, 200, OVER)), village="na-dinh", district=True),
    ProgramSpec(date(2024, 4, 20), "pho-rang", "Ra quân “10 phút góp phần cải thiện môi trường”",
                (PF.ENVIRONMENT,),
                ((W.CLEAN_UP, "Tổng vệ sinh các tuyến phố", 6, "km"),
                 (W.WASTE, "Thu gom, phân loại rác thải", 8, "tấn")),
                (cash(CT.AGENCIES, 25_000_000), labour(CT.OFFICIALS, 200, 40_000_000)),
                ((PC.OFFICIALS, 200), (PC.PUPILS, 150), (PC.RESIDENTS, 500, OVER)), village="to-dan-pho-2",
                district=True),
    # Organized by the communes.
    ProgramSpec(date(2021, 5, 8), "vinh-yen", "Ra quân vệ sinh môi trường bản Vành",
                (PF.ENVIRONMENT,),
                ((W.CLEAN_UP, "Dọn vệ sinh đường bản", 2, "km"),),
                (labour(CT.RESIDENTS, 80, 16_000_000),),
                ((PC.RESIDENTS, 80), (PC.OFFICIALS, 15)), village="ban-vanh"),
    NAM_MENG_PROGRAM,
    ProgramSpec(date(2024, 10, 5), "vinh-yen", "Ra quân khắc phục hậu quả hoàn lưu bão số 3 tại bản Khuổi Phường",
                (PF.SECURITY, PF.HOUSING),
                ((W.CLEAN_UP, "Dọn đất đá sạt lở trên đường bản", 1, "km"),
                 (W.HOUSING, "Sửa chữa nhà bị tốc mái", 6, "nhà")),
                (cash(CT.OFFICIALS, 20_000_000), labour(CT.ARMED_FORCES, 90, 18_000_000)),
                ((PC.ARMED_FORCES, 45), (PC.OFFICIALS, 30), (PC.RESIDENTS, 110)), village="khuoi-phuong",
                status=ProgramStatus.HELD),
    NA_PONG_PROGRAM,
    ProgramSpec(date(2022, 7, 16), "nghia-do", "Ra quân chỉnh trang cảnh quan bản Nà Đình",
                (PF.ENVIRONMENT, PF.ECONOMY),
                ((W.GREENERY, "Trồng hoa, cây cảnh trước nhà sàn", 600, "m"),
                 (W.PRODUCTION, "Hướng dẫn các hộ làm dịch vụ homestay", 12, "hộ")),
                (cash(CT.HOUSEHOLDS, 24_000_000), labour(CT.RESIDENTS, 60, 12_000_000)),
                ((PC.RESIDENTS, 120), (PC.YOUTH, 30)), village="na-dinh"),
    ProgramSpec(date(2024, 3, 9), "nghia-do", "Ra quân dọn vệ sinh, khơi thông rãnh thoát nước bản Khuổi Phéc",
                (PF.ENVIRONMENT,),
                ((W.CLEAN_UP, "Khơi thông rãnh thoát nước", 1, "km"),),
                (labour(CT.RESIDENTS, 70, 14_000_000),),
                ((PC.RESIDENTS, 70), (PC.MEMBERS, 20)), village="khuoi-phec"),
    ProgramSpec(date(2022, 8, 20), "pho-rang", "Ra quân trồng hoa, chỉnh trang tổ dân phố 3",
                (PF.ENVIRONMENT,),
                ((W.GREENERY, "Trồng đường hoa", 800, "m"),),
                (cash(CT.HOUSEHOLDS, 15_000_000),),
                ((PC.RESIDENTS, 90), (PC.PARTY_MEMBERS, 25)), village="to-dan-pho-3"),
    ProgramSpec(date(2021, 11, 13), "kim-son", "Ra quân hỗ trợ mô hình trồng quế hữu cơ",
                (PF.ECONOMY,),
                ((W.PRODUCTION, "Hướng dẫn kỹ thuật trồng, chăm sóc quế hữu cơ", 30, "hộ"),),
                (seedlings(CT.AGENCIES, 5000, 25_000_000),),
                ((PC.OFFICIALS, 20), (PC.RESIDENTS, 60))),
    ProgramSpec(date(2022, 10, 22), "thuong-ha", "Ra quân làm đường giao thông nông thôn",
                (PF.INFRASTRUCTURE,),
                ((W.INFRASTRUCTURE, "Mở rộng nền đường liên thôn", 1, "km"),),
                (labour(CT.RESIDENTS, 180, 36_000_000), cash(CT.HOUSEHOLDS, 30_000_000)),
                ((PC.RESIDENTS, 180), (PC.YOUTH, 40))),
    ProgramSpec(date(2022, 12, 10), "cam-con", "Ra quân vận động Nhân dân đồng thuận giải phóng mặt bằng",
                (PF.PERSUASION,),
                ((W.PERSUASION, "Tuyên truyền, vận động các hộ bị thu hồi đất", 290, "hộ"),),
                (),
                ((PC.OFFICIALS, 60), (PC.MEMBERS, 40))),
    ProgramSpec(date(2023, 5, 13), "dien-quan", "Ra quân phòng, chống dịch bệnh, vệ sinh môi trường",
                (PF.HEALTH, PF.ENVIRONMENT),
                ((W.HEALTH, "Phun thuốc khử trùng chuồng trại", 120, "hộ"), (W.CLEAN_UP, "Dọn vệ sinh", 3, "km")),
                (goods(CT.AGENCIES, "Hóa chất khử trùng", 8_000_000),),
                ((PC.OFFICIALS, 35), (PC.RESIDENTS, 140))),
    ProgramSpec(date(2023, 9, 16), "viet-tien", "Ra quân thu gom rác thải, bao bì thuốc bảo vệ thực vật",
                (PF.ENVIRONMENT,),
                ((W.WASTE, "Thu gom bao bì thuốc bảo vệ thực vật", 2, "tấn"),),
                (labour(CT.RESIDENTS, 100, 20_000_000),),
                ((PC.RESIDENTS, 100), (PC.PUPILS, 80))),
    ProgramSpec(date(2023, 6, 17), "luong-son", "Ra quân làm nhà văn hóa thôn",
                (PF.CULTURE, PF.INFRASTRUCTURE),
                ((W.INFRASTRUCTURE, "Sửa chữa nhà văn hóa thôn", 1, "nhà"),),
                (cash(CT.HOUSEHOLDS, 40_000_000), labour(CT.RESIDENTS, 90, 18_000_000)),
                ((PC.RESIDENTS, 90), (PC.OFFICIALS, 12))),
    ProgramSpec(date(2024, 9, 21), "bao-ha", "Ra quân khắc phục hậu quả hoàn lưu bão số 3",
                (PF.SECURITY, PF.ENVIRONMENT),
                ((W.CLEAN_UP, "Dọn bùn đất, vệ sinh nhà cửa sau lũ", 40, "hộ"),
                 (W.HOUSING, "Di dời nhà khỏi vùng sạt lở", 4, "nhà")),
                (cash(CT.BUSINESSES, 50_000_000), labour(CT.ARMED_FORCES, 300, 60_000_000, OVER)),
                ((PC.ARMED_FORCES, 150, OVER), (PC.OFFICIALS, 60), (PC.YOUTH, 50)), status=ProgramStatus.HELD),
    ProgramSpec(date(2024, 12, 14), "minh-tan", "Ra quân mở đường vào vùng sản xuất quế",
                (PF.INFRASTRUCTURE, PF.ECONOMY),
                ((W.INFRASTRUCTURE, "Mở đường vào vùng quế", 1, "km"),),
                (), (), status=ProgramStatus.SURVEYED),
)  # fmt: skip


# --- Roads and the households who gave land for them --------------------------------------------


@dataclass(frozen=True)
class DonationSpec:
    donor: str
    day: date
    area_m2: int
    trees: dict[str, int] = field(default_factory=dict)
    labour_days: int = 0
    cash_vnd: int = 0
    purpose: str = DonationPurpose.ROAD
    other_assets: str = ""


@dataclass(frozen=True)
class RoadSpec:
    place: str
    name: str
    year: int
    length_m: Decimal
    donations: tuple[DonationSpec, ...] = ()
    village: str = ""
    program: ProgramSpec | None = None
    road_width_m: Decimal | None = None
    surface_width_m: Decimal | None = None


def _nam_meng_donors() -> tuple[DonationSpec, ...]:
    # Nine households: 1.236 m² (over 1.200), 1.085 cinnamon trees (over 1.000), 300 labour-days.
    households = (
        ("Hộ ông Giàng Seo Demo", 180, 160, 40, "Hàng rào gỗ"),
        ("Hộ ông Vàng A Demo", 165, 150, 38, ""),
        ("Hộ ông Lý Seo Demo", 150, 140, 36, ""),
        ("Hộ ông Sùng A Demo", 140, 130, 35, "Chuồng trại cũ"),
        ("Hộ ông Thào Seo Demo", 135, 120, 34, ""),
        ("Hộ bà Hầu Thị Demo", 130, 115, 32, ""),
        ("Hộ ông Ma A Demo", 125, 100, 30, ""),
        ("Hộ ông Lồ Seo Demo", 110, 90, 28, ""),
        ("Hộ ông Mùa A Demo", 101, 80, 27, ""),
    )
    return tuple(
        DonationSpec(name, date(2022, 3, 5 + index), area, {"quế": trees}, days, other_assets=assets)
        for index, (name, area, trees, days, assets) in enumerate(households)
    )


NAM_MENG_ROAD = RoadSpec(
    "vinh-yen",
    "Đường bê tông xi măng vào Khu dân cư Nặm Mèng",
    2022,
    Decimal(760),
    _nam_meng_donors(),
    village="tong-kim/nam-meng",
    program=NAM_MENG_PROGRAM,
    road_width_m=Decimal("4.00"),
    surface_width_m=Decimal("3.00"),
)
NAM_MENG_INNER_ROAD = RoadSpec(
    "vinh-yen",
    "Đường nội thôn Khu dân cư Nặm Mèng",
    2022,
    Decimal(620),
    village="tong-kim/nam-meng",
    program=NAM_MENG_PROGRAM,
    road_width_m=Decimal("3.00"),
    surface_width_m=Decimal("2.50"),
)
#: Almost 300 m² for the future common area and traditional house: given for the program, not a road.
NAM_MENG_COMMON_AREA = DonationSpec("Hộ ông Tráng Seo Demo", date(2022, 4, 2), 290, purpose=DonationPurpose.COMMON_AREA)

ROADS = (
    NAM_MENG_ROAD,
    NAM_MENG_INNER_ROAD,
    RoadSpec("nghia-do", "Đường bê tông nội thôn Nà Pồng", 2021, Decimal(850), (
        DonationSpec("Hộ ông Hoàng Văn Demo", date(2021, 8, 20), 210, {"bưởi": 6}, 12),
        DonationSpec("Hộ bà Ma Thị Demo", date(2021, 8, 21), 180, {}, 10, 2_000_000),
        DonationSpec("Hộ ông Lương Văn Demo", date(2021, 8, 23), 95, {"tre": 30}, 8, other_assets="Tường rào gạch"),
    ), village="na-pong", program=NA_PONG_PROGRAM),
    RoadSpec("nghia-do", "Đường vào điểm du lịch cộng đồng Nà Đình", 2023, Decimal(1200), (
        DonationSpec("Hộ ông Ma Văn Demo", date(2023, 4, 10), 320, {"quế": 40}, 15),
        DonationSpec("Hộ ông Hà Văn Demo", date(2023, 4, 12), 260, {}, 14, 3_000_000),
    ), village="na-dinh"),
    RoadSpec("xuan-hoa", "Đường liên thôn Xuân Hòa", 2021, Decimal(1500), (
        DonationSpec("Hộ ông Nguyễn Văn Demo", date(2021, 3, 15), 400, {"chè": 120}, 20),
        DonationSpec("Hộ ông Phạm Văn Demo", date(2021, 3, 16), 350, {"quế": 60}, 18),
    )),
    RoadSpec("bao-ha", "Đường liên thôn Bảo Hà", 2024, Decimal("2350.50"), (
        DonationSpec("Hộ ông Trần Văn Demo", date(2024, 2, 20), 500, {"bưởi": 15}, 25, 5_000_000),
        DonationSpec("Hộ bà Đặng Thị Demo", date(2024, 2, 22), 280, {}, 10),
    )),
    RoadSpec("pho-rang", "Đường ngõ tổ dân phố 3", 2023, Decimal(420), (
        DonationSpec("Hộ ông Vũ Văn Demo", date(2023, 7, 3), 60, {}, 5, other_assets="Cổng sắt"),
    ), village="to-dan-pho-3"),
    RoadSpec("kim-son", "Đường vào vùng sản xuất quế Kim Sơn", 2022, Decimal(3000)),
)  # fmt: skip


# --- Site clearance: the Sa Pa airport ---------------------------------------------------------

AIRPORT = "Giải phóng mặt bằng dự án Cảng hàng không Sa Pa"
AIRPORT_NOTE = (
    "Số liệu minh họa (demo): bài viết chỉ nêu tổng 250 tỷ đồng cho 290 hộ, đạt 100% kế hoạch; "
    "cách chia theo đợt chi trả là giả định."
)
#: (paid on, amount, households paid): 250 billion đồng and 290 households in all.
AIRPORT_PAYMENTS = (
    (date(2022, 6, 30), 80_000_000_000, 95),
    (date(2022, 12, 26), 70_000_000_000, 85),
    (date(2023, 6, 29), 60_000_000_000, 70),
    (date(2023, 12, 27), 30_000_000_000, 30),
    (date(2024, 3, 28), 10_000_000_000, 10),
)


# --- The step -----------------------------------------------------------------------------------


@dataclass
class _Cast:
    users: dict[str, User]
    units: dict[str, Unit] = field(default_factory=dict)
    programs: dict[ProgramSpec, Program] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Cast:
        return cls(users={user.username: user for user in User.objects.filter(username__startswith="demo_")})

    def unit(self, key: str) -> Unit:
        if key not in self.units:
            self.units[key] = Unit.objects.get(key=key)
        return self.units[key]

    def author(self, commune_key: str) -> User:
        """Who records a commune's own data: its officer where the demo has one."""
        if commune_key == VINH_YEN:
            return self.users["demo_commune"]
        if commune_key == NGHIA_DO:
            return self.users["demo_commune2"]
        return self.users["demo_admin"]

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def seed_programs(seed: Seed) -> None:
    """Programs 2021–2024, roads with their donors (Nặm Mèng among them), the Sa Pa airport."""
    cast = _Cast.load()
    for spec in PROGRAMS:
        cast.programs[spec] = _program(cast, spec)
    for road in ROADS:
        _road(cast, road)
    _donation(cast, VINH_YEN, NAM_MENG, NAM_MENG_COMMON_AREA, program=cast.programs[NAM_MENG_PROGRAM])
    _airport(cast)
    if not cast.created:
        seed.stdout.write("programs: demo records already present, nothing to do")
        return
    seed.stdout.write("programs: created " + ", ".join(f"{n} {what}" for what, n in cast.created.items()))


def _program(cast: _Cast, spec: ProgramSpec) -> Program:
    commune = cast.unit(f"{DISTRICT}/{spec.place}")
    existing = Program.objects.filter(unit=commune, title=spec.title, date=spec.day).first()
    if existing is not None:
        return existing
    village = cast.unit(f"{commune.key}/{spec.village}") if spec.village else None
    if spec.district:
        author, organizer, level = cast.users["demo_district"], cast.unit(BAN_DAN_VAN), OrganizerLevel.DISTRICT
    else:
        author, organizer, level = cast.author(commune.key), commune, OrganizerLevel.COMMUNE
    held = spec.status in (ProgramStatus.HELD, ProgramStatus.REVIEWED)
    values = {
        "unit": commune,
        "village": village,
        "organizer_level": level,
        "organizer": organizer,
        "title": spec.title,
        "date": spec.day,
        "fields": list(spec.fields),
        "basis_document": _basis_document() if spec.district else None,
        "survey_notes": f"Khảo sát thực tế, họp thôn bản lấy ý kiến Nhân dân trước khi ra quân. {ILLUSTRATIVE}",
        "status": spec.status,
        "summary": (spec.summary or f"Hoàn thành các phần việc đã đề ra. {ILLUSTRATIVE}") if held else "",
    }
    data = ProgramInput(
        values=values,
        work_items=[
            {
                "category": category,
                "description": description,
                "quantity": Decimal(quantity),
                "unit_of_measure": unit_of_measure,
                "location": village.name if village else commune.name,
                "done": held,
            }
            for category, description, quantity, unit_of_measure in spec.work
        ],
        contributions=[
            {
                "contributor_type": gift.by,
                "kind": gift.kind,
                "quantity": Decimal(gift.quantity),
                "unit_of_measure": gift.unit,
                "value_vnd": gift.value,
                "qualifier": gift.qualifier,
                "note": gift.note,
            }
            for gift in spec.gifts
        ]
        if held
        else [],
        participation=[
            {"category": row[0], "person_times": row[1], "qualifier": row[2] if len(row) > 2 else EXACT}
            for row in spec.people
        ]
        if held
        else [],
    )
    program = services.program_create(user=author, data=data)
    cast.count("programs")
    return program


def _basis_document() -> Document | None:
    """The district's scheme on propaganda and mobilization work (seeded by organization)."""
    return Document.objects.filter(
        issuer__key="bao-yen/huyen-uy", kind=DocumentKind.DA, subject__contains="tuyên truyền vận động"
    ).first()


def _road(cast: _Cast, spec: RoadSpec) -> RoadProject:
    commune = cast.unit(f"{DISTRICT}/{spec.place}")
    village_key = f"{commune.key}/{spec.village}" if spec.village else ""
    road = RoadProject.objects.filter(unit=commune, name=spec.name, year=spec.year).first()
    if road is None:
        road = services.road_project_save(
            user=cast.author(commune.key),
            values={
                "unit": commune,
                "village": cast.unit(village_key) if village_key else None,
                "program": cast.programs[spec.program] if spec.program else None,
                "name": spec.name,
                "year": spec.year,
                "length_m": spec.length_m,
                "road_width_m": spec.road_width_m,
                "surface_width_m": spec.surface_width_m,
                "surface": Surface.CONCRETE,
            },
        )
        cast.count("roads")
    for donation in spec.donations:
        _donation(cast, commune.key, village_key, donation, road=road)
    return road


def _donation(
    cast: _Cast,
    commune_key: str,
    village_key: str,
    spec: DonationSpec,
    *,
    road: RoadProject | None = None,
    program: Program | None = None,
) -> LandDonation:
    commune = cast.unit(commune_key)
    existing = LandDonation.objects.filter(unit=commune, donor=spec.donor, donated_on=spec.day).first()
    if existing is not None:
        return existing
    donation = services.land_donation_save(
        user=cast.author(commune_key),
        values={
            "unit": commune,
            "village": cast.unit(village_key) if village_key else None,
            "road": road,
            "program": program,
            "donor": spec.donor,
            "donated_on": spec.day,
            "purpose": spec.purpose,
            "area_m2": Decimal(spec.area_m2),
            "trees": dict(spec.trees),
            "other_assets": spec.other_assets,
            "labour_days": Decimal(spec.labour_days),
            "cash_vnd": spec.cash_vnd,
            "value_vnd": round(spec.area_m2 * DONG_PER_M2, -3) + spec.cash_vnd,
        },
    )
    cast.count("land donations")
    return donation


def _airport(cast: _Cast) -> SiteClearanceProject:
    district, staff = cast.unit(DISTRICT), cast.users["demo_district"]
    project = SiteClearanceProject.objects.filter(unit=district, name=AIRPORT).first()
    if project is None:
        project = services.clearance_project_save(
            user=staff,
            values={
                "unit": district,
                "name": AIRPORT,
                "is_key_project": True,
                "started_on": date(2022, 3, 1),
                "affected_households": 290,
                "area_ha": Decimal("263.26"),
                "budget_vnd": 250_000_000_000,
                "status": ClearanceStatus.DONE,
            },
            communes=[cast.unit(f"{DISTRICT}/cam-con")],
        )
        cast.count("site clearance projects")
    for paid_on, amount, households in AIRPORT_PAYMENTS:
        if project.disbursements.filter(paid_on=paid_on, amount_vnd=amount).exists():
            continue
        services.disbursement_record(
            user=staff,
            project=project,
            values={"paid_on": paid_on, "amount_vnd": amount, "households_paid": households, "note": AIRPORT_NOTE},
        )
        cast.count("disbursements")
    return project


#: Run by ``seed_demo`` after the organization's own steps (and before later apps' steps).
DEMO_STEPS = [seed_programs]
