from django.urls import path

from parts import views

app_name = "parts"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("stock/", views.stock, name="stock"),
    path("moves/", views.moves, name="moves"),
    path("reservations/", views.reservations, name="reservations"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("my-van/", views.my_van, name="my_van"),
    path("returns/", views.returns, name="returns"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("loaners/", views.loaners, name="loaners"),
    path("loaners/<int:pk>/", views.loaner_history, name="loaner_history"),
    path("loaners/<int:pk>/lend/", views.loaner_lend, name="loaner_lend"),
    path("loaners/<int:pk>/return/", views.loaner_take_back, name="loaner_return"),
    path("returns/<int:pk>/<str:action>/", views.return_action, name="return_action"),
    path("orders/<int:order_pk>/reserve/", views.order_reserve, name="order_reserve"),
    path("orders/<int:order_pk>/return/", views.order_return, name="order_return"),
    path("reservations/<int:pk>/issue/", views.reservation_issue, name="reservation_issue"),
    path("reservations/<int:pk>/release/", views.reservation_release, name="reservation_release"),
    path("new/", views.part_new, name="part_new"),
    path("stock/move/", views.stock_move_new, name="stock_move_new"),
    path("stock/export.xlsx", views.stock_export, name="stock_export"),
    path("moves/export.xlsx", views.moves_export, name="moves_export"),
    path("import/<slug:key>/", views.sheet_import_page, name="sheet_import"),
    path("import/<slug:key>/template.xlsx", views.sheet_import_template, name="sheet_import_template"),
]
