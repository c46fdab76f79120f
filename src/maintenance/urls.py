from django.urls import path

from maintenance import views

app_name = "maintenance"
urlpatterns = [
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/generate/", views.plan_generate, name="plan_generate"),
    path("orders/<int:pk>/inspection/", views.inspection, name="inspection"),
    path("orders/<int:pk>/inspection.pdf", views.inspection_pdf, name="inspection_pdf"),
    path("rollup/", views.rollup, name="rollup"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<int:pk>/plan/", views.contract_plan, name="contract_plan"),
]
