"""A small per-process cache of rendered page fragments, keyed by the data they show.

Every key carries a version of the data (services.rows.data_version for a plan's lists,
database.data_stamp for everything), so a cached fragment is never stale: any change makes
a new key, in every worker and app server alike. Nothing is shared between processes, so
the app stays stateless.
"""

import secrets
from typing import Callable

from flask import current_app, g, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .database import data_stamp
from .extensions import db
from .services.kept import Kept

# Stands for the session's CSRF token in a cached fragment: never sent, never guessed.
_TOKEN_SLOT = f"csrf-{secrets.token_hex(16)}"


class FragmentCache(Kept):
    def __init__(self, size: int = 64):
        super().__init__(size)

    def rendered(self, key: tuple, template: str, context: Callable[[], dict],
                 kept: Callable[[Markup], Markup] = lambda html: html) -> Markup:
        """The template rendered with context() (called on a miss only), as kept(html) stores it."""
        html = self.get(key)
        if html is None:
            # Only a template's own output is taken as safe HTML, and only from a template that
            # escapes every value as it renders (an HTML one: Flask's autoescaping).
            if not current_app.select_jinja_autoescape(template):
                raise ValueError(f"{template} does not escape what it shows: its output cannot be kept as HTML")
            html = kept(Markup(render_template(template, **context())))
            self.put(key, html)
        return html

    def init_app(self, app) -> None:
        app.extensions["fragments"] = self


def cached_part(key: tuple, template: str, context: Callable[[], dict]) -> Markup:
    """A part of one person's page, with forms in it: cached with their CSRF token left out,
    given back with this request's (the forms then post as the page's own would). The key
    names the person and the data stamp."""
    token = generate_csrf()
    # Markup's own replace both ways: the token is escaped, the rest kept as rendered.
    html = fragments().rendered(key, template, context, kept=lambda html: html.replace(token, _TOKEN_SLOT))
    return html.replace(_TOKEN_SLOT, token)


def note_data_stamp(version: int) -> None:
    """The data stamp as the request's first read found it, with the account (auth)."""
    g.data_stamp = version


def request_data_stamp() -> int:
    """The data stamp for this request's kept parts: as read with the account, else read now."""
    return g.data_stamp if "data_stamp" in g else data_stamp(db.session())


def fragments() -> FragmentCache:
    """The current app's cache (each app its own: two apps never share fragments)."""
    return current_app.extensions["fragments"]
