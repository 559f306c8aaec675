"""Generic views every app builds on: the access rule is applied here, once.

Each app's views set model, filterset, form and template; they inherit
for_user() filtering, the 403/404 distinction, transactional saves that are
re-checked against for_user(), sorting, pagination and CSV/Excel export.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DeleteView, DetailView, FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView

from . import submissions, versions
from .access import CHANGE, VIEW, is_writer, user_can_create
from .exports import export_response
from .forms import PortalForm
from .storage import StorageFull, files_follow_transaction


def get_visible_or_denied(model, user, pk, action=CHANGE):
    """The object if the user may take ``action`` on it; 404 if they cannot even see it, else 403."""
    obj = model.objects.for_user(user, action).filter(pk=pk).first()
    if obj is not None:
        return obj
    if model.objects.for_user(user, VIEW).filter(pk=pk).exists():
        raise PermissionDenied(_("您没有权限修改该记录。"))
    raise Http404(_("记录不存在或您无权查看。"))


class StaffRequiredMixin(LoginRequiredMixin):
    """Only staff and admins; everyone else signed in gets 403 (and nothing changes)."""

    denied_message = gettext_lazy("只有联合体工作人员可以执行此操作。")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_writer(request.user):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)


class PortalListView(LoginRequiredMixin, FilterView):
    """A list page: filtered by for_user(), searchable, sortable, paginated, exportable."""

    paginate_by = 25
    select_related = ()
    prefetch_related = ()
    export_fields = ()  # ((header, attribute path or callable), …) for CSV/Excel
    export_name = "export"

    def get_queryset(self):
        qs = self.model.objects.for_user(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt and self.export_fields:
            filterset = self.get_filterset(self.get_filterset_class())
            rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
            return export_response(rows, self.export_fields, self.export_name, fmt)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = user_can_create(self.model, self.request.user)
        ctx["can_export"] = bool(self.export_fields)
        ctx["model_meta"] = self.model._meta
        return ctx


class PortalDetailView(LoginRequiredMixin, DetailView):
    """A detail page: 404 for records the user may not see."""

    select_related = ()

    def get_queryset(self):
        qs = self.model.objects.for_user(self.request.user, VIEW)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["can_change"] = self.model.objects.for_user(self.request.user, CHANGE).filter(pk=obj.pk).exists()
        ctx["model_meta"] = self.model._meta
        return ctx


class _AlreadySubmitted(Exception):
    """A concurrent twin of this submission committed first."""


class _SavedCheckMixin:
    """Save in a transaction and re-check for_user(): nobody edits a record out of their sight.

    A create carries a one-time submission key (consortium.submissions): posted twice, it makes one
    record and the second post is shown the record the first one made. A unique rule broken by a
    concurrent save is the form's normal error, not a 500.
    """

    success_message = gettext_lazy("已保存。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["model_meta"] = self.model._meta
        if self._creating():
            posted = self.request.POST.get(submissions.FORM_FIELD)
            ctx["submission_key"] = posted if submissions.valid_key(posted) else submissions.new_key()
        return ctx

    def _creating(self):
        return getattr(self, "object", None) is None

    def _submission_key(self):
        key = self.request.POST.get(submissions.FORM_FIELD, "")
        return key if self._creating() and submissions.valid_key(key) else ""

    def already_submitted(self, row):
        record = row.record if row is not None else None
        messages.info(self.request, _("该表单已经提交过，没有重复保存；这是第一次提交保存的记录。"))
        if record is not None and self.model.objects.for_user(self.request.user, VIEW).filter(pk=record.pk).exists():
            return HttpResponseRedirect(record.get_absolute_url())
        return HttpResponseRedirect(reverse("home"))

    def duplicate(self, form):
        """A unique rule broken by a save that committed meanwhile: say so on the form."""
        form.validate_unique()
        if not form.errors:
            form.add_error(None, _("与已有记录重复（可能有人同时提交了相同内容），未保存。"))
        return self.form_invalid(form)

    def form_valid(self, form):
        user = self.request.user
        key = self._submission_key()
        if key and (done := submissions.find(user, submissions.SubmissionChannel.WEB, key)) is not None:
            return self.already_submitted(done)
        try:
            with files_follow_transaction():
                row = None
                if key:
                    row = submissions.claim(user, submissions.SubmissionChannel.WEB, key)
                    if row is None:
                        raise _AlreadySubmitted
                if not self.check_version(form):
                    return self.form_invalid(form)
                self.object = form.save()
                self.after_save(form)
                if not self.model.objects.for_user(user, CHANGE).filter(pk=self.object.pk).exists():
                    transaction.set_rollback(True)
                    form.add_error(None, _("保存后的记录将不属于您的单位，无法保存。"))
                    return self.form_invalid(form)
                if row is not None:
                    submissions.attach(row, self.object)
        except _AlreadySubmitted:
            return self.already_submitted(submissions.find(user, submissions.SubmissionChannel.WEB, key))
        except IntegrityError:
            return self.duplicate(form)
        except StorageFull as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def after_save(self, form):
        """Hook for work that belongs in the same transaction (workflow records)."""

    def check_version(self, form) -> bool:
        """Hook, inside the save's transaction: False (with an error on the form) refuses the save."""
        return True


