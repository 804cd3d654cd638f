from django.urls import path

from tongxing.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_file, name="import"),
    path("<str:code>/", views.tree, name="region"),
]
