from django.urls import path

from tongxing.indicators import views

app_name = "indicators"
urlpatterns = [
    # Approvals: frozen figures beside live ones, approve and withdraw.
    path("approvals/", views.approvals_page, name="approvals"),
    path("approvals/approve/", views.approve, name="approve"),
    path("approvals/<int:approval_id>/withdraw/", views.withdraw, name="withdraw"),
]
