"""``python -m newscrawl.export``: the command lives in :mod:`newscrawl.tools.export`."""

import sys

from newscrawl.tools.export import main

if __name__ == "__main__":
    sys.exit(main())
