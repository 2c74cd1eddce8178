from django.contrib.auth import views as auth_views
from django.urls import path

from innovation.platform import views
from innovation.platform.forms import PasswordResetForm

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/lues/", views.notification_mark_read, name="notification_mark_read"),
    path("annuaire/", views.people_list, name="people_list"),
    path("annuaire/chercher/", views.people_search, name="people_search"),
    path("annuaire/import/", views.people_import, name="people_import"),
    path("annuaire/<int:pk>/", views.person_detail, name="person_detail"),
    path(
        "annuaire/<int:pk>/pseudonymiser/",
        views.person_pseudonymise,
        name="person_pseudonymise",
    ),
    path("profil/mes-donnees.json", views.my_data, name="my_data"),
    path("journal/", views.audit_log, name="audit_log"),
    path("journal/export.csv", views.audit_export, name="audit_export"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/fait/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "mot-de-passe/changer/fait/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
