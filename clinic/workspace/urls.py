from django.urls import path

from clinic.workspace.views import access_log, board, home, signin
from clinic.workspace.views.desk import search as desk_search

app_name = "workspace"
urlpatterns = [
    path("", home.home, name="home"),
    # Sign-in: password, then the authenticator's code (or its setup the first time).
    path("login/", signin.login_view, name="login"),
    path("login/code/", signin.verify_view, name="login_verify"),
    path("login/setup/", signin.setup_view, name="login_setup"),
    path("logout/", signin.logout_view, name="logout"),
    # Front desk
    path("desk/", desk_search.desk, name="desk"),
    path("desk/patients/<int:patient_id>/", desk_search.patient, name="desk_patient"),
    # The day board
    path("board/", board.board, name="board"),
    path("board/grid/", board.board_grid, name="board_grid"),
    path("board/appointments/<int:appointment_id>/state/", board.mark, name="board_mark"),
    # Patients
    path("patients/<int:patient_id>/access/", access_log.access_log, name="access_log"),
]
