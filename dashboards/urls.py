from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("print/", views.PrintView.as_view(), name="print"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("organizations/<int:pk>/", views.OrganizationView.as_view(), name="organization"),
    path("metrics/<slug:code>/records/", views.RecordsView.as_view(), name="records"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("years/<int:year>/close/", views.CloseYearView.as_view(), name="year_close"),
    path("years/<int:year>/reopen/", views.ReopenYearView.as_view(), name="year_reopen"),
]
