from django.urls import path

from juries import views

app_name = "juries"
urlpatterns = [
    path("", views.forum_list, name="list"),
    path("nouveau/", views.forum_create, name="create"),
    path("<int:pk>/", views.forum_detail, name="detail"),
    path("<int:pk>/modifier/", views.forum_edit, name="edit"),
    path("<int:pk>/criteres/", views.criterion_create, name="criterion_create"),
    path("criteres/<int:pk>/supprimer/", views.criterion_delete, name="criterion_delete"),
    path("<int:pk>/jury/", views.juror_create, name="juror_create"),
    path("jures/<int:pk>/retirer/", views.juror_delete, name="juror_delete"),
    path("<int:pk>/proposer/", views.put_forward, name="put_forward"),
    path("pitchs/<int:pk>/retirer/", views.pitch_withdraw, name="pitch_withdraw"),
    path("pitchs/<int:pk>/deplacer/", views.pitch_move, name="pitch_move"),
    path("<int:pk>/scene/", views.on_stage, name="on_stage"),
    path("<int:pk>/etape/", views.forum_stage, name="stage"),
    path("<int:pk>/noter/", views.score, name="score"),
    path("<int:pk>/noter/<int:pitch_pk>/", views.score_pitch, name="score_pitch"),
    path("<int:pk>/noter/<int:pitch_pk>/deporter/", views.recuse, name="recuse"),
    path("<int:pk>/tableau/", views.board, name="board"),
    path("<int:pk>/tableau.json", views.board_json, name="board_json"),
    path("<int:pk>/chrono/", views.timer, name="timer"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/deliberation/", views.deliberate, name="deliberate"),
    path("<int:pk>/publier/", views.publish, name="publish"),
    path("<int:pk>/palmares/", views.palmares, name="palmares"),
    path("<int:pk>/accompagnement/", views.accompany, name="accompany"),
    path("<int:pk>/notes.csv", views.export_scores, name="export_scores"),
    path("<int:pk>/resultats.csv", views.export_results, name="export_results"),
]
