"""Markdown written by coordinators (terms of reference, agendas, minutes), rendered to safe HTML."""

from __future__ import annotations

import markdown
import nh3

_TAGS = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "hr"}
_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """HTML safe to put in a page: only the tags above survive, links get rel=noopener noreferrer."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
