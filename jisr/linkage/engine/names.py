"""Iraqi names as registers write them: the common given and family names with their usual
Latin spellings, the nicknames that stand for a given name, and the titles put before a name.

Facts of usage, gathered for Jisr; used by the register generator and by linkage to bring a
name back to its formal Arabic form.
"""

from __future__ import annotations

# Given names (men), each with the Latin spellings found in passports and foreign registers.
MALE: dict[str, tuple[str, ...]] = {
    "محمد": ("Mohammed", "Muhammad", "Mohamed", "Mohammad"), "علي": ("Ali", "Aly"),
    "حسين": ("Hussein", "Husain", "Hussain", "Hosein"), "حسن": ("Hassan", "Hasan"),
    "أحمد": ("Ahmed", "Ahmad"), "عمر": ("Omar", "Umar"), "مصطفى": ("Mustafa", "Mostafa"),
    "حيدر": ("Haider", "Hayder", "Haidar"), "عباس": ("Abbas",), "كرار": ("Karrar",),
    "زيد": ("Zaid", "Zayd"), "يوسف": ("Yousif", "Yusuf", "Youssef"), "سجاد": ("Sajjad",),
    "مرتضى": ("Murtadha", "Murtada", "Mortada"), "عبد الله": ("Abdullah", "Abdallah", "Abdulla"),
    "إبراهيم": ("Ibrahim", "Ebrahim"), "خالد": ("Khalid", "Khaled"), "سيف": ("Saif", "Sayf"),
    "ليث": ("Laith", "Layth"), "جاسم": ("Jasim", "Jassim", "Jasem"), "كاظم": ("Kadhim", "Kazem", "Kadim"),
    "جعفر": ("Jafar", "Jaafar"), "صادق": ("Sadiq", "Sadeq"), "باقر": ("Baqir", "Bager"),
    "رضا": ("Ridha", "Reza", "Rida"), "مهدي": ("Mahdi", "Mehdi"), "سعد": ("Saad", "Sa'ad"),
    "فاضل": ("Fadhil", "Fadel", "Fadil"), "ناصر": ("Nasir", "Nasser"), "كريم": ("Kareem", "Karim"),
    "سلمان": ("Salman",), "عدنان": ("Adnan",), "قاسم": ("Qasim", "Kasim", "Qassim"),
    "عبد الرحمن": ("Abdulrahman", "Abdul Rahman", "Abdelrahman"), "عبد الكريم": ("Abdulkareem", "Abdul Karim"),
    "عبد الأمير": ("Abdulameer", "Abdul Amir"), "عبد الحسين": ("Abdulhussein", "Abdul Hussein"),
    "سامي": ("Sami", "Samy"), "رعد": ("Raad", "Ra'ad"), "ماجد": ("Majid", "Majed"),
    "وليد": ("Waleed", "Walid"), "هاشم": ("Hashim", "Hashem"), "طارق": ("Tariq", "Tarek"),
    "نبيل": ("Nabeel", "Nabil"), "ضياء": ("Dhiaa", "Diaa", "Dia"), "صلاح": ("Salah", "Salaah"),
    "منتظر": ("Muntadhar", "Muntazar"), "مقتدى": ("Muqtada",), "أسامة": ("Osama", "Usama"),
    "ياسر": ("Yasir", "Yasser"), "بشار": ("Bashar",), "أمير": ("Ameer", "Amir"),
    "آرام": ("Aram",), "دلشاد": ("Dilshad", "Delshad"), "هيمن": ("Hemin", "Hemn"),
    "شيركو": ("Sherko", "Shirko"), "ريبوار": ("Rebwar", "Ribwar"), "سامان": ("Saman",),
    "نوزاد": ("Nawzad", "Nozad"), "كاروان": ("Karwan",), "هوشيار": ("Hoshyar", "Hushyar"),
    "آزاد": ("Azad",), "سردار": ("Sardar", "Serdar"), "بختيار": ("Bakhtiar", "Bakhtiyar"),
    "ئاراس": ("Aras",), "جمال": ("Jamal", "Gamal"), "فلاح": ("Falah", "Falih"),
    "عماد": ("Imad", "Emad"), "حميد": ("Hameed", "Hamid"), "مجيد": ("Majeed", "Majid"),
    "رشيد": ("Rasheed", "Rashid"), "نعمان": ("Nouman", "Numan"), "عادل": ("Adil", "Adel"),
    "فراس": ("Firas", "Feras"), "غيث": ("Ghaith", "Ghayth"), "أنور": ("Anwar",),
}  # fmt: skip

