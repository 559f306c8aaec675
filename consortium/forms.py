from django import forms


class PortalModelForm(forms.ModelForm):
    """A ModelForm that knows the signed-in user (to limit choices) and uses date pickers."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField) and not isinstance(field.widget, forms.HiddenInput):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            elif isinstance(field, forms.DateField) and not isinstance(field.widget, forms.HiddenInput):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
