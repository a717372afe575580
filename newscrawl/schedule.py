"""``python -m newscrawl.schedule``: the command lives in :mod:`newscrawl.tools.schedule`."""

import sys

from newscrawl.tools.schedule import main

if __name__ == "__main__":
    sys.exit(main())
