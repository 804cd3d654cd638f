"""Changes to the registry. Each action checks the actor's right and region, validates every
field at once (a ValidationError names each field at fault), runs in one transaction and
writes the audit log. Views, the API, the import and the demo all come through here.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from tongxing import personal_data
from tongxing.access import DIRECTORY_EDITORS, HOUSEHOLD_EDITORS
from tongxing.accounts.models import User
from tongxing.audit.log import event_fields, record, record_update, snapshot
from tongxing.audit.models import AuditEvent
from tongxing.queries import bulk_write_cache, column_index, insert_rows, prepare_rows
from tongxing.regions.models import Region
from tongxing.registry import imports, protection, rights
from tongxing.registry.exports import export_members
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    Member,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    Relation,
)
from tongxing.registry.records import HouseholdData, MemberData, clean_household, clean_member
from tongxing.registry.validators import validate_credit_code, validate_phone
from tongxing.tabular import RowError
from tongxing.text import clean_text

HOUSEHOLD_FIELDS = (
    "registry_number",
    "village",
    "status",
    "status_since",
    "hardship_causes",
    "disability",
    "serious_illness",
    "left_behind_children",
    "elderly_living_alone",
)
# Audited member fields: never the ciphertext or hash, only the masked forms.
MEMBER_FIELDS = (
    "household",
    "name",
    "relation",
    "id_number_masked",
    "birth_date",
    "sex",
    "phone_masked",
    "left_behind_child",
    "student",
    "disabled",
    "labour_ability",
)
ORGANISATION_FIELDS = ("name", "kind", "credit_code", "region")
# What a new household's audit event records of each member.
MEMBER_SUMMARY = ("name", "relation", "id_number_masked")
PERSON_FIELDS = ("name", "position", "organisation", "region", "account", "phone_masked")


# --- Households and members ---------------------------------------------------------------


def _household_values(data: HouseholdData) -> dict:
    return {
        "registry_number": " ".join(data.registry_number.split()),
        "village": data.village,
        "status": data.status,
        "status_since": data.status_since,
        "hardship_causes": sorted({str(cause) for cause in data.hardship_causes}),
        "disability": bool(data.disability),
        "serious_illness": bool(data.serious_illness),
        "left_behind_children": bool(data.left_behind_children),
        "elderly_living_alone": bool(data.elderly_living_alone),
    }


def _check_members(members: list[MemberData], *, household: Household | None) -> tuple[list, dict]:
    """Validate members together: each one's fields, one head, no ID twice or taken."""
    cleaned, errors = [], {}
    for index, member in enumerate(members):
        values, member_errors = clean_member(member)
        cleaned.append(values)
        for name, messages in member_errors.items():
            errors[f"members.{index}.{name}"] = messages
    heads = [i for i, values in enumerate(cleaned) if values["relation"] == Relation.HEAD]
    if members and len(heads) != 1:
        errors["members"] = [_("A household has exactly one head.")]
    hashes = [v["id_number_hash"] for v in cleaned if v["id_number_hash"]]
    if len(hashes) != len(set(hashes)):
        errors.setdefault("members", []).append(_("The same ID number is given twice."))
    taken = Member.objects.with_id_hash(*hashes)
    if household is not None:
        taken = taken.exclude(household=household)
    taken = set(taken.values_list("id_number_hash", flat=True))
    for index, values in enumerate(cleaned):
        if values["id_number_hash"] in taken:
            errors[f"members.{index}.id_number"] = [
                _("This ID number is already registered in another household.")
            ]
    return cleaned, errors


