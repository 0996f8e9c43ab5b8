from django.urls import path

from clinic.records import downloads

app_name = "records"
urlpatterns = [path("<str:token>/", downloads.prescription, name="prescription")]
