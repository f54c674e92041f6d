"""What a browser does, for the suite and the bench scripts: the fields a pillar form posts, and Chromium's flags."""

from __future__ import annotations

from html.parser import HTMLParser

# Debian's Chromium in a container: no sandbox or GPU, and nothing fetched behind the page's back.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class PillarFormParser(HTMLParser):
    """The name/value pairs a browser would post from the pillar form, as loaded.

    Only enabled controls of the form itself: not those of a disabled fieldset, nor those that
    belong to another form by their `form` attribute (a discussion's message box).
    """

    def __init__(self) -> None:
        """Nothing read yet; `feed` the page."""
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.depth = 0  # inside the pillar form when > 0
        self.disabled: list[bool] = []  # fieldsets
        self.textarea: str | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Note the controls a browser would send: enabled, of the pillar form, checked if a choice."""
        a = dict(attrs)
        if tag == "form":
            if self.depth or "pillar-form" in (a.get("class") or "").split():
                self.depth += 1
            return
        if not self.depth:
            return
        if tag == "fieldset":
            self.disabled.append("disabled" in a or any(self.disabled))
        live = "disabled" not in a and not any(self.disabled) and a.get("name") and "form" not in a
        if tag == "input" and live and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.pairs.append((a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea" and live:
            self.textarea = a["name"]
            self.pairs.append((a["name"], ""))
        elif tag == "select" and live:
            self.select = (a["name"], [], [])
        elif tag == "option" and self.select:
            self.select[1].append(a.get("value", ""))
            if "selected" in a:
                self.select[2].append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        """A text area's content."""
        if self.textarea:
            name, value = self.pairs.pop()
            self.pairs.append((name, value + data))

    def handle_endtag(self, tag: str) -> None:
        """Close the form, a fieldset, a text area or a select (which sends its chosen option)."""
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "fieldset" and self.depth and self.disabled:
            self.disabled.pop()
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            name, options, selected = self.select
            self.pairs.append((name, (selected or options or [""])[0]))
            self.select = None


def pillar_form_fields(page: str) -> list[tuple[str, str]]:
    """The name/value pairs a browser would post from this page's pillar form."""
    parser = PillarFormParser()
    parser.feed(page)
    return parser.pairs
