"""How audit events read: a sentence in the reader's language, and the changes field by field.

The log stores codes (`need.published`) and the fields before and after as JSON; this
module puts them into words when they are read, in the language of the page or the API
call. It lies low (beside the audit writer): it imports no app above it. Each app tells it,
from its `AppConfig.ready()`, the words of its own actions (`register_actions`) and how its
objects are named (`register_object_type`).

- An event reads as a sentence: "Tina approved and published the need “3 quilts” (#123)."
  Its placeholders are `actor`, `object`, `region` (the event's region) and any key of the
  event's data, formatted as its field is (below); an action may compute more (`params`).
- A change reads "field: before → after", with the model field's verbose name, choice
  labels, yes/no, dates, amounts in yuan (`…_fen`), numbers with thousands separators and
  lists joined: never a Python repr. A key the sentence already says is not repeated.
- An object is named by its app (`names`), for the whole page of events at once, through
  the app's own region-scoped selectors: a reader gets a link only to what they may open,
  and a name of something outside their scope only as its kind and number.
- An action nobody registered (a later version's, or one removed since) still reads as a
  generic sentence that names its code.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tongxing.access import AUDIT_READERS
from tongxing.audit.models import AuditEvent
from tongxing.numbers import thousands

if TYPE_CHECKING:  # the accounts lie above the audit log
    from tongxing.accounts.models import User

# --- What apps register -----------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """An object as the log names it: words, and a link where the reader may open it."""

    text: str
    url: str = ""
    # The object itself, for an action's `params` (a need's unit, say); never shown.
    obj: Any = None


# names(viewer, ids) -> {id: Named}: the objects of one type the viewer may know of.
Namer = Callable[["User", list[str]], dict[str, Named]]


@dataclass(frozen=True)
class Key:
    """How a key of an event's data reads, where the model has no field of that name (or
    the field alone says too little)."""

    label: Any
    # (value, the event's data) -> text; given, it replaces every other rule.
    format: Callable[[Any, dict], str] | None = None
    # The value is the id of an object of this type ("registry.household"), named as such.
    refers_to: str = ""


@dataclass(frozen=True)
class ObjectType:
    label: str  # "app_label.modelname", as AuditEvent.object_type stores it
    names: Namer | None = None
    keys: dict[str, Key] = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    code: str
    # The action in words, for the filter: "approved and published".
    label: Any
    # The sentence, or a function of the event's data that picks one.
    sentence: Any
    # More placeholders: (data, the event's object named) -> {name: text or Named}.
    params: Callable[[dict, Named | None], dict] | None = None
    # Keys of the data not to list as changes (besides those the sentence says).
    hide: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    """The actions whose codes start with `prefix.`, under one heading of the filter."""

    prefix: str
    label: Any
    # The object type the family's events are about, when the code is not registered.
    object_type: str = ""


_ACTIONS: dict[str, Action] = {}
_OBJECT_TYPES: dict[str, ObjectType] = {}
_FAMILIES: dict[str, Family] = {}


def register_family(prefix: str, label, *, object_type: str = "") -> None:
    _FAMILIES[prefix] = Family(prefix, label, object_type)


def register_actions(*actions: Action) -> None:
    for action in actions:
        _ACTIONS[action.code] = action


def register_object_type(
    label: str, *, names: Namer | None = None, keys: dict[str, Key] | None = None
) -> None:
    _OBJECT_TYPES[label] = ObjectType(label, names, keys or {})
    _key.cache_clear()
    _key_order.cache_clear()


def known_action(code: str) -> bool:
    return code in _ACTIONS


def history_url(viewer: User, type_label: str, object_id) -> str:
    """The log of one object, for a reader who may open the log (the city office)."""
    if not (viewer.is_superuser or viewer.has_role(*AUDIT_READERS)):
        return ""
    query = urlencode({"object_type": type_label, "object_id": object_id})
    return f"{reverse('accounts:audit')}?{query}"


def object_type_choices() -> list[tuple[str, str]]:
    """The registered kinds of object in words, for a select."""
    return sorted(((label, _kind(label)) for label in _OBJECT_TYPES), key=lambda c: c[1])


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The registered actions in words, under their family's heading, for a select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, action in _ACTIONS.items():
        family = _FAMILIES.get(code.split(".", 1)[0])
        heading = str(family.label) if family else code.split(".", 1)[0]
        groups.setdefault(heading, []).append((code, str(action.label)))
    return [(heading, sorted(groups[heading], key=lambda c: c[1])) for heading in sorted(groups)]


# --- What a page gets back ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field of an event: its name, and its value before and after, in words. `before`
    is None where the event only records a value (a creation)."""

    label: str
    before: str | None
    after: str


