from django.urls import path

from . import views as v

app_name = "training"

urlpatterns = [
    # Order classes and their guest professors
    path("order-classes/", v.OrderClassListView.as_view(), name="orderclass_list"),
    path("order-classes/add/", v.OrderClassCreateView.as_view(), name="orderclass_add"),
    path("order-classes/<int:pk>/", v.OrderClassDetailView.as_view(), name="orderclass_detail"),
    path("order-classes/<int:pk>/edit/", v.OrderClassUpdateView.as_view(), name="orderclass_edit"),
    path("order-classes/<int:pk>/delete/", v.OrderClassDeleteView.as_view(), name="orderclass_delete"),
    path("order-classes/<int:pk>/funnel/", v.OrderClassFunnelView.as_view(), name="orderclass_funnel"),
    path("order-classes/<int:pk>/professors/add/", v.GuestProfessorCreateView.as_view(), name="guestprofessor_add"),
    path("guest-professors/<int:pk>/edit/", v.GuestProfessorUpdateView.as_view(), name="guestprofessor_edit"),
    path("guest-professors/<int:pk>/delete/", v.GuestProfessorDeleteView.as_view(), name="guestprofessor_delete"),
    # Training sessions, trainees and imports
    path("sessions/", v.TrainingSessionListView.as_view(), name="session_list"),
    path("sessions/add/", v.TrainingSessionCreateView.as_view(), name="session_add"),
    path("sessions/<int:pk>/", v.TrainingSessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", v.TrainingSessionUpdateView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/delete/", v.TrainingSessionDeleteView.as_view(), name="session_delete"),
    path("sessions/<int:pk>/import/", v.TraineeImportView.as_view(), name="trainee_import"),
    path("sessions/<int:pk>/trainees/add/", v.TraineeAddView.as_view(), name="trainee_add"),
    path("trainees/", v.TraineeListView.as_view(), name="trainee_list"),
    path("trainees/<int:pk>/remove/", v.TraineeDeleteView.as_view(), name="trainee_delete"),
    path("trainees/template.<str:fmt>", v.TraineeTemplateView.as_view(), name="trainee_template"),
    path("imports/<int:pk>/", v.TraineeImportDetailView.as_view(), name="trainee_import_detail"),
    path("imports/<int:pk>/confirm/", v.TraineeImportConfirmView.as_view(), name="trainee_import_confirm"),
    path("imports/<int:pk>/discard/", v.TraineeImportDiscardView.as_view(), name="trainee_import_discard"),
    # Teachers and dual-qualified records
    path("teachers/", v.TeacherListView.as_view(), name="teacher_list"),
    path("teachers/add/", v.TeacherCreateView.as_view(), name="teacher_add"),
    path("teachers/duplicates/", v.TeacherDuplicatesView.as_view(), name="teacher_duplicates"),
    path("teachers/<int:pk>/merge/", v.TeacherMergeView.as_view(), name="teacher_merge"),
    path("teachers/<int:pk>/", v.TeacherDetailView.as_view(), name="teacher_detail"),
    path("teachers/<int:pk>/edit/", v.TeacherUpdateView.as_view(), name="teacher_edit"),
    path("teachers/<int:pk>/delete/", v.TeacherDeleteView.as_view(), name="teacher_delete"),
    path("teachers/<int:pk>/trainings/add/", v.DualTeacherTrainingCreateView.as_view(), name="dualtraining_add"),
    path("dual-trainings/<int:pk>/edit/", v.DualTeacherTrainingUpdateView.as_view(), name="dualtraining_edit"),
    path("dual-trainings/<int:pk>/delete/", v.DualTeacherTrainingDeleteView.as_view(), name="dualtraining_delete"),
    path("teachers/<int:pk>/practices/add/", v.EnterprisePracticeCreateView.as_view(), name="practice_add"),
    path("practices/<int:pk>/edit/", v.EnterprisePracticeUpdateView.as_view(), name="practice_edit"),
    path("practices/<int:pk>/delete/", v.EnterprisePracticeDeleteView.as_view(), name="practice_delete"),
    path("teachers/<int:pk>/recognitions/add/", v.DualTeacherRecognitionCreateView.as_view(), name="recognition_add"),
    path("recognitions/<int:pk>/edit/", v.DualTeacherRecognitionUpdateView.as_view(), name="recognition_edit"),
    path("recognitions/<int:pk>/delete/", v.DualTeacherRecognitionDeleteView.as_view(), name="recognition_delete"),
    # Exchange visits
    path("visits/", v.ExchangeVisitListView.as_view(), name="visit_list"),
    path("visits/add/", v.ExchangeVisitCreateView.as_view(), name="visit_add"),
    path("visits/<int:pk>/", v.ExchangeVisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", v.ExchangeVisitUpdateView.as_view(), name="visit_edit"),
    path("visits/<int:pk>/delete/", v.ExchangeVisitDeleteView.as_view(), name="visit_delete"),
]