FEMALE: dict[str, tuple[str, ...]] = {
    "فاطمة": ("Fatima", "Fatma", "Fatimah"), "زينب": ("Zainab", "Zeinab", "Zaynab"),
    "مريم": ("Maryam", "Mariam"), "نور": ("Noor", "Nour", "Nur"), "سارة": ("Sara", "Sarah"),
    "رقية": ("Ruqaya", "Roqaya", "Ruqayyah"), "زهراء": ("Zahraa", "Zahra"), "هدى": ("Huda", "Hoda"),
    "رنا": ("Rana",), "شيماء": ("Shaimaa", "Shaima"), "آية": ("Aya", "Ayah"), "دعاء": ("Duaa", "Doaa"),
    "بان": ("Ban",), "سرى": ("Sura", "Sora"), "نسرين": ("Nisreen", "Nesrin"), "شيرين": ("Shireen", "Sherin"),
    "كژال": ("Kazhal", "Kajal"), "هاوار": ("Hawar",), "ڤيان": ("Vian", "Viyan"), "روناك": ("Ronak",),
    "خديجة": ("Khadija", "Khadeeja"), "عائشة": ("Aisha", "Aysha"), "أمل": ("Amal",),
    "سعاد": ("Suad", "Souad"), "ليلى": ("Layla", "Laila", "Leila"), "سناء": ("Sanaa", "Sana"),
    "وفاء": ("Wafaa", "Wafa"), "إيمان": ("Iman", "Eman"), "أسماء": ("Asmaa", "Asma"),
    "حنان": ("Hanan",), "رحاب": ("Rehab", "Rihab"), "غادة": ("Ghada",), "هيفاء": ("Haifa", "Haifaa"),
    "بشرى": ("Bushra", "Boshra"), "صبا": ("Saba",), "تبارك": ("Tabarak",), "نرجس": ("Narjis", "Nargis"),
    "كوثر": ("Kawthar", "Kauthar"), "جنان": ("Jinan", "Janan"), "شهد": ("Shahad",),
}  # fmt: skip

