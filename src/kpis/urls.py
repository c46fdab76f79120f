from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_table, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("capacity/", views.capacity, name="capacity"),
    path("mine/", views.mine, name="mine"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/export.xlsx", views.scorecards_export, name="scorecards_export"),
    path("scorecards/<int:pk>/lock/", views.scorecard_lock_view, name="scorecard_lock"),
    path("drilldown/<str:name>/", views.drilldown, name="drilldown"),
    path("drilldown/<str:name>/export.xlsx", views.export_drilldown, name="drilldown_export"),
]