def register_household(
    *, data: HouseholdData, members: list[MemberData], by: User | None
) -> Household:
    """Register a household with its members (at least the head)."""
    if data.village is not None:
        rights.require_region_right(by, HOUSEHOLD_EDITORS, data.village)
    errors = clean_household(data)
    if not members:
        errors["members"] = [_("Give at least the head of household.")]
    cleaned, member_errors = _check_members(members, household=None)
    errors.update(member_errors)
    if (
        not errors.get("registry_number")
        and Household.objects.filter(
            registry_number=_household_values(data)["registry_number"]
        ).exists()
    ):
        errors["registry_number"] = [_("This registry number is taken.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        household = Household.objects.create(**_household_values(data))
        HouseholdStatusChange.objects.create(
            household=household,
            status=household.status,
            since=household.status_since,
            recorded_by=_actor(by),
        )
        record(
            actor=by,
            action="household.create",
            target=household,
            region_code=household.village_id,
            after=snapshot(household, HOUSEHOLD_FIELDS),
        )
        for index, values in enumerate(cleaned):
            _create_member(household, values, by, field=f"members.{index}.id_number")
    return household


def _actor(by: User | None) -> User | None:
    return by if by is not None and by.pk else None


def _create_member(
    household: Household, values: dict, by: User | None, *, field: str = "id_number"
) -> Member:
    try:
        with transaction.atomic():
            member = Member.objects.create(household=household, **values)
    except IntegrityError:
        # Two clerks registering the same person at once: the unique hash decides.
        raise ValidationError({field: [_("This ID number is already registered.")]}) from None
    record(
        actor=by,
        action="member.create",
        target=member,
        region_code=household.village_id,
        after=snapshot(member, MEMBER_FIELDS),
    )
    return member


def update_household(*, household: Household, data: HouseholdData, by: User | None) -> Household:
    """Change a household's own fields; a new status is kept in its history from its date."""
    rights.require_region_right(by, HOUSEHOLD_EDITORS, household.village)
    if data.village is not None:
        rights.require_region_right(by, HOUSEHOLD_EDITORS, data.village)
    errors = clean_household(data)
    number = " ".join((data.registry_number or "").split())
    if not errors.get("registry_number") and (
        Household.objects.filter(registry_number=number).exclude(pk=household.pk).exists()
    ):
        errors["registry_number"] = [_("This registry number is taken.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        before = snapshot(household, HOUSEHOLD_FIELDS)
        _save_household(household, _household_values(data), before, by)
    return household


def _save_household(household: Household, values: dict, before: dict, by: User | None) -> bool:
    """Apply new values; on a change, save, keep a new status in the history, and audit."""
    status_changed = (values["status"], values["status_since"]) != (
        household.status,
        household.status_since,
    )
    for key, value in values.items():
        setattr(household, key, value)
    after = snapshot(household, HOUSEHOLD_FIELDS)
    if after == before:
        return False
    household.save()
    if status_changed:
        HouseholdStatusChange.objects.create(
            household=household,
            status=household.status,
            since=household.status_since,
            recorded_by=_actor(by),
        )
    record(
        actor=by,
        action="household.update",
        target=household,
        region_code=household.village_id,
        before=before,
        after=after,
    )
    return True


def add_member(*, household: Household, data: MemberData, by: User | None) -> Member:
    rights.require_region_right(by, HOUSEHOLD_EDITORS, household.village)
    values, errors = clean_member(data)
    if (
        values["relation"] == Relation.HEAD
        and household.members.filter(relation=Relation.HEAD).exists()
    ):
        errors["relation"] = [_("This household already has a head.")]
    if values["id_number_hash"] and Member.objects.with_id_hash(values["id_number_hash"]).exists():
        errors["id_number"] = [_("This ID number is already registered.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _create_member(household, values, by)


def update_member(*, member: Member, data: MemberData, by: User | None) -> Member:
    """Change a member; an empty ID or phone entry keeps the number on file."""
    rights.require_region_right(by, HOUSEHOLD_EDITORS, member.household.village)
    values, errors = clean_member(data)
    if not data.id_number:
        for key in ("id_number_ciphertext", "id_number_hash", "id_number_masked"):
            values.pop(key)
        if not data.birth_date:
            values["birth_date"] = member.birth_date
        if not data.sex:
            values["sex"] = member.sex
        # With an ID number on file, its birth date and sex stand: a different entry is a typo.
        if member.id_number_hash and values["birth_date"] != member.birth_date:
            errors["birth_date"] = [
                _("The ID number gives the birth date %(date)s.") % {"date": member.birth_date}
            ]
        if member.id_number_hash and values["sex"] != member.sex:
            errors["sex"] = [
                _("The ID number gives the sex %(sex)s.") % {"sex": member.get_sex_display()}
            ]
    if not data.phone:
        for key in ("phone_ciphertext", "phone_hash", "phone_masked"):
            values.pop(key)
    if (
        values["relation"] == Relation.HEAD
        and member.relation != Relation.HEAD
        and member.household.members.filter(relation=Relation.HEAD).exists()
    ):
        errors["relation"] = [_("This household already has a head.")]
    if (
        values.get("id_number_hash")
        and Member.objects.with_id_hash(values["id_number_hash"]).exclude(pk=member.pk).exists()
    ):
        errors["id_number"] = [_("This ID number is already registered.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        _save_member(member, values, member.household, by)
    return member


def _save_member(member: Member, values: dict, household: Household, by: User | None) -> bool:
    """Apply new values; on a change, save and audit. An empty number keeps the one on file."""
    change = _apply_member_values(member, _new_numbers_only(member, values))
    if change is None:
        return False
    before, after = change
    member.save()
    record(
        actor=by,
        action="member.update",
        target=member,
        region_code=household.village_id,
        before=before,
        after=after,
    )
    return True


def reveal_member(*, member: Member, by: User) -> dict[str, str]:
    """Return a member's full ID and phone numbers, and write the viewing to the audit log.

    Only roles allowed to see personal data, in their own region, may (PIPL: access to
    sensitive personal information is limited and recorded).
    """
    rights.require_personal_data(by, member.household)
    with transaction.atomic():
        record(
            actor=by,
            action="member.reveal",
            target=member,
            region_code=member.household.village_id,
            after={"fields": ["id_number", "phone"]},
        )
    return {
        "id_number": personal_data.decrypt(member.id_number_ciphertext),
        "phone": personal_data.decrypt(member.phone_ciphertext),
    }


# --- Organisations, people, assignments -------------------------------------------------------


def clean_organisation(
    *, name: str, kind: str, credit_code: str, region: Region | None
) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    name = clean_text(name, max_length=100, field="name", errors=errors)
    if not name and not errors:
        errors["name"] = [_("The name is empty.")]
    if kind not in OrganisationKind.values:
        errors["kind"] = [_("Choose a kind of organisation.")]
    code = ""
    if credit_code:
        try:
            code = validate_credit_code(credit_code)
        except ValidationError as exc:
            errors["credit_code"] = list(exc.messages)
    if region is None:
        errors["region"] = [_("Choose a region.")]
    return {"name": name, "kind": kind, "credit_code": code, "region": region}, errors


def create_organisation(
    *, name: str, kind: str, region: Region, credit_code: str = "", by: User | None
) -> Organisation:
    rights.require_region_right(by, DIRECTORY_EDITORS, region)
    values, errors = clean_organisation(
        name=name, kind=kind, credit_code=credit_code, region=region
    )
    if (
        values["credit_code"]
        and Organisation.objects.filter(credit_code=values["credit_code"]).exists()
    ):
        errors["credit_code"] = [_("An organisation with this code is already registered.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.create(**values)
        record(
            actor=by,
            action="organisation.create",
            target=organisation,
            region_code=region.code,
            after=snapshot(organisation, ORGANISATION_FIELDS),
        )
    return organisation


def update_organisation(
    *,
    organisation: Organisation,
    name: str,
    kind: str,
    region: Region,
    credit_code: str = "",
    by: User | None,
) -> Organisation:
    rights.require_region_right(by, DIRECTORY_EDITORS, organisation.region)
    rights.require_region_right(by, DIRECTORY_EDITORS, region)
    values, errors = clean_organisation(
        name=name, kind=kind, credit_code=credit_code, region=region
    )
    if (
        values["credit_code"]
        and Organisation.objects.filter(credit_code=values["credit_code"])
        .exclude(pk=organisation.pk)
        .exists()
    ):
        errors["credit_code"] = [_("An organisation with this code is already registered.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        record_update(
            organisation,
            values,
            actor=by,
            action="organisation.update",
            fields=ORGANISATION_FIELDS,
            region_code=region.code,
        )
    return organisation


def create_person(
    *,
    name: str,
    position: str,
    region: Region,
    organisation: Organisation | None = None,
    phone: str = "",
    account: User | None = None,
    by: User | None,
) -> Person:
    rights.require_region_right(by, DIRECTORY_EDITORS, region)
    if organisation is not None:
        rights.require_related_region(by, organisation.region, "organisation")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, max_length=50, field="name", errors=errors)
    if not name and not errors:
        errors["name"] = [_("The name is empty.")]
    if position not in Position.values:
        errors["position"] = [_("Choose a position.")]
    phone_value = ""
    if phone:
        try:
            phone_value = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    _check_account(account, None, by, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person = Person.objects.create(
            name=name,
            position=position,
            region=region,
            organisation=organisation,
            account=account,
            **protection.phone_columns(phone_value),
        )
        record(
            actor=by,
            action="person.create",
            target=person,
            region_code=region.code,
            after=snapshot(person, PERSON_FIELDS),
        )
    return person


def _check_account(
    account: User | None, person: Person | None, by: User | None, errors: dict
) -> None:
    """An account a person of the directory logs in with: a staff, cadre or organisation
    account of the actor's own region, not yet another person's."""
    if account is None:
        return
    refusal = rights.account_refusal(account, by)
    if refusal:
        errors["account"] = [refusal]
        return
    others = Person.objects.filter(account=account)
    if person is not None:
        others = others.exclude(pk=person.pk)
    if others.exists():
        errors["account"] = [_("This account already belongs to a person.")]


@transaction.atomic
def link_person_account(*, person: Person, account: User | None, by: User | None) -> Person:
    """Let a person of the directory log in with an account (or with none): a cadre's
    login then reaches the households the person is assigned to help."""
    person = Person.objects.select_for_update().select_related("region").get(pk=person.pk)
    rights.require_region_right(by, DIRECTORY_EDITORS, person.region)
    errors: dict[str, list[str]] = {}
    _check_account(account, person, by, errors)
    if errors:
        raise ValidationError(errors)
    if person.account_id == (account.pk if account is not None else None):
        return person
    record_update(
        person,
        {"account": account},
        actor=by,
        action="person.link_account",
        fields=("account",),
        region_code=person.region_id,
    )
    return person


def assign_helper(
    *, person: Person, household: Household, since: datetime.date, by: User | None
) -> HelperAssignment:
    """Make a person the assigned helper (帮扶责任人) of a household from a date."""
    rights.require_region_right(by, HOUSEHOLD_EDITORS, household.village)
    rights.require_related_region(by, person.region, "person")
    if since > datetime.date.today():
        raise ValidationError({"since": [_("The date lies in the future.")]})
    with transaction.atomic():
        assignment, created = HelperAssignment.objects.get_or_create(
            person=person, household=household, until__isnull=True, defaults={"since": since}
        )
        if created:
            record(
                actor=by,
                action="household.assign_helper",
                target=assignment,
                region_code=household.village_id,
                after={"person": person.pk, "household": household.pk, "since": str(since)},
            )
    return assignment


def end_assignment(*, assignment: HelperAssignment, until: datetime.date, by: User | None) -> None:
    rights.require_region_right(by, HOUSEHOLD_EDITORS, assignment.household.village)
    if until < assignment.since:
        raise ValidationError({"until": [_("The end lies before the start.")]})
    with transaction.atomic():
        assignment.until = until
        assignment.save(update_fields=["until"])
        record(
            actor=by,
            action="household.end_helper",
            target=assignment,
            region_code=assignment.household.village_id,
            after={"until": str(until)},
        )


def link_household_account(
    *, household: Household, account: User | None, by: User | None
) -> Household:
    """Give a household its own login (role household), or take it away with None."""
    rights.require_region_right(by, HOUSEHOLD_EDITORS, household.village)
    if account is not None and not rights.is_household_login(account):
        raise ValidationError({"account": [_("Choose an account with the household role.")]})
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        if account is not None:
            Household.objects.filter(account=account).exclude(pk=household.pk).update(account=None)
        record_update(
            household,
            {"account": account},
            actor=by,
            action="household.link_account",
            fields=("account",),
            region_code=household.village_id,
        )
    return household


# --- Rotating the personal-data key ---------------------------------------------------------

ROTATION_BATCH = 1000
# Each protected number (its ciphertext, hash and masked columns) and how it is hashed.
PROTECTED = {"id_number": protection.id_number_hash, "phone": protection.phone_hash}
# The tables holding protected numbers, and their numbers.
ROTATED = ((Member, ("id_number", "phone")), (Person, ("phone",)))


class RotationRefused(Exception):
    """The rotation cannot start; the message says what to set or do first."""


@dataclass
class RotationResult:
    members: int = 0  # rows written again
    people: int = 0
    left: int = 0  # rows still not on the current key when the run ended
    # (member left as it was, member that holds the same ID number): one person twice.
    duplicates: list[tuple[int, int | None]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.left == 0 and not self.duplicates


def rotate_data_key(
    *,
    by: User | None,
    reindex: bool = False,
    batch_size: int = ROTATION_BATCH,
    progress=None,
) -> RotationResult:
    """Re-encrypt every ID and phone number not yet written with the current data key.

    Batch by batch, each its own transaction: interrupted, it picks up the rows still on an
    old key when run again. The keyed hashes come from the index key, which a rotation
    does not change, so searches and the one-person-one-entry check hold throughout; a hash
    found wrong on the way (an installation whose earlier rotation failed) is made right,
    unless the number is already registered to another member: that member pair is
    reported and the row left as it was, never an IntegrityError. With `reindex`, every row
    is read and its hashes made again with the index key, whatever key wrote it.
    `progress(label, rows, total)` is called after each batch has committed.
    """
    rights.require_key_rotation(by)
    _check_rotation_keys(reindex)
    sets = {model: _rows_to_rotate(model, kinds, reindex) for model, kinds in ROTATED}
    totals = {model: rows.count() for model, rows in sets.items()}
    with transaction.atomic():
        record(
            actor=by,
            action="datakey.rotation_start",
            target="registry.personal_data",
            after={"members": totals[Member], "people": totals[Person], "reindex": reindex},
        )
    result = RotationResult()
    written = {Member: 0, Person: 0}
    for model, kinds in ROTATED:
        label = str(model._meta.verbose_name_plural).capitalize()
        rows, last = sets[model].select_for_update().order_by("pk"), 0
        while True:
            with transaction.atomic():
                batch = list(rows.filter(pk__gt=last)[:batch_size])
                if not batch:
                    break
                written[model] += _rewrite_protected(model, batch, kinds, result)
            last = batch[-1].pk
            if progress:
                progress(label, len(batch), totals[model])
    result.members, result.people = written[Member], written[Person]
    result.left = sum(_rows_to_rotate(model, kinds, False).count() for model, kinds in ROTATED)
    with transaction.atomic():
        record(
            actor=by,
            action="datakey.rotation_finish",
            target="registry.personal_data",
            after={
                "members": result.members,
                "people": result.people,
                "left": result.left,
                "duplicates": len(result.duplicates),
            },
        )
    return result


def _rows_to_rotate(model, kinds: tuple[str, ...], reindex: bool):
    """The rows holding a number written with an old key (with reindex: any number)."""
    current = personal_data.token_prefix(personal_data.current_key_id())
    condition = Q()
    for kind in kinds:
        column = f"{kind}_ciphertext"
        has_value = ~Q(**{column: ""})
        condition |= has_value if reindex else has_value & ~Q(**{f"{column}__startswith": current})
    return model.objects.filter(condition)


def _check_rotation_keys(reindex: bool) -> None:
    """Refuse to start unless every stored value is readable and the hashes will hold."""
    from django.conf import settings

    if not settings.TONGXING_INDEX_KEY:
        raise RotationRefused(
            _(
                "Set TONGXING_INDEX_KEY first: the keyed hashes must outlive the data key. "
                "`tongxing datakey index-key` prints the key the stored hashes were made with."
            )
        )
    readable = personal_data.readable_key_ids()
    unreadable = set()
    for model, kinds in ROTATED:
        for column in (f"{kind}_ciphertext" for kind in kinds):
            # `v1.<key id>.…`: the key id is characters 4 to 11.
            ids = model.objects.exclude(**{column: ""}).annotate(kid=Substr(column, 4, 8))
            unreadable |= set(ids.order_by().values_list("kid", flat=True).distinct()) - readable
    if unreadable:
        raise RotationRefused(
            _(
                "Some numbers were written with a key that is not given (key id %(ids)s): "
                "put it in TONGXING_DATA_OLD_KEYS."
            )
            % {"ids": ", ".join(sorted(unreadable))}
        )
    if reindex:
        return
    # The index key must be the one the hashes were made with: a sample shows it. Rows on
    # the current key first (after a failed earlier rotation, the others may be wrong).
    current = personal_data.token_prefix(personal_data.current_key_id())
    with_id = Member.objects.exclude(id_number_hash="")
    sample = list(with_id.filter(id_number_ciphertext__startswith=current).order_by("pk")[:20])
    sample = sample or list(with_id.order_by("pk")[:20])
    for member in sample:
        value = personal_data.decrypt(member.id_number_ciphertext)
        if protection.id_number_hash(value) != member.id_number_hash:
            raise RotationRefused(
                _(
                    "TONGXING_INDEX_KEY is not the key the stored hashes were made with. Set "
                    "the right one, or make every hash again with `tongxing datakey reindex`."
                )
            )


def _rewrite_protected(model, rows: list, kinds: tuple[str, ...], result: RotationResult) -> int:
    """Write each row's numbers with the current key and its hashes with the index key."""
    changed: dict[int, dict[str, str]] = {}
    for row in rows:
        columns = {}
        for kind in kinds:
            token = getattr(row, f"{kind}_ciphertext")
            if not token:
                continue
            value = personal_data.decrypt(token)
            if not personal_data.is_current(token):
                columns[f"{kind}_ciphertext"] = personal_data.encrypt(value)
            digest = PROTECTED[kind](value)
            if digest != getattr(row, f"{kind}_hash"):
                columns[f"{kind}_hash"] = digest
        if columns:
            changed[row.pk] = columns
    if model is Member:
        _leave_duplicates(changed, result)
    if not changed:
        return 0
    by_pk = {row.pk: row for row in rows}
    fields = sorted({name for columns in changed.values() for name in columns})
    for pk, columns in changed.items():
        for name in fields:
            setattr(by_pk[pk], name, columns.get(name, getattr(by_pk[pk], name)))
    try:
        with transaction.atomic():
            model.objects.bulk_update([by_pk[pk] for pk in changed], fields)
        return len(changed)
    except IntegrityError:
        pass  # someone registered one of these numbers meanwhile: row by row, then
    written = 0
    for pk, columns in changed.items():
        try:
            with transaction.atomic():
                model.objects.filter(pk=pk).update(**columns)
            written += 1
        except IntegrityError:
            if "id_number_hash" not in columns:
                raise
            other = Member.objects.with_id_hash(columns["id_number_hash"]).first()
            result.duplicates.append((pk, other.pk if other else None))
    return written


def _leave_duplicates(changed: dict[int, dict[str, str]], result: RotationResult) -> None:
    """Take out of `changed` the members whose new ID hash another member holds."""
    new_hashes: dict[str, int] = {}
    for pk, columns in list(changed.items()):
        digest = columns.get("id_number_hash")
        if digest is None:
            continue
        if digest in new_hashes:  # two rows of this batch: one person twice
            result.duplicates.append((pk, new_hashes[digest]))
            del changed[pk]
        else:
            new_hashes[digest] = pk
    if not new_hashes:
        return
    holders = Member.objects.with_id_hash(*new_hashes).values_list("id_number_hash", "pk")
    for digest, holder in holders:
        pk = new_hashes[digest]
        if holder != pk and pk in changed:
            result.duplicates.append((pk, holder))
            del changed[pk]


# --- Importing a roster -----------------------------------------------------------------------


@dataclass
class HouseholdImportResult:
    households_created: int = 0
    households_updated: int = 0
    members_created: int = 0
    members_updated: int = 0
    rows_unchanged: int = 0
    rows_imported: int = 0
    dry_run: bool = False
    partial: bool = False
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_rejected(self) -> int:
        """The rows not imported, each listed in `errors` with its reasons."""
        return len({error.row for error in self.errors})

    @property
    def refused(self) -> bool:
        """Nothing was imported for the errors: all or nothing, or not one good household."""
        return bool(self.errors) and (not self.partial or not self.rows_imported)

    def as_dict(self) -> dict:
        return {
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "members_created": self.members_created,
            "members_updated": self.members_updated,
            "rows_unchanged": self.rows_unchanged,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "dry_run": self.dry_run,
            "errors": [error.as_dict() for error in self.errors],
        }


# Roster households checked, matched and prepared together.
IMPORT_BATCH = 500
# The most values one statement sends in an IN (…) list. SQLite refuses a statement with
# more variables than its limit: 32,766 upstream, 999 in some builds.
LOOKUP_BATCH = 500
# Times an import prepares again when the registry changed under it before it could write.
IMPORT_ATTEMPTS = 3
# A member as the import compares it, just before writing, with what it read.
MEMBER_STATE = (
    "pk",
    "name",
    "relation",
    "id_number_hash",
    "phone_hash",
    "birth_date",
    "sex",
    "left_behind_child",
    "student",
    "disabled",
    "labour_ability",
)


class _RegistryChanged(Exception):
    """A household the import prepared to change was changed by someone else meanwhile."""


@dataclass
class _ImportPlan:
    """Everything an import writes, checked and prepared before its transaction begins.

    Rows of new objects are prepared for `insert_rows`; the ones that need the key of a new
    household carry its registry number, the key is set in them once the households are in.
    """

    result: HouseholdImportResult
    errors: list = field(default_factory=list)
    villages: dict = field(default_factory=dict)  # code: every village written to
    # Household key: (village, updated_at, its members' states) as read, for the households
    # the import changes, or whose members it changes or adds to.
    read: dict = field(default_factory=dict)
    new_numbers: list = field(default_factory=list)
    new_households: list = field(default_factory=list)
    new_history: list = field(default_factory=list)  # (registry number, row)
    new_members: list = field(default_factory=list)  # (registry number, row)
    new_events: list = field(default_factory=list)  # (registry number, row)
    changed_households: list = field(default_factory=list)
    changed_members: list = field(default_factory=list)
    joining: list = field(default_factory=list)  # (member, its audit snapshot)
    history: list = field(default_factory=list)
    events: list = field(default_factory=list)


def _chunks(items, size: int):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_households(
    *,
    rows: list[tuple[int, dict[str, str]]],
    by: User | None,
    partial: bool = False,
    dry_run: bool = False,
    progress=None,
) -> HouseholdImportResult:
    """Create or update households and members from a roster, one row per member.

    All or nothing by default: with any bad row nothing changes. With `partial`, the
    households whose head's row is good are imported, without their bad member rows, and
    every row not imported is listed. A household whose registry number, or one of whose
    ID numbers, is on file in a household outside the importer's region is refused whole.
    Importing the same file again changes nothing; an updated file updates the rows that
    changed.

    Every row is checked, matched with the registry and prepared first; the writing comes
    last, in one short transaction that checks again the region of every household it
    changes (PermissionDenied if one has left the importer's region) and that none changed
    since it was read (if one did, the import prepares again). `progress(n)` is called, outside
    any transaction, as n more rows are prepared; the rows add up to the roster's.
    """
    scope = rights.require_importer(by)
    roster = imports.parse_roster(rows, scope_prefix=scope)
    for attempt in range(IMPORT_ATTEMPTS):
        plan = _plan_import(
            roster, by=by, scope=scope, partial=partial, progress=None if attempt else progress
        )
        result = plan.result
        result.dry_run, result.partial = dry_run, partial
        result.errors = sorted(plan.errors, key=lambda e: (e.row, e.column))
        if result.errors and not partial:
            return HouseholdImportResult(dry_run=dry_run, partial=partial, errors=result.errors)
        if dry_run or not result.rows_imported:
            return result
        try:
            _write_import(plan, by)
        except (_RegistryChanged, IntegrityError):
            continue  # someone changed the registry meanwhile: read it again
        return result
    return HouseholdImportResult(
        dry_run=dry_run,
        partial=partial,
        errors=[
            RowError(
                0,
                "",
                _(
                    "The registry changed while the file was being checked, %(n)d times: "
                    "nothing was imported. Import the file again."
                )
                % {"n": IMPORT_ATTEMPTS},
            )
        ],
    )


def _plan_import(roster, *, by: User | None, scope: str, partial: bool, progress) -> _ImportPlan:
    """Match the roster with the registry, batch by batch, and decide every write."""
    plan = _ImportPlan(result=HouseholdImportResult(), errors=list(roster.errors))
    parse_bad = roster.bad_rows()
    reported = 0
    for batch in _chunks(roster.households.values(), IMPORT_BATCH):
        errors: list = []
        existing, refused = _match_existing(batch, scope, errors)
        bad_rows = parse_bad | {error.row for error in errors}
        good = []
        for entry in batch:
            if entry.key in refused:
                continue  # every row is already reported
            heads = [n for n, member, _v in entry.members if member.relation == Relation.HEAD]
            if entry.data is not None and len(heads) == 1 and heads[0] not in bad_rows:
                good.append(entry)
            elif partial:
                reason = heads[0] if heads else entry.rows[0]
                for number in sorted(set(entry.rows) - bad_rows):
                    errors.append(
                        RowError(
                            number,
                            "",
                            _("Not imported: the head's row %(row)d is not right.")
                            % {"row": reason},
                        )
                    )
        on_file: dict[int, list[Member]] = {}
        for pks in _chunks([h.pk for h in existing.values()], LOOKUP_BATCH):
            for member in Member.objects.filter(household_id__in=pks):
                on_file.setdefault(member.household_id, []).append(member)
        new: list = []
        for entry in good:
            # A household comes without its bad member rows (all or nothing stops anyway).
            members = [m for m in entry.members if m[0] not in bad_rows]
            household = existing.get(entry.key)
            if household is None:
                new.append((entry, members))
            else:
                on = on_file.get(household.pk, [])
                _plan_update(plan, entry, members, household, on, by, partial=partial)
            plan.villages[entry.data.village.code] = entry.data.village
        _plan_new(plan, new, by)
        plan.errors += errors
        if progress:
            rows = sum(len(entry.rows) for entry in batch)
            progress(rows)
            reported += rows
    if progress and roster.rows_read > reported:
        progress(roster.rows_read - reported)  # rows that found no household
    return plan


def _match_existing(batch, scope: str, errors: list) -> tuple[dict, set]:
    """Find the batch's households on file, and the ID numbers registered elsewhere.

    Return the households on file by roster key and the keys of the households refused
    whole: those whose registry number, or one of whose ID numbers, is on file in a household
    outside the region. Each of their rows is reported, and no message names a household
    outside the region; an ID number registered in another household of the region refuses
    its row and names that household.
    """

    by_number = {entry.data.registry_number: entry for entry in batch if entry.data is not None}
    existing: dict = {}
    number_outside: set = set()
    for numbers in _chunks(by_number, LOOKUP_BATCH):
        for household in Household.objects.filter(registry_number__in=numbers):
            entry = by_number[household.registry_number]
            if household.village_id.startswith(scope):
                existing[entry.key] = household
            else:
                number_outside.add(entry.key)
    hashes = {
        values["id_number_hash"]: (entry, number)
        for entry in batch
        for number, _m, values in entry.members
        if values["id_number_hash"]
    }
    id_outside: dict[str, list[int]] = {}
    for chunk in _chunks(hashes, LOOKUP_BATCH):
        found = Member.objects.with_id_hash(*chunk).values_list(
            "id_number_hash", "household_id", "household__registry_number", "household__village"
        )
        for id_hash, household_id, registry_number, village in found:
            entry, number = hashes[id_hash]
            on_file = existing.get(entry.key)
            if on_file is not None and on_file.pk == household_id:
                continue
            if village.startswith(scope):
                errors.append(
                    RowError(
                        number,
                        "id_number",
                        _("This ID number is already registered in household %(number)s.")
                        % {"number": registry_number},
                    )
                )
            else:
                id_outside.setdefault(entry.key, []).append(number)
    for entry in batch:
        if entry.key in number_outside:
            message = _("This registry number belongs to a household outside your region.")
            errors += [RowError(n, "registry_number", message) for n in entry.rows]
        elif entry.key in id_outside:
            numbers = sorted(id_outside[entry.key])
            for number in entry.rows:
                if number in numbers:
                    error = RowError(
                        number,
                        "id_number",
                        _("This ID number is registered in a household outside your region."),
                    )
                else:
                    error = RowError(
                        number,
                        "",
                        _(
                            "Not imported: the ID number of row %(row)d is registered in a "
                            "household outside your region."
                        )
                        % {"row": numbers[0]},
                    )
                errors.append(error)
    return existing, number_outside | id_outside.keys()


def _plan_new(plan: _ImportPlan, new: list, by: User | None) -> None:
    """Prepare the rows of new households, their history, members and audit events."""
    actor = _actor(by)
    numbers, households, history, events, members, member_numbers = [], [], [], [], [], []
    for entry, rows in new:
        household = Household(**_household_values(entry.data))
        numbers.append(household.registry_number)
        households.append(household)
        history.append(
            HouseholdStatusChange(
                status=household.status, since=household.status_since, recorded_by=actor
            )
        )
        summaries = []
        for _number, _member, values in rows:
            member = Member(**values)
            members.append(member)
            member_numbers.append(household.registry_number)
            summaries.append(snapshot(member, MEMBER_SUMMARY))
        # The household's event carries its members: they get no events of their own.
        after = {**snapshot(household, HOUSEHOLD_FIELDS), "members": summaries}
        event = event_fields(by, "household.create", household, household.village_id, None, after)
        events.append(AuditEvent(**event))
    plan.new_numbers += numbers
    plan.new_households += prepare_rows(Household, households)
    plan.new_history += zip(numbers, prepare_rows(HouseholdStatusChange, history), strict=True)
    plan.new_members += zip(member_numbers, prepare_rows(Member, members), strict=True)
    plan.new_events += zip(numbers, prepare_rows(AuditEvent, events), strict=True)
    result = plan.result
    result.households_created += len(households)
    result.members_created += len(members)
    result.rows_imported += len(members)


def _plan_update(
    plan, entry, rows, household: Household, on_file: list, by: User | None, *, partial: bool
) -> None:
    """Decide what changes in a household on file and its members; prepare the writes."""
    result = plan.result
    read = (
        household.village_id,
        household.updated_at,
        frozenset(_member_state(member) for member in on_file),
    )
    by_hash = {m.id_number_hash: m for m in on_file if m.id_number_hash}
    by_name = {m.name: m for m in on_file}
    matched = []  # (row number, the row's values, the member on file it is, or None)
    for number, _member, values in rows:
        current = by_hash.get(values["id_number_hash"]) if values["id_number_hash"] else None
        matched.append((number, values, current or by_name.get(values["name"])))
    if _heads_after(on_file, matched) > 1:
        head_row, _values, _current = next(m for m in matched if m[1]["relation"] == Relation.HEAD)
        head = next(m for m in on_file if m.relation == Relation.HEAD)
        message = _(
            "The household has another head on file, %(name)s: give that member's row "
            "with their relation now."
        )
        plan.errors.append(RowError(head_row, "relation", message % {"name": head.name}))
        if partial:
            for number in sorted(set(entry.rows) - {head_row}):
                plan.errors.append(
                    RowError(
                        number,
                        "",
                        _("Not imported: the head's row %(row)d is not right.") % {"row": head_row},
                    )
                )
        return
    touched = False
    values = _household_values(entry.data)
    # A roster without a status date says nothing about when: keep the date on file.
    if values["status"] == household.status:
        values["status_since"] = household.status_since
    status_changed = (values["status"], values["status_since"]) != (
        household.status,
        household.status_since,
    )
    before = snapshot(household, HOUSEHOLD_FIELDS)
    for key, value in values.items():
        setattr(household, key, value)
    after = snapshot(household, HOUSEHOLD_FIELDS)
    events = []
    if after != before:
        touched = True
        result.households_updated += 1
        plan.changed_households.append(household)
        if status_changed:
            plan.history += prepare_rows(
                HouseholdStatusChange,
                [
                    HouseholdStatusChange(
                        household=household,
                        status=household.status,
                        since=household.status_since,
                        recorded_by=_actor(by),
                    )
                ],
            )
        events.append(
            AuditEvent(
                **event_fields(
                    by, "household.update", household, household.village_id, before, after
                )
            )
        )
    for number, values, current in matched:
        if current is None:
            member = Member(household=household, **values)
            plan.joining.append((member, snapshot(member, MEMBER_FIELDS)))
            result.members_created += 1
            touched = True
        else:
            change = _member_change(current, values, number, plan.errors)
            if change is None:
                continue  # refused: the row is reported
            if change is False:
                result.rows_unchanged += 1
            else:
                result.members_updated += 1
                plan.changed_members.append(current)
                events.append(
                    AuditEvent(
                        **event_fields(by, "member.update", current, household.village_id, *change)
                    )
                )
                touched = True
        result.rows_imported += 1
    if touched:
        plan.read[household.pk] = read
        plan.events += prepare_rows(AuditEvent, events)


def _heads_after(on_file: list, matched: list) -> int:
    """Count the household's heads once the roster's rows are applied."""
    relations = {member.pk: member.relation for member in on_file}
    joining = 0
    for _number, values, current in matched:
        if current is None:
            joining += values["relation"] == Relation.HEAD
        else:
            relations[current.pk] = values["relation"]
    return joining + sum(relation == Relation.HEAD for relation in relations.values())


def _member_state(member: Member) -> tuple:
    return tuple(getattr(member, name) for name in MEMBER_STATE)


def _member_change(member: Member, values: dict, number: int, errors: list):
    """Apply a roster row to a member on file, in memory: False if nothing changes, None if
    the row is refused (reported in errors), else the audit's (before, after).

    Empty cells keep what is on file: an ID number or phone, a birth date, a sex. With an
    ID number on file and none in the row, the birth date and sex it gives stand.
    """

    if all(
        getattr(member, key) == value
        for key, value in values.items()
        if not key.endswith("_ciphertext")
    ):
        return False  # the common case of a re-import: nothing to look at more closely
    values = _new_numbers_only(member, values)
    if not values["birth_date"]:
        values["birth_date"] = member.birth_date
    if not values["sex"]:
        values["sex"] = member.sex
    if "id_number_hash" not in values and member.id_number_hash:
        refusals = []
        if values["birth_date"] != member.birth_date:
            message = _("The ID number gives the birth date %(date)s.")
            refusals.append(("birth_date", message % {"date": member.birth_date}))
        if values["sex"] != member.sex:
            message = _("The ID number gives the sex %(sex)s.")
            refusals.append(("sex", message % {"sex": member.get_sex_display()}))
        if refusals:
            errors += [RowError(number, column, text) for column, text in refusals]
            return None
    change = _apply_member_values(member, values)
    return False if change is None else change


def _new_numbers_only(member: Member, values: dict) -> dict:
    """The values without the numbers that are empty or the same as on file (an empty cell
    keeps the number on file; re-encrypting the same number gives new ciphertext, so
    numbers compare by their hash)."""
    values = dict(values)
    for kind in ("id_number", "phone"):
        if values.get(f"{kind}_hash", "") in ("", getattr(member, f"{kind}_hash")):
            for suffix in ("ciphertext", "hash", "masked"):
                values.pop(f"{kind}_{suffix}", None)
    return values


def _apply_member_values(member: Member, values: dict) -> tuple[dict, dict] | None:
    """Set the values on the member, in memory; return the audit's (before, after), or None
    when nothing changes."""
    numbers_changed = "id_number_hash" in values or "phone_hash" in values
    before = snapshot(member, MEMBER_FIELDS)
    for key, value in values.items():
        setattr(member, key, value)
    after = snapshot(member, MEMBER_FIELDS)
    if after == before and not numbers_changed:
        return None
    return before, after


def _write_import(plan: _ImportPlan, by: User | None) -> None:
    """Write what the plan prepared, in one transaction, after checking it still holds."""
    household_key = column_index(HouseholdStatusChange, "household")
    member_household = column_index(Member, "household")
    event_object = column_index(AuditEvent, "object_id")
    with bulk_write_cache(), transaction.atomic():
        # The region of every object written to, as it is now, whatever the file said.
        for village in plan.villages.values():
            rights.require_region_right(by, HOUSEHOLD_EDITORS, village)
        _check_unchanged(plan, by)
        insert_rows(Household, plan.new_households)
        keys = {}
        for numbers in _chunks(plan.new_numbers, LOOKUP_BATCH):
            keys.update(
                Household.objects.filter(registry_number__in=numbers).values_list(
                    "registry_number", "pk"
                )
            )
        for rows, index, convert in (
            (plan.new_history, household_key, int),
            (plan.new_members, member_household, int),
            (plan.new_events, event_object, str),
        ):
            for number, row in rows:
                row[index] = convert(keys[number])
        insert_rows(HouseholdStatusChange, [row for _n, row in plan.new_history])
        insert_rows(Member, [row for _n, row in plan.new_members])
        for household in plan.changed_households:
            household.save(force_update=True)
        # A head who is one no more first: a household has one head at every moment.
        for member in sorted(plan.changed_members, key=lambda m: m.relation == Relation.HEAD):
            member.save(force_update=True)
        insert_rows(HouseholdStatusChange, plan.history)
        joining = Member.objects.bulk_create([member for member, _after in plan.joining])
        events = [
            AuditEvent(**event_fields(by, "member.create", m, m.household.village_id, None, after))
            for m, (_member, after) in zip(joining, plan.joining, strict=True)
        ]
        insert_rows(AuditEvent, [row for _n, row in plan.new_events])
        insert_rows(AuditEvent, plan.events + prepare_rows(AuditEvent, events))


def _check_unchanged(plan: _ImportPlan, by: User | None) -> None:
    """Check, inside the write's transaction, the households the import changes: each one
    still in the importer's region (PermissionDenied if not) and as it was read."""
    for pks in _chunks(plan.read, LOOKUP_BATCH):
        # Locked first (on PostgreSQL), so that their members are read as they will stay.
        households = list(
            Household.objects.select_for_update(of=("self",))
            .select_related("village")
            .filter(pk__in=pks)
        )
        members: dict[int, set] = {}
        for household_id, *state in Member.objects.filter(household_id__in=pks).values_list(
            "household_id", *MEMBER_STATE
        ):
            members.setdefault(household_id, set()).add(tuple(state))
        if len(households) != len(pks):
            raise _RegistryChanged  # one was removed
        for household in households:
            rights.require_region_right(by, HOUSEHOLD_EDITORS, household.village)
            now = (
                household.village_id,
                household.updated_at,
                frozenset(members.get(household.pk, ())),
            )
            if now != plan.read[household.pk]:
                raise _RegistryChanged


# The reason given for an export with full numbers, kept in its audit event.
EXPORT_REASON_MAX = 200


def check_full_export(*, by: User | None, households, reason: str) -> str:
    """Refuse an export with full numbers unless the actor may make it and says why; return
    the reason cleaned.

    Only the city and township offices may (`FULL_EXPORTERS`), for households that all lie
    in their region; the server's admin (`by=None`, the command) for any. Either way a
    reason is needed, for the audit log.
    """
    reason = clean_text(reason, max_length=EXPORT_REASON_MAX, field="reason")
    rights.require_full_export(by, households)
    if not reason:
        raise ValidationError({"reason": [_("Say why the full ID and phone numbers are needed.")]})
    return reason


def export_households(
    *,
    households,
    by: User | None,
    full_numbers: bool = False,
    reason: str = "",
    progress=None,
) -> bytes:
    """Return the households' members as an .xlsx roster in the import's format.

    Numbers are masked unless the caller asks for full ones, with a reason, and may
    (`check_full_export`); a full export is written to the audit log with its reason and
    its count. `progress` is called with the members written, a thousand at a time.
    """
    if full_numbers:
        reason = check_full_export(by=by, households=households, reason=reason)
    content = export_members(households, full_numbers=full_numbers, progress=progress)
    if full_numbers:
        with transaction.atomic():
            record(
                actor=by,
                action="household.export_full",
                target="registry.household",
                region_code=(by.region_id or "") if by is not None else "",
                after={"households": households.count(), "reason": reason},
            )
    return content
