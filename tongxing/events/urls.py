from django.urls import path

from tongxing.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/edit/", views.event_edit, name="edit"),
    path("<int:event_id>/outcomes/", views.event_outcomes, name="outcomes"),
    path("<int:event_id>/attendance/", views.event_attendance, name="attendance"),
    path("<int:event_id>/attendance/file/", views.event_attendance_file, name="attendance_file"),
    path("<int:event_id>/income-gains/", views.event_gain, name="gain"),
    path("<int:event_id>/prizes/", views.event_prize, name="prize"),
    path("exemplars/", views.exemplars, name="exemplars"),
    path("exemplars/defaults/", views.award_defaults, name="award_defaults"),
    path("exemplars/nominate/", views.nominate, name="nominate"),
    path("exemplars/<int:nomination_id>/decide/", views.decide, name="decide"),
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_submit, name="story_submit"),
    path("stories/<int:story_id>/review/", views.story_review, name="story_review"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/new/", views.publicity_add, name="publicity_add"),
    path("publicity/<int:item_id>/file/", views.publicity_file, name="publicity_file"),
    path("policies/", views.policies, name="policies"),
    path("policies/new/", views.policy_add, name="policy_add"),
    path("policies/<int:document_id>/file/", views.policy_file, name="policy_file"),
    path("policies/compendia/new/", views.compendium_add, name="compendium_add"),
    path(
        "policies/compendia/<int:compendium_id>/publish/",
        views.compendium_publish,
        name="compendium_publish",
    ),
]
