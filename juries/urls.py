from django.urls import path

from juries.views import preparing, results, room

app_name = "juries"
urlpatterns = [
    # Preparing (juries/views/preparing.py)
    path("", preparing.forum_list, name="list"),
    path("nouveau/", preparing.forum_create, name="create"),
    path("<int:pk>/", preparing.forum_detail, name="detail"),
    path("<int:pk>/modifier/", preparing.forum_edit, name="edit"),
    path("<int:pk>/criteres/", preparing.criterion_create, name="criterion_create"),
    path("criteres/<int:pk>/supprimer/", preparing.criterion_delete, name="criterion_delete"),
    path("<int:pk>/jury/", preparing.juror_create, name="juror_create"),
    path("jures/<int:pk>/retirer/", preparing.juror_delete, name="juror_delete"),
    path("<int:pk>/proposer/", preparing.put_forward, name="put_forward"),
    path("pitchs/<int:pk>/retirer/", preparing.pitch_withdraw, name="pitch_withdraw"),
    path("pitchs/<int:pk>/deplacer/", preparing.pitch_move, name="pitch_move"),
    # Opens scoring; closing is answered by results.close.
    path("<int:pk>/etape/", preparing.forum_stage, name="stage"),
    # The room (juries/views/room.py)
    path("<int:pk>/scene/", room.on_stage, name="on_stage"),
    path("<int:pk>/noter/", room.score, name="score"),
    path("<int:pk>/noter/<int:pitch_pk>/", room.score_pitch, name="score_pitch"),
    path("<int:pk>/noter/<int:pitch_pk>/deporter/", room.recuse, name="recuse"),
    path("<int:pk>/tableau/", room.board, name="board"),
    path("<int:pk>/tableau.json", room.board_json, name="board_json"),
    path("<int:pk>/chrono/", room.timer, name="timer"),
    # Results (juries/views/results.py)
    path("<int:pk>/resultats/", results.results, name="results"),
    path("<int:pk>/deliberation/", results.deliberate, name="deliberate"),
    path("<int:pk>/publier/", results.publish, name="publish"),
    path("<int:pk>/palmares/", results.palmares, name="palmares"),
    path("<int:pk>/accompagnement/", results.accompany, name="accompany"),
    path("<int:pk>/notes.csv", results.export_scores, name="export_scores"),
    path("<int:pk>/resultats.csv", results.export_results, name="export_results"),
]
