"""``python -m pipeline``: run the pipeline, or ``python -m pipeline explain FILE``."""

import logging
import sys


class _OptionalGcpNotice(logging.Filter):
    """Hide Beam's import-time notice that the optional GCP client libraries are absent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


if __name__ == "__main__":
    logging.getLogger().addFilter(_OptionalGcpNotice())
    if sys.argv[1:2] == ["explain"]:
        from pipeline.explain import main as explain_main  # no Beam import needed

        sys.exit(explain_main(sys.argv[2:]))
    from pipeline.main import main

    sys.exit(main())
