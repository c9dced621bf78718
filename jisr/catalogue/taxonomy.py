"""Jisr's two-level taxonomy of reintegration services, in Arabic, Central Kurdish and English.

Drawn from the reintegration framework's kinds of support (legal, economic, social,
psychosocial, health, protection, information) and the needs the case form records: each
category names the answers ("question:value") that show a person needs it.
"""

from __future__ import annotations

# (code, parent code or "", Arabic, Central Kurdish, English, needs)
CATEGORIES: list[tuple[str, str, str, str, str, list[str]]] = [
    ("legal", "", "قانونية", "یاسایی", "Legal", ["needs:legal", "needs:documentation"]),
    ("legal-documentation", "legal", "استخراج الوثائق الرسمية", "دەرهێنانی بەڵگەنامە فەرمییەکان", "Civil documentation", ["needs:documentation"]),
    ("legal-civil-status", "legal", "الأحوال المدنية (زواج، ولادة، وفاة)", "باری شارستانی (هاوسەرگیری، لەدایکبوون، مردن)", "Civil status (marriage, birth, death)", ["needs:documentation"]),
    ("legal-hlp", "legal", "السكن والأراضي والممتلكات", "نیشتەجێبوون و زەوی و موڵک", "Housing, land and property disputes", ["property_issue:damaged", "property_issue:destroyed", "property_issue:occupied", "property_issue:documents_lost"]),
    ("legal-aid", "legal", "المساعدة القانونية والتمثيل", "یارمەتیی یاسایی و نوێنەرایەتی", "Legal aid and representation", ["needs:legal"]),
    ("economic", "", "اقتصادية", "ئابووری", "Economic", ["needs:employment", "needs:training", "needs:cash"]),
    ("economic-employment", "economic", "التشغيل والتوظيف", "دامەزراندن و کار", "Employment and job placement", ["needs:employment", "employment_needs:job_placement"]),
    ("economic-vocational-training", "economic", "التدريب المهني", "ڕاهێنانی پیشەیی", "Vocational training", ["needs:training", "employment_needs:vocational_training"]),
    ("economic-business", "economic", "منح وقروض المشاريع الصغيرة", "بەخشین و قەرزی پڕۆژە بچووکەکان", "Business start-up grant or loan", ["employment_needs:business_start_up"]),
    ("economic-cash", "economic", "المساعدة النقدية", "یارمەتیی دارایی", "Cash grant", ["needs:cash"]),
    ("economic-recognition", "economic", "معادلة الشهادات والاعتراف بها", "هاوتاکردن و ناسینەوەی بڕوانامە", "Recognition of qualifications", ["employment_needs:recognition"]),
    ("social", "", "اجتماعية", "کۆمەڵایەتی", "Social", ["needs:shelter", "needs:education_children", "needs:family_tracing"]),
    ("social-housing", "social", "السكن والمأوى", "نیشتەجێبوون و پەناگە", "Housing and shelter", ["needs:shelter"]),
    ("social-education-children", "social", "تعليم الأطفال", "خوێندنی منداڵان", "Education for children", ["needs:education_children"]),
    ("social-family-tracing", "social", "البحث عن الأسر ولمّ الشمل", "گەڕان بەدوای خێزان و کۆکردنەوەیان", "Family tracing and reunification", ["needs:family_tracing"]),
    ("social-welfare", "social", "الرعاية الاجتماعية", "چاودێریی کۆمەڵایەتی", "Social welfare and protection net", ["needs:cash"]),
    ("psychosocial", "", "الدعم النفسي والاجتماعي", "پاڵپشتیی دەروونی و کۆمەڵایەتی", "Psychosocial", ["needs:psychosocial"]),
    ("psychosocial-counselling", "psychosocial", "الإرشاد النفسي", "ڕاوێژی دەروونی", "Counselling", ["needs:psychosocial"]),
    ("psychosocial-mental-health", "psychosocial", "الصحة النفسية", "تەندروستیی دەروونی", "Mental health care", ["needs:psychosocial"]),
    ("health", "", "صحية", "تەندروستی", "Health", ["needs:health"]),
    ("health-primary", "health", "الرعاية الصحية الأولية", "چاودێریی تەندروستیی سەرەتایی", "Primary health care", ["needs:health"]),
    ("health-disability", "health", "الإعاقة والتأهيل", "کەمئەندامی و دووبارە ئامادەکردنەوە", "Disability and rehabilitation", ["needs:health"]),
    ("protection", "", "الحماية", "پاراستن", "Protection", []),
    ("protection-gbv", "protection", "الحماية من العنف القائم على النوع الاجتماعي", "پاراستن لە توندوتیژیی ڕەگەزی", "Gender-based violence response", []),
    ("protection-child", "protection", "حماية الطفل", "پاراستنی منداڵ", "Child protection", []),
    ("protection-trafficking", "protection", "مكافحة الاتجار بالبشر", "دژایەتیی بازرگانیکردن بە مرۆڤ", "Counter-trafficking", []),
    ("information", "", "المعلومات والإرشاد", "زانیاری و ڕێنمایی", "Information and counselling", []),
    ("information-return", "information", "الإرشاد قبل العودة وبعدها", "ڕێنمایی پێش و دوای گەڕانەوە", "Return and reintegration counselling", []),
    ("information-referral", "information", "الإحالة إلى الخدمات", "ئاراستەکردن بۆ خزمەتگوزارییەکان", "Information and referral", []),
    ("education", "", "التعليم والتدريب", "پەروەردە و ڕاهێنان", "Education and training", ["employment_needs:language_course"]),
    ("education-language", "education", "دورات اللغة", "خولی زمان", "Language courses", ["employment_needs:language_course"]),
    ("education-adult", "education", "تعليم الكبار ومحو الأمية", "خوێندنی گەورەساڵان و نەهێشتنی نەخوێندەواری", "Adult education and literacy", []),
]  # fmt: skip
