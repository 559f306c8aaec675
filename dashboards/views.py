"""The dashboards: overview, an organisation's contribution, drill-down, exports, targets, year close.

Every page reads the snapshot tables (dashboards/figures.py), never the records,
except the drill-down, which lists the records behind one figure through for_user().
"""

import logging

from celery.result import EagerResult
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from consortium.access import is_reader, is_writer, member_org_id
from consortium.exports import neutralise, resolve, xlsx_response
from consortium.views import StaffRequiredMixin
from members.models import Organization

from . import figures, pagecache, services
from .forms import CloseYearForm, ReopenYearForm, TargetsForm
from .metrics import REGISTRY
from .models import MetricActual, Target, YearCloseEvent

logger = logging.getLogger("consortium.dashboards")

MIN_YEAR, MAX_YEAR = 2000, 2100


def requested_year(request):
    """?year=…, else the current year in Shanghai; 404 for nonsense."""
    raw = request.GET.get("year") or request.POST.get("year")
    if not raw:
        return services.current_year()
    try:
        year = int(raw)
    except ValueError:
        raise Http404(_("年度无效。")) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("年度无效。"))
    return year


class YearMixin:
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year"] = self.year
        ctx["years"] = sorted(set(figures.available_years()) | {services.current_year(), self.year}, reverse=True)
        ctx["can_manage"] = is_writer(self.request.user)
        return ctx


class OverviewView(LoginRequiredMixin, YearMixin, TemplateView):
    """The leadership overview of a year (members: totals and their own organisation)."""

    template_name = "dashboards/overview.html"

    def get(self, request, *args, **kwargs):
        self.year = requested_year(request)
        key = pagecache.key_for(request, self.year)
        cached = pagecache.serve(request, key)
        if cached is not None:
            return cached
        response = super().get(request, *args, **kwargs)
        response.render()
        return pagecache.store(request, key, response)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Rendered with a placeholder token: pagecache puts the session's own token in.
        ctx["csrf_token"] = pagecache.CSRF_PLACEHOLDER
        user, year = self.request.user, self.year
        known = figures.head(year)
        # The rendered figures change only with a roll-up, a target or a close: the template
        # caches them under a key of those (three small queries), so most requests skip
        # building them. The lazy objects below are evaluated only when the cache misses.
        ctx["head"] = known
        # A year without targets says so (staff get the link to set them); the head already
        # counted the year's targets when the year has been rolled up.
        ctx["has_targets"] = (
            bool(known.targets_stamp[0]) if known.state is not None else Target.objects.filter(year=year).exists()
        )
        ctx["cache_key"] = known.cache_key(figures.scope_of(user))
        ctx["overview"] = SimpleLazyObject(lambda: figures.build(year, user, known=known))
        ctx["close_events"] = SimpleLazyObject(
            lambda: list(YearCloseEvent.objects.filter(year=year).select_related("actor")[:5])
        )
        return ctx


class PrintView(OverviewView):
    """The overview as an A4 page for council meetings (monthly figures as tables)."""

    template_name = "dashboards/print.html"


