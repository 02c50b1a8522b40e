"""``python -m pipeline``: run the pipeline, or a subcommand (``python -m pipeline explain FILE``).

The command line is :mod:`pipeline.cli` (``--help`` lists every option).
"""

import logging
import sys


class _OptionalGcpNotice(logging.Filter):
    """Hide Beam's import-time notice that the optional GCP client libraries are absent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


if __name__ == "__main__":
    logging.getLogger().addFilter(_OptionalGcpNotice())
    from pipeline.cli import main  # subcommands (explain) start without importing Beam

    sys.exit(main())
