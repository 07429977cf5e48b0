"""The web application (FastAPI): pages, the REST API, sessions and permissions."""

from khooshe.web.app import create_app

__all__ = ["create_app"]
