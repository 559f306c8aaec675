from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from consortium import registry
from consortium.access import is_writer, member_org_id
from consortium.api import ModelCleanSerializer, PortalModelSerializer, PortalViewSet
from consortium.api_backends import FileRenderer
from members.models import Organization

from . import attachments, services
from .filters import AgreementFilterSet, ExpertFilterSet, PlatformFilterSet, ProjectFilterSet
from .forms import check_parties, lead_error
from .models import (
    Agreement,
    AgreementEvent,
    Expert,
    Platform,
    PlatformStatus,
    Project,
    ProjectEvent,
    ProjectStatus,
)


class AgreementEventSerializer(PortalModelSerializer):
    actor = serializers.CharField(read_only=True, allow_null=True)  # the user's name; null for the system

    class Meta:
        model = AgreementEvent
        fields = ["action", "from_status", "to_status", "reason", "actor", "at"]


class AgreementSerializer(ModelCleanSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    parties = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True)
    scan = serializers.FileField(required=False, write_only=True)
    has_scan = serializers.SerializerMethodField()
    scan_url = serializers.SerializerMethodField()
    expired = serializers.BooleanField(source="is_expired", read_only=True)
    expiring = serializers.BooleanField(source="is_expiring", read_only=True)
    events = AgreementEventSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "organization",
            "parties",
            "kind",
            "title",
            "summary",
            "signed_on",
            "start_date",
            "end_date",
            "scan",
            "has_scan",
            "scan_url",
            "scan_name",
            "status",
            "submitted_at",
            "verified_at",
            "verified_by",
            "return_reason",
            "expired",
            "expiring",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "scan_name",
            "status",
            "submitted_at",
            "verified_at",
            "verified_by",
            "return_reason",
            "created_at",
            "updated_at",
        ]

    def get_has_scan(self, obj) -> bool:
        return bool(obj.scan)

    def get_scan_url(self, obj) -> str | None:
        # The API's own download: it takes the API token (the page's download wants a signed-in session).
        return reverse("agreement-scan", args=[obj.pk]) if obj.scan else None

    def _user(self):
        return self.context["request"].user

    def validate_scan(self, value):
        try:
            return attachments.check_upload(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def before_clean(self, instance, attrs):
        user = self._user()
        if not is_writer(user):
            # A member registers for their own organisation only, whatever the request says.
            if instance.pk is None:
                attrs["organization"] = Organization.objects.get(pk=member_org_id(user))
            else:
                attrs.pop("organization", None)
        elif instance.pk is None and "organization" not in attrs:
            raise serializers.ValidationError({"organization": [_("请选择登记单位。")]})
        organization = attrs.get("organization") or instance.organization
        parties = attrs.get("parties")
        if parties is None:
            parties = list(instance.parties.all()) if instance.pk else []
        try:
            check_parties(organization, parties)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc

    def _apply_scan(self, validated):
        checked = validated.pop("scan", None)
        if checked is not None:
            validated["scan"] = checked.file
            validated["scan_name"] = checked.display_name
            validated["scan_content_type"] = checked.content_type
        return validated

    def create(self, validated_data):
        return super().create(self._apply_scan(validated_data))

    def update(self, instance, validated_data):
        return super().update(instance, self._apply_scan(validated_data))


class TransitionSerializer(serializers.Serializer):
    step = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)


def _run_step(func):
    """Run a workflow service; its Chinese ValidationError becomes a 400 response."""
    try:
        func()
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise serializers.ValidationError(detail) from exc


