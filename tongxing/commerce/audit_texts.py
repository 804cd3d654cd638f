"""The words of consumption assistance's audit events (see `audit.events`).

Suppliers are named by their organisation, or for a household by its registry number;
products by their name; sales by their date, channel and amount (and the fair, for a
sale at a fair).
"""

from django.utils.translation import gettext_lazy

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Key, Named, yuan
from tongxing.commerce.models import Channel
from tongxing.commerce.selectors import (
    products_visible_to,
    sales_visible_to,
    suppliers_visible_to,
    targets_visible_to,
)


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def supplier_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    return {
        str(s.pk): Named(str(s)) for s in suppliers_visible_to(viewer).filter(pk__in=_ints(ids))
    }


def product_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    return {str(p.pk): Named(p.name) for p in products_visible_to(viewer).filter(pk__in=_ints(ids))}


def sale_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    return {
        str(s.pk): Named(_sale_name(s))
        for s in sales_visible_to(viewer).select_related("event").filter(pk__in=_ints(ids))
    }


def _sale_name(sale) -> str:
    """Its date, channel and amount, and the fair it was made at."""
    name = f"{sale.sold_on} {Channel(sale.channel).label} {yuan(sale.amount_fen)}"
    return f"{name} ({sale.event.title})" if sale.event_id else name


def target_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    return {
        str(t.pk): Named(f"{t.budget_unit.name} {t.year}")
        for t in targets_visible_to(viewer).filter(pk__in=_ints(ids))
    }


def register() -> None:
    _ = gettext_lazy
    events.register_family("supplier", _("Suppliers"), object_type="commerce.supplier")
    events.register_family("product", _("Products"), object_type="commerce.product")
    events.register_family("pavilion", _("Special-products pavilion"))
    events.register_family("sale", _("Sales"), object_type="commerce.sale")
    events.register_family("procurement", _("Procurement targets"))
    supplier = Key(_("supplier"), refers_to="commerce.supplier")
    product = Key(_("product"), refers_to="commerce.product")
    events.register_object_type("commerce.supplier", names=supplier_names)
    events.register_object_type("commerce.suppliercertification", keys={"supplier": supplier})
    events.register_object_type(
        "commerce.product", names=product_names, keys={"supplier": supplier}
    )
    events.register_object_type("commerce.pavilionlisting", keys={"product": product})
    events.register_object_type(
        "commerce.sale",
        names=sale_names,
        keys={"seller": supplier, "event": Key(_("fair"), refers_to="events.event")},
    )
    events.register_object_type("commerce.procurementtarget", names=target_names)
    events.register_actions(
        Action(
            "supplier.register",
            _("supplier registered"),
            _("%(actor)s registered the supplier %(object)s."),
        ),
        Action(
            "supplier.certify",
            _("supplier certified"),
            _("%(actor)s certified the supplier %(supplier)s from %(certified_on)s."),
        ),
        Action(
            "supplier.revoke",
            _("certification revoked"),
            _("%(actor)s revoked a supplier's certification from %(revoked_on)s."),
        ),
        Action("product.create", _("product added"), _("%(actor)s added the product %(object)s.")),
        Action(
            "pavilion.list",
            _("listed in the pavilion"),
            _(
                "%(actor)s listed %(product)s in the special-products pavilion "
                "from %(listed_from)s."
            ),
        ),
        Action(
            "pavilion.unlist",
            _("taken out of the pavilion"),
            _("%(actor)s took a product out of the special-products pavilion."),
        ),
        Action("sale.record", _("sale recorded"), _("%(actor)s recorded the sale %(object)s.")),
        Action("sale.import", _("sale imported"), _("%(actor)s imported the sale %(object)s.")),
        Action(
            "procurement.set_target",
            _("procurement target set"),
            _("%(actor)s set the procurement target %(object)s."),
        ),
        Action(
            "procurement.change_target",
            _("procurement target changed"),
            _("%(actor)s changed the procurement target %(object)s."),
        ),
    )
