"""`tongxing` is the project's manage.py: `tongxing migrate`, `tongxing demo`, …"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "tongxing"
    # Our own commands are spelled with hyphens (`import-regions`); Django's module names
    # cannot hold one, and none of Django's commands has one, so the mapping is unambiguous.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
