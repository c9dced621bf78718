#!/usr/bin/env python
"""Django's manage.py, for habit; `jisr` is the same with a shorter name."""

from jisr.cli import main

if __name__ == "__main__":
    main()
