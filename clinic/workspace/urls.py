from django.urls import path

from clinic.workspace.views import access_log, home, signin

app_name = "workspace"
urlpatterns = [
    path("", home.home, name="home"),
    # Sign-in: password, then the authenticator's code (or its setup the first time).
    path("login/", signin.login_view, name="login"),
    path("login/code/", signin.verify_view, name="login_verify"),
    path("login/setup/", signin.setup_view, name="login_setup"),
    path("logout/", signin.logout_view, name="logout"),
    # Patients
    path("patients/<int:patient_id>/access/", access_log.access_log, name="access_log"),
]
