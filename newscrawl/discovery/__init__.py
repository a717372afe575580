"""Finding article URLs: listing pages and their pagination, sitemaps and RSS feeds."""
