import logging
from typing import Any

from tandem.core.context import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def logging_config(*, level: str, log_file: str = "") -> dict[str, Any]:
    """Django's LOGGING: every line on the console, or, with `log_file`, every line in that file and only
    warnings and errors on the console (what `tandem run` does, so the person who started it sees the
    sign-ins and the address, not a line per audit event)."""
    handlers: dict[str, dict[str, Any]] = {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    }
    if log_file:
        handlers["console"]["level"] = "WARNING"
        # Watched: a log rotated by the system (logrotate) is reopened rather than written into the void.
        handlers["file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": log_file,
            "formatter": "plain",
            "filters": ["request_id"],
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "tandem.core.logging.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {},
    }
