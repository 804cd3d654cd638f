from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

FORMAT_CHOICES = [
    ("docx", "Word (.docx)"),
    ("html", "HTML"),
    ("md", "Markdown"),
    ("json", "JSON"),
]


class ReportForm(forms.Form):
    # Any code is taken here: the view finds it among the caller's regions, or answers 404.
    region = forms.CharField(label=_("Region"), widget=forms.Select)
    year = forms.IntegerField(label=_("Year"))
    lang = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [(region.code, region.name) for region in regions]
