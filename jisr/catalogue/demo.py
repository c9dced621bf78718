"""A demo catalogue: the ministries' branches, NGOs and agencies offering some 300 services across
the 18 governorates, each published through the review, with locations and a few proposals still
waiting. Idempotent: run again, nothing is added twice."""

from __future__ import annotations

import random
from typing import Any

from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
from jisr.accounts.roles import Role, Scope
from jisr.catalogue.models import Location, Service
from jisr.catalogue.services import change_approve, service_propose
from jisr.places.models import Governorate

# (provider, Arabic, Kurdish, English, categories, extra fields)
TEMPLATES: list[tuple[str, str, str, str, list[str], dict[str, Any]]] = [
    ("MoLSA", "التسجيل في قاعدة بيانات الباحثين عن عمل", "تۆمارکردن لە بنکەی زانیاریی کارگەڕان", "Job seeker registration", ["economic-employment"], {"minimum_age": 18, "required_documents": ["national_id"]}),
    ("MoLSA", "دورات التدريب المهني", "خولەکانی ڕاهێنانی پیشەیی", "Vocational training courses", ["economic-vocational-training"], {"minimum_age": 16, "capacity_per_month": 60, "wait_days": 30}),
    ("MoLSA", "قروض المشاريع الصغيرة المدرة للدخل", "قەرزی پڕۆژە بچووکە داهاتهێنەرەکان", "Small business loans", ["economic-business"], {"minimum_age": 18, "required_documents": ["national_id", "residence_card"], "wait_days": 60}),
    ("MoLSA", "شبكة الحماية الاجتماعية", "تۆڕی پاراستنی کۆمەڵایەتی", "Social protection net (monthly allowance)", ["social-welfare", "economic-cash"], {"required_documents": ["national_id", "residence_card"], "wait_days": 90}),
    ("MoMD", "منحة العودة للعائدين", "بەخشینی گەڕانەوە بۆ گەڕاوەکان", "Return grant", ["economic-cash"], {"person_types": ["returnee", "idp_returnee"], "required_documents": ["return_certificate", "national_id"]}),
    ("MoMD", "الإرشاد قبل العودة وبعدها", "ڕێنمایی پێش و دوای گەڕانەوە", "Return and reintegration counselling", ["information-return", "information-referral"], {"remote": True}),
    ("MoMD", "المساعدة في استخراج الوثائق الرسمية", "یارمەتی بۆ دەرهێنانی بەڵگەنامە فەرمییەکان", "Help with civil documents", ["legal-documentation", "legal-civil-status"], {"required_documents": ["return_certificate"]}),
    ("MoMD", "قطع أراضٍ سكنية للعائدين", "پارچە زەویی نیشتەجێبوون بۆ گەڕاوەکان", "Residential land plots for returnees", ["social-housing"], {"person_types": ["returnee"], "required_documents": ["return_certificate", "national_id"], "wait_days": 180}),
    ("NGO", "ترميم المساكن المتضررة", "نۆژەنکردنەوەی خانووە زیانلێکەوتووەکان", "Repair of damaged homes", ["social-housing", "legal-hlp"], {"person_types": ["returnee", "idp_returnee"]}),
    ("NGO", "المساعدة القانونية المجانية", "یارمەتیی یاسایی بێبەرامبەر", "Free legal aid", ["legal-aid", "legal-documentation"], {"remote": True}),
    ("NGO", "قضايا السكن والأراضي والممتلكات", "کێشەکانی نیشتەجێبوون و زەوی و موڵک", "Housing, land and property cases", ["legal-hlp"], {"required_documents": ["property_document"]}),
    ("NGO", "الدعم النفسي والاجتماعي الفردي والجماعي", "پاڵپشتیی دەروونی و کۆمەڵایەتیی تاکەکەسی و بەکۆمەڵ", "Individual and group psychosocial support", ["psychosocial-counselling"], {"remote": True, "capacity_per_month": 40}),
    ("NGO", "الاستجابة للعنف القائم على النوع الاجتماعي", "وەڵامدانەوەی توندوتیژیی ڕەگەزی", "Gender-based violence response", ["protection-gbv", "psychosocial-counselling"], {"sex": "F"}),
    ("NGO", "حماية الطفل وإدارة الحالات", "پاراستنی منداڵ و بەڕێوەبردنی کەیس", "Child protection case management", ["protection-child"], {"maximum_age": 17}),
    ("NGO", "دورات اللغة الإنكليزية والحاسوب", "خولی زمانی ئینگلیزی و کۆمپیوتەر", "English and computer courses", ["education-language", "economic-vocational-training"], {"minimum_age": 15, "wait_days": 14}),
    ("UN", "العيادات الصحية المتنقلة", "کلینیکی تەندروستیی گەڕۆک", "Mobile health clinics", ["health-primary"], {}),
    ("UN", "البحث عن أفراد الأسرة ولمّ الشمل", "گەڕان بەدوای ئەندامانی خێزان و کۆکردنەوەیان", "Family tracing and reunification", ["social-family-tracing"], {"remote": True}),
    ("UN", "مساعدة نقدية متعددة الأغراض", "یارمەتیی داراییی فرەمەبەست", "Multi-purpose cash assistance", ["economic-cash"], {"person_types": ["returnee", "idp_returnee", "idp"]}),
]  # fmt: skip

