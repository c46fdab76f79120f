from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/feedback/", views.article_feedback, name="feedback"),
    path("<int:pk>/images/", views.image_add, name="image_add"),
    path("<int:pk>/images/<int:image_pk>/", views.image, name="image"),
    path("<int:pk>/<slug:action>/", views.article_action, name="action"),
    path("orders/<int:order_pk>/card/", views.order_card, name="order_card"),
    path("orders/<int:order_pk>/draft/", views.from_order, name="from_order"),
    path("orders/<int:order_pk>/solved/", views.apply, name="apply"),
]
