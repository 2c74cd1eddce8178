from django.urls import include, path

from ideas import views

app_name = "ideas"
urlpatterns = [
    path("", views.idea_list, name="list"),
    path("export.csv", views.idea_export, name="export"),
    path("tableau/", views.board, name="board"),
    path("proposer/", views.idea_create, name="create"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/modifier/", views.idea_edit, name="edit"),
    path("<int:pk>/etape/", views.idea_move, name="move"),
    path("<int:pk>/accompagnement/", views.idea_support, name="support"),
    path("<int:pk>/vote/", views.idea_vote, name="vote"),
    path("<int:pk>/suivre/", views.idea_follow, name="follow"),
    path("<int:pk>/me-retirer/", views.coauthor_leave, name="coauthor_leave"),
    path("<int:pk>/commentaires/", views.comment_create, name="comment"),
    path("commentaires/<int:pk>/masquer/", views.comment_hide, name="comment_hide"),
    path("<int:pk>/pieces-jointes/", views.attachment_upload, name="attachment_upload"),
    path("pieces-jointes/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("appels/", views.campaign_list, name="campaign_list"),
    path("appels/nouveau/", views.campaign_create, name="campaign_create"),
    path("appels/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("appels/<int:pk>/modifier/", views.campaign_edit, name="campaign_edit"),
    path("defis/nouveau/", views.challenge_create, name="challenge_create"),
    path("defis/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("defis/<int:pk>/modifier/", views.challenge_edit, name="challenge_edit"),
    path("mandats/", include("ideas.mandates.urls")),
]
