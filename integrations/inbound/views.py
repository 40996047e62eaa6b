"""The JSON endpoint of the inbound ERP API: POST /integrations/erp/v1/<operation>/ with
`Authorization: Bearer <app token>` and `Idempotency-Key: <key>` (docs/integrations.md)."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .api import call

MAX_BODY_BYTES = 8 * 1024 * 1024  # 10,000 stock rows are about 1.2 MB


def _bearer(request) -> str | None:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@csrf_exempt  # a server-to-server API authenticated by its bearer token, never by a cookie
@require_POST
def erp_operation(request, operation: str):
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"errors": [{"field": None, "code": "TOO_LARGE", "message": "The body is larger than 8 MB; split the message."}]}, status=413)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        payload = None
    key = request.headers.get("Idempotency-Key") or (payload.get("idempotency_key") if isinstance(payload, dict) else None)
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != "idempotency_key"}
    answer = call(operation, _bearer(request), payload, key, request.META.get("REMOTE_ADDR", ""))
    return JsonResponse(answer.body, status=answer.status)
