"""The plan tracker: an application factory in the manner of Flask's tutorial."""

import os

from flask import Flask

from . import config


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

    from . import auth, cli, plan_scope, rendering, security
    from .extensions import csrf, db, htmx, login_manager
    from .fragment_cache import FragmentCache

    db.init_app(app)
    htmx.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    rendering.init_app(app)
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

    return app