@dataclass(frozen=True)
class Described:
    event: AuditEvent
    summary: str  # the sentence as plain text (the API's `summary`)
    sentence: SafeString  # the sentence as HTML, its objects linked
    action: str  # the action in words
    kind: str  # the kind of the event's object in words ("household"), or ""
    # The filter of the object's own history, where it has one: (type, id), or None.
    history: tuple[str, str] | None
    known: bool  # False: a code nobody registered, shown with its code
    changes: list[Change]


SYSTEM = gettext_lazy("The system")
GENERIC = gettext_lazy("%(actor)s: “%(action)s” on %(object)s.")
NOTHING = "—"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def describe_events(events: Iterable[AuditEvent], viewer: User) -> list[Described]:
    """Put a page of events into words, naming their objects with one query per type."""
    events = list(events)
    wanted: dict[str, set[str]] = {}
    for event in events:
        for type_label, object_id in _references(event):
            wanted.setdefault(type_label, set()).add(object_id)
    named: dict[tuple[str, str], Named] = {}
    for type_label, ids in wanted.items():
        object_type = _OBJECT_TYPES.get(type_label)
        if object_type is None or object_type.names is None:
            continue
        found = object_type.names(viewer, sorted(ids))
        for object_id, name in found.items():
            named[type_label, str(object_id)] = name
    return [_describe(event, named) for event in events]


def describe_event(event: AuditEvent, viewer: User) -> Described:
    return describe_events([event], viewer)[0]


# --- Inside ---------------------------------------------------------------------------------


def _data(event: AuditEvent) -> dict:
    """The event's values: what it recorded after, over what it recorded before."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return {**before, **after}


def _object_type(event: AuditEvent) -> str:
    if event.object_type:
        return event.object_type
    family = _FAMILIES.get(event.action.split(".", 1)[0])
    return family.object_type if family else ""


def _references(event: AuditEvent) -> Iterable[tuple[str, str]]:
    type_label = _object_type(event)
    if event.object_id:
        yield type_label, event.object_id
    if event.region_code:
        yield "regions.region", event.region_code
    for key, value in _data(event).items():
        refers_to = _key(type_label, key).refers_to
        if refers_to and value not in (None, ""):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str | int) and not isinstance(item, bool):
                    yield refers_to, str(item)


@dataclass(frozen=True)
class _KeyText:
    label: Any
    format: Callable[[Any, dict], str] | None = None
    refers_to: str = ""
    field: models.Field | None = None
    # The field's choices, value -> label (lazy: read in the language of the moment).
    choices: dict | None = None


@cache
def _model(type_label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(type_label)
    except (LookupError, ValueError):
        return None


@cache
def _key(type_label: str, key: str) -> _KeyText:
    object_type = _OBJECT_TYPES.get(type_label)
    registered = object_type.keys.get(key) if object_type else None
    if registered is not None:
        return _KeyText(registered.label, registered.format, registered.refers_to)
    model = _model(type_label)
    model_field = None
    if model is not None:
        try:
            model_field = model._meta.get_field(key)
        except FieldDoesNotExist:
            model_field = None
    if isinstance(model_field, models.Field):
        refers_to = ""
        if model_field.is_relation and model_field.related_model is not None:
            refers_to = model_field.related_model._meta.label_lower
        choices = dict(model_field.flatchoices) if model_field.choices else {}
        return _KeyText(model_field.verbose_name, None, refers_to, model_field, choices)
    # A key nobody described: its own words, as the code spells them.
    return _KeyText(key.replace("_", " "))


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def number(value: int | float) -> str:
    """A number with its thousands separated, as every page writes them: 1,234,567."""
    return thousands(value)


def yuan(fen: int) -> str:
    """1234500 → ¥12,345; 1234550 → ¥12,345.50."""
    whole, cents = divmod(int(fen), 100)
    return f"¥{whole:,}" if not cents else f"¥{whole:,}.{cents:02d}"


def join(items: list[str]) -> str:
    """Words of a list, joined as the language joins them (、 in Chinese)."""
    return pgettext("list separator", ", ").join(items)


def _date(value: Any) -> str:
    day = value if isinstance(value, datetime.date) else parse_date(str(value))
    return date_format(day, "DATE_FORMAT") if day else str(value)


def _datetime(value: Any) -> str:
    moment = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATETIME_FORMAT")


def _value(
    value: Any, key: _KeyText, named: dict, key_name: str = "", data: dict | None = None
) -> str | Named:
    """One value of an event's data in words (or a named object)."""
    if value is None or value == "" or value == []:
        return NOTHING
    if key.format is not None:
        return key.format(value, data or {})
    if key.refers_to:
        if isinstance(value, list):
            return join([_plain(_value(item, key, named, key_name)) for item in value])
        name = named.get((key.refers_to, str(value)))
        return name if name is not None else _unnamed(key.refers_to, str(value))
    choices = key.choices or {}
    if isinstance(value, list):
        return join([_plain(_value(item, key, named, key_name)) for item in value])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(key.field, models.DateTimeField):
        return _datetime(value)
    if isinstance(key.field, models.DateField):
        return _date(value)
    if isinstance(value, int) and key_name.endswith("_fen"):
        return yuan(value)
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, dict):
        if "message" in value:  # a finding of the review rules
            return str(value["message"])
        return "; ".join(
            f"{_key('', k).label}: {_plain(_value(v, _key('', k), named, k))}"
            for k, v in value.items()
        )
    return str(value)


