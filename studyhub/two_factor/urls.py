from django.urls import path

from studyhub.two_factor import views

app_name = "two_factor"
urlpatterns = [
    path("", views.setup, name="setup"),
    path("off/", views.disable, name="disable"),
    path("backup-codes/", views.backup_codes, name="backup-codes"),
    path("verify/", views.verify, name="verify"),
]
