"""The plan tracker: an application factory in the manner of Flask's tutorial."""

import os

from flask import Flask

from . import config
from .extensions import db, htmx


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

    db.init_app(app)
    htmx.init_app(app)

    from . import cli
    from .tasks import bp as tasks_bp

    cli.register(app)
    app.register_blueprint(tasks_bp)
    return app
