"""Accessibility checks of rendered pages with the standard library's HTML parser."""

from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}  # no label needed (value or alt names them)


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag in CONTROLS and (tag != "input" or (attrs.get("type") or "text").lower() not in UNLABELLED_TYPES):
            self.controls.append({"tag": tag, **attrs})
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))


def _parse(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    parser.close()
    return parser


def unlabelled_controls(html: str) -> list[str]:
    """Every visible input, select and textarea needs a <label for> or an aria-label(ledby)."""
    parsed = _parse(html)
    missing = []
    for control in parsed.controls:
        named = (control.get("aria-label") or "").strip() or (control.get("aria-labelledby") or "").strip()
        if not named and control.get("id") not in parsed.label_for:
            missing.append(f"<{control['tag']} name={control.get('name')!r} id={control.get('id')!r}>")
    return missing


def heading_jumps(html: str) -> list[tuple[int, int]]:
    """Headings that skip a level going down (h1 then h3); the first heading must be an h1."""
    levels = _parse(html).headings
    jumps = [(0, levels[0])] if levels and levels[0] != 1 else []
    return jumps + [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
