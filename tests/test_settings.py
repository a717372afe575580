"""Settings that keep the crawler safe and polite."""

from scrapy.settings import Settings

from newscrawl import settings as project_settings


def effective() -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    return settings


def test_no_code_executing_extension_is_enabled():
    settings = effective()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    extensions = settings.getwithbase("EXTENSIONS")
    assert extensions["scrapy.extensions.remote_control.RemoteControl"] is None
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None


def test_polite_defaults():
    settings = effective()
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert "newscrawl" in settings["USER_AGENT"]
    assert {429, 500, 502, 503, 504} <= set(settings.getlist("RETRY_HTTP_CODES"))
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["newscrawl.middlewares.SiteOnlyMiddleware"] < 100  # before anything fetches
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
