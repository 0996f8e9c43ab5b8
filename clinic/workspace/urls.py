from django.urls import include, path

from clinic.workspace.views import access_log, board, home, lab, room, room_actions, signin
from clinic.workspace.views.desk import booking as desk_booking
from clinic.workspace.views.desk import changes as desk_changes
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
    path("desk/patients/<int:patient_id>/book/", desk_booking.book, name="desk_book"),
    path("desk/walk-in/", desk_booking.walk_in, name="desk_walk_in"),
    path("desk/appointments/<int:appointment_id>/move/", desk_changes.move, name="desk_move"),
    path("desk/appointments/<int:appointment_id>/cancel/", desk_changes.cancel, name="desk_cancel"),
    path("desk/appointments/<int:appointment_id>/slip/", desk_changes.slip, name="desk_slip"),
    # The day board
    path("board/", board.board, name="board"),
    path("board/grid/", board.board_grid, name="board_grid"),
    path("board/appointments/<int:appointment_id>/state/", board.mark, name="board_mark"),
    # Patients
    path("patients/<int:patient_id>/access/", access_log.access_log, name="access_log"),
    # The doctor's room (views/room.py reads, views/room_actions.py writes) and the lab.
    path("room/", room.doctor_day, name="doctor_day"),
    path("room/patients/<int:patient_id>/", room.patient_summary, name="room_patient"),
    path("room/visits/<int:appointment_id>/", room.visit, name="room_visit"),
    path("room/visits/<int:appointment_id>/start/", room_actions.start, name="room_start"),
    path("room/visits/<int:appointment_id>/consultation/", room_actions.consultation,
         name="room_consultation"),
    path("room/visits/<int:appointment_id>/consultation/error/", room_actions.consultation_error,
         name="room_consultation_error"),
    path("room/visits/<int:appointment_id>/lines/", room_actions.line_add, name="room_line_add"),
    path("room/visits/<int:appointment_id>/lines/<int:line_id>/error/", room_actions.line_error,
         name="room_line_error"),
    path("room/visits/<int:appointment_id>/lab/", room_actions.lab_order, name="room_lab_order"),
    path("room/visits/<int:appointment_id>/complete/", room_actions.complete,
         name="room_complete"),
    path("room/visits/<int:appointment_id>/prescription/", room_actions.prescription,
         name="room_prescription"),
    path("lab/", lab.queue, name="lab_queue"),
    path("lab/<int:report_id>/attach/", lab.attach, name="lab_attach"),
    path("lab/<int:report_id>/release/", lab.release, name="lab_release"),
    # The manager's pages (clinic/workspace/manage_urls.py)
    path("manage/", include("clinic.workspace.manage_urls")),
]
