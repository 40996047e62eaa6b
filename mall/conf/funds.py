"""Marketing funds, the partner academy, private uploads (FUNDS)."""

import os
from pathlib import Path

from mall.conf.env import VAR_DIR, settings_of

# Uploaded proof, lesson PDFs and attachments live here, outside STATIC_ROOT and any served
# directory; only views that check permission hand them out (mall/uploads.py).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_THUMBNAIL_SIZE = (320, 320)
# Approvals an activity plan needs by requested amount (in the fund's currency), as
# "limit:approvers,...": the first step whose limit covers the amount decides; "*" is any
# amount. Default: up to 1,000 one approver, above that two distinct approvers.
EXPENSE_APPROVAL_STEPS = [
    {"up_to": None if limit.strip() == "*" else limit.strip(), "approvers": int(count)}
    for limit, count in (
        step.split(":") for step in os.environ.get("EXPENSE_APPROVAL_STEPS", "1000:1,*:2").split(",")
    )
]
# How an approved claim is paid: "rebate_wallet" (rebates.services.credit_wallet) or
# "credit_note" (billing.services.issue_credit_note).
EXPENSE_PAYOUT = os.environ.get("EXPENSE_PAYOUT", "rebate_wallet")

__all__ = settings_of(globals())
