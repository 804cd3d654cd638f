"""Every message of the interface is translated into each language the site offers.

Simplified Chinese is the fallback language: a message missing from the English catalogue
would show in Chinese on an English page, and one missing or fuzzy in a Chinese catalogue
shows in English. `make messages` compiles what is here; this keeps it whole.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(__file__).resolve().parent.parent / "tongxing" / "locale"


def entries(po: Path, *flags: str) -> list[str]:
    """The msgids msgattrib selects with the flags, the catalogue's header left out."""
    found = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", *flags, str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in found.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_message_is_translated(language):
    assert shutil.which("msgattrib"), "gettext's tools are needed (apt install gettext)"
    po = LOCALE / language.replace("-hans", "_Hans").replace("-hant", "_Hant") / "LC_MESSAGES"
    po = po / "django.po"
    assert entries(po, "--untranslated") == []
    assert entries(po, "--only-fuzzy") == []
