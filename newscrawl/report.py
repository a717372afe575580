"""``python -m newscrawl.report``: the command lives in :mod:`newscrawl.tools.report`."""

import sys

from newscrawl.tools.report import main

if __name__ == "__main__":
    sys.exit(main())