class AgreementViewSet(PortalViewSet):
    queryset = Agreement.objects.all()
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    select_related = ("organization",)
    prefetch_related = ("parties", "events__actor")
    ordering_fields = ["signed_on", "end_date", "title", "status", "verified_at"]

    def perform_create(self, serializer):
        obj = self._save_checked(serializer, created_by=self.request.user)
        services.record_agreement_created(obj, by=self.request.user)

    def perform_update(self, serializer):
        obj = self._save_checked(serializer)
        services.record_agreement_edited(obj, by=self.request.user)

    def perform_destroy(self, instance):
        if not is_writer(self.request.user):
            raise PermissionDenied(_("只有联合体工作人员可以删除记录。"))
        instance.delete()

    @extend_schema(request=TransitionSerializer, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        """Take a workflow step: {"step": "submit" | "verify" | "return" | "terminate", "reason": "…"}."""
        # Visible is enough to try: the service decides who may take which step (and says why not).
        agreement = get_object_or_404(Agreement.objects.for_user(request.user), pk=pk)
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        _run_step(
            lambda: services.change_agreement(
                agreement.pk, params.validated_data["step"], by=request.user, reason=params.validated_data["reason"]
            )
        )
        agreement.refresh_from_db()
        return Response(AgreementSerializer(agreement, context=self.get_serializer_context()).data)

    @extend_schema(
        responses={
            (200, ctype): OpenApiResponse(OpenApiTypes.BINARY, description="The signed scan.")
            for ctype in [*attachments.SIGNATURES, "application/octet-stream"]
        }
    )
    @action(detail=True, methods=["get"], url_path="scan", renderer_classes=[JSONRenderer, FileRenderer])
    def scan(self, request, pk=None):
        """Download the signed scan (upload it with the agreement's `scan` field)."""
        agreement = get_object_or_404(Agreement.objects.for_user(request.user), pk=pk)
        if not agreement.scan:
            raise Http404(_("该协议尚未上传扫描件。"))
        return attachments.download_response(agreement.scan, agreement.scan_name, agreement.scan_content_type)


class ProjectEventSerializer(PortalModelSerializer):
    actor = serializers.CharField(read_only=True, allow_null=True)  # the user's name; null for the system

    class Meta:
        model = ProjectEvent
        fields = ["action", "from_status", "to_status", "date", "reason", "actor"]


class ProjectSerializer(ModelCleanSerializer):
    lead_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    partners = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True, required=False)
    events = ProjectEventSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "kind",
            "lead_organization",
            "partners",
            "description",
            "budget",
            "support_fund_requested",
            "support_fund",
            "planned_start",
            "planned_end",
            "status",
            "submitted_at",
            "return_reason",
            "approved_on",
            "started_on",
            "completed_on",
            "applied_on",
            "reason",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "return_reason",
            "approved_on",
            "started_on",
            "completed_on",
            "applied_on",
            "reason",
            "created_at",
            "updated_at",
        ]

    def before_clean(self, instance, attrs):
        user = self.context["request"].user
        if not is_writer(user):
            # A member proposes with its own organisation as the lead; the fund granted is the staff's.
            org_id = member_org_id(user)
            lead = attrs.get("lead_organization")
            if lead is not None and lead.pk != org_id:
                raise serializers.ValidationError({"lead_organization": [lead_error()]})
            if instance.pk is None:
                attrs["lead_organization"] = Organization.objects.get(pk=org_id)
            attrs.pop("support_fund", None)
        elif instance.pk is None and "lead_organization" not in attrs:
            raise serializers.ValidationError({"lead_organization": [_("请选择牵头单位。")]})
        lead = attrs.get("lead_organization") or instance.lead_organization
        partners = attrs.get("partners")
        if partners is None:
            partners = list(instance.partners.all()) if instance.pk else []
        if lead is not None and lead in partners:
            raise serializers.ValidationError(
                {"partners": [_("牵头单位“%(org)s”不必再列为合作单位。") % {"org": lead.name}]}
            )
        try:
            services.check_partners_against_reviewers(
                self.instance, lead.pk if lead else None, [p.pk for p in partners]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"partners": exc.messages}) from exc


