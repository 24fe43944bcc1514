"""The WSGI entry point for production servers: `gunicorn -w 4 tracker.wsgi:app`."""

from tracker import create_app

app = create_app()
