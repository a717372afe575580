"""The orjson JSON Lines exporter."""

import io
import json

from scrapy.settings import Settings

from newscrawl.exporters import OrjsonLinesExporter
from newscrawl.items import ArticleItem, complete_record
from newscrawl.settings import FEED_EXPORTERS


def test_writes_one_utf8_object_per_line_without_ascii_escapes():
    buffer = io.BytesIO()
    exporter = OrjsonLinesExporter(buffer, encoding="latin-1", indent=4)
    exporter.start_exporting()
    record = complete_record({"title": "Hà Nội 北京", "url": "u1"})
    exporter.export_item(ArticleItem(record, _fetch={"status": 200}))
    exporter.export_item({"title": "second", "nested": {"a": [1, 2]}})
    exporter.finish_exporting()
    lines = buffer.getvalue().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    assert "Hà Nội 北京".encode() in lines[0]
    first = json.loads(lines[0])
    assert list(first) == list(complete_record({}))  # every key, contract order, no internal _fetch
    assert first["title"] == "Hà Nội 北京" and first["source_name"] is None and first["images"] == []
    assert json.loads(lines[1]) == {"title": "second", "nested": {"a": [1, 2]}}


def test_registered_for_every_json_lines_format_name():
    settings = Settings({"FEED_EXPORTERS": FEED_EXPORTERS})
    exporters = settings.getwithbase("FEED_EXPORTERS")
    for name in ("jsonlines", "jsonl", "jl"):
        assert exporters[name] == "newscrawl.exporters.OrjsonLinesExporter"


def test_fields_to_export_is_honoured():
    buffer = io.BytesIO()
    exporter = OrjsonLinesExporter(buffer, fields_to_export=["url"])
    exporter.export_item({"url": "u", "title": "t"})
    assert json.loads(buffer.getvalue()) == {"url": "u"}
