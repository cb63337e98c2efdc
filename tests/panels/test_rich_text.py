"""Markdown written by coordinators is rendered to HTML that is safe to put in a page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from panels.rich_text import render_markdown


class Elements(HTMLParser):
    """Every start tag with its attributes, to assert on structure rather than on exact spelling."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.found}

    def attributes(self) -> set[str]:
        return {name.lower() for _, attrs in self.found for name in attrs}

    def links(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.found if tag == "a"]


@pytest.mark.parametrize(
    "markdown",
    [
        "Hello <script>alert('x')</script> world",
        "<script src='https://evil.example/x.js'></script>",
        "Text\n\n<SCRIPT>document.cookie</SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_it_strips_script_tags_and_their_content(markdown: str) -> None:
    html = render_markdown(markdown)
    assert "script" not in Elements(html).tags()
    assert "<script" not in html.lower()
    assert "alert(" not in html
    assert "document.cookie" not in html


@pytest.mark.parametrize(
    "markdown",
    [
        '<a href="https://example.org" onclick="steal()">x</a>',
        '<img src="x" onerror="steal()">',
        '<p onmouseover="steal()">hover</p>',
        "<svg onload=steal()>",
        '<body onload="steal()">',
    ],
)
def test_it_strips_event_handlers(markdown: str) -> None:
    html = render_markdown(markdown)
    assert not any(name.startswith("on") for name in Elements(html).attributes())
    assert "steal()" not in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[click me](javascript:alert(1))",
        "[click me](JaVaScRiPt:alert(1))",
        "[click me]( javascript:alert(1))",
        '<a href="javascript:alert(1)">click me</a>',
        "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click me](vbscript:msgbox(1))",
    ],
)
def test_it_removes_dangerous_link_targets(markdown: str) -> None:
    html = render_markdown(markdown)
    assert "click me" in html
    for link in Elements(html).links():
        href = (link.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href
    assert "javascript:" not in html.lower()


def test_it_strips_styles_iframes_and_forms() -> None:
    html = render_markdown(
        '<p style="position:fixed">x</p><iframe src="https://evil.example"></iframe>'
        '<form action="https://evil.example"><input name="password"></form><style>body{}</style>'
    )
    elements = Elements(html)
    assert elements.tags().isdisjoint({"iframe", "form", "input", "style"})
    assert "style" not in elements.attributes()


def test_it_keeps_headings_lists_emphasis_and_links() -> None:
    html = render_markdown(
        "## Membership\n\n"
        "- Members live in the area.\n"
        "- Members serve **two** years.\n\n"
        "1. First\n2. Second\n\n"
        "### What we publish\n\n"
        "Read the [guidance](https://www.college.police.uk/) and *our* minutes.\n"
    )
    elements = Elements(html)
    assert {"h2", "h3", "ul", "ol", "li", "strong", "em", "a", "p"} <= elements.tags()
    assert "<h2>Membership</h2>" in html
    assert "<li>Members live in the area.</li>" in html
    [link] = elements.links()
    assert link["href"] == "https://www.college.police.uk/"
    rel = (link.get("rel") or "").split()
    assert "noopener" in rel
    assert "noreferrer" in rel


def test_mailto_links_are_kept() -> None:
    [link] = Elements(render_markdown("[Write to us](mailto:panel@example.org)")).links()
    assert link["href"] == "mailto:panel@example.org"


def test_a_level_one_heading_does_not_compete_with_the_pages_own() -> None:
    html = render_markdown("# Terms of reference\n\nText.")
    assert "h1" not in Elements(html).tags()
    assert "Terms of reference" in html


@pytest.mark.parametrize("empty", ["", None])
def test_empty_text_renders_as_nothing(empty: str | None) -> None:
    assert render_markdown(empty) == ""  # type: ignore[arg-type]
