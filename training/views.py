from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.edit import CreateView

from consortium.access import CHANGE, VIEW, is_writer
from consortium.exports import XLSX_TYPE
from consortium.views import (
    PortalActionView,
    PortalCreateView,
    PortalDeleteView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
    StaffRequiredMixin,
    _SavedCheckMixin,
    get_visible_or_denied,
)

from . import imports, services
from .filters import (
    ExchangeVisitFilterSet,
    OrderClassFilterSet,
    TeacherFilterSet,
    TraineeFilterSet,
    TrainingSessionFilterSet,
)
from .forms import (
    ConfirmForm,
    DualTeacherRecognitionForm,
    DualTeacherTrainingForm,
    EnterprisePracticeForm,
    ExchangeVisitForm,
    GuestProfessorForm,
    OrderClassForm,
    OrderClassFunnelForm,
    TeacherForm,
    TeacherMergeForm,
    TraineeAddForm,
    TraineeUploadForm,
    TrainingSessionForm,
)
from .models import (
    FUNNEL_FIELDS,
    MAINTAIN,
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    ImportStatus,
    OrderClass,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)


class ChildCreateView(LoginRequiredMixin, _SavedCheckMixin, CreateView):
    """Create a record under a parent the user may change (a guest professor of a class …)."""

    template_name = "includes/object_form.html"
    parent_model = None
    parent_kwarg = None
    parent_action = CHANGE

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.parent = get_visible_or_denied(self.parent_model, request.user, kwargs["pk"], self.parent_action)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs[self.parent_kwarg] = self.parent
        return kwargs

    def get_success_url(self):
        return self.parent.get_absolute_url()


# ---------------------------------------------------------------------------
# Order classes
# ---------------------------------------------------------------------------


class OrderClassListView(PortalListView):
    model = OrderClass
    filterset_class = OrderClassFilterSet
    template_name = "training/orderclass_list.html"
    select_related = ("enterprise", "school")
    export_name = "order-classes"
    export_fields = (
        (_("班级名称"), "name"),
        (_("订单企业"), "enterprise.name"),
        (_("学校"), "school.name"),
        (_("专业"), "major"),
        (_("招生年份"), "intake_year"),
        (_("毕业年份"), lambda o: o.last_year),
        (_("培养模式"), "mode"),
        (_("计划人数"), "planned"),
        (_("实际招收"), "enrolled"),
        (_("毕业人数"), "graduated"),
        (_("订单企业录用"), "employed"),
        (_("订单就业率(%)"), lambda o: o.employment_rate_percent),
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Over every class the filters select (not just this page): the dashboard's formula.
        ctx["employment_rate"] = self.object_list.employment_rate()
        return ctx


class OrderClassDetailView(PortalDetailView):
    model = OrderClass
    template_name = "training/orderclass_detail.html"
    select_related = ("enterprise", "school", "agreement")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["professors"] = self.object.guest_professors.select_related("enterprise")
        ctx["can_maintain"] = (
            OrderClass.objects.for_user(self.request.user, MAINTAIN).filter(pk=self.object.pk).exists()
        )
        ctx["professor_history"] = professor_history(self.object)
        return ctx


def professor_history(order_class, limit=20):
    """The recent changes of the class's guest professors: who, when, what (newest first)."""
    records = GuestProfessor.history.filter(order_class_id=order_class.pk).select_related("history_user")
    rows = []
    for record in records.order_by("-history_date", "-history_id")[:limit]:
        changes = []
        prev = record.prev_record if record.history_type == "~" else None
        if prev is not None:
            for change in record.diff_against(prev).changes:
                field = GuestProfessor._meta.get_field(change.field)
                changes.append({"field": str(field.verbose_name), "old": change.old, "new": change.new})
        rows.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "type": {"+": _("添加"), "~": _("修改"), "-": _("移除")}.get(record.history_type, ""),
                "name": record.name,
                "changes": changes,
            }
        )
    return rows