FAMILY: dict[str, tuple[str, ...]] = {
    "الجبوري": ("Al-Jubouri", "Aljuboori", "Al Jubori"), "الدليمي": ("Al-Dulaimi", "Aldulaimi"),
    "التميمي": ("Al-Tamimi", "Altamimi", "Al Tameemi"), "الربيعي": ("Al-Rubaie", "Alrubaiee", "Al Rubaye"),
    "الساعدي": ("Al-Saadi", "Alsaedi"), "الزبيدي": ("Al-Zubaidi", "Alzubaidy"), "الخفاجي": ("Al-Khafaji", "Alkhafaji"),
    "العبيدي": ("Al-Obaidi", "Alobaidi", "Al Ubaidi"), "الكعبي": ("Al-Kaabi", "Alkaabi"),
    "الموسوي": ("Al-Mousawi", "Almusawi", "Al Moosawi"), "الحسيني": ("Al-Husseini", "Alhusaini"),
    "الشمري": ("Al-Shammari", "Alshammary"), "العزاوي": ("Al-Azzawi", "Alazawi"), "البياتي": ("Al-Bayati", "Albayati"),
    "الطائي": ("Al-Taie", "Altaee", "Al Tai"), "السامرائي": ("Al-Samarrai", "Alsamarraie"), "الحلي": ("Al-Hilli", "Alhilli"),
    "البرزنجي": ("Barzinji", "Al-Barzanji"), "الجاف": ("Jaf", "Al-Jaff"), "الهركي": ("Harki", "Al-Herki"),
    "الطالباني": ("Talabani", "Al-Talabani"), "الكردي": ("Al-Kurdi", "Kurdi"), "العاني": ("Al-Ani", "Alani"),
    "الراوي": ("Al-Rawi", "Alrawi"), "الحديثي": ("Al-Hadithi", "Alhadithi"), "الكبيسي": ("Al-Kubaisi", "Alkubaisi"),
    "المالكي": ("Al-Maliki", "Almaliki"), "اللامي": ("Al-Lami", "Allami"), "الفتلاوي": ("Al-Fatlawi", "Alfatlawi"),
    "الشيباني": ("Al-Shaibani", "Alshaibani"), "الحمداني": ("Al-Hamdani", "Alhamdani"), "الجنابي": ("Al-Janabi", "Aljanabi"),
    "العقيلي": ("Al-Aqeeli", "Alaqili"), "الأسدي": ("Al-Asadi", "Alasadi"), "الغزي": ("Al-Ghazzi", "Alghazi"),
    "السوداني": ("Al-Sudani", "Alsudani"), "البصري": ("Al-Basri", "Albasri"), "الكناني": ("Al-Kinani", "Alkinani"),
    "المحمداوي": ("Al-Mohammedawi", "Almohammadawi"), "الزيدي": ("Al-Zaidi", "Alzaidi"), "الخزرجي": ("Al-Khazraji", "Alkhazraji"),
    "الدوري": ("Al-Douri", "Aldouri"), "النعيمي": ("Al-Nuaimi", "Alnuaimi"), "الجميلي": ("Al-Jumaili", "Aljumaily"),
    "البيرماني": ("Al-Bermani", "Albermani"), "السعدي": ("Al-Saadi", "Alsaadi"), "الياسري": ("Al-Yasiri", "Alyasiri"),
    "الصافي": ("Al-Safi", "Alsafi"), "الحكيم": ("Al-Hakeem", "Alhakim"), "العامري": ("Al-Amiri", "Alameri"),
}  # fmt: skip

# Nicknames that stand for a given name (usage in Iraq).
NICKNAMES: dict[str, str] = {
    "حمودي": "محمد", "حمود": "محمد", "عبود": "عبد الله", "حسوني": "حسين", "حسون": "حسن",
    "علاوي": "علي", "عليوي": "علي", "جسوم": "جاسم", "كاظوم": "كاظم", "مصطفاوي": "مصطفى",
    "عباسي": "عباس", "زوزو": "زينب", "فاطوم": "فاطمة", "مريوم": "مريم", "سوسو": "سعاد",
    "خدوجة": "خديجة", "حمو": "محمد", "عبودي": "عبد الله", "برهوم": "إبراهيم", "علوش": "علي",
    "جاسوم": "جاسم", "كظوم": "كاظم", "عبوسي": "عباس", "خلودي": "خالد", "فطومة": "فاطمة",
    "فطوم": "فاطمة", "زنوبة": "زينب", "عيوش": "عائشة", "حسونة": "حسن", "مريومة": "مريم",
    "حمادي": "محمد",
}  # fmt: skip

TITLES = (
    "الحاج", "الحاجة", "السيد", "السيدة", "الشيخ", "د.", "الدكتور", "م.", "المهندس", "الأستاذ",
    "المهندسة", "الدكتورة", "الأستاذة", "الشيخة", "الملا", "ملا", "حجي", "الحجي", "الست", "كاك",
    "حاج", "حاجة", "حجية", "سيد", "سيدة", "شيخ", "أستاذ", "أستاذة", "دكتور", "دكتورة", "مهندس",
    "مهندسة", "ست",
    "مام", "حاجي", "خاتو", "Al-Hajj", "Hajj", "Haj", "Haji", "Hajji", "Hajja", "Hajjah", "Sayyid", "Sayyed",
    "Sayed", "Seyyed", "Syed", "Sheikh", "Shaikh", "Shaykh", "Mulla", "Mullah", "Kak", "Mam",
    "Dr", "Eng", "Prof", "Mr", "Mrs", "Ms", "Miss",
)  # fmt: skip

# The kunya a man is commonly called by, from his eldest son's name.
KUNYA_PREFIX = "أبو"
