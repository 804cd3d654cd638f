"""The project's own table: the versions of what everyone reads (`tongxing.public_cache`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicVersion(models.Model):
    """A counter per kind of public answer ("board"), moved by every change of what it shows."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("public version")
        verbose_name_plural = _("public versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"
