from . import evidence  # noqa: F401  (the report's files: routes on the same blueprint)
from .routes import bp

__all__ = ["bp"]
