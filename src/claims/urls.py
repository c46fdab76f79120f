from django.urls import path

from claims import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/", views.claim_create, name="create"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/answers/", views.claim_answers, name="answers"),
    path("<int:pk>/evidence/", views.claim_evidence_upload, name="evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.claim_evidence_file, name="evidence_file"),
    path("<int:pk>/<str:action>/", views.claim_action, name="action"),
    path("rule-sets/", views.rule_set_list, name="rule_sets"),
    path("rule-sets/<int:pk>/", views.rule_set_detail, name="rule_set"),
    path("rule-sets/<int:pk>/new-version/", views.rule_set_new_version, name="rule_set_new_version"),
]