class PortalCreateView(LoginRequiredMixin, _SavedCheckMixin, CreateView):
    template_name = "includes/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_can_create(self.model, request.user):
            raise PermissionDenied(_("您没有权限新建该记录。"))
        return super().dispatch(request, *args, **kwargs)


class PortalUpdateView(LoginRequiredMixin, _SavedCheckMixin, UpdateView):
    """An edit form that carries the version it was made from (consortium.versions): when the record
    changed meanwhile, nothing is saved; the form says which fields changed and what they hold now,
    keeps the user's input and carries the current version, so saving again is a deliberate choice."""

    template_name = "includes/object_form.html"
    version: str | None = None

    def get_object(self, queryset=None):
        return get_visible_or_denied(self.model, self.request.user, self.kwargs["pk"], CHANGE)

    def post(self, request, *args, **kwargs):
        self.version = request.POST.get(versions.FORM_FIELD) or None
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = self.version
        if version is None:
            # On a POST the form has already written its input onto self.object: sign the stored row.
            stored = self.object if self.request.method == "GET" else self.model._base_manager.get(pk=self.object.pk)
            version = versions.sign(stored)
        ctx["version_field"] = versions.FORM_FIELD
        ctx["version"] = version
        return ctx

    def check_version(self, form) -> bool:
        if self.version is None:
            return True
        # Under a row lock: two forms made from the same version cannot both be saved.
        stored = self.model._base_manager.select_for_update().get(pk=self.object.pk)
        changed = versions.changed_fields(stored, self.version)
        if changed == []:
            return True
        self.version = versions.sign(stored)
        if changed is None:
            form.add_error(None, _("无法确认您编辑的是哪个版本，未保存。请核对下面的内容后再次保存。"))
            return False
        shown = "；".join(
            f"{field.verbose_name}：{versions.shown_value(stored, field)}"
            if field.name in form.fields
            else str(field.verbose_name)
            for field in changed
        )
        form.add_error(
            None,
            _(
                "在您编辑期间，该记录已被他人修改，您的修改尚未保存。已变更的字段及其当前值：%(changes)s。"
                "您填写的内容仍在下面；核对后再次点击“保存”，将以您填写的内容为准。"
            )
            % {"changes": shown},
        )
        return False


class PortalDeleteView(LoginRequiredMixin, DeleteView):
    """Deletion is for staff; a deleted record counts nowhere."""

    template_name = "includes/object_confirm_delete.html"

    def get_object(self, queryset=None):
        if not is_writer(self.request.user):
            get_visible_or_denied(self.model, self.request.user, self.kwargs["pk"], VIEW)
            raise PermissionDenied(_("只有联合体工作人员可以删除记录。"))
        return get_object_or_404(self.model.objects.for_user(self.request.user, CHANGE), pk=self.kwargs["pk"])

    def form_valid(self, form):
        name = str(self.object)
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except (ProtectedError, RestrictedError) as exc:
            form.add_error(None, still_referenced_message(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("已删除“%(obj)s”。") % {"obj": name})
        return response


def still_referenced_message(exc) -> str:
    """'Cannot delete: still referred to by 3 agreements, 2 training sessions' in the user's language."""
    counts: dict[str, int] = {}
    for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
        label = str(obj._meta.verbose_name)
        counts[label] = counts.get(label, 0) + 1
    parts = "、".join(f"{label} {n}" for label, n in sorted(counts.items()))
    return _("无法删除：仍有其他记录引用它（%(refs)s）。请先处理这些记录。") % {"refs": parts}


class PortalActionView(LoginRequiredMixin, SingleObjectMixin, FormView):
    """One workflow step on one record: a confirmation form whose POST calls a service.

    Subclasses set model, form_class, title and implement perform(obj, form); a
    ValidationError raised by the service is shown on the form and nothing changes.
    """

    template_name = "includes/action_form.html"
    title = ""
    button_class = "btn-primary"
    success_message = gettext_lazy("操作已完成。")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return get_visible_or_denied(self.model, self.request.user, self.kwargs["pk"], self.required_action())

    def required_action(self):
        return CHANGE

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), PortalForm):
            kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        ctx["button_class"] = self.button_class
        return ctx

    def get_success_url(self):
        return self.object.get_absolute_url()

    def form_valid(self, form):
        try:
            with files_follow_transaction():
                self.perform(self.object, form)
        except StorageFull as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def perform(self, obj, form):
        raise NotImplementedError


class HomeView(LoginRequiredMixin, TemplateView):
    """The home page of every role: what waits for the user (consortium.workqueue), newest first."""

    template_name = "home.html"
    open_to_experts = True

    def get_context_data(self, **kwargs):
        from . import workqueue

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        items = workqueue.items_for(user)
        ctx["work_items"] = items
        ctx["last_visit"] = getattr(user, "last_home_visit", None)
        # "What changed since the last visit" counts from the previous visit; this one starts the next.
        if hasattr(user, "last_home_visit"):
            get_user_model()._default_manager.filter(pk=user.pk).update(last_home_visit=timezone.now())
            workqueue.forget_count(user)
        else:
            workqueue.remember_count(user, sum(item.count for item in items))
        return ctx
