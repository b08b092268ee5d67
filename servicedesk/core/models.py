from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ReferenceItem(TimeStampedModel):
    """An entry of a reference list: a name per language, an order and an active flag.

    Names are data, edited by the provider's admin, so they cannot live in the message catalogue;
    `name` picks the one for the active language and falls back to the other.
    """

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("A stable identifier used by imports and the API, e.g. 'repair'."),
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name_ru"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ru").startswith("en"):
            return self.name_en or self.name_ru
        return self.name_ru or self.name_en
