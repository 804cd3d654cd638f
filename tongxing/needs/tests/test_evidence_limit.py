"""The photo that confirms a delivery is held to its size before a byte of it is read."""

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import api_client_for
from tongxing.needs.actions import delivery, pledges
from tongxing.needs.models import PledgeStatus
from tongxing.needs.tests import factories as f

PNG_START = b"\x89PNG\r\n\x1a\n"


def test_a_photo_over_10_mb_is_refused_and_nothing_is_kept(tree, dora, vera, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    need = f.published(f.goods_data(f.household()))
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    pledge = delivery.deliver_pledge(pledge=pledge, by=dora)
    photo = SimpleUploadedFile("big.png", PNG_START + b"\0" * (10 * 1024 * 1024), "image/png")
    response = api_client_for(vera).post(
        f"/api/v1/pledges/{pledge.pk}/confirm", {"evidence": photo, "note": "已交付"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "evidence", "message": "The photo is larger than 10 MB."}
    ]
    pledge.refresh_from_db()
    assert (pledge.status, pledge.evidence.name) == (PledgeStatus.DELIVERED, "")
    assert list(tmp_path.iterdir()) == []
