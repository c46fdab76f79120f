from django.urls import path

from workcalendar import views

app_name = "workcalendar"
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("new/", views.calendar_create, name="create"),
    path("<str:code>/", views.calendar_detail, name="detail"),
    path("<str:code>/edit/", views.calendar_edit, name="edit"),
    path("<str:code>/days/add/", views.day_add, name="day_add"),
    path("<str:code>/days/import/", views.days_import, name="days_import"),
    path("<str:code>/days/<int:pk>/remove/", views.day_remove, name="day_remove"),
    path("<str:code>/years/<int:year>/complete/", views.year_mark_complete, name="year_complete"),
    path("<str:code>/years/<int:year>/incomplete/", views.year_mark_incomplete, name="year_incomplete"),
]
