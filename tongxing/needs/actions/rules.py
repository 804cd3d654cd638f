"""The review rules of a region kept by its office: value caps and banned terms."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongxing.accounts.models import User
from tongxing.audit.log import record
from tongxing.needs.models import BannedTerm, Category, ValueCap
from tongxing.needs.rights import may_edit_rules
from tongxing.regions.models import Region
from tongxing.text import clean_text


def _require_rule_editor(by: User | None, region: Region) -> None:
    if not may_edit_rules(by, region):
        raise PermissionDenied


@transaction.atomic
def set_value_cap(*, region: Region, category: str, cap_fen: int | None, by: User | None):
    """Set (or with None, remove) the value cap of a category in a region."""
    _require_rule_editor(by, region)
    if category not in Category.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    existing = ValueCap.objects.filter(region=region, category=category).first()
    before = {"cap_fen": existing.cap_fen} if existing else None
    if cap_fen is None:
        if existing is not None:
            existing.delete()
            record(
                actor=by,
                action="rule.cap_removed",
                target=existing,
                region_code=region.code,
                before=before,
            )
        return None
    if cap_fen <= 0:
        raise ValidationError({"cap_fen": [_("Give a cap above ¥0.")]})
    cap, _created = ValueCap.objects.update_or_create(
        region=region, category=category, defaults={"cap_fen": cap_fen}
    )
    record(
        actor=by,
        action="rule.cap_set",
        target=cap,
        region_code=region.code,
        before=before,
        after={"category": category, "cap_fen": cap_fen},
    )
    return cap


@transaction.atomic
def add_banned_term(*, region: Region, term: str, note: str = "", by: User | None) -> BannedTerm:
    _require_rule_editor(by, region)
    errors: dict[str, list[str]] = {}
    term = clean_text(term, max_length=40, field="term", errors=errors)
    if "term" in errors:
        pass
    elif not term:
        errors["term"] = [_("Give the word to flag.")]
    elif BannedTerm.objects.filter(region=region, term__iexact=term).exists():
        errors["term"] = [_("This word is flagged already.")]
    note = clean_text(note, max_length=100, field="note", errors=errors)
    if errors:
        raise ValidationError(errors)
    banned = BannedTerm.objects.create(region=region, term=term, note=note)
    record(
        actor=by,
        action="rule.term_added",
        target=banned,
        region_code=region.code,
        after={"term": term, "note": note},
    )
    return banned


@transaction.atomic
def remove_banned_term(*, banned: BannedTerm, by: User | None) -> None:
    _require_rule_editor(by, banned.region)
    record(
        actor=by,
        action="rule.term_removed",
        target=banned,
        region_code=banned.region_id,
        before={"term": banned.term},
    )
    banned.delete()