class OrderClassCreateView(PortalCreateView):
    model = OrderClass
    form_class = OrderClassForm


class OrderClassUpdateView(PortalUpdateView):
    model = OrderClass
    form_class = OrderClassForm

    def after_save(self, form):
        if form.has_changed():
            fields = "、".join(str(form.fields[name].label) for name in form.changed_data)
            services.tell_other_side(self.object, self.request.user, _("信息（%(fields)s）") % {"fields": fields})


class OrderClassFunnelView(PortalActionView):
    """更新漏斗数据: the school or the sponsoring enterprise sets the funnel figures."""

    model = OrderClass
    form_class = OrderClassFunnelForm
    title = _("更新漏斗数据")
    success_message = _("培养漏斗数据已更新，对方已收到通知。")

    def required_action(self):
        return MAINTAIN

    def get_initial(self):
        return {field: getattr(self.object, field) for field in FUNNEL_FIELDS}

    def perform(self, obj, form):
        services.update_funnel(obj.pk, by=self.request.user, **form.cleaned_data)


class OrderClassDeleteView(PortalDeleteView):
    model = OrderClass

    def get_success_url(self):
        return reverse("training:orderclass_list")


class GuestProfessorCreateView(ChildCreateView):
    model = GuestProfessor
    form_class = GuestProfessorForm
    parent_model = OrderClass
    parent_kwarg = "order_class"
    parent_action = MAINTAIN  # both sides of the class appoint its guest professors

    def after_save(self, form):
        services.professor_changed(self.object, self.request.user, _("已添加"))


class GuestProfessorUpdateView(PortalUpdateView):
    model = GuestProfessor
    form_class = GuestProfessorForm

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.before = services.professor_values(obj)
        return obj

    def after_save(self, form):
        details = services.professor_details(self.before, self.object)
        if details:
            services.professor_changed(self.object, self.request.user, _("已修改"), details)


class GuestProfessorDeleteView(PortalDeleteView):
    """Both sides of the class may remove a guest professor (not a counted record)."""

    model = GuestProfessor

    def get_object(self, queryset=None):
        return get_visible_or_denied(GuestProfessor, self.request.user, self.kwargs["pk"], CHANGE)

    def form_valid(self, form):
        professor, order_class = self.object, self.object.order_class
        with transaction.atomic():
            response = super().form_valid(form)
            if not GuestProfessor.objects.filter(pk=professor.pk).exists():
                professor.order_class = order_class
                services.professor_changed(professor, self.request.user, _("已移除"))
        return response

    def get_success_url(self):
        return reverse("training:orderclass_detail", args=[self.object.order_class_id])


# ---------------------------------------------------------------------------
# Training sessions
# ---------------------------------------------------------------------------


class TrainingSessionListView(PortalListView):
    model = TrainingSession
    filterset_class = TrainingSessionFilterSet
    template_name = "training/session_list.html"
    select_related = ("provider", "place")
    prefetch_related = ("beneficiaries",)
    export_name = "training-sessions"
    export_fields = (
        (_("培训名称"), "title"),
        (_("培训类型"), "kind"),
        (_("承办单位"), "provider.name"),
        (_("受益单位"), lambda s: "、".join(o.name for o in s.beneficiaries.all())),
        (_("开始时间"), "starts_at"),
        (_("结束时间"), "ends_at"),
        (_("学时"), lambda s: float(s.hours)),
        (_("地点"), lambda s: s.place.name if s.place else s.location),
        (_("申报人数"), "declared_headcount"),
        (_("名单人数"), "trainee_count"),
        (_("人次"), "person_times"),
        (_("状态"), "status"),
    )


class TrainingSessionDetailView(PortalDetailView):
    model = TrainingSession
    template_name = "training/session_detail.html"
    select_related = ("provider", "place")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.object
        ctx["beneficiaries"] = s.beneficiaries.all()
        ctx["trainees"] = s.trainees.order_by("id")[:50]
        ctx["imports"] = s.imports.select_related("uploaded_by", "confirmed_by")
        return ctx


