"""``python -m newscrawl.reextract``: the command lives in :mod:`newscrawl.tools.reextract`."""

import sys

from newscrawl.tools.reextract import main

if __name__ == "__main__":
    sys.exit(main())
