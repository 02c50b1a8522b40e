"""``python -m pipeline``: run the pipeline, or ``python -m pipeline explain FILE``."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["explain"]:
        from pipeline.explain import main as explain_main  # no Beam import needed

        sys.exit(explain_main(sys.argv[2:]))
    from pipeline.main import main

    sys.exit(main())
