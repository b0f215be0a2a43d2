"""`--log-format json`: one JSON object per log line, for log collectors."""

from __future__ import annotations

import json
import logging

from monitor.timeutil import iso_z


class JsonFormatter(logging.Formatter):
    """Formats a record as `{"ts", "level", "logger", "message"}` (plus `exc` when there is a traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        from datetime import UTC, datetime

        data = {"ts": iso_z(datetime.fromtimestamp(record.created, UTC)), "level": record.levelname.lower(),
                "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)
