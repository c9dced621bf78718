"""Records of a register brought to comparable form for linkage.

Each name is cut into words as a clerk means them: titles dropped (الحاج، السيد، د.، Dr), a kunya
(أبو علي، أم حسين، Abu Ali) set aside as an alias, compounds joined (عبد الله / عبدالله / Abdul
Rahman, نور الدين / Nour al-Din, the article of a Latin family name: Al-Jubouri). A full name is
split into first, father, grandfather and family ("Family, Given Father" too). Each part then has
two forms:

- its *name*: the project's normaliser (Kurdish letters folded, compounds joined), a Latin
  spelling from Jisr's tables brought back to Arabic (Mohammed → محمد), a nickname to the name it
  stands for (حمودي → محمد);
- its *key*: the consonants of the name as both scripts write them, in ASCII (محمد, Mohammed,
  Muhammad, محەمەد → "mhmd"; حسين, Hussein, Husain → "hsn"). Long vowels, hamza, ع and the
  article are dropped, letters pronounced alike share one sign. The key meets names that the
  tables do not know, across scripts and spellings, and because it is ASCII, DuckDB's and Spark's
  string distances on it count letters, not UTF-8 bytes (duckdb/duckdb#25113).

Dates keep the year, and the day and month only when real: 1 July and 1 January are the usual
stand-ins for an unknown date (`STAND_INS`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from jisr.lib.arabic import normalise_name
from jisr.linkage.engine.names import FAMILY, FEMALE, MALE, NICKNAMES, TITLES

INPUT_COLUMNS = (
    "record_id", "full_name", "first_name", "father_name", "grandfather_name", "family_name",
    "mother_name", "sex", "birth_date", "governorate", "phone",
)  # fmt: skip
PARTS = ("first", "father", "grandfather", "family")
# (month, day) that registers write for an unknown day of birth: 1 July (civil status), 1 January
# (displacement and camp registers). A person truly born on one loses only the day's evidence.
STAND_INS = frozenset({(7, 1), (1, 1)})
BRACKETS = re.compile(r"[(\[](.*?)[)\]]")
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})-(\d{1,2}))?")
_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d\u200e\u200f\u061c]"
)
_SPLIT = re.compile(r"[\s\-_.،,/]+")

# Words that join the next one into one name.
_ABD = frozenset({"عبد", "abd", "abdul", "abdel", "abdal", "abdil", "abdol", "abdu"})
_ARTICLE = frozenset({"al", "el", "ال"})
# Words that join the one before: نور الدين, Nour al-Din, Nuraddin; فتح الله, Fathullah.
_SECOND_HALF = frozenset({
    "الدين", "الله", "din", "deen", "dine", "eddin", "uddin", "aldin", "addin", "eddine",
    "allah", "ullah", "ollah",
})  # fmt: skip
_KUNYA = frozenset({"ابو", "أبو", "ابوا", "ام", "أم", "abu", "abo", "abou", "um", "umm", "om"})
# "أم البنين" is a woman's given name, not a kunya.
_NAMES_AFTER_KUNYA_WORD = frozenset({"البنين", "البنات", "الخير", "كلثوم"})
_CONNECTORS = frozenset({"بن", "ابن", "bin", "ibn", "bint", "بنت"})

# Consonant classes shared by the Arabic and Latin alphabets (see the module's docstring).
_ARABIC_KEY = {
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "چ": "j", "ح": "h", "خ": "k",
    "د": "t", "ذ": "t", "ض": "t", "ظ": "t", "ر": "r", "ڕ": "r", "ز": "z", "ژ": "j", "س": "s",
    "ش": "s", "ص": "s", "غ": "k", "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "ک": "k", "گ": "k",
    "ل": "l", "ڵ": "l", "م": "m", "ن": "n", "ه": "h", "ھ": "h", "و": "w", "ي": "y", "ی": "y",
}  # fmt: skip
_LATIN_PAIRS = (("kh", "k"), ("gh", "k"), ("sh", "s"), ("ch", "j"), ("th", "t"), ("dh", "t"),
                ("zh", "j"), ("ph", "f"), ("ck", "k"), ("dj", "j"))  # fmt: skip
_LATIN_KEY = {"d": "t", "q": "k", "c": "k", "g": "k", "v": "f", "p": "b", "x": "ks"}


_ABD_ARTICLE = re.compile(r"^(عە?بد|abd)(?:[اوە]?ل|[aeiou]?l)(?=\w\w)")  # عەبدول in Kurdish


def _clean(text: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFKC", text or "")).lower()


# Letters of Kurdish (and Persian-keyboard) writing that Arabic spelling does not use; a word
# opening with ئ is Kurdish spelling too (Arabic writes أ، إ or ا).
_KURDISH_LETTERS = frozenset("ەێۆڵڕکیگڤپچژ")
# Within one script, long vowels tell names apart (حسن / حسين, محمد / محمود): the spelling key
# keeps them; only letters clerks confuse (ص/س, ظ/ض/ذ/د, Kurdish forms) share a sign.
_ARABIC_VOWELS = {"ا": "a", "آ": "a", "أ": "a", "إ": "a", "ٱ": "a", "و": "w", "ۆ": "w", "ؤ": "w",
                  "ي": "y", "ی": "y", "ى": "y", "ێ": "y", "ئ": "y", "ع": "e"}  # fmt: skip


def script(word: str) -> str:
    """ "la" (Latin), "ku" (Kurdish letters) or "ar"."""
    if re.search("[a-z]", _clean(word)):
        return "la"
    return "ku" if _KURDISH_LETTERS & set(word) or word.startswith("ئ") else "ar"


def name_key(word: str, *, vowels: bool = False) -> str:
    """The consonant skeleton of one name (a joined compound counts as one), in ASCII.

    With `vowels`, an Arabic-script name keeps its long vowels and ع (the spelling key); a Latin
    name has no reliable long vowels and is the same either way.
    """
    word = _clean(word).replace(" ", "").replace("'", "").replace("`", "")
    if not word:
        return ""
    # The article inside an عبد compound is written or not (عبد الهادي, عبدالهادي, عبدهادي,
    # Abdulhadi, Abdhadi): the keys leave it out.
    word = _ABD_ARTICLE.sub(r"\1-", word)  # Abd-hadi: "dh" is not one sound here
    out: list[str] = []
    if re.search("[a-z]", word):
        for pair, sign in _LATIN_PAIRS:
            word = word.replace(pair, sign)
        # A c before e, i or y is an s (Alice / أليس, Cecilia), a k elsewhere (Jacob).
        word = re.sub("c(?=[eiy])", "s", word)
        for index, letter in enumerate(word):
            if letter in "wy":
                out.append(letter if index == 0 else "")
            elif letter in "aeiou" or not letter.isalpha():
                continue
            else:
                out.append(_LATIN_KEY.get(letter, letter))
    else:
        for index, letter in enumerate(word):
            sign = _ARABIC_KEY.get(letter, "")
            if vowels and index > 0 and letter in _ARABIC_VOWELS:
                sign = _ARABIC_VOWELS[letter]
            elif sign in ("w", "y") and index > 0:
                sign = ""
            out.append(sign)
    key = re.sub(r"(.)\1+", r"\1", "".join(out))
    if len(key) > 1 and key.endswith("h"):  # Fatimah / فاطمه / فاطمة; Abdullah / عبدالله
        key = key[:-1]
    return key or "0"


def loose_key(word: str, *, family: bool = False) -> str:
    """The spelling key of an Arabic-script name with every ه inside it left out: Kurdish written
    on an Arabic keyboard types the vowel ە as ه (محهمهد, عهلي, نهسرين for محمد, علي, نسرين).
    A Latin name's is its spelling key."""
    cleaned = _clean(word).replace(" ", "")
    if not re.search("[a-z]", cleaned):
        cleaned = cleaned[:1] + re.sub("[هەھ](?=.)", "", cleaned[1:])
        # A final ى sounds as an alif, and is written as one too (هدا, مصطفا, ليلا).
        cleaned = re.sub("ى$", "ا", cleaned)
    return (family_key if family else name_key)(cleaned, vowels=True)


