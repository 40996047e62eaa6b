"""Forms of the dealer pages. They check what a person typed; the services check the rest."""

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from security.lockout import locked_message, reset_account

MAX_SEARCH_LENGTH = 200
MAX_SKU_LENGTH = 64


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with e-mail and password (a username still works, for vendor staff)."""

    username = forms.CharField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email"}),
    )

    error_messages = {
        "invalid_login": gettext_lazy("That e-mail and password do not match an account. Check both and try again."),
        "inactive": gettext_lazy("This account is disabled; please contact your account manager."),
    }

    def clean(self):
        # One authenticate() per attempt (e-mail or username: security/backends.py): the
        # lockout counts each failure once, and refuses a locked account or address.
        login = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if login and password:
            self.user_cache = authenticate(self.request, username=login, password=password)
            if self.user_cache is None:
                if getattr(self.request, "axes_locked_out", False):
                    raise forms.ValidationError(locked_message(self.request, login), code="locked_out")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            reset_account(self.request, self.user_cache)
        return self.cleaned_data


def clean_text(value: str | None, max_length: int = MAX_SKU_LENGTH) -> str | None:
    """A typed code (SKU, order number) stripped, or None when it cannot be one (NUL, too long)."""
    value = (value or "").strip()
    if not value or "\x00" in value or len(value) > max_length:
        return None
    return value


class QuantityField(forms.IntegerField):
    """Whole numbers in ASCII digits only (int() would also take "٣"), NUL bytes refused
    before they reach the page again."""

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and not (text.isascii() and text.lstrip("+-").isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)

    def bound_data(self, data, initial):
        return data.replace("\x00", "") if isinstance(data, str) else data


def quantity_field(min_value: int = 1, **kwargs) -> forms.IntegerField:
    return QuantityField(
        min_value=min_value,
        max_value=settings.MAX_LINE_QUANTITY,
        error_messages={
            # Lazy: the fields are built when the module loads, the text is read per request.
            "required": gettext_lazy("Enter a quantity."),
            "invalid": gettext_lazy("Quantity must be a whole number, such as 12."),
            "min_value": (
                gettext_lazy("Quantity must be at least 1.")
                if min_value == 1
                else gettext_lazy("Quantity cannot be negative; enter 0 to remove the line.")
            ),
            "max_value": format_lazy(
                gettext_lazy("Quantity can be at most {limit} on one line."), limit=f"{settings.MAX_LINE_QUANTITY:,}"
            ),
        },
        **kwargs,
    )


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        error_messages={"max_length": format_lazy(gettext_lazy("Search text can be at most {limit} characters."),
                                                  limit=MAX_SEARCH_LENGTH)},
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("SKU or product name"), "type": "search"}),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("That category does not exist.")},
    )
    in_stock = forms.BooleanField(label=gettext_lazy("In stock only"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", gettext("All categories"))]
        for category in categories:
            label = f"{category.parent.name} › {category.name}" if category.parent_id and category.parent else category.name
            choices.append((category.slug, label))
        self.fields["category"].choices = choices


class AddToCartForm(forms.Form):
    sku = forms.CharField(
        max_length=MAX_SKU_LENGTH,
        error_messages={"required": gettext_lazy("Enter a SKU."), "max_length": gettext_lazy("That SKU is too long to exist.")},
    )
    quantity = quantity_field()


MAX_VOUCHER_LENGTH = 64


class VoucherForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Voucher code"),
        max_length=MAX_VOUCHER_LENGTH,
        error_messages={"required": gettext_lazy("Enter a voucher code."), "max_length": gettext_lazy("That voucher code is too long to exist.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace("\x00", "").strip()
        if not code:
            raise forms.ValidationError(gettext("Enter a voucher code."), code="required")
        return code


# Payment methods a buyer picks at checkout (rebate credit is an amount next to one of these).
CHECKOUT_METHODS = [
    ("on_account", gettext_lazy("On account")),
    ("bank_transfer", gettext_lazy("Bank transfer (the order waits for your transfer)")),
    ("card", gettext_lazy("Card (pay now on the next page)")),
]


class CheckoutForm(forms.Form):
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)
    # The total the buyer reviewed: checkout refuses (PRICE_CHANGED) if it moved meanwhile.
    expected_total = forms.DecimalField(max_digits=14, decimal_places=2, required=False, widget=forms.HiddenInput)
    # Payments: how the rest is paid (card only when Stripe keys are set; see CHECKOUT_METHODS).
    payment_method = forms.ChoiceField(
        choices=CHECKOUT_METHODS, initial="on_account", required=False, widget=forms.RadioSelect
    )
    # Deals: the approved deal this order is for (checked by deals.services.attribute_order).
    deal_id = forms.IntegerField(required=False, min_value=1)
    # Rebates: rebate credit to use (capped by the pricing core at REBATE_MAX_SHARE of the total).
    rebate_credit = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    # Buyer approvals / checkout details: checked by storefront.services.checkout_details (typed
    # errors per field), so the form only carries them.
    ship_to_address_id = forms.CharField(required=False)
    requested_delivery_date = forms.CharField(required=False)
    po_number = forms.CharField(required=False, strip=False)
    note = forms.CharField(required=False, strip=False)

    @staticmethod
    def new_key() -> str:
        return str(uuid.uuid4())


def form_messages(form: forms.Form) -> list[str]:
    """Every error of a bound form as plain sentences (for the message box)."""
    return [str(error) for errors in form.errors.values() for error in errors]