HOW_TO_ACCESS = {
    "ar": "راجع المكتب في أيام الدوام ومعك الوثائق المطلوبة، أو اطلب إحالة من باحثك الاجتماعي في وزارة الهجرة.",
    "ckb": "لە ڕۆژانی کاردا سەردانی نووسینگە بکە و بەڵگەنامە پێویستەکان لەگەڵ خۆت بهێنە، یان داوای ئاراستەکردن لە توێژەری کۆمەڵایەتیی خۆت بکە.",
    "en": "Visit the office on working days with the documents listed, or ask your caseworker at the Ministry of Migration for a referral.",
}


def build_catalogue(*, rng: random.Random, demo_email: str) -> int:
    if Service.objects.exists():
        return 0
    reviewer = User.objects.filter(email=f"admin@{demo_email}").first()
    if reviewer is None:
        return 0
    branches = {
        (o.acronym, o.governorate_id): o
        for o in Organisation.objects.filter(kind=OrganisationKind.GOVERNMENT_OFFICE)
    }
    ngos = list(Organisation.objects.filter(kind=OrganisationKind.NGO).order_by("pk"))
    agency = Organisation.objects.filter(kind=OrganisationKind.UN_AGENCY).first()
    made = 0
    for governorate in Governorate.objects.order_by("code"):
        providers = {
            "MoLSA": branches.get(("MoLSA", governorate.pk)),
            "MoMD": branches.get(("MoMD", governorate.pk)),
            "NGO": ngos[made % len(ngos)] if ngos else None,
            "UN": agency,
        }
        for kind, ar, ckb, en, categories, extra in TEMPLATES:
            provider = providers[kind]
            if provider is None or rng.random() < 0.06:
                continue
            staff = _staff(provider, demo_email)
            location = _location(provider, governorate, staff)
            data = {
                "name_ar": ar, "name_ckb": ckb, "name_en": en,
                "description_ar": f"{ar} في محافظة {governorate.name_ar}.",
                "description_en": f"{en} in {governorate.name_en}.",
                **{f"how_to_access_{k}": v for k, v in HOW_TO_ACCESS.items()},
                "categories": categories, "areas": [governorate.code],
                "locations": [str(location.uuid)], "languages": ["ar", "ckb"] if governorate.code in ("IQ-AR", "IQ-SU", "IQ-DA", "IQ-KI") else ["ar"],
                "opening_hours": "الأحد إلى الخميس، ٨:٠٠ إلى ١٤:٠٠",
                "phone": f"+96477{rng.randint(10_000_000, 99_999_999)}",
                "status": "temporarily closed" if rng.random() < 0.03 else "active",
                **extra,
            }  # fmt: skip
            change = service_propose(by=staff, data=data)
            if rng.random() < 0.97:
                change_approve(by=reviewer, change=change)
            made += 1
    return made


def _staff(provider: Organisation, demo_email: str) -> User:
    user = (
        User.objects.filter(organisation=provider, role_grants__role=Role.PROVIDER_STAFF)
        .order_by("pk")
        .first()
    )
    if user is None:
        user = User.objects.create_user(
            email=f"services.{provider.pk}@{demo_email}",
            full_name=provider.name_ar,
            password=None,
            organisation=provider,
            language="ar",
        )
        RoleGrant.objects.create(user=user, role=Role.PROVIDER_STAFF, scope=Scope.ORGANISATION)
    return user


def _location(provider: Organisation, governorate: Governorate, staff: User) -> Location:
    location = Location.objects.filter(organisation=provider, governorate=governorate).first()
    if location is None:
        location = Location.objects.create(
            organisation=provider,
            governorate=governorate,
            name_ar=f"مكتب {provider.name_ar} في {governorate.name_ar}",
            name_ckb=f"نووسینگەی {provider.name_ckb or provider.name_ar} لە {governorate.name_ckb}",
            name_en=f"{provider.name_en or provider.name_ar} office, {governorate.name_en}",
            address=f"مركز مدينة {governorate.name_ar}",
        )
    return location
