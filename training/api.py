"""API: the same records, rules and for_user() as the pages.

Trainee lists come in as on the pages: POST a file to
/training-sessions/{id}/trainee-import/ (preview: 201 with the import, or 400 with the
errors by row and column, nothing stored), then POST /trainee-imports/{id}/confirm/
(all rows or none) or /discard/. Trainees themselves are read-only here.
Deletion, as on the pages, is for staff.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from consortium import registry
from consortium.access import CHANGE, is_writer
from consortium.api import ModelCleanSerializer, PortalModelSerializer, PortalViewSet

from . import imports, services
from .filters import (
    DualTeacherRecognitionFilterSet,
    DualTeacherTrainingFilterSet,
    EnterprisePracticeFilterSet,
    ExchangeVisitFilterSet,
    GuestProfessorFilterSet,
    OrderClassFilterSet,
    TeacherFilterSet,
    TraineeFilterSet,
    TraineeImportFilterSet,
    TrainingSessionFilterSet,
)
from .forms import clean_id_number_input
from .models import (
    FUNNEL_FIELDS,
    MAINTAIN,
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)


class ParentField(serializers.PrimaryKeyRelatedField):
    """A parent record (order class, teacher) the user may change (or take ``action`` on)."""

    def __init__(self, *args, action=CHANGE, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.queryset.model.objects.for_user(request.user if request else None, self.action)


class OrderClassSerializer(ModelCleanSerializer):
    employment_rate = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True, allow_null=True)

    class Meta:
        model = OrderClass
        fields = [
            "id",
            "name",
            "enterprise",
            "school",
            "major",
            "intake_year",
            "graduation_year",
            "agreement",
            "mode",
            "planned",
            "enrolled",
            "graduated",
            "employed",
            "employment_rate",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class GuestProfessorSerializer(ModelCleanSerializer):
    # Both sides of a class appoint its guest professors.
    order_class = ParentField(queryset=OrderClass.objects.all(), action=MAINTAIN)

    class Meta:
        model = GuestProfessor
        fields = ["id", "order_class", "name", "enterprise", "title", "appointed_on", "ends_on"]


class TrainingSessionSerializer(ModelCleanSerializer):
    person_times = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "kind",
            "provider",
            "beneficiaries",
            "starts_at",
            "ends_at",
            "hours",
            "place",
            "location",
            "declared_headcount",
            "status",
            "trainee_count",
            "person_times",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["trainee_count", "created_at", "updated_at"]


class TraineeSerializer(PortalModelSerializer):
    class Meta:
        model = Trainee
        # Never the hash or the person key: only the masked number leaves the server.
        fields = [
            "id",
            "session",
            "name",
            "id_number_masked",
            "gender",
            "phone",
            "employer",
            "job_title",
            "import_batch",
        ]
        read_only_fields = fields


class TraineeImportSerializer(PortalModelSerializer):
    class Meta:
        model = TraineeImport
        fields = [
            "id",
            "session",
            "uploaded_by",
            "uploaded_at",
            "file_name",
            "file_format",
            "row_count",
            "status",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields


class TraineeImportPreviewSerializer(TraineeImportSerializer):
    preview_rows = serializers.JSONField(read_only=True)

    class Meta(TraineeImportSerializer.Meta):
        fields = [*TraineeImportSerializer.Meta.fields, "preview_rows"]
        read_only_fields = fields


class TeacherSerializer(ModelCleanSerializer):
    # Write-only: the number is kept as its keyed hash and shown only masked (id_number_masked).
    id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=24, help_text=_lazy("身份证号（选填，只写）")
    )

    class Meta:
        model = Teacher
        fields = [
            "id",
            "school",
            "name",
            "id_number",
            "id_number_masked",
            "subject_area",
            "title",
            "employee_no",
            "created_at",
        ]
        read_only_fields = ["id_number_masked", "created_at"]
        # The same person is refused in validate() with a message that says which record it is;
        # DRF's generic "must make a unique set" would say less.
        validators = []

    def validate_id_number(self, value):
        try:
            return clean_id_number_input(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, attrs):
        id_number = attrs.pop("id_number", "")
        attrs = super().validate(attrs)
        teacher = Teacher.objects.get(pk=self.instance.pk) if self.instance is not None else Teacher()
        for key, value in attrs.items():
            setattr(teacher, key, value)
        teacher.set_id_number(id_number)
        error = teacher.same_person_error(self.context["request"].user)
        if error is not None:
            raise serializers.ValidationError(serializers.as_serializer_error(error))
        if id_number:
            attrs["id_number_hash"], attrs["id_number_masked"] = teacher.id_number_hash, teacher.id_number_masked
        return attrs


class DualTeacherTrainingSerializer(ModelCleanSerializer):
    teacher = ParentField(queryset=Teacher.objects.all())

    class Meta:
        model = DualTeacherTraining
        fields = ["id", "teacher", "completed_on", "session", "hours", "provider", "notes"]


class EnterprisePracticeSerializer(ModelCleanSerializer):
    teacher = ParentField(queryset=Teacher.objects.all())

    class Meta:
        model = EnterprisePractice
        fields = ["id", "teacher", "enterprise", "start_date", "end_date", "position"]


class DualTeacherRecognitionSerializer(ModelCleanSerializer):
    teacher = ParentField(queryset=Teacher.objects.all())

    class Meta:
        model = DualTeacherRecognition
        fields = ["id", "teacher", "level", "recognized_on", "body"]


class ExchangeVisitSerializer(ModelCleanSerializer):
    class Meta:
        model = ExchangeVisit
        fields = ["id", "date", "visiting_organization", "visited", "participants", "purpose"]


class TrainingViewSet(PortalViewSet):
    def perform_destroy(self, instance):
        if not is_writer(self.request.user):
            raise PermissionDenied(_("只有联合体工作人员可以删除记录。"))
        instance.delete()


class ReadOnlyViewSet(PortalViewSet):
    http_method_names = ["get", "head", "options"]


class OrderClassViewSet(TrainingViewSet):
    """Order classes. The school (and staff) change every field; the sponsoring enterprise may
    PATCH only the funnel figures (``planned``, ``enrolled``, ``graduated``, ``employed``), as on
    the page's 更新漏斗数据 step. Every change tells the other side."""

    queryset = OrderClass.objects.all()
    serializer_class = OrderClassSerializer
    filterset_class = OrderClassFilterSet
    ordering_fields = ["name", "intake_year", "enrolled", "graduated", "employed"]

    def get_queryset(self):
        if self.request.method == "PATCH":
            # Both sides PATCH the funnel; partial_update refuses anything else to the enterprise.
            return OrderClass.objects.for_user(self.request.user, MAINTAIN)
        return super().get_queryset()

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        if OrderClass.objects.for_user(request.user, CHANGE).filter(pk=instance.pk).exists():
            return super().partial_update(request, *args, **kwargs)
        if set(request.data) - set(FUNNEL_FIELDS):
            raise PermissionDenied(_("订单企业只能更新培养漏斗数据和客座教授。"))
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.update_funnel(instance.pk, by=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        instance.refresh_from_db()
        return Response(self.get_serializer(instance).data)

    def perform_update(self, serializer):
        stored = OrderClass.objects.get(pk=serializer.instance.pk)
        fields = [f.name for f in OrderClass._meta.fields if f.name not in ("id", "created_at", "updated_at")]
        before = {f: getattr(stored, f) for f in fields}
        super().perform_update(serializer)
        after = {f: getattr(serializer.instance, f) for f in fields}
        details = services.describe_changes(before, after, OrderClass)
        if details:
            services.tell_other_side(serializer.instance, self.request.user, _("信息"), details)


class GuestProfessorViewSet(TrainingViewSet):
    """Guest professors: both sides of the class add, edit and remove them; the other side is told."""

    queryset = GuestProfessor.objects.all()
    serializer_class = GuestProfessorSerializer
    filterset_class = GuestProfessorFilterSet
    ordering_fields = ["name", "appointed_on"]

    def perform_create(self, serializer):
        super().perform_create(serializer)
        services.professor_changed(serializer.instance, self.request.user, _("已添加"))

    def perform_update(self, serializer):
        before = services.professor_values(GuestProfessor.objects.get(pk=serializer.instance.pk))
        super().perform_update(serializer)
        details = services.professor_details(before, serializer.instance)
        if details:
            services.professor_changed(serializer.instance, self.request.user, _("已修改"), details)

    def perform_destroy(self, instance):
        # Not a counted record: whoever may change it (either side of the class) may remove it.
        with transaction.atomic():
            order_class = instance.order_class
            instance.delete()
            instance.order_class = order_class
            services.professor_changed(instance, self.request.user, _("已移除"))


def _rejected(exc):
    errors = exc.result.errors
    return Response(
        {
            "detail": exc.messages[0],
            "row_count": exc.result.row_count,
            "errors": [e.as_dict() for e in errors[: services.MAX_ERRORS_SHOWN]],
            "more_errors": max(0, len(errors) - services.MAX_ERRORS_SHOWN),
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class TrainingSessionViewSet(TrainingViewSet):
    queryset = TrainingSession.objects.all()
    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingSessionFilterSet
    prefetch_related = ("beneficiaries",)
    ordering_fields = ["starts_at", "ends_at", "title", "declared_headcount", "trainee_count"]

    @extend_schema(
        request=inline_serializer("TraineeListUpload", fields={"file": serializers.FileField()}),
        responses={201: TraineeImportPreviewSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="trainee-import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=TraineeImportSerializer,
    )
    def trainee_import(self, request, pk=None):
        """Upload a trainee list (field "file"): validated, kept for confirmation, nothing imported yet."""
        session = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": [_("请上传学员名单文件（.xlsx 或 .csv）。")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            imp = services.stage_import(session, upload, by=request.user)
        except services.ImportRejected as exc:
            return _rejected(exc)
        except imports.ImportFileError as exc:
            return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(TraineeImportPreviewSerializer(imp).data, status=status.HTTP_201_CREATED)


class TraineeViewSet(ReadOnlyViewSet):
    queryset = Trainee.objects.all()
    serializer_class = TraineeSerializer
    filterset_class = TraineeFilterSet
    ordering_fields = ["name", "id"]


class TraineeImportViewSet(PortalViewSet):
    """Read-only but for its two steps: an import starts at a session's trainee-import."""

    queryset = TraineeImport.objects.all()
    serializer_class = TraineeImportSerializer
    filterset_class = TraineeImportFilterSet
    ordering_fields = ["uploaded_at"]
    http_method_names = ["get", "head", "options"]

    def _step(self, step):
        imp = self.get_object()
        try:
            step(imp.pk, by=self.request.user)
        except services.ImportRejected as exc:
            return _rejected(exc)
        except DjangoValidationError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
        imp.refresh_from_db()
        return Response(TraineeImportSerializer(imp).data)

    @extend_schema(request=None, responses={200: TraineeImportSerializer})
    @action(detail=True, methods=["post"], http_method_names=["post", "options"])
    def confirm(self, request, pk=None):
        """Store every row of the previewed list, or nothing."""
        return self._step(services.confirm_import)

    @extend_schema(request=None, responses={200: TraineeImportSerializer})
    @action(detail=True, methods=["post"], http_method_names=["post", "options"])
    def discard(self, request, pk=None):
        """Drop the preview and its kept file."""
        return self._step(services.discard_import)


class TeacherViewSet(TrainingViewSet):
    queryset = Teacher.objects.all()
    serializer_class = TeacherSerializer
    filterset_class = TeacherFilterSet
    ordering_fields = ["name", "title"]


class DualTeacherTrainingViewSet(TrainingViewSet):
    queryset = DualTeacherTraining.objects.all()
    serializer_class = DualTeacherTrainingSerializer
    filterset_class = DualTeacherTrainingFilterSet
    ordering_fields = ["completed_on"]


class EnterprisePracticeViewSet(TrainingViewSet):
    queryset = EnterprisePractice.objects.all()
    serializer_class = EnterprisePracticeSerializer
    filterset_class = EnterprisePracticeFilterSet
    ordering_fields = ["start_date"]


class DualTeacherRecognitionViewSet(TrainingViewSet):
    queryset = DualTeacherRecognition.objects.all()
    serializer_class = DualTeacherRecognitionSerializer
    filterset_class = DualTeacherRecognitionFilterSet
    ordering_fields = ["recognized_on"]


class ExchangeVisitViewSet(TrainingViewSet):
    queryset = ExchangeVisit.objects.all()
    serializer_class = ExchangeVisitSerializer
    filterset_class = ExchangeVisitFilterSet
    select_related = ("visiting_organization",)
    prefetch_related = ("visited",)
    ordering_fields = ["date", "participants"]


@registry.api_routes.register
def register(router):
    router.register("order-classes", OrderClassViewSet, basename="orderclass")
    router.register("guest-professors", GuestProfessorViewSet, basename="guestprofessor")
    router.register("training-sessions", TrainingSessionViewSet, basename="trainingsession")
    router.register("trainees", TraineeViewSet, basename="trainee")
    router.register("trainee-imports", TraineeImportViewSet, basename="traineeimport")
    router.register("teachers", TeacherViewSet, basename="teacher")
    router.register("dual-teacher-trainings", DualTeacherTrainingViewSet, basename="dualteachertraining")
    router.register("enterprise-practices", EnterprisePracticeViewSet, basename="enterprisepractice")
    router.register("dual-teacher-recognitions", DualTeacherRecognitionViewSet, basename="dualteacherrecognition")
    router.register("exchange-visits", ExchangeVisitViewSet, basename="exchangevisit")
