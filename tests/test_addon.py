"""The add-on wires settings that depend on settings; feed URIs get output_dir and worker."""

from pathlib import Path
from types import SimpleNamespace

from scrapy.settings import Settings

from newscrawl import settings as project_settings
from newscrawl.addon import NewscrawlAddon
from newscrawl.feedfiles import feed_uri_params


def project(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_the_addon_is_enabled_and_wires_nothing_for_a_plain_crawl():
    settings = project(NEWSCRAWL_RENDER="never")
    assert "newscrawl.addon.NewscrawlAddon" in settings.getdict("ADDONS")
    before = settings.copy_to_dict()
    NewscrawlAddon().update_settings(settings)
    assert settings.copy_to_dict() == before


def test_the_addon_switches_the_cluster_on_for_a_redis_uri():
    settings = project(NEWSCRAWL_RENDER="never", NEWSCRAWL_STATE_URI="redis://127.0.0.1:1/0")
    NewscrawlAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "newscrawl.cluster.scheduler.ClusterScheduler"
    assert "newscrawl.cluster.scheduler.ClusterWorker" in settings.getdict("EXTENSIONS")
    assert next(iter(settings.getdict("FEEDS"))).endswith("-%(worker)s.jsonl")


def test_feed_uri_params_add_the_output_folder_and_the_worker(tmp_path):
    settings = project(NEWSCRAWL_OUTPUT_DIR=str(tmp_path / "out"), NEWSCRAWL_WORKER_ID="w 1")
    spider = SimpleNamespace(crawler=SimpleNamespace(settings=settings))
    params = feed_uri_params({"name": "vietnamvn"}, spider)  # type: ignore[arg-type]
    expected = {"name": "vietnamvn", "output_dir": str(Path(tmp_path / "out").resolve()), "worker": "w_1"}
    assert params == expected
    assert settings["FEED_URI_PARAMS"] == "newscrawl.feedfiles.feed_uri_params"