def family_key(word: str, *, vowels: bool = False) -> str:
    """A family name's key without its article: Al-Jubouri, Aljuboori, الجبوري, Jubouri."""
    cleaned = _clean(word).replace(" ", "")
    for article in ("al", "el", "ال"):
        if cleaned.startswith(article) and len(cleaned) > len(article) + 2:
            return name_key(cleaned[len(article) :], vowels=vowels)
    return name_key(cleaned, vowels=vowels)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], frozenset[str], frozenset[str]]:
    latin: dict[str, str] = {}
    for table in (MALE, FEMALE, FAMILY):
        for arabic, spellings in table.items():
            for spelling in spellings:
                latin[_joined_key(spelling)] = arabic
    nicknames = {normalise_name(k): v for k, v in NICKNAMES.items()}
    titles = frozenset(" ".join(t for t in _SPLIT.split(_clean(title)) if t) for title in TITLES)
    families = frozenset(normalise_name(f) for f in FAMILY)
    return latin, nicknames, titles, families


def _joined_key(spelling: str) -> str:
    return "".join(_SPLIT.split(_clean(spelling)))


def words(text: str) -> tuple[list[str], str]:
    """The words of a name as written, compounds joined, titles dropped; and a kunya if any."""
    found, kunya = _words(text)
    return list(found), kunya