class TrainingSessionCreateView(PortalCreateView):
    model = TrainingSession
    form_class = TrainingSessionForm


class TrainingSessionUpdateView(PortalUpdateView):
    model = TrainingSession
    form_class = TrainingSessionForm


class TrainingSessionDeleteView(PortalDeleteView):
    model = TrainingSession

    def get_success_url(self):
        return reverse("training:session_list")


class TraineeListView(PortalListView):
    """Trainees (masked 身份证号 only), usually of one session: ?session=<id>."""

    model = Trainee
    filterset_class = TraineeFilterSet
    template_name = "training/trainee_list.html"
    select_related = ("session",)
    paginate_by = 50
    export_name = "trainees"
    export_fields = (
        (_("培训"), "session.title"),
        (_("姓名"), "name"),
        (_("身份证号（脱敏）"), "id_number_masked"),
        (_("性别"), "gender"),
        (_("手机号"), "phone"),
        (_("工作单位"), "employer"),
        (_("岗位/职务"), "job_title"),
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session_id = self.request.GET.get("session")
        ctx["session"] = (
            TrainingSession.objects.for_user(self.request.user).filter(pk=session_id).first()
            if session_id and session_id.isdigit()
            else None
        )
        return ctx


class TraineeTemplateView(LoginRequiredMixin, View):
    """The downloadable template with Chinese headers."""

    def get(self, request, fmt):
        if fmt == "xlsx":
            response = HttpResponse(imports.template_xlsx(), content_type=XLSX_TYPE)
        elif fmt == "csv":
            response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        else:
            raise Http404(_("没有这种格式的模板。"))
        response["Content-Disposition"] = f'attachment; filename="trainee-template.{fmt}"'
        return response


class TraineeImportView(LoginRequiredMixin, View):
    """Upload a trainee list: errors are shown by row and column and nothing is stored."""

    template_name = "training/trainee_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.session = get_visible_or_denied(TrainingSession, request.user, kwargs["pk"], CHANGE)
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, **extra):
        return render(self.request, self.template_name, {"session": self.session, "form": form, **extra})

    def get(self, request, pk):
        return self.render(TraineeUploadForm())

    def post(self, request, pk):
        form = TraineeUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        try:
            imp = services.stage_import(self.session, form.cleaned_data["file"], by=request.user)
        except services.ImportRejected as exc:
            errors = exc.result.errors
            return self.render(
                form,
                rejected=exc.messages[0],
                errors=[e.as_dict() for e in errors[: services.MAX_ERRORS_SHOWN]],
                more_errors=max(0, len(errors) - services.MAX_ERRORS_SHOWN),
                row_count=exc.result.row_count,
                bad_rows=sorted({e.row for e in errors}),
            )
        except imports.ImportFileError as exc:
            form.add_error("file", exc.messages[0])
            return self.render(form)
        return HttpResponseRedirect(imp.get_absolute_url())


