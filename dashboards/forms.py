from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .metrics import METRICS


class TargetsForm(forms.Form):
    """The targets of one year: a minimum and an optional stretch value per metric (blank: no target)."""

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = targets or {}
        for metric in METRICS:
            current = targets.get(metric.code)
            self.fields[f"{metric.code}__minimum"] = forms.DecimalField(
                label=metric.label,
                required=False,
                min_value=Decimal(0),
                max_digits=16,
                decimal_places=2,
                initial=current.minimum if current else None,
                error_messages={"min_value": _("目标值不能为负数。"), "invalid": _("请输入数字。")},
            )
            self.fields[f"{metric.code}__stretch"] = forms.DecimalField(
                label=_("挑战值"),
                required=False,
                min_value=Decimal(0),
                max_digits=16,
                decimal_places=2,
                initial=current.stretch if current else None,
                error_messages={"min_value": _("挑战值不能为负数。"), "invalid": _("请输入数字。")},
            )

    def rows(self):
        """(metric, minimum field, stretch field) for the template."""
        return [(m, self[f"{m.code}__minimum"], self[f"{m.code}__stretch"]) for m in METRICS]

    def clean(self):
        data = super().clean()
        for metric in METRICS:
            minimum = data.get(f"{metric.code}__minimum")
            stretch = data.get(f"{metric.code}__stretch")
            if stretch is not None and minimum is None:
                self.add_error(f"{metric.code}__stretch", _("填写挑战值前请先填写目标值。"))
            elif stretch is not None and stretch < minimum:
                self.add_error(f"{metric.code}__stretch", _("挑战值不能小于目标值。"))
        return data

    def values(self):
        """{metric code: (minimum, stretch)} of the filled rows."""
        return {
            m.code: (self.cleaned_data[f"{m.code}__minimum"], self.cleaned_data.get(f"{m.code}__stretch"))
            for m in METRICS
            if self.cleaned_data.get(f"{m.code}__minimum") is not None
        }


class ReopenYearForm(forms.Form):
    reason = forms.CharField(
        label=_("重新开放原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("重新开放年度必须填写原因。")},
    )


class CloseYearForm(forms.Form):
    """A confirmation: closing freezes the year's figures."""
