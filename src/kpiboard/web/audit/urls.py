"""The audit log, for administrators: /audit/, /audit/export.csv, /audit/lockouts/."""

from django.urls import path

from kpiboard.web.audit import views

urlpatterns = [
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.csv", views.audit_csv, name="audit_csv"),
    path("audit/lockouts/", views.lockouts, name="audit_lockouts"),
]
