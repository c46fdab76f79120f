from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_board, name="board"),
    path("<int:pk>/<str:action>/", views.campaign_action, name="action"),
    path("<int:pk>/devices/<int:target>/<str:action>/", views.target_action, name="target_action"),
]
