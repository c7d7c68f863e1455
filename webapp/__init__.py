"""The plan tracker: an application factory in the manner of Flask's tutorial."""

import gc
import hashlib
import os

from flask import Flask, Response, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.security import safe_join

from . import config

# Pages, styles, scripts, JSON and SVG are compressed; downloads (xlsx, docx, zip, csv) never are.
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "image/svg+xml"]
LONG_CACHE = "public, max-age=31536000, immutable"  # a versioned static URL never changes content
SHORT_CACHE = "public, max-age=300"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from . import auth, cli, forms, plan_scope, rendering, security
    from .extensions import csrf, db, htmx, login_manager
    from .fragment_cache import FragmentCache

    db.init_app(app)
    htmx.init_app(app)
    app.before_request(forms.allow_files)  # before the CSRF check and the others, which read the body
    csrf.init_app(app)
    login_manager.init_app(app)
    _compress_responses(app)  # first registered, so it runs after every other after_request hook
    rendering.init_app(app)
    _serve_static_files(app)  # inside the security headers' middleware, which security.init_app adds
    security.init_app(app)
    FragmentCache().init_app(app)
    auth.init_app(app)
    plan_scope.init_app(app)
    cli.register(app)

    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .dashboard import bp as dashboard_bp
    from .exports import bp as exports_bp
    from .indicators import bp as indicators_bp
    from .review import bp as review_bp
    from .tasks import bp as tasks_bp
    from .units import bp as units_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(indicators_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.jinja_env.globals["zip"] = zip
    app.register_blueprint(units_bp)
    app.register_blueprint(tasks_bp)

    @app.get("/healthz")
    def healthz():
        """For the reverse proxy: answers without touching the database."""
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for it on pages that name no icon (downloads, bare error pages)."""
        return app.send_static_file("favicon.svg")

    if not app.testing:
        _tune_garbage_collector()
    return app


def _tune_garbage_collector() -> None:
    """A server process's long-lived objects (modules, the app, its routes) are frozen out of
    the cyclic collector's reach, and it runs less often: a province's dashboard or overview
    builds some 250,000 short-lived objects, which at Python's default thresholds (700, 10, 10)
    set off about fifty collections a page and now and then a full one, up to 200 ms of a single
    request on a synthetic province; with these, two or three collections of a few ms each.
    Tests create many apps and keep Python's defaults."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 10)


def _compress_responses(app: Flask) -> None:
    """gzip, or Brotli when the client takes it, for what the app itself serves (COMPRESS_RESPONSES=0
    when a reverse proxy compresses). A streamed response is passed on as it is, still streamed;
    Vary keeps HX-Request and gains Accept-Encoding."""
    if not app.config["COMPRESS_RESPONSES"]:
        return
    from flask_compress import Compress

    app.config.update(COMPRESS_REGISTER=False, COMPRESS_MIMETYPES=COMPRESSED_TYPES, COMPRESS_ALGORITHM=["br", "gzip"],
                      COMPRESS_STREAMS=False, COMPRESS_LEVEL=6, COMPRESS_BR_LEVEL=4)
    compress = Compress(app)

    @app.after_request
    def compressed(response: Response) -> Response:
        if response.headers.get("Content-Disposition", "").startswith("attachment"):
            return response
        if request.endpoint == "static" and response.status_code == 200 and response.direct_passthrough:
            # A static file is sent as a stream; these are small, so read whole and compressed.
            response.direct_passthrough = False
            response.make_sequence()
        response = compress.after_request(response)
        if "Content-Encoding" in response.headers:
            response.headers.pop("Accept-Ranges", None)  # ranges would be of the file, not of what is sent
        return response


def _serve_static_files(app: Flask) -> None:
    """Static files: a content-hash version in every url_for('static', ...) (?v=, the first 10 hex
    of the file's SHA-256), and a year's cache for a URL whose version is the file's own.

    They are answered by a bare app mounted at the static URL, before the session, login and
    database hooks: a stylesheet then carries no Set-Cookie and no Vary: Cookie, either of which
    would keep browsers and caches from keeping it."""
    versions: dict[str, tuple[int, int, str]] = {}  # file -> (mtime, size, version): hashed once per content

    def version(filename: str) -> str | None:
        path = safe_join(app.static_folder, filename) if filename else None
        if path is None or not os.path.isfile(path):
            return None
        stat = os.stat(path)
        known = versions.get(filename)
        if known is None or known[:2] != (stat.st_mtime_ns, stat.st_size):
            with open(path, "rb") as file:
                known = versions[filename] = (stat.st_mtime_ns, stat.st_size,
                                              hashlib.sha256(file.read()).hexdigest()[:10])
        return known[2]

    @app.url_defaults
    def versioned(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            found = version(values.get("filename", ""))
            if found:
                values["v"] = found

    files = Flask(__name__, static_folder=app.static_folder, static_url_path="")
    files.config["COMPRESS_RESPONSES"] = app.config["COMPRESS_RESPONSES"]
    _compress_responses(files)

    @files.after_request
    def cache_lifetime(response: Response) -> Response:
        if response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            wanted = version(filename)
            response.headers["Cache-Control"] = LONG_CACHE if wanted and request.args.get("v") == wanted \
                else SHORT_CACHE
            response.headers.pop("Expires", None)
        return response

    files.register_error_handler(404, lambda _: ("Không tìm thấy tệp.", 404, {"Content-Type": "text/plain; charset=utf-8"}))
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {app.static_url_path: files})