def _unnamed(type_label: str, object_id: str) -> Named:
    """An object the reader may not know by name (outside their scope, or gone)."""
    return Named(f"#{object_id}")


def _plain(part: str | Named) -> str:
    return part.text if isinstance(part, Named) else str(part)


def _html(part: str | Named) -> str:
    if isinstance(part, Named) and part.url:
        return format_html('<a href="{}">{}</a>', part.url, part.text)
    return conditional_escape(_plain(part))


def _kind(type_label: str, *, many: bool = False) -> str:
    model = _model(type_label)
    if model is None:
        return type_label
    return str(model._meta.verbose_name_plural if many else model._meta.verbose_name)


def _object(event: AuditEvent, named: dict) -> Named | None:
    type_label = _object_type(event)
    if not event.object_id:
        return Named(_kind(type_label, many=True)) if type_label else None
    return named.get((type_label, event.object_id)) or _unnamed(type_label, event.object_id)


def _describe(event: AuditEvent, named: dict) -> Described:
    type_label = _object_type(event)
    data = _data(event)
    action = _ACTIONS.get(event.action)
    target = _object(event, named)
    parts: dict[str, str | Named] = {
        "actor": str(event.actor) if event.actor_id else str(SYSTEM),
        "object": target or NOTHING,
        "region": (
            named.get(("regions.region", event.region_code))
            or _unnamed("regions.region", event.region_code)
            if event.region_code
            else NOTHING
        ),
    }
    if action is None:
        template = str(GENERIC)
        if target is not None and event.object_id:
            kind = _kind(type_label)
            target = Named(
                _("%(kind)s %(name)s") % {"kind": kind, "name": target.text}, target.url, target.obj
            )
            parts["object"] = target
        parts["action"] = event.action
        said: set[str] = set()
    else:
        sentence = action.sentence(data) if callable(action.sentence) else action.sentence
        template = str(sentence)
        if action.params is not None:
            parts.update(action.params(data, target))
        said = set(PLACEHOLDER.findall(template)) | set(action.hide)
        for name in said - set(parts):
            parts[name] = _value(data.get(name), _key(type_label, name), named, name, data)
    summary = template % {name: _plain(part) for name, part in parts.items()}
    sentence_html = mark_safe(  # the template is ours; every value in it is escaped
        conditional_escape(template) % {name: _html(part) for name, part in parts.items()}
    )
    return Described(
        event=event,
        summary=summary,
        sentence=sentence_html,
        action=str(action.label) if action else event.action,
        kind=_kind(type_label) if type_label and event.object_id else "",
        history=(
            (type_label, event.object_id)
            if event.object_id and type_label in _OBJECT_TYPES
            else None
        ),
        known=action is not None,
        changes=_changes(event, type_label, named, hide=said),
    )


@cache
def _key_order(type_label: str, key: str) -> tuple:
    """Fields in the order the model declares them, then the keys the app registered, then
    the rest by name: the same on both engines (PostgreSQL's JSON keeps no order of keys)."""
    model = _model(type_label)
    if model is not None:
        names = [f.name for f in model._meta.concrete_fields]
        if key in names:
            return (0, names.index(key), key)
    object_type = _OBJECT_TYPES.get(type_label)
    registered = list(object_type.keys) if object_type else []
    if key in registered:
        return (1, registered.index(key), key)
    return (2, 0, key)


def _changes(event: AuditEvent, type_label: str, named: dict, *, hide: set[str]) -> list[Change]:
    """The fields of an event in words: "before → after" for a key recorded both before and
    after that changed, the value alone for one recorded only after (a creation's fields,
    empty ones left out), and "before → —" for one recorded only before (a removal)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    data = {**before, **after}
    changes = []
    for key in sorted(data, key=lambda key: _key_order(type_label, key)):
        if key in hide:
            continue
        text = _key(type_label, key)

        def words(value, text=text, key=key):
            return _plain(_value(value, text, named, key, data))

        label = str(text.label)
        if key in before and key in after:
            if before[key] != after[key]:
                changes.append(Change(label, words(before[key]), words(after[key])))
        elif key in after:
            if after[key] not in (None, "", [], False, 0):
                changes.append(Change(label, None, words(after[key])))
        else:
            changes.append(Change(label, words(before[key]), NOTHING))
    return changes
