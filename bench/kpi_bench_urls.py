"""The portal's URLs plus /bench/bare/: a 20 KB template rendered with no database query."""

from django.urls import include, path
from django.views.generic import TemplateView


class BareView(TemplateView):
    template_name = "kpi_bench_bare.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [{"n": i, "label": f"第{i}项", "value": i * 37} for i in range(40)]
        return ctx


urlpatterns = [
    path("bench/bare/", BareView.as_view(), name="kpi_bench_bare"),
    path("", include("consortium.urls")),
]
