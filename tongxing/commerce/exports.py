"""The Excel export of sales: what the list shows, a household seller named as on the pages
(surname and stars, village), no ID or phone number."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tongxing.commerce.selectors import seller_name
from tongxing.tabular import sheet_row


def export_sales(sales) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Sales"))
    headers = [
        _("Date"),
        _("Channel"),
        _("Seller"),
        _("Buyer"),
        _("Amount (yuan)"),
        _("Orders"),
        _("Quantity"),
        _("Source"),
        _("Region code"),
        # Last, so that the columns before keep their places in the files people use.
        _("Fair"),
    ]
    sheet.append(sheet_row(sheet, headers))
    for sale in sales.iterator(chunk_size=2000):
        values = [
            sale.sold_on,
            sale.get_channel_display(),
            seller_name(sale.seller, sale.head_name),
            sale.buyer.name if sale.buyer_id else "",
            sale.amount_fen / 100,
            sale.orders,
            sale.quantity,
            sale.get_source_display(),
            sale.region_id,
            sale.event.title if sale.event_id else "",
        ]
        sheet.append(sheet_row(sheet, values))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
