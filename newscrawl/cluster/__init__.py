"""Distributed crawling on Redis: scrapy-redis scheduler and filter per crawl, worker identity."""
