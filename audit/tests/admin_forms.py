"""The POST a staff member's browser sends when saving an admin page unchanged, built from
the page's own forms; a test then changes the few fields it means to change."""

import datetime

from django.forms import CheckboxInput, MultiWidget


def _put(data, bound):
    value = bound.value()
    widget = bound.field.widget
    name = bound.html_name
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value) if not isinstance(value, list) else value
        for index, part in enumerate(parts):
            data[f"{name}_{index}"] = _text(part)
    elif isinstance(widget, CheckboxInput):
        if value:
            data[name] = "on"
    elif isinstance(value, (list, tuple)):
        data[name] = [_text(v) for v in value]
    elif value is not None:
        data[name] = _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def page_data(response) -> dict:
    """Every field of the change (or add) page in `response` with its current value."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        if not form.fields[name].disabled:
            _put(data, form[name])
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            _put(data, formset.management_form[name])
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put(data, inline_form[name])
    return data