# A register repeats its names field by field: each field's text is cut into words once (a full
# name, rarely repeated, leaves the cache soon).
@lru_cache(maxsize=2**17)
def _words(text: str) -> tuple[tuple[str, ...], str]:
    _latin, _nicknames, titles, _families = _tables()
    kunya = ""
    inside = BRACKETS.findall(text or "")
    text = BRACKETS.sub(" ", text or "")
    tokens = [t for t in _SPLIT.split(_clean(text).replace("'", "")) if t]
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        two = " ".join(tokens[index : index + 2])
        if two in titles:
            index += 2
            continue
        if (
            token in titles
            or token in _CONNECTORS
            or (token not in _KUNYA and _arabic_title(token))
            # One Arabic letter is an abbreviation (أ.د. for a professor), not a name; a Latin
            # one is an initial and stays.
            or (len(token) == 1 and not token.isascii())
        ):
            index += 1
            continue
        if (
            token in _KUNYA
            and index + 1 < len(tokens)
            and tokens[index + 1] not in _NAMES_AFTER_KUNYA_WORD
        ):
            taken = _compound(tokens, index + 1)
            kunya = kunya or "".join(tokens[index + 1 : taken])
            index = taken
            continue
        end = _compound(tokens, index)
        joined = "".join(tokens[index:end])
        if tokens[index] in ("al", "el") and end > index + 1:  # Al Jubouri: marked as a family name
            joined = f"{tokens[index]}-{''.join(tokens[index + 1 : end])}"
        out.append(joined)
        index = end
    for alias in inside:
        alias_words, alias_kunya = _words(alias)
        kunya = kunya or alias_kunya or "".join(alias_words[1:2])
    return tuple(out), kunya


@lru_cache(maxsize=1)
def _title_keys() -> frozenset[str]:
    keys = (name_key(t, vowels=True) for t in TITLES if not re.search("[A-Za-z]", t))
    return frozenset(key for key in keys if len(key) > 1)  # "د." and "م." only as written


@lru_cache(maxsize=2**16)
def _arabic_title(token: str) -> bool:
    """A title in Arabic or Kurdish spelling (حجي, حەجی; المهندسة): by its spelling key."""
    return (
        not re.search("[a-z]", token)
        and len(token) > 1
        and name_key(token, vowels=True) in _title_keys()
    )


