"""``python -m pipeline``: run the pipeline (or ``python -m pipeline explain FILE``)."""

import sys

from pipeline.main import main

if __name__ == "__main__":
    sys.exit(main())