class ProjectViewSet(PortalViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    select_related = ("lead_organization",)
    prefetch_related = ("partners", "events__actor")
    ordering_fields = ["title", "planned_start", "planned_end", "budget", "support_fund", "status", "completed_on"]

    def perform_create(self, serializer):
        user = self.request.user
        if is_writer(user):
            obj = self._save_checked(serializer)
        else:
            # A member's proposal is a draft until the member submits it.
            obj = self._save_checked(serializer, status=ProjectStatus.DRAFT, proposed_by=user)
        services.record_project_proposed(obj, by=user)

    @extend_schema(request=TransitionSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        """Take a lifecycle step: {"step": "submit" | "return" | "approve" | …, "date": "YYYY-MM-DD", "reason": "…"}.

        "submit" is the proposing organisation's (a draft or returned proposal → proposed); the
        other steps are the staff's.
        """
        project = get_object_or_404(Project.objects.for_user(request.user), pk=pk)
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if data["step"] == "submit":
            _run_step(lambda: services.submit_proposal(project.pk, by=request.user))
        else:
            _run_step(
                lambda: services.change_project(
                    project.pk, data["step"], by=request.user, date=data["date"], reason=data["reason"]
                )
            )
        project.refresh_from_db()
        return Response(ProjectSerializer(project, context=self.get_serializer_context()).data)


class PlatformSerializer(ModelCleanSerializer):
    organizations = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True, required=False)

    class Meta:
        model = Platform
        fields = [
            "id",
            "name",
            "kind",
            "level",
            "lead_organization",
            "organizations",
            "established_on",
            "project",
            "description",
            "status",
            "registering_organization",
            "decided_at",
            "decline_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "registering_organization",
            "decided_at",
            "decline_reason",
            "created_at",
            "updated_at",
        ]

    def _with_lead(self, platform):
        platform.organizations.add(platform.lead_organization)
        if platform.registering_organization_id:
            platform.organizations.add(platform.registering_organization_id)
        return platform

    def create(self, validated_data):
        return self._with_lead(super().create(validated_data))

    def update(self, instance, validated_data):
        return self._with_lead(super().update(instance, validated_data))


class PlatformViewSet(PortalViewSet):
    queryset = Platform.objects.all()
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet
    select_related = ("lead_organization",)
    prefetch_related = ("organizations",)
    ordering_fields = ["name", "kind", "level", "established_on"]

    def perform_create(self, serializer):
        user = self.request.user
        if is_writer(user):
            self._save_checked(serializer)
            return
        # A member's registration is pending until staff confirm it.
        obj = self._save_checked(
            serializer,
            status=PlatformStatus.PENDING,
            registering_organization_id=member_org_id(user),
            created_by=user,
        )
        services.record_platform_registered(obj, by=user)

    def perform_destroy(self, instance):
        if not is_writer(self.request.user):
            raise PermissionDenied(_("只有联合体工作人员可以删除记录。"))
        instance.delete()

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        """Confirm or decline a member's platform: {"step": "confirm" | "decline", "reason": "…"} (staff)."""
        platform = get_object_or_404(Platform.objects.for_user(request.user), pk=pk)
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        _run_step(lambda: services.change_platform(platform.pk, data["step"], by=request.user, reason=data["reason"]))
        platform.refresh_from_db()
        return Response(PlatformSerializer(platform, context=self.get_serializer_context()).data)


class ExpertSerializer(ModelCleanSerializer):
    class Meta:
        model = Expert
        fields = ["id", "name", "organization", "affiliation", "field", "title", "phone", "email", "is_active"]


class ExpertViewSet(PortalViewSet):
    queryset = Expert.objects.all()
    serializer_class = ExpertSerializer
    filterset_class = ExpertFilterSet
    select_related = ("organization",)
    ordering_fields = ["name", "field"]


@registry.api_routes.register
def register(router):
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("platforms", PlatformViewSet, basename="platform")
    router.register("experts", ExpertViewSet, basename="expert")
