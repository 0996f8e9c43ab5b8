from django.urls import path

from clinic.core import downloads

app_name = "files"
urlpatterns = [path("<str:token>/", downloads.download, name="download")]
