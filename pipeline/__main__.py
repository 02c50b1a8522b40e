"""``python -m pipeline``: run the pipeline, or a subcommand (``python -m pipeline explain FILE``).

The command line is :mod:`pipeline.cli` (``--help`` lists every option).
"""

import logging
import sys


class _OptionalGcpNotice(logging.Filter):
    """Hide Beam's import-time notice that the optional GCP client libraries are absent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


class _WorkerNotices(logging.Filter):
    """Hide two start-up notices of every multi-process DirectRunner worker: that it does not parse presswash's
    own options (the driver parsed them; the graph carries their values) and that it has no
    semi-persistent directory (presswash registers no schema or logical type)."""

    NOTICES = ("Discarding unparseable args", "No semi_persistent_directory found")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(notice in message for notice in self.NOTICES)


if __name__ == "__main__":
    logging.getLogger().addFilter(_OptionalGcpNotice())
    logging.getLogger("apache_beam.runners.portability.local_job_service").addFilter(_WorkerNotices())
    from pipeline.cli import main  # subcommands (explain) start without importing Beam

    sys.exit(main())
