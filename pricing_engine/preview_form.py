"""The pricing preview's form: the dealer (named or hypothetical), the moment, voucher codes
and cart lines pasted as "SKU quantity", each bad line a message of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.validators import ProhibitNullCharactersValidator

from partners.models import Company, Region, Tier
from pricing_engine.core.money import check_currency
from pricing_engine.models import PriceList

MAX_LINES = 1000
_SEPARATORS = re.compile(r"[\s,;]+")
_QUANTITY = re.compile(r"[+-]?\d{1,12}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# ---------------------------------------------------------------- pasted lines


@dataclass(frozen=True)
class PastedLine:
    number: int  # 1-based line of the text box
    sku: str
    quantity: int


@dataclass(frozen=True)
class LineMessage:
    number: int | None
    text: str
    message: str


def parse_lines(text: str) -> tuple[list[PastedLine], list[LineMessage]]:
    """ "SKU quantity" per line (spaces, tabs, commas or semicolons between); blank lines and
    lines starting with # are skipped. Whole-number quantities go to the core even when they
    are 0 or negative, so it refuses them by its own rule (§3); anything else is a message."""
    lines, messages = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        shown = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", raw.strip())[:120]
        if "\x00" in raw:
            messages.append(
                LineMessage(
                    number,
                    shown,
                    "contains a NUL byte (an invisible control character); retype this line",
                )
            )
            continue
        if _CONTROL.search(raw):
            messages.append(
                LineMessage(
                    number, shown, "contains invisible control characters; retype this line"
                )
            )
            continue
        words = [w for w in _SEPARATORS.split(raw.strip()) if w]
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2:
            messages.append(
                LineMessage(
                    number,
                    shown,
                    'write a SKU and a quantity separated by a space, e.g. "85123A 12"',
                )
            )
            continue
        sku, quantity = words
        if not _QUANTITY.fullmatch(quantity):
            problem = "is too large" if quantity.isdigit() else "is not a whole number"
            messages.append(LineMessage(number, shown, f'the quantity "{quantity[:20]}" {problem}'))
            continue
        lines.append(PastedLine(number, sku, int(quantity)))
    return lines, messages


class LinesField(forms.CharField):
    """A text box that lets NUL bytes through to `parse_lines`, which names the line."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def clean(self, value):
        value = super().clean(value)
        lines, messages = parse_lines(value)
        if len(lines) + len(messages) > MAX_LINES:
            raise forms.ValidationError(f"Paste at most {MAX_LINES} lines at a time.")
        return lines, messages


# ---------------------------------------------------------------- the form


def _split_codes(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in _SEPARATORS.split(text or "") if c))


class PreviewForm(forms.Form):
    company = forms.ModelChoiceField(
        queryset=Company.objects.select_related("tier", "region"),
        required=False,
        label="Dealer",
        widget=AutocompleteSelect(PriceList._meta.get_field("company"), admin.site),
        help_text="A dealer company (type its code or name).",
    )
    company_code = forms.CharField(
        required=False,
        max_length=64,
        label="or dealer code",
        help_text="The dealer's code, e.g. 17850.",
    )
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.all(),
        required=False,
        help_text="Or a hypothetical dealer: a tier ...",
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(),
        required=False,
        help_text="... and a region (empty: no region).",
    )
    currency = forms.CharField(
        required=False,
        max_length=3,
        help_text=f"Hypothetical dealer only; empty: {settings.DEFAULT_CURRENCY}. A named dealer orders in its own.",
    )
    moment = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
        ),
        help_text=f"In the vendor's time zone ({settings.TIME_ZONE}); empty: now.",
    )
    voucher_codes = forms.CharField(
        required=False, max_length=500, help_text="Optional; several separated by spaces or commas."
    )
    lines = LinesField(
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 40, "style": "font-family: monospace"}),
        help_text='One line per SKU: "SKU quantity", e.g. "85123A 12". Pasting two columns from a spreadsheet works.',
    )

    def clean_currency(self):
        code = (self.cleaned_data.get("currency") or "").strip().upper()
        if code:
            try:
                check_currency(code)
            except ValueError:
                raise forms.ValidationError(
                    f"{code} is not a currency code (ISO 4217, e.g. GBP, EUR)."
                ) from None
        return code

    def clean(self):
        data = super().clean()
        company, code = data.get("company"), (data.get("company_code") or "").strip()
        if code and company is None:
            found = (
                Company.objects.select_related("tier", "region")
                .filter(code__iexact=code)
                .order_by("code")
            )
            company = next((c for c in found if c.code == code), None) or (
                found[0] if found else None
            )
            if company is None:
                self.add_error("company_code", f"No dealer has the code {code}.")
        elif code and company.code.lower() != code.lower():
            self.add_error(
                "company_code", "Give the dealer once: pick it or type its code, not both."
            )
        named = bool(company or code)
        if named and (data.get("tier") or data.get("region")):
            self.add_error(
                "tier", "Choose a dealer or a tier and region for a hypothetical dealer, not both."
            )
        elif not named and not data.get("tier"):
            self.add_error(
                "company", "Choose a dealer, or a tier (and a region) for a hypothetical dealer."
            )
        if named and data.get("currency"):
            self.add_error(
                "currency", "A named dealer is priced in its own currency: leave this empty."
            )
        data["company"] = company
        data["voucher_codes"] = _split_codes(data.get("voucher_codes", ""))
        return data
