"""``python -m newscrawl.fixtures``: the command lives in :mod:`newscrawl.tools.fixtures`."""

import sys

from newscrawl.tools.fixtures import main

if __name__ == "__main__":
    sys.exit(main())
