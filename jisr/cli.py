"""The `jisr` command: Django's management commands with Jisr's settings.

`jisr demo`, `jisr serve`, `jisr migrate`, and every command later apps add.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jisr", *sys.argv[1:]])


if __name__ == "__main__":
    main()
