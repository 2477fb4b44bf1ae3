"""``python -m crm_lessons`` is the ``crm-lessons`` command (see :mod:`crm_lessons.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
