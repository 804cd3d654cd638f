"""The review rules: what a township reviewer is warned about before publishing a need.

The value caps and banned terms are data the city office edits (ValueCap, BannedTerm); a
rule of a region applies to every need below it. The other two rules are fixed: one open
need per household and category, and no duplicate of a need already on the board.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from tongxing.needs.amounts import yuan
from tongxing.needs.models import OPEN, BannedTerm, Need, ValueCap
from tongxing.regions.codes import path_codes


def check_rules(need: Need) -> list[dict]:
    """Return the rules this need breaks, each as {"rule", "message"}."""
    regions = path_codes(need.village_id)
    caps = ValueCap.objects.filter(region_id__in=regions, category=need.category)
    terms = BannedTerm.objects.filter(region_id__in=regions)
    findings = office_findings(need, caps, terms)
    if need.household_id is not None:
        others = Need.objects.filter(household_id=need.household_id, status__in=OPEN).exclude(
            pk=need.pk
        )
        if others.filter(category=need.category).exists():
            findings.append(
                {
                    "rule": "one_open_per_category",
                    "message": _("The household already has an open need of this category."),
                }
            )
        same = Q(title__iexact=need.title.strip())
        if need.kind == "wish" and need.child_id:
            same |= Q(child_id=need.child_id, kind="wish")
        if others.filter(same).exists():
            findings.append(
                {
                    "rule": "duplicate",
                    "message": _("The household already has an open need like this one."),
                }
            )
    return findings


def office_findings(need: Need, caps, terms) -> list[dict]:
    """The findings of the office's rules (value caps, banned terms) for a need, given the
    caps and terms in force in its region and above."""
    findings = []
    caps = [cap for cap in caps if cap.category == need.category]
    cap = min(caps, key=lambda cap: cap.cap_fen, default=None)
    if cap is not None and need.value_fen > cap.cap_fen:
        findings.append(
            {
                "rule": "value_cap",
                "message": _("The estimated value %(value)s is above the cap of %(cap)s.")
                % {"value": yuan(need.value_fen), "cap": yuan(cap.cap_fen)},
            }
        )
    text = f"{need.title} {need.story}".casefold()
    for term in sorted(terms, key=lambda term: term.term):
        if term.term.casefold() in text:
            message = _("It names “%(term)s”, which the review rules do not allow.") % {
                "term": term.term
            }
            if term.note:
                message = f"{message} ({term.note})"
            findings.append({"rule": "banned_term", "message": message})
    return findings


class RuleBook:
    """Every value cap and banned term, read once: the office's rules for many needs."""

    def __init__(self) -> None:
        self.caps: dict[str, list[ValueCap]] = {}
        self.terms: dict[str, list[BannedTerm]] = {}
        for cap in ValueCap.objects.all():
            self.caps.setdefault(cap.region_id, []).append(cap)
        for term in BannedTerm.objects.all():
            self.terms.setdefault(term.region_id, []).append(term)

    def findings(self, need: Need) -> list[dict]:
        regions = path_codes(need.village_id)
        caps = [cap for code in regions for cap in self.caps.get(code, ())]
        terms = [term for code in regions for term in self.terms.get(code, ())]
        return office_findings(need, caps, terms)
