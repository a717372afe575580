"""Packaging for Scrapyd: `python -m newscrawl.deploy` builds an egg of the newscrawl package."""

from setuptools import find_packages, setup

setup(
    name="newscrawl",
    version="0.1",
    packages=find_packages(include=["newscrawl", "newscrawl.*"]),
    entry_points={"scrapy": ["settings = newscrawl.settings"]},
    zip_safe=False,
)
