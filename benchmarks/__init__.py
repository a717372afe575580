"""Reproducible benchmarks of newscrawl against an offline mirror (see ``benchmarks/run.py``)."""
