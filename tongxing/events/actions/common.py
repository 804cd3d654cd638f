"""What the actions of the app share: refusing bad input field by field, and the files
attached to publicity items and policy documents."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.audit.log import record
from tongxing.photos import clean_photo

MAX_FILE_BYTES = 20 * 1024 * 1024
# A document is a PDF or an Office file (a zip); a photo of a clipping is re-encoded.
DOCUMENT_MAGIC = ((b"%PDF-", ".pdf"), (b"PK\x03\x04", ".docx"))


def refuse(errors: dict[str, list[str]]) -> None:
    """Raise the errors by field, if any: an action changes nothing on bad input."""
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def today() -> datetime.date:
    return timezone.localdate()


def require_date(value, field: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(value, datetime.date):
        errors.setdefault(field, []).append(_("Enter a date."))


def count_or_none(value, field: str, errors: dict[str, list[str]]) -> int | None:
    """A count as recorded: empty (unknown) or a whole number, not negative."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.setdefault(field, []).append(_("Enter a whole number, 0 or more."))
        return None
    return value


def clean_file(upload: UploadedFile | None, *, field: str = "file") -> ContentFile | None:
    """A document (PDF, Word) kept as sent, or a photo re-encoded without its metadata."""
    if upload is None:
        return None
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({field: [_("The file is larger than 20 MB.")]})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, suffix in DOCUMENT_MAGIC:
        if head.startswith(magic):
            return ContentFile(upload.read(), name=f"document{suffix}")
    try:
        return clean_photo(upload, field=field)
    except ValidationError:
        raise ValidationError(
            {field: [_("Upload a PDF or Word document, or a photo (JPEG, PNG, WebP or GIF).")]}
        ) from None


def audit(by, action: str, target, region_code: str, *, before=None, after=None) -> None:
    record(
        actor=by, action=action, target=target, region_code=region_code, before=before, after=after
    )
