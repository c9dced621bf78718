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

import heapq
import io
import math
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils import timezone

from jisr.lib.arabic import normalise_name
from jisr.skills.models import CodingIndex, IscoGroup, Occupation, Skill

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
    """BM25 over the trigrams of names, in numpy arrays: for each trigram, the names that have
    it (`docs`, from `start[g]` to `start[g + 1]`) and how often (`counts`)."""

    def __init__(self, arrays: dict[str, npt.NDArray[Any]]) -> None:
        self.arrays = arrays
        self.owner = arrays["owner"]
        self.boost = arrays["boost"]
        self.start = arrays["start"]
        self.docs = arrays["docs"]
        self.counts = arrays["counts"]
        self.gram = {gram: number for number, gram in enumerate(arrays["grams"].tolist())}
        # What an occupation index says of each of its keys: the ISCO-08 group and the name.
        self.about: dict[int, tuple[str, str]] = {
            int(key): (group, label)
            for key, group, label in zip(
                arrays.get("about_keys", np.zeros(0)).tolist(),
                arrays.get("about_groups", np.zeros(0)).tolist(),
                arrays.get("about_labels", np.zeros(0)).tolist(),
                strict=True,
            )
        }
        length = arrays["length"]
        average = float(length.sum()) / max(len(length), 1)
        self.norm = K1 * (1 - B + B * length.astype(np.float64) / average)
        total = len(length)
        frequency = np.diff(self.start).tolist()
        self.idf = np.array(
            [math.log(1 + (total - docs + 0.5) / (docs + 0.5)) for docs in frequency],
            dtype=np.float64,
        )

    @classmethod
    def build(cls, names: list[tuple[int, str, bool]]) -> Index:
        """`names`: (occupation id, a name, whether it is the preferred one)."""
        owner: list[int] = []
        boost: list[float] = []
        length: list[int] = []
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for occupation_id, name, preferred in names:
            grams = Counter(trigrams(name))
            if not grams:
                continue
            doc = len(owner)
            owner.append(occupation_id)
            boost.append(PREFERRED_BOOST if preferred else 1.0)
            length.append(sum(grams.values()))
            for gram, count in grams.items():
                postings[gram].append((doc, count))
        pairs = [pair for docs in postings.values() for pair in docs]
        return cls(
            {
                "owner": np.array(owner, dtype=np.int64),
                "boost": np.array(boost, dtype=np.float64),
                "length": np.array(length, dtype=np.int64),
                "grams": np.array(list(postings), dtype=str),
                "start": np.cumsum([0, *(len(docs) for docs in postings.values())]),
                "docs": np.array([doc for doc, _ in pairs], dtype=np.int32).reshape(-1),
                "counts": np.array([count for _, count in pairs], dtype=np.int32).reshape(-1),
            }
        )

    def scores(self, text: str) -> dict[int, float]:
        """Best BM25 score of each occupation over its names."""
        grams = [self.gram[g] for g in set(trigrams(text)) if g in self.gram]
        if not grams:
            return {}
        spans = [slice(int(self.start[g]), int(self.start[g + 1])) for g in grams]
        docs = np.concatenate([self.docs[span] for span in spans])
        counts = np.concatenate([self.counts[span] for span in spans]).astype(np.float64)
        idf = np.repeat(self.idf[grams], [span.stop - span.start for span in spans])
        # Summed per name in the order of the trigrams, as BM25's sum is written.
        per_doc = np.bincount(docs, weights=idf * counts * (K1 + 1) / (counts + self.norm[docs]))
        touched = np.unique(docs)
        score = per_doc[touched] * self.boost[touched]
        owner = self.owner[touched]
        order = np.argsort(owner, kind="stable")
        owner, score, touched = owner[order], score[order], touched[order]
        first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        best = np.maximum.reduceat(score, first)
        # In the order of each occupation's first name: callers rank with a stable sort, so
        # of two occupations with the same score (the same name), the one listed first wins.
        by_name = np.argsort(touched[first], kind="stable")
        return {
            int(o): float(value)
            for o, value in zip(owner[first][by_name].tolist(), best[by_name].tolist(), strict=True)
            if value > 0.0
        }


def _occupation_arrays() -> dict[str, npt.NDArray[Any]]:
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
    keys = sorted(about)
    return {
        **Index.build(names).arrays,
        "about_keys": np.array(keys, dtype=np.int64),
        "about_groups": np.array([about[k][0] for k in keys], dtype=str),
        "about_labels": np.array([about[k][1] for k in keys], dtype=str),
    }


def _skill_arrays() -> dict[str, npt.NDArray[Any]]:
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
    return Index.build(names).arrays


# The indexes are built once, when the taxonomy is loaded (`load-taxonomy`), and kept in the
# database (decision 0029): a process's first type-ahead reads them (tens of milliseconds)
# instead of building them (seconds). A process looks again at most once a minute whether they
# were rebuilt since it read them.
BUILDERS: dict[str, Callable[[], dict[str, npt.NDArray[Any]]]] = {
    CodingIndex.OCCUPATIONS: _occupation_arrays,
    CodingIndex.SKILLS: _skill_arrays,
}
CHECK_EVERY = 60.0  # seconds
_lock = threading.Lock()
_held: dict[str, tuple[Index, Any, float]] = {}  # name -> index, built_at, when last checked


def coding_index_rebuild(name: str | None = None) -> None:
    """Build the index `name` (or both) from the taxonomy and keep it in the database."""
    for each in [name] if name else list(BUILDERS):
        buffer = io.BytesIO()
        # Arrays only, read back with allow_pickle=False (numpy types its keywords as its options).
        np.savez(buffer, **BUILDERS[each]())  # type: ignore[arg-type]
        CodingIndex.objects.update_or_create(
            name=each, defaults={"built_at": timezone.now(), "data": buffer.getvalue()}
        )
    forget_index()


def _loaded(name: str) -> Index:
    with _lock:
        held = _held.get(name)
        if held is not None and time.monotonic() - held[2] < CHECK_EVERY:
            return held[0]
        stamp = CodingIndex.objects.filter(name=name).values_list("built_at", flat=True).first()
        if held is not None and stamp == held[1]:
            _held[name] = (held[0], stamp, time.monotonic())
            return held[0]
        if stamp is None:  # a database whose taxonomy was loaded before indexes were kept
            coding_index_rebuild(name)
        row = CodingIndex.objects.only("built_at", "data").get(name=name)
        with np.load(io.BytesIO(bytes(row.data)), allow_pickle=False) as stored:
            index = Index({key: stored[key] for key in stored.files})
        _held[name] = (index, row.built_at, time.monotonic())
        return index


def _index() -> tuple[Index, dict[int, tuple[str, str]]]:
    index = _loaded(CodingIndex.OCCUPATIONS)
    return index, index.about


def _skill_index() -> Index:
    return _loaded(CodingIndex.SKILLS)


def forget_index() -> None:
    """Read the indexes again at the next use (after the taxonomy is reloaded)."""
    _held.clear()


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
    # A title of common words scores thousands of occupations: the best few are picked without
    # sorting them all (an import codes each distinct title of its rows).
    ranked = heapq.nsmallest(
        top, [(-score, pk) for pk, score in _occupation_scores(text).items() if pk > 0]
    )
    return [Suggestion(pk, round(-negative, 3)) for negative, pk in ranked]


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
