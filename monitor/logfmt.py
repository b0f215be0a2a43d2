"""`--log-format json`: one JSON object per log line, for log collectors."""

from __future__ import annotations

import json
import logging
from typing import Any

from monitor.timeutil import iso_z

#: Facts a log call may pass with `extra=` (the check line does); they become fields of the JSON object.
FIELDS = ("document", "outcome", "duration_s", "bytes", "change_id", "error")


class JsonFormatter(logging.Formatter):
    """Formats a record as `{"ts", "level", "logger", "message"}`, plus the `FIELDS` the call passed with
    `extra=` (a check: `document`, `outcome`, `duration_s`, `bytes`, `change_id`) and `exc` for a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        from datetime import UTC, datetime

        data: dict[str, Any] = {"ts": iso_z(datetime.fromtimestamp(record.created, UTC)),
                                "level": record.levelname.lower(), "logger": record.name,
                                "message": record.getMessage()}
        for name in FIELDS:
            if name in record.__dict__:
                data[name] = record.__dict__[name]
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)