class OrganizationView(LoginRequiredMixin, YearMixin, TemplateView):
    """One organisation's contribution to each metric (a member: its own organisation only)."""

    template_name = "dashboards/organization.html"

    def get(self, request, *args, **kwargs):
        self.year = requested_year(request)
        self.organization = get_object_or_404(Organization.objects.for_user(request.user), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["organization"] = self.organization
        ctx["overview"] = figures.build(self.year, self.request.user, organization=self.organization)
        return ctx


class RecordsView(LoginRequiredMixin, ListView):
    """Drill-down: the records behind one figure, filtered by for_user() like the list pages."""

    template_name = "dashboards/records.html"
    paginate_by = 25

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.metric = REGISTRY.get(kwargs["code"])
        if self.metric is None:
            raise Http404(_("未知的指标。"))
        return super().dispatch(request, *args, **kwargs)

    def get_organization(self):
        user = self.request.user
        raw = self.request.GET.get("organization")
        own = member_org_id(user)
        if raw:
            try:
                org_id = int(raw)
            except ValueError:
                raise Http404(_("成员单位无效。")) from None
            if own is not None and org_id != own:
                raise PermissionDenied(_("您只能查看本单位的明细。"))
            return get_object_or_404(Organization.objects.for_user(user), pk=org_id)
        if own is not None:
            return user.organization
        return None

    def get_queryset(self):
        self.year = requested_year(self.request)
        self.organization = self.get_organization()
        metric = self.metric
        # ?scheduled=1: the records of the pipeline (not done yet), never part of the figure.
        self.scheduled = metric.has_pipeline and self.request.GET.get("scheduled") == "1"
        qs = metric.scheduled_records(self.year) if self.scheduled else metric.records(self.year)
        manager = metric.model._default_manager
        if not is_reader(self.request.user):
            qs = qs.filter(pk__in=manager.for_user(self.request.user).values("pk"))
        if self.organization is not None:
            # Every party of a shared record sees it, as the figure credits it.
            qs = qs.filter(pk__in=manager.filter(metric.party_q(self.organization.pk)).values("pk"))
        return qs.order_by(*(metric.model._meta.ordering or ["pk"]))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(metric=self.metric, year=self.year, organization=self.organization, scheduled=self.scheduled)
        if self.organization is None and self.metric.has_pipeline:
            ctx["pipeline"] = (
                MetricActual.objects.filter(year=self.year, metric=self.metric.code)
                .values_list("pipeline", flat=True)
                .first()
            )
        ctx["headers"] = [c.header for c in self.metric.columns]
        ctx["rows"] = [
            (obj, [neutralise(resolve(obj, c.accessor)) for c in self.metric.columns]) for obj in ctx["object_list"]
        ]
        return ctx


class ExportView(LoginRequiredMixin, View):
    """The overview as an Excel workbook (formulas neutralised by consortium.exports)."""

    def get(self, request):
        year = requested_year(request)
        overview = figures.build(year, request.user)
        return xlsx_response(export_rows(overview), f"kpi-{year}", sheet_title=_("%(year)s年度目标") % {"year": year})


def _num(value):
    """Decimals as numbers in the workbook (a negative change must not read as text)."""
    return float(value) if value is not None else None


def export_rows(overview):
    yield [_("兰州新区产教联合体 %(year)s 年度目标完成情况") % {"year": overview.year}]
    stamp = (
        timezone.localtime(overview.computed_at).strftime("%Y-%m-%d %H:%M") if overview.computed_at else _("尚未计算")
    )
    yield [_("数据更新于"), stamp, _("已关账") if overview.is_closed else ""]
    yield []
    yield [
        _("指标"),
        _("单位"),
        _("完成值"),
        _("目标值"),
        _("挑战值"),
        _("完成率（%）"),
        _("状态"),
        _("上年"),
        _("同比变化"),
        _("本单位贡献") if overview.scope_org else "",
        _("计划中（至年底）"),
    ]
    for c in overview.cards:
        yield [
            str(c.metric.label),
            str(c.metric.unit),
            _num(c.actual),
            _num(c.minimum),
            _num(c.stretch),
            _num(c.percent),
            str(c.status_label),
            _num(c.previous),
            _num(c.change),
            _num(c.own) if overview.scope_org else None,
            _num(c.pipeline),
        ]
    yield []
    yield [_("月度累计")] + [_("%(month)d月") % {"month": m} for m in range(1, 13)]
    for c in overview.cards:
        if c.monthly:
            yield [str(c.metric.label)] + [_num(v) for v in c.monthly]
    if overview.full:
        for title, table in ((_("按单位类型"), overview.kinds), (_("按产业链"), overview.chains)):
            yield []
            yield [title] + [str(m.label) for m in overview.additive]
            for label, values in table:
                yield [str(label)] + [_num(v) for v in values]
        yield []
        yield [_("贡献前列单位"), _("指标"), _("贡献值")]
        for c in overview.cards:
            for row in c.top:
                yield [row["organization__name"], str(c.metric.label), _num(row["value"])]


class TargetsView(StaffRequiredMixin, YearMixin, FormView):
    """Staff set the year's targets (minimum and optional stretch per metric)."""

    template_name = "dashboards/targets.html"
    form_class = TargetsForm
    denied_message = gettext_lazy("只有联合体工作人员可以设置年度目标。")

    def dispatch(self, request, *args, **kwargs):
        self.year = requested_year(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["targets"] = {t.metric: t for t in Target.objects.filter(year=self.year)}
        return kwargs

    def form_valid(self, form):
        try:
            services.set_targets(self.year, form.values(), by=self.request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(year)s 年度目标已保存。") % {"year": self.year})
        return HttpResponseRedirect(reverse("dashboards:overview") + f"?year={self.year}")


class RecomputeView(StaffRequiredMixin, View):
    """The "recompute now" button: enqueue the roll-up (in-process without a broker)."""

    def post(self, request):
        from .tasks import rollup_kpis

        year = requested_year(request)
        target = reverse("dashboards:overview") + f"?year={year}"
        if services.is_closed(year):
            messages.error(request, _("%(year)s 年度已关账，数据已冻结，不再重新计算。") % {"year": year})
            return HttpResponseRedirect(target)
        try:
            result = rollup_kpis.apply_async(kwargs={"year": year})
        except Exception:
            logger.exception("KPI roll-up of %s could not be enqueued; running it here", year)
            services.rollup(year)
            messages.success(request, _("已重新计算 %(year)s 年度指标。") % {"year": year})
            return HttpResponseRedirect(target)
        # Run in-process (no broker) the result is at hand; queued to a worker it is not, and with
        # no result backend asking for it would fail.
        if isinstance(result, EagerResult) and result.successful():
            messages.success(request, _("已重新计算 %(year)s 年度指标。") % {"year": year})
        else:
            messages.info(request, _("已提交重新计算，稍后刷新即可看到最新数据。"))
        return HttpResponseRedirect(target)


class YearStepView(StaffRequiredMixin, FormView):
    """Close or reopen a year: a confirmation form whose POST calls a service."""

    template_name = "dashboards/year_step.html"
    denied_message = gettext_lazy("只有联合体工作人员可以关账或重新开放年度。")

    def dispatch(self, request, *args, **kwargs):
        self.year = kwargs["year"]
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise Http404(_("年度无效。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(year=self.year, title=self.title, button_class=self.button_class, help_text=self.help_text)
        return ctx

    def form_valid(self, form):
        try:
            self.perform(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"year": self.year})
        return HttpResponseRedirect(reverse("dashboards:overview") + f"?year={self.year}")


class CloseYearView(YearStepView):
    form_class = CloseYearForm
    title = gettext_lazy("年度关账")
    button_class = "btn-warning"
    help_text = gettext_lazy("关账前将最后计算一次本年度指标；关账后数据冻结，之后对往年记录的修改不再改变这些数字。")
    success_message = gettext_lazy("%(year)s 年度已关账，数据已冻结。")

    def perform(self, form):
        services.close_year(self.year, by=self.request.user)


class ReopenYearView(YearStepView):
    form_class = ReopenYearForm
    title = gettext_lazy("重新开放年度")
    button_class = "btn-danger"
    help_text = gettext_lazy("重新开放后，定时计算将再次更新本年度数据。原因、操作人和时间将被记录。")
    success_message = gettext_lazy("%(year)s 年度已重新开放。")

    def perform(self, form):
        services.reopen_year(self.year, by=self.request.user, reason=form.cleaned_data["reason"])
