from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxing.regions.codes import Level, prefix_of


class Region(models.Model):
    """A division of the country by its 12-digit statistical code (统计用区划代码)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    key_poor_village = models.BooleanField(
        _("key poor village"),  # 建档立卡重点贫困村
        default=False,
    )
    relocation_village = models.BooleanField(
        _("relocation village"),  # 移民村
        default=False,
    )
    provincial_key_village = models.BooleanField(
        _("provincial key village"),  # 省定重点攻坚村
        default=False,
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [
            # The code is the primary key, so prefix matches already use an index; this one
            # serves "villages under X" with a level filter.
            models.Index(fields=["level", "code"], name="region_level_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        return prefix_of(self.code, Level(self.level))

    @property
    def tags(self) -> list[str]:
        return [tag for tag in TAGS if getattr(self, tag)]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)


# The village tags, in the order the report names them.
TAGS = ("key_poor_village", "relocation_village", "provincial_key_village")
