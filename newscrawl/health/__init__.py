"""The end-of-crawl health report: what a run produced, whether the output went bad, and what
changed against the runs before it.

:class:`~newscrawl.health.extension.HealthReport` (an extension) builds the report, has it
judged (:mod:`newscrawl.health.rules`) against the run history kept in the crawl state, logs
the verdict and writes the report as JSON beside the feed. Broken thresholds make the ``crawl``
command exit with status 3; warnings are logged and change nothing else.
"""

from newscrawl.health.extension import HealthReport

__all__ = ["HealthReport"]
