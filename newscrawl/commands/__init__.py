"""Project commands; Scrapy loads them through ``COMMANDS_MODULE``."""
