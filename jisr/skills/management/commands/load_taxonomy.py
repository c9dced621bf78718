from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jisr.skills.loading import load_taxonomy


class Command(BaseCommand):
    help = "Load the ESCO occupations, skills and their relations, with Iraqi names (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_taxonomy()
        self.stdout.write(
            f"Taxonomy loaded: {loaded.groups} ISCO-08 groups, {loaded.occupations} occupations, "
            f"{loaded.skills} skills, {loaded.relations} occupation-skill relations, "
            f"{loaded.iraqi_labels} occupations and {loaded.iraqi_skill_labels} skills with "
            "Arabic and Kurdish names. "
            "Source: ESCO v1.1.1, European Commission."
        )
