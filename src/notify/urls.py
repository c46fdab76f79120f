from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/retry/", views.outbox_retry, name="retry"),
    path("orders/<int:order_id>/", views.order_log, name="order_log"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
]
