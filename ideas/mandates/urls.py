"""Mandate pages, included under /idees/mandats/ in the `ideas` namespace (names mandate_*)."""

from django.urls import path

from ideas.mandates import views

urlpatterns = [
    path("", views.mandate_list, name="mandate_list"),
    path("export.csv", views.mandate_export, name="mandate_export"),
    path("a-signer/", views.mandate_signatures, name="mandate_signatures"),
    path("nouveau/", views.mandate_create, name="mandate_create"),
    path("<int:pk>/", views.mandate_detail, name="mandate_detail"),
    path("<int:pk>/modifier/", views.mandate_edit, name="mandate_edit"),
    path("<int:pk>/envoyer/", views.mandate_send, name="mandate_send"),
    path("<int:pk>/signer/", views.mandate_sign, name="mandate_sign"),
    path("<int:pk>/imprimer/", views.mandate_print, name="mandate_print"),
    path("<int:pk>/cloturer/", views.mandate_end, name="mandate_end"),
    path("points/<int:pk>/", views.followup_record, name="followup_record"),
]