class TraineeImportDetailView(PortalDetailView):
    """A recorded import: the preview with confirm/discard while pending, else who/when/rows."""

    model = TraineeImport
    template_name = "training/trainee_import_detail.html"
    select_related = ("session", "uploaded_by", "confirmed_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["pending"] = self.object.status == ImportStatus.PREVIEW
        labels = imports.LABELS
        ctx["columns"] = [
            {**c, "label": _(labels[c["field"]]) if c.get("field") in labels else ""} for c in self.object.columns
        ]
        return ctx


class _ImportStepView(PortalActionView):
    model = TraineeImport
    form_class = ConfirmForm

    def get_object(self, queryset=None):
        imp = get_visible_or_denied(TraineeImport, self.request.user, self.kwargs["pk"], VIEW)
        if not TrainingSession.objects.for_user(self.request.user, CHANGE).filter(pk=imp.session_id).exists():
            raise PermissionDenied(_("您没有权限修改该培训的学员名单。"))
        return imp


class TraineeImportConfirmView(_ImportStepView):
    title = _("确认导入")
    success_message = _("学员名单已导入。")

    def perform(self, obj, form):
        try:
            services.confirm_import(obj.pk, by=self.request.user)
        except services.ImportRejected as exc:
            lines = [
                _("第%(row)s行「%(column)s」：%(message)s") % e for e in [x.as_dict() for x in exc.result.errors[:20]]
            ]
            raise ValidationError([exc.messages[0], *lines]) from exc

    def get_success_url(self):
        return self.object.session.get_absolute_url()


class TraineeImportDiscardView(_ImportStepView):
    title = _("放弃导入")
    button_class = "btn-outline-danger"
    success_message = _("已放弃本次导入，未导入任何学员。")

    def perform(self, obj, form):
        services.discard_import(obj.pk, by=self.request.user)

    def get_success_url(self):
        return self.object.session.get_absolute_url()


class TraineeAddView(PortalActionView):
    """Add one trainee by hand (same checks as an imported row)."""

    model = TrainingSession
    form_class = TraineeAddForm
    title = _("添加学员")
    success_message = _("学员已添加。")

    def perform(self, obj, form):
        services.add_trainee(obj, form.cleaned_data, by=self.request.user)


class TraineeDeleteView(PortalActionView):
    model = Trainee
    form_class = ConfirmForm
    title = _("移出名单")
    button_class = "btn-danger"
    success_message = _("学员已移出名单。")

    def perform(self, obj, form):
        services.remove_trainee(obj.pk, by=self.request.user)

    def get_success_url(self):
        return reverse("training:session_detail", args=[self.object.session_id])


# ---------------------------------------------------------------------------
# Teachers and dual-qualified records
# ---------------------------------------------------------------------------


class TeacherListView(PortalListView):
    model = Teacher
    filterset_class = TeacherFilterSet
    template_name = "training/teacher_list.html"
    select_related = ("school",)
    export_name = "teachers"
    export_fields = (
        (_("姓名"), "name"),
        (_("学校"), "school.name"),
        (_("专业领域"), "subject_area"),
        (_("职称"), "title"),
        (_("工号"), "employee_no"),
    )

    def get_queryset(self):
        from django.db.models import Count, Max

        return (
            super()
            .get_queryset()
            .annotate(
                training_count=Count("dual_trainings", distinct=True),
                recognition_count=Count("recognitions", distinct=True),
                last_recognized_on=Max("recognitions__recognized_on"),
            )
            .order_by("school__name", "name", "id")
        )  # Meta.ordering is dropped in GROUP BY queries


class TeacherDetailView(PortalDetailView):
    model = Teacher
    template_name = "training/teacher_detail.html"
    select_related = ("school",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.object
        ctx["trainings"] = t.dual_trainings.select_related("session", "provider")
        ctx["practices"] = t.enterprise_practices.select_related("enterprise")
        ctx["recognitions"] = t.recognitions.all()
        return ctx


class TeacherCreateView(PortalCreateView):
    model = Teacher
    form_class = TeacherForm


class TeacherUpdateView(PortalUpdateView):
    model = Teacher
    form_class = TeacherForm


class TeacherDeleteView(PortalDeleteView):
    model = Teacher

    def get_success_url(self):
        return reverse("training:teacher_list")


class TeacherDuplicatesView(StaffRequiredMixin, TemplateView):
    """Candidate duplicate records of one teacher, each group with its reason, for staff to merge."""

    template_name = "training/teacher_duplicates.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        groups = Teacher.objects.for_user(self.request.user).duplicate_groups()
        ids = [t.pk for g in groups for t in g.teachers]
        counts = {
            t.pk: t
            for t in Teacher.objects.filter(pk__in=ids)
            .annotate(
                training_count=Count("dual_trainings", distinct=True),
                practice_count=Count("enterprise_practices", distinct=True),
                recognition_count=Count("recognitions", distinct=True),
            )
            .order_by()
        }
        for group in groups:
            for t in group.teachers:
                t.training_count = counts[t.pk].training_count
                t.practice_count = counts[t.pk].practice_count
                t.recognition_count = counts[t.pk].recognition_count
                t.others = [o.pk for o in group.teachers if o.pk != t.pk]
        ctx["groups"] = groups
        return ctx


class TeacherMergeView(PortalActionView):
    """Merge duplicate records into this teacher (staff only), keeping the history."""

    model = Teacher
    form_class = TeacherMergeForm
    title = _("合并重复教师记录")
    button_class = "btn-warning"
    success_message = _("已合并重复的教师记录。")

    def get_object(self, queryset=None):
        if not is_writer(self.request.user):
            get_visible_or_denied(Teacher, self.request.user, self.kwargs["pk"], VIEW)
            raise PermissionDenied(_("只有联合体工作人员可以合并教师记录。"))
        return get_visible_or_denied(Teacher, self.request.user, self.kwargs["pk"], CHANGE)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["keep"] = self.object
        return kwargs

    def get_initial(self):
        return {"duplicates": [pk for pk in self.request.GET.getlist("duplicates") if pk.isdigit()]}

    def perform(self, obj, form):
        services.merge_teachers(obj, list(form.cleaned_data["duplicates"]), by=self.request.user)


class _TeacherRecordCreateView(ChildCreateView):
    parent_model = Teacher
    parent_kwarg = "teacher"


class _TeacherRecordDeleteView(PortalDeleteView):
    def get_success_url(self):
        return reverse("training:teacher_detail", args=[self.object.teacher_id])


class DualTeacherTrainingCreateView(_TeacherRecordCreateView):
    model = DualTeacherTraining
    form_class = DualTeacherTrainingForm


class DualTeacherTrainingUpdateView(PortalUpdateView):
    model = DualTeacherTraining
    form_class = DualTeacherTrainingForm


class DualTeacherTrainingDeleteView(_TeacherRecordDeleteView):
    model = DualTeacherTraining


class EnterprisePracticeCreateView(_TeacherRecordCreateView):
    model = EnterprisePractice
    form_class = EnterprisePracticeForm


class EnterprisePracticeUpdateView(PortalUpdateView):
    model = EnterprisePractice
    form_class = EnterprisePracticeForm


class EnterprisePracticeDeleteView(_TeacherRecordDeleteView):
    model = EnterprisePractice


class DualTeacherRecognitionCreateView(_TeacherRecordCreateView):
    model = DualTeacherRecognition
    form_class = DualTeacherRecognitionForm


class DualTeacherRecognitionUpdateView(PortalUpdateView):
    model = DualTeacherRecognition
    form_class = DualTeacherRecognitionForm


class DualTeacherRecognitionDeleteView(_TeacherRecordDeleteView):
    model = DualTeacherRecognition


# ---------------------------------------------------------------------------
# Exchange visits
# ---------------------------------------------------------------------------


class ExchangeVisitListView(PortalListView):
    model = ExchangeVisit
    filterset_class = ExchangeVisitFilterSet
    template_name = "training/visit_list.html"
    select_related = ("visiting_organization",)
    prefetch_related = ("visited",)
    export_name = "exchange-visits"
    export_fields = (
        (_("日期"), "date"),
        (_("走访单位"), "visiting_organization.name"),
        (_("被走访单位"), lambda v: "、".join(o.name for o in v.visited.all())),
        (_("参加人数"), "participants"),
        (_("目的与内容"), "purpose"),
    )


class ExchangeVisitDetailView(PortalDetailView):
    model = ExchangeVisit
    template_name = "training/visit_detail.html"
    select_related = ("visiting_organization",)


class ExchangeVisitCreateView(PortalCreateView):
    model = ExchangeVisit
    form_class = ExchangeVisitForm


class ExchangeVisitUpdateView(PortalUpdateView):
    model = ExchangeVisit
    form_class = ExchangeVisitForm


class ExchangeVisitDeleteView(PortalDeleteView):
    model = ExchangeVisit

    def get_success_url(self):
        return reverse("training:visit_list")
