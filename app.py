"""WSGI entry point for `flask --app app run` and `gunicorn app:app`."""

from survey import create_app

app = create_app()
