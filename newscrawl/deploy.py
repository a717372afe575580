"""``python -m newscrawl.deploy``: the command lives in :mod:`newscrawl.tools.deploy`."""

import sys

from newscrawl.tools.deploy import main

if __name__ == "__main__":
    sys.exit(main())
