"""The API's footing: the same access rule as the pages, applied to every endpoint."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from .access import CHANGE, VIEW
from .api_permissions import RolePermission  # noqa: F401 - re-exported for apps


class ModelCleanSerializer(serializers.ModelSerializer):
    """Runs the model's clean() so the API holds the same rules as the forms.

    DRF does not call Model.full_clean(); here the instance is built from the
    validated data and its clean() is called, errors mapped to fields.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in m2m}
        instance = self.instance or model()
        if self.instance is not None:
            # Validate a copy: a failed update must leave the instance as it was.
            instance = model.objects.get(pk=self.instance.pk)
        for key, value in plain.items():
            setattr(instance, key, value)
        self.before_clean(instance, attrs)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

    def before_clean(self, instance, attrs):
        """Hook: set fields the request does not carry (owner, status) before clean()."""


class PortalViewSet(viewsets.ModelViewSet):
    """A model endpoint filtered by for_user(); saves re-checked like the pages."""

    select_related = ()
    prefetch_related = ()
    # Primary keys are integers: anything else is a 404 from the router, not a 500 from the ORM.
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        user = self.request.user
        action = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        qs = self.queryset.model.objects.for_user(user, action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def _save_checked(self, serializer, **kwargs):
        with transaction.atomic():
            obj = serializer.save(**kwargs)
            if not self.queryset.model.objects.for_user(self.request.user, CHANGE).filter(pk=obj.pk).exists():
                transaction.set_rollback(True)
                raise PermissionDenied(_("保存后的记录将不属于您的单位，无法保存。"))
        return obj

    def perform_create(self, serializer):
        self._save_checked(serializer)

    def perform_update(self, serializer):
        self._save_checked(serializer)
