from django.urls import path

from tongxing.needs import views

app_name = "needs"

urlpatterns = [
    path("", views.board, name="board"),
    path("<int:need_id>/", views.detail, name="detail"),
    path("review/", views.review_queue, name="review"),
    path("my-pledges/", views.my_pledges, name="my_pledges"),
]
