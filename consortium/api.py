"""The API's footing: the same access rule as the pages, applied to every endpoint."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from . import submissions, versions
from .access import CHANGE, VIEW, usable_by
from .api_permissions import RolePermission  # noqa: F401 - re-exported for apps
from .storage import StorageFull, files_follow_transaction


class InsufficientStorage(APIException):
    status_code = 507
    default_code = "insufficient_storage"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def scope_relations(fields, request):
    """Limit every writable relation among ``fields`` to the records the request's user may link to.

    The same rule as the forms' pickers (consortium.forms.scope_choices): an id the user may not
    use is answered like an id that does not exist. A field that narrows further by itself (a
    parent record the user must be able to change) keeps its own get_queryset() on top.
    """
    user = getattr(request, "user", None)
    for field in fields.values():
        relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
        if field.read_only or not isinstance(relation, serializers.RelatedField):
            continue
        if relation.queryset is not None:
            relation.queryset = usable_by(relation.queryset, user) if user is not None else relation.queryset.none()
    return fields


class ScopedRelationsMixin:
    """Serializers of the portal: their relation fields offer only what the user may use."""

    def get_fields(self):
        return scope_relations(super().get_fields(), self.context.get("request"))


class PortalModelSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """The base of every model serializer of the portal (nested and read-only ones too)."""


class ModelCleanSerializer(PortalModelSerializer):
    """Runs the model's clean() so the API holds the same rules as the forms.

    DRF does not call Model.full_clean(); here the instance is built from the
    validated data and its clean() is called, errors mapped to fields.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        instance = self.instance or model()
        if self.instance is not None:
            # Validate a copy: a failed update must leave the instance as it was.
            instance = model.objects.get(pk=self.instance.pk)
        # Rules about who owns the record read the stored values: before_clean sees the instance
        # as stored and may change attrs (a member's organisation is never theirs to set).
        self.before_clean(instance, attrs)
        plain = {k: v for k, v in attrs.items() if k not in m2m}
        for key, value in plain.items():
            setattr(instance, key, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

    def before_clean(self, instance, attrs):
        """Hook: set fields the request does not carry (owner, status) before clean()."""


class PortalViewSet(viewsets.ModelViewSet):
    """A model endpoint filtered by for_user(); saves re-checked like the pages.

    Every record has a version (consortium.versions): a read, create or update answers it as the
    ETag, and a change (PUT, PATCH, DELETE) with an If-Match naming another version is a 412, so an
    edit made from a stale copy never overwrites a newer one.
    """

    select_related = ()
    prefetch_related = ()
    # Primary keys are integers: anything else is a 404 from the router, not a 500 from the ORM.
    lookup_value_regex = r"[0-9]+"
    versioned = True  # read by consortium.api_schema

    def get_object(self):
        writing = self.request.method not in permissions.SAFE_METHODS
        try:
            obj = super().get_object()
        except Http404:
            # A record the user may read but not change: refused like their other writes (403).
            pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            model = self.queryset.model
            if writing and model.objects.for_user(self.request.user, VIEW).filter(pk=pk).exists():
                raise PermissionDenied(_("您没有权限修改该记录。")) from None
            raise
        if_match = self.request.headers.get("If-Match")
        # update() and destroy() run this in their transaction; workflow actions take no If-Match.
        if if_match is not None and self.action in ("update", "partial_update", "destroy"):
            # Read the stored row under a lock: two edits made from the same version cannot both pass.
            stored = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
            if not versions.matches(stored, if_match):
                raise PreconditionFailed(
                    _("该记录已被他人修改（当前版本 %(etag)s），您的修改基于旧版本，未保存。请重新读取后再修改。")
                    % {"etag": versions.etag(stored)}
                )
        return obj

    def _with_etag(self, response, pk):
        if 200 <= response.status_code < 300 and pk is not None:
            obj = self.queryset.model._base_manager.filter(pk=pk).first()
            if obj is not None:
                response["ETag"] = versions.etag(obj)
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers={"ETag": versions.etag(instance)})

    def update(self, request, *args, **kwargs):
        if request.headers.get("If-Match") is None:
            response = super().update(request, *args, **kwargs)
        else:
            # One transaction: the If-Match check's row lock holds until the change is saved.
            with transaction.atomic():
                response = super().update(request, *args, **kwargs)
        return self._with_etag(response, self.kwargs.get("pk"))

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
        try:
            with files_follow_transaction():
                obj = serializer.save(**kwargs)
                if not self.queryset.model.objects.for_user(self.request.user, CHANGE).filter(pk=obj.pk).exists():
                    transaction.set_rollback(True)
                    raise PermissionDenied(_("保存后的记录将不属于您的单位，无法保存。"))
        except StorageFull as exc:
            raise InsufficientStorage(str(exc)) from exc
        except IntegrityError as exc:
            # A unique rule broken by a save that committed meanwhile: a normal 400, not a 500.
            raise serializers.ValidationError(
                {"non_field_errors": [_("与已有记录重复（可能有人同时提交了相同内容），未保存。")]}
            ) from exc
        return obj

    def perform_create(self, serializer):
        self._save_checked(serializer)

    def perform_update(self, serializer):
        self._save_checked(serializer)

    def create(self, request, *args, **kwargs):
        """A create with an Idempotency-Key header is made once: the same key and body get the first
        response again; the same key with another body is a 422."""
        key = request.headers.get(submissions.API_HEADER)
        if key is None:
            response = super().create(request, *args, **kwargs)
            return self._with_etag(response, response.data.get("id") if isinstance(response.data, dict) else None)
        if not submissions.valid_key(key):
            raise serializers.ValidationError(
                {submissions.API_HEADER: [_("Idempotency-Key 应为 8 到 100 个字母、数字或 _ . : - 字符。")]}
            )
        channel = submissions.SubmissionChannel.API
        fingerprint = submissions.fingerprint(request)
        done = submissions.find(request.user, channel, key)
        if done is not None:
            return self._replay(done, fingerprint)
        with transaction.atomic():
            row = submissions.claim(request.user, channel, key, fingerprint)
            if row is not None:
                response = super().create(request, *args, **kwargs)
                body = json.loads(JSONRenderer().render(response.data) or b"null")
                record = (
                    self.queryset.model.objects.filter(pk=body.get("id")).first() if isinstance(body, dict) else None
                )
                submissions.attach(row, record, status=response.status_code, body=body)
                return response
        # A concurrent twin with the same key committed first.
        return self._replay(submissions.find(request.user, channel, key), fingerprint)

    def destroy(self, request, *args, **kwargs):
        """A record other records still refer to is a 409 naming them, not a 500."""
        from .views import still_referenced_message

        try:
            with transaction.atomic():
                # Within the transaction: the If-Match check's row lock holds until the row is gone.
                return super().destroy(request, *args, **kwargs)
        except (ProtectedError, RestrictedError) as exc:
            return Response({"detail": still_referenced_message(exc)}, status=status.HTTP_409_CONFLICT)

    def _replay(self, row, fingerprint):
        if row is None or row.fingerprint != fingerprint:
            return Response(
                {"detail": _("该 Idempotency-Key 已用于内容不同的请求，未保存。")},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(row.response_body, status=row.response_status, headers={"Idempotent-Replayed": "true"})
