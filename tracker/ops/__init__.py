"""Operations: the scheduler's heartbeat, /readyz, /metrics, request logs and `tracker doctor`."""

from __future__ import annotations

from flask import Flask

from tracker import metrics
from tracker.config import Settings
from tracker.ops import logs


def register_ops(app: Flask) -> None:
    from tracker.ops.views import banner_context, bp

    settings: Settings = app.config["TRACKER"]
    metrics.use_directory(settings.instance_path / "metrics")
    logs.configure(settings.log_format)
    logs.register(app)
    app.register_blueprint(bp)
    app.context_processor(banner_context)