def _compound(tokens: list[str], index: int) -> int:
    """The index after the name that starts at `index` (one word, or a compound)."""
    end = index + 1
    if tokens[index] in _ABD | _ARTICLE and end < len(tokens):
        end += 1
        if tokens[end - 1] in _ARTICLE and end < len(tokens):  # Abd al-Sattar
            end += 1
    while end < len(tokens) and tokens[end] in _SECOND_HALF:
        end += 1
    if (
        end < len(tokens)
        and tokens[end] in _ARTICLE
        and end + 1 < len(tokens)
        and tokens[end + 1] in _SECOND_HALF
    ):
        end += 2  # Nour al Din
    return end


@lru_cache(maxsize=100_000)
def _one_name(word: str, *, family: bool = False) -> dict[str, str]:
    """A word's comparable forms: its name (the formal Arabic name where the tables know it),
    its spelling key, its sound key and its script."""
    latin, nicknames, _titles, _families = _tables()
    formal = latin.get(word.replace("-", ""), word)
    formal = nicknames.get(normalise_name(formal), formal)
    key = family_key if family else name_key
    return {
        "": normalise_name(formal),
        "spelling": key(formal, vowels=True),
        "loose": loose_key(formal, family=family),
        "sound": key(formal),
        "script": script(word),
    }


def _has_article(word: str) -> bool:
    """Whether a word reads as a family name with its article (الجبوري, Al-Jubouri, Aljuboori)."""
    # Three letters at least after ال: a given name such as اليس (Alice) is not read as one.
    if word.startswith(("al-", "el-")) or (word.startswith("ال") and len(word) >= 5):
        return True
    return word.startswith(("al", "el")) and len(word) >= 7


def _cut_at_spaces(split: list[str], full: str) -> bool:
    """Whether the name's fields are the full name's words in order (a register that cut the
    full name at its spaces puts a title in the first name's field, عبد and الرحمن in two): the
    full name is read instead, where titles and compounds are known."""
    if len(split[0].split()) > 1 or not full.strip():
        return False
    joined = " ".join(" ".join(w.split()) for w in split if w.strip())
    if joined == " ".join(full.split()) and len(joined.split()) > 1:
        return True  # most registers: the fields as the full name writes them
    # Compared word by word, without punctuation: "BIDAWID, HAKOB SAMER" cut into three fields
    # leaves its comma behind.
    cut = [t for w in split for t in _SPLIT.split(_clean(w)) if t]
    whole = [t for t in _SPLIT.split(_clean(full)) if t]
    return cut == whole and len(cut) > 1


def _kunya_in(full_name: str) -> str:
    """The kunya `words` finds in a full name. Most full names have neither a kunya word nor
    brackets, and are not cut into words for nothing (nor kept: each is one record's)."""
    tokens = _SPLIT.split(_clean(full_name).replace("'", ""))
    if not BRACKETS.search(full_name) and _KUNYA.isdisjoint(tokens):
        return ""
    return _words.__wrapped__(full_name)[1]


