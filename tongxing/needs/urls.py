from django.urls import path

from tongxing.needs import views

app_name = "needs"

urlpatterns = [
    # The public board and a donor's pages.
    path("", views.board, name="board"),
    path("<int:need_id>/", views.detail, name="detail"),
    path("<int:need_id>/pledge/", views.pledge, name="pledge"),
    path("my-pledges/", views.my_pledges, name="my_pledges"),
    path("pledges/<int:pledge_id>/deliver/", views.pledge_deliver, name="pledge_deliver"),
    path("pledges/<int:pledge_id>/withdraw/", views.pledge_withdraw, name="pledge_withdraw"),
    path("pledges/<int:pledge_id>/photo/", views.pledge_photo, name="pledge_photo"),
    # Staff of a region, and a household's own account.
    path("new/", views.need_create, name="create"),
    path("region/", views.region_needs, name="region"),
    path("<int:need_id>/edit/", views.need_edit, name="edit"),
    path("<int:need_id>/manage/", views.manage, name="manage"),
    path("<int:need_id>/submit/", views.need_submit, name="submit"),
    path("<int:need_id>/cancel/", views.need_cancel, name="cancel"),
    path("pledges/<int:pledge_id>/confirm/", views.pledge_confirm, name="pledge_confirm"),
    path("pledges/<int:pledge_id>/thank/", views.pledge_thank, name="pledge_thank"),
    # Reviewers.
    path("review/", views.review_queue, name="review"),
    path("review/approve/", views.review_approve_many, name="review_approve_many"),
    path("<int:need_id>/review/", views.need_review, name="review_need"),
    path("escalated/", views.escalated, name="escalated"),
    path("<int:need_id>/reopen/", views.need_reopen, name="reopen"),
    path("rules/", views.review_rules, name="rules"),
    path(
        "rules/terms/<int:term_id>/remove/",
        views.review_rule_term_remove,
        name="rule_term_remove",
    ),
]
