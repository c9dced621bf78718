"""The `jisr` command: Django's management commands with Jisr's settings.

`jisr demo`, `jisr serve`, `jisr migrate`, and every command later apps add; a command is named
with hyphens or underscores alike (`jisr import-submissions` is `import_submissions`).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `jisr load-taxonomy` runs the command module load_taxonomy: commands read as words.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["jisr", *args])


if __name__ == "__main__":
    main()
