"""Coding free text to ESCO occupations (and so ISCO-08 unit groups).

A method one can explain: every name of every occupation (ESCO's English and Arabic labels and
synonyms, and Jisr's Iraqi Arabic and Kurdish names) is normalised with the project's one
normaliser and cut into character trigrams within words; a text is scored against each name with
BM25 over those trigrams, an occupation takes the score of its best name, and results are ranked
per ISCO-08 unit group. Trigrams make it tolerant of spelling variants, missing letters and
words joined or split; BM25's inverse document frequency makes rare, telling trigrams count more
than common ones. No model to download: the index is built from the database in about a second.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from jisr.lib.arabic import normalise_name
from jisr.skills.models import IscoGroup, Occupation, Skill

# Tuned on sets A and B (docs/benchmarks.md): more length normalisation favours names as short
# as the title.
K1, B = 1.8, 1.0
PREFERRED_BOOST = 1.1  # an occupation's own preferred name counts a little more than a synonym


# Abbreviations common in English job titles and CVs, spelled out before matching: names in the
# taxonomy are written in full.
ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "s/w": "software", "sw": "software",
    "h/w": "hardware", "eng": "engineer", "engr": "engineer", "tech": "technician",
    "asst": "assistant", "admin": "administrative", "mgr": "manager", "dev": "developer",
    "rn": "registered nurse", "hgv": "heavy goods vehicle", "lgv": "large goods vehicle",
    "qc": "quality control", "qa": "quality assurance", "hr": "human resources",
    "acct": "accountant", "dr": "doctor", "ops": "operations", "maint": "maintenance",
    "elec": "electrical", "mech": "mechanical", "govt": "government", "dept": "department",
}  # fmt: skip
_WORD = re.compile(r"[a-z/]+")


def _spell_out(text: str) -> str:
    return _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), text.lower())


def trigrams(text: str) -> list[str]:
    grams: list[str] = []
    for word in normalise_name(_spell_out(text)).split():
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]  # the article: "المهندس" is "مهندس"
        padded = f" {word} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


@dataclass(frozen=True)
class Proposal:
    isco_group: str
    occupation_id: int | None  # None: a unit group ESCO has no occupation for
    label: str
    score: float


class Index:
    def __init__(self, names: list[tuple[int, str, bool]]) -> None:
        """`names`: (occupation id, a name, whether it is the preferred one)."""
        self.owner: list[int] = []
        self.boost: list[float] = []
        self.length: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for occupation_id, name, preferred in names:
            grams = Counter(trigrams(name))
            if not grams:
                continue
            doc = len(self.owner)
            self.owner.append(occupation_id)
            self.boost.append(PREFERRED_BOOST if preferred else 1.0)
            self.length.append(sum(grams.values()))
            for gram, count in grams.items():
                self.postings[gram].append((doc, count))
        self.average = sum(self.length) / max(len(self.length), 1)
        total = len(self.owner)
        self.idf = {
            gram: math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            for gram, docs in self.postings.items()
        }

    def scores(self, text: str) -> dict[int, float]:
        """Best BM25 score of each occupation over its names."""
        per_doc: dict[int, float] = defaultdict(float)
        for gram in set(trigrams(text)):
            idf = self.idf.get(gram)
            if idf is None:
                continue
            for doc, count in self.postings[gram]:
                norm = K1 * (1 - B + B * self.length[doc] / self.average)
                per_doc[doc] += idf * count * (K1 + 1) / (count + norm)
        best: dict[int, float] = {}
        for doc, score in per_doc.items():
            occupation = self.owner[doc]
            score *= self.boost[doc]
            if score > best.get(occupation, 0.0):
                best[occupation] = score
        return best


@lru_cache(maxsize=1)
def _index() -> tuple[Index, dict[int, tuple[str, str]]]:
    names: list[tuple[int, str, bool]] = []
    about: dict[int, tuple[str, str]] = {}
    for occupation in Occupation.objects.only(
        "id",
        "isco_group",
        "label_en",
        "label_ar",
        "label_ckb",
        "synonyms_en",
        "synonyms_ar",
        "synonyms_ckb",
    ):
        about[occupation.pk] = (occupation.isco_group, occupation.label_en)
        for preferred in (occupation.label_en, occupation.label_ckb):
            if preferred:
                names.append((occupation.pk, preferred, True))
        # ESCO's Arabic labels come as "masculine / feminine": each form is a name.
        for form in occupation.label_ar.split("/"):
            if form.strip():
                names.append((occupation.pk, form, True))
        for synonyms in (occupation.synonyms_en, occupation.synonyms_ar, occupation.synonyms_ckb):
            names.extend((occupation.pk, s, False) for s in synonyms.split("|") if s.strip())
    # Unit groups with Iraqi names of their own (those ESCO has no occupation for) take part
    # under negative keys: they can be proposed as groups, never as occupations.
    for number, group in enumerate(IscoGroup.objects.exclude(label_ar=""), start=1):
        about[-number] = (group.code, group.label_en)
        for preferred in (group.label_ar, group.label_ckb):
            if preferred:
                names.append((-number, preferred, True))
        for synonyms in (group.synonyms_en, group.synonyms_ar, group.synonyms_ckb):
            names.extend((-number, s, False) for s in synonyms.split("|") if s.strip())
    return Index(names), about


@lru_cache(maxsize=1)
def _skill_index() -> Index:
    """Every skill's English, Arabic and Kurdish names; ESCO's many English synonyms only for
    the skills that have no Arabic name, to keep the index small (a few seconds to build)."""
    names: list[tuple[int, str, bool]] = []
    for skill in Skill.objects.only(
        "id", "label_en", "label_ar", "label_ckb", "synonyms_en", "synonyms_ar", "synonyms_ckb"
    ):
        for preferred in (skill.label_en, skill.label_ar, skill.label_ckb):
            if preferred:
                names.append((skill.pk, preferred, True))
        for synonyms in (skill.synonyms_ar, skill.synonyms_ckb):
            names.extend((skill.pk, s, False) for s in synonyms.split("|") if s.strip())
        if skill.label_ar:
            names.extend((skill.pk, s, False) for s in skill.synonyms_en.split("|")[:3] if s)
    return Index(names)


def forget_index() -> None:
    """After the taxonomy is reloaded."""
    _index.cache_clear()
    _skill_index.cache_clear()


@dataclass(frozen=True)
class Suggestion:
    id: int
    score: float


# Where a description goes on after the job title: a separator, or a word that starts the place
# or circumstance ("in", "at", "في", "لدى", "لە"). The title before it counts twice.
_CONTEXT = re.compile(
    r"[,،؛;:(\[|]|\s[/\-–—]\s|\s(?:in|at|for|with|from|since|في|فی|لدى|عند|منذ|لە|له|بۆ|لای)\s"
    # Iraqi Arabic joins "in" to the place: "بالطوارئ", "بشركة", "بمستشفى".
    r"|\sب(?=ال|شرك|مستشف|معمل|مطعم|محل|دائر|وزار|مدرس|جامع|منظم|كراج|مكتب|مركز|مصنع|فندق)",
    re.IGNORECASE,
)


def _occupation_scores(text: str) -> dict[int, float]:
    index, _about = _index()
    scores = index.scores(text)
    head = _CONTEXT.split(f" {text} ", maxsplit=1)[0].strip()
    if head and head != text.strip():
        for occupation_id, score in index.scores(head).items():
            scores[occupation_id] = scores.get(occupation_id, 0.0) + score
    return scores


def suggest_occupations(text: str, top: int = 8) -> list[Suggestion]:
    """ESCO occupations for a type-ahead, best first (several may share an ISCO group)."""
    ranked = sorted(
        ((pk, score) for pk, score in _occupation_scores(text).items() if pk > 0),
        key=lambda item: (-item[1], item[0]),
    )[:top]
    return [Suggestion(pk, round(score, 3)) for pk, score in ranked]


def code_skills(text: str, top: int = 8) -> list[Suggestion]:
    """ESCO skills named in a text, best first."""
    ranked = sorted(_skill_index().scores(text).items(), key=lambda item: (-item[1], item[0]))
    return [Suggestion(pk, round(score, 3)) for pk, score in ranked[:top]]


def code_text(text: str, top: int = 5) -> list[Proposal]:
    """Up to `top` ISCO-08 unit groups for a job title or description, best first."""
    about = _index()[1]
    ranked = sorted(_occupation_scores(text).items(), key=lambda item: -item[1])
    proposals: list[Proposal] = []
    seen: set[str] = set()
    for occupation_id, score in ranked:
        group, label = about[occupation_id]
        if group in seen:
            continue
        seen.add(group)
        proposals.append(
            Proposal(group, occupation_id if occupation_id > 0 else None, label, round(score, 3))
        )
        if len(proposals) == top:
            break
    return proposals
