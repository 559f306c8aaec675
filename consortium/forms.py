from operator import attrgetter

from django import forms

from .access import usable_by


class _ScopedChoices:
    """A model choice field whose queryset, whenever it is set, is narrowed to what its user may use."""

    scope_user = None

    def _set_queryset(self, queryset):
        if queryset is not None:
            queryset = usable_by(queryset, self.scope_user)
        super()._set_queryset(queryset)

    queryset = property(attrgetter("_queryset"), _set_queryset)


_SCOPED_CLASSES = {}


def _scoped_class(cls):
    if cls not in _SCOPED_CLASSES:
        _SCOPED_CLASSES[cls] = type(f"Scoped{cls.__name__}", (_ScopedChoices, cls), {})
    return _SCOPED_CLASSES[cls]


def scope_choices(form, user):
    """Limit every model choice field of ``form`` to the records ``user`` may link to.

    The field keeps the narrowing when a form later sets its own queryset (the enterprises, the
    schools, this user's agreements): the rule belongs to the footing, not to each form.
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, _ScopedChoices):
            field.__class__ = _scoped_class(type(field))
            field.scope_user = user
            field.queryset = field.queryset


class PortalForm(forms.Form):
    """A plain form that knows the signed-in user; its model choice fields offer only usable records."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        scope_choices(self, user)


class PortalModelForm(forms.ModelForm):
    """A ModelForm that knows the signed-in user (to limit choices) and uses date pickers."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        scope_choices(self, user)
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField) and not isinstance(field.widget, forms.HiddenInput):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            elif isinstance(field, forms.DateField) and not isinstance(field.widget, forms.HiddenInput):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
