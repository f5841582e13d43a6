"""Placing an order: the one write path that must be all-or-nothing.

The order, its lines and the stock decrements are written in one transaction
(transaction.atomic); the products are locked (select_for_update) so that two
checkouts cannot both sell the last unit.
"""

from django.db import transaction
from django.db.models import F
from django.utils.crypto import get_random_string

from catalog.models import Product, ProductStatus

from .models import Order, OrderLine


class OutOfStock(Exception):
    def __init__(self, sku):
        super().__init__(f"not enough stock for {sku}")
        self.sku = sku


def new_reference():
    return "SO-" + get_random_string(10, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


@transaction.atomic
def place_order(customer, items, shipping_address):
    """items: {sku: quantity}. Returns the new Order."""
    products = {
        p.sku: p
        for p in Product.objects.select_for_update()
        .filter(sku__in=items, status=ProductStatus.ACTIVE)
        .order_by("pk")
    }
    order = Order.objects.create(
        reference=new_reference(), customer=customer, shipping_address=shipping_address
    )
    lines = []
    for sku, quantity in items.items():
        product = products.get(sku)
        if product is None or product.stock < quantity:
            raise OutOfStock(sku)
        lines.append(
            OrderLine(order=order, product=product, quantity=quantity, unit_price=product.price)
        )
    OrderLine.objects.bulk_create(lines)
    for line in lines:
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") - line.quantity)
    order.total = sum(line.subtotal for line in lines)
    order.save(update_fields=["total", "updated_at"])
    return order
