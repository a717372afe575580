"""Offline commands: snapshot of the feeds, Scrapyd deploy and scheduling."""
