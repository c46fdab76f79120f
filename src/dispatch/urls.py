from django.urls import path

from dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.board, name="board"),
    path("board/drop/", views.board_drop, name="board_drop"),
    path("orders/<int:order_id>/assign/", views.assign, name="assign"),
    path("plans/propose/", views.propose, name="propose"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/<slug:action>/", views.plan_action, name="plan_action"),
    path("orders/<int:order_id>/appointment/", views.appointment_book, name="appointment_book"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("loans/", views.loans, name="loans"),
    path("technicians/", views.technician_list, name="technicians"),
    path("technicians/<int:user_id>/", views.technician_edit, name="technician"),
]
