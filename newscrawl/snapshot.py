"""``python -m newscrawl.snapshot``: the command lives in :mod:`newscrawl.tools.snapshot`."""

import sys

from newscrawl.tools.snapshot import main

if __name__ == "__main__":
    sys.exit(main())