def name_parts(row: dict[str, Any]) -> tuple[list[str], str]:
    """First, father, grandfather and family name, comparable across registers; and a kunya."""
    split = [row.get(f"{part}_name") or "" for part in PARTS]
    kunya = ""
    if any(split) and not _cut_at_spaces(split, row.get("full_name") or ""):
        found_words: list[list[str]] = []
        for text in split:
            found, alias = words(text)
            kunya = kunya or alias
            # A part a clerk filled with a kunya alone (first name "أم عباس") says nothing.
            found_words.append(found)
        # Passports put every given name in one field ("MOHAMMED ALI HUSSEIN"): the names
        # after the first move to the father's and grandfather's places when those are empty.
        # A first name's field left blank while the father's is written: the clerk's names
        # start one field late (a field holding only a kunya or a title is not blank).
        while not split[0].strip() and not found_words[0] and (found_words[1] or found_words[2]):
            found_words[:3] = [*found_words[1:3], []]
        # A first name's field holding only a kunya or a title (أبو كنعان): the given name is
        # the full name's first, where the full name goes on with the same father.
        if split[0].strip() and not found_words[0] and found_words[1]:
            whole, _alias = words(row.get("full_name") or "")
            if len(whole) >= 2 and whole[1] == "".join(found_words[1]):
                found_words[0] = whole[:1]
        given = found_words[0]
        for slot in (1, 2):
            if len(given) > 1 and not found_words[slot]:
                found_words[slot] = [given.pop(1)]
        found_words[0] = given
        alias = "" if kunya else _kunya_in(row.get("full_name") or "")
        return ["".join(found) for found in found_words], kunya or alias
    full = row.get("full_name") or ""
    family = ""
    if "," in full or "،" in full:  # "Alkhaqani, Ibrahim Haider"
        head, _comma, tail = re.split("([,،])", full, maxsplit=1)
        family_words, kunya = words(head)
        given, alias = words(tail)
        family, kunya = "".join(family_words), kunya or alias
    else:
        given, kunya = words(full)
        _latin, _nicknames, _titles, families = _tables()
        if len(given) >= 3 and _has_article(given[0]) and not any(map(_has_article, given[1:])):
            family = given.pop(
                0
            )  # surname first, as foreign registers write: "AL-JUBOURI MOHAMMED ALI"
        elif len(given) >= 4 or (
            len(given) >= 2 and (_has_article(given[-1]) or normalise_name(given[-1]) in families)
        ):
            family = given.pop()
    first, father, grandfather = ([*given, "", "", ""])[:3]
    return [first, father, grandfather, family], kunya


@lru_cache(maxsize=2**17)
def _part_columns(part: str, word: str) -> dict[str, str | None]:
    """One name part's columns of a prepared record (the same few thousand names recur)."""
    forms = _one_name(word, family=part == "family") if word else {}
    return {
        f"{part}_{form}".rstrip("_"): forms.get(form) or None
        for form in ("", "spelling", "loose", "sound", "script")
    }


def prepared(row: dict[str, Any]) -> dict[str, Any]:
    """A register row as the linkage model reads it."""
    parts, kunya = name_parts(row)
    record: dict[str, Any] = {"unique_id": str(row["record_id"]).strip()}
    for part, word in [*zip(PARTS, parts, strict=True), ("mother", _mother(row))]:
        record.update(_part_columns(part, word))
    record["kunya"] = _one_name(kunya)["sound"] if kunya else None
    date = DATE.match((row.get("birth_date") or "").strip())
    year, month_day, day_month = None, None, None
    if date:
        year = int(date.group(1))
        if date.group(2):
            month, day = int(date.group(2)), int(date.group(3))
            if (month, day) not in STAND_INS and 1 <= month <= 12 and 1 <= day <= 31:
                month_day, day_month = f"{month:02d}-{day:02d}", f"{day:02d}-{month:02d}"
    sex = (row.get("sex") or "").strip().upper()[:1]
    phone = row.get("phone") or ""
    if not phone.isascii():
        phone = normalise_name(phone)  # ٠٧٧٠… → 0770…
    phone = re.sub(r"\D", "", phone)[-9:]
    record.update(
        sex=sex if sex in ("M", "F") else None,
        birth_year=year,
        birth_md=month_day,
        birth_dm=day_month,
        governorate=(row.get("governorate") or "").strip().upper() or None,
        phone=phone if len(phone) >= 7 else None,
    )
    return record


def _mother(row: dict[str, Any]) -> str:
    """The mother's first name: registers write her name alone or with her father's."""
    found, _alias = words(row.get("mother_name") or "")
    return found[0] if found else ""
