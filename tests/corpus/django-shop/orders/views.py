import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from .models import Order
from .services import OutOfStock, place_order


@login_required
@require_POST
def checkout(request):
    payload = json.loads(request.body)
    try:
        order = place_order(request.user, payload["items"], payload["shipping_address"])
    except OutOfStock as exc:
        return JsonResponse({"error": "out_of_stock", "sku": exc.sku}, status=409)
    return JsonResponse({"reference": order.reference, "total": str(order.total)}, status=201)


@login_required
@require_GET
def my_orders(request):
    orders = Order.objects.filter(customer=request.user).order_by("-created_at")[:20]
    return JsonResponse(
        {
            "orders": [
                {
                    "reference": o.reference,
                    "status": o.status,
                    "total": str(o.total),
                    "created_at": o.created_at.isoformat(),
                }
                for o in orders
            ]
        }
    )
