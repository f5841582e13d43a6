from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_orders, name="my-orders"),
    path("checkout/", views.checkout, name="checkout"),
]
