from django.urls import path

from clinic.workspace.views import access_log, home, signin
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
    # Patients
    path("patients/<int:patient_id>/access/", access_log.access_log, name="access_log"),
]
