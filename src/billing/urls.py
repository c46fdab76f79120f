from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("orders/<int:pk>/quote/", views.quote_build, name="quote_build"),
    path("orders/<int:pk>/settle/", views.settlement_create, name="settle"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<int:pk>/confirm/", views.quote_confirm, name="quote_confirm"),
    path("settlements/", views.settlement_list, name="settlements"),
    path("settlements/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("settlements/<int:pk>/review/", views.settlement_review, name="review"),
    path("purchase-requests/", views.purchase_request_list, name="purchase_requests"),
    path("purchase-requests/<int:pk>/price/", views.purchase_request_price, name="purchase_price"),
    path("fee-schedules/", views.fee_schedule_list, name="fee_schedules"),
    path("fee-schedules/new/", views.fee_schedule_create, name="fee_schedule_new"),
    path("price-lists/", views.price_list_list, name="price_lists"),
    path("price-lists/new/", views.price_list_create, name="price_list_new"),
]
