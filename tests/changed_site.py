"""A deliberate extractor change for the re-extraction tests, made without editing the package:
vietnam.vn's profile with subheadings (``h2``, ``h3``) kept out of article bodies.

The mirror puts subheadings in about a quarter of its articles, so re-extracting a crawl of it
with ``--site tests.changed_site:NO_SUBHEADINGS`` changes the text of some pages and not others.
"""

from __future__ import annotations

import dataclasses

from newscrawl.sites.vietnamvn import VIETNAM_VN

NO_SUBHEADINGS = dataclasses.replace(VIETNAM_VN, body_exclude=(*VIETNAM_VN.body_exclude, "h2", "h3"))
