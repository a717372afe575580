"""Realistic page weight for the mirror: what a Next.js site ships besides the article.

Pieces (all deterministic per site seed and language): site configuration merged into
``__NEXT_DATA__`` (menus, languages, portals, i18n strings, settings), a hidden mega-menu in the
header, a footer link farm and inline webpack chunks. None of it is article content: no
headings, paragraphs, dates, ``title`` keys, listing links or meta tags, so a correct crawler
extracts the same records from padded and unpadded pages. Links go only to places the page
already links to (nav and footer categories, tags, static pages, language homes) or off-site.
"""

from __future__ import annotations

import random
from html import escape
from typing import Any

from .model import WORDS, SiteModel, category_path, home_path, lang_prefix, slugify

PROVINCES = ("Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Cần Thơ", "Thành phố Hồ Chí Minh",
             "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Điện Biên", "Đồng Nai",
             "Đồng Tháp", "Gia Lai", "Hà Tĩnh", "Hưng Yên", "Khánh Hòa", "Lai Châu", "Lâm Đồng",
             "Lạng Sơn", "Lào Cai", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi",
             "Quảng Ninh", "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa",
             "Tuyên Quang", "Vĩnh Long")
MINISTRIES = (("Bộ Văn hóa, Thể thao và Du lịch", "https://bvhttdl.gov.vn"),
              ("Bộ Ngoại giao", "https://mofa.gov.vn"),
              ("Bộ Công Thương", "https://moit.gov.vn"),
              ("Bộ Khoa học và Công nghệ", "https://most.gov.vn"),
              ("Bộ Nông nghiệp và Môi trường", "https://mae.gov.vn"),
              ("Cổng Thông tin điện tử Chính phủ", "https://chinhphu.vn"),
              ("Thông tấn xã Việt Nam", "https://vnanet.vn"),
              ("Cục Du lịch Quốc gia Việt Nam", "https://vietnamtourism.gov.vn"))
APPS = (("App Store", "https://apps.apple.com/vn/app/vietnam-vn/id6444000000"),
        ("Google Play", "https://play.google.com/store/apps/details?id=vn.vietnam.app"))
JS_WORDS = ("render", "props", "children", "className", "onClick", "useState", "useEffect",
            "dispatch", "payload", "router", "locale", "menu", "banner", "slider", "lazyload",
            "observer", "viewport", "tracking", "analytics", "consent", "modal", "drawer",
            "dropdown", "carousel", "tabs", "tooltip", "skeleton", "prefetch", "hydrate",
            "scroll", "resize", "visible", "active", "current", "items", "options", "theme")


def _portal_url(name: str) -> str:
    return f"https://{slugify(name).replace('-', '')}.gov.vn"


class Padding:
    """Padding pieces for one site (cached per language); see the module docstring."""

    def __init__(self, site: SiteModel) -> None:
        self.site = site
        self._cache: dict[tuple[str, str], Any] = {}
        self._chunks: list[str] = []
        self._rng = random.Random(f"{site.seed}/padding")

    # ------------------------------------------------------------------ helpers

    def _menu_cats(self) -> list[Any]:
        """Categories the header or footer already link (never sidebar-only ones)."""
        return [c for c in self.site.categories.values() if c.placement in ("nav", "footer")]

    def _cached(self, kind: str, lang: str, make: Any) -> Any:
        key = (kind, lang)
        if key not in self._cache:
            self._cache[key] = make(lang)
        return self._cache[key]

    # ------------------------------------------------------------------ pieces

    def config(self, lang: str) -> dict[str, Any]:
        """Site configuration a Next.js app ships in ``__NEXT_DATA__`` page props."""
        return self._cached("config", lang, self._make_config)

    def _make_config(self, lang: str) -> dict[str, Any]:
        rng = random.Random(f"{self.site.seed}/config/{lang}")
        prefix = lang_prefix(lang)
        tags = list(self.site.tags.values())
        menu = [{"id": 100 + k, "label": c.labels[lang], "slug": c.slug,
                 "href": category_path(lang, c.slug), "type": "category",
                 "children": [{"id": 1000 + 10 * k + j, "label": t.labels[lang],
                               "href": f"{prefix}/tag/{t.slug}"}
                              for j, t in enumerate(rng.sample(tags, min(6, len(tags))))]}
                for k, c in enumerate(self._menu_cats())]
        i18n = {f"{rng.choice(JS_WORDS)}.{rng.choice(JS_WORDS)}.{k}":
                " ".join(rng.choice(WORDS[lang]) for _ in range(rng.randint(1, 4)))
                for k in range(160)}
        return {
            "menu": menu,
            "languages": [{"code": lg, "href": home_path(lg)} for lg in self.site.langs],
            "portals": [{"name": p, "url": _portal_url(p)} for p in PROVINCES],
            "ministries": [{"name": n, "url": u} for n, u in MINISTRIES],
            "i18n": i18n,
            "settings": {"gaId": "G-7Q4VN2X8KD", "gtmId": "GTM-5V7N3QK",
                         "cdn": "https://vstatic.vietnam.vn", "defaultLocale": "vi",
                         "locales": list(self.site.langs), "ads": {
                             "slots": [{"id": f"div-gpt-ad-{rng.randrange(10**12)}-{k}",
                                        "sizes": [[300, 250], [728, 90]]} for k in range(12)],
                             "refresh": 30},
                         "features": {w: rng.random() < 0.5 for w in JS_WORDS}},
        }

    def mega_menu(self, lang: str) -> str:
        """A hidden header mega-menu: categories with tag links, plus government portals."""
        return self._cached("mega", lang, self._make_mega)

    def _make_mega(self, lang: str) -> str:
        cols = []
        for item in self.config(lang)["menu"]:
            links = "".join(f'<li><a href="{c["href"]}">{escape(c["label"])}</a></li>'
                            for c in item["children"])
            cols.append(f'<div class="mega-col"><a class="mega-head" href="{item["href"]}">'
                        f'{escape(item["label"])}</a><ul>{links}</ul></div>')
        portals = "".join(f'<li><a href="{_portal_url(p)}" target="_blank" rel="nofollow">'
                          f"{p}</a></li>" for p in PROVINCES)
        cols.append(f'<div class="mega-col mega-portals"><ul>{portals}</ul></div>')
        return (f'<div class="mega-menu" style="display:none" aria-hidden="true">'
                f'<div class="mega-menu-inner">{"".join(cols)}</div></div>')

    def footer_farm(self, lang: str) -> str:
        """A footer link farm: categories, static pages, languages, portals, ministries, apps."""
        return self._cached("farm", lang, self._make_farm)

    def _make_farm(self, lang: str) -> str:
        cats = "".join(f'<li><a href="{category_path(lang, c.slug)}">{escape(c.labels[lang])}</a></li>'
                       for c in self._menu_cats())
        langs = "".join(f'<li><a href="{home_path(lg)}" hreflang="{lg}">{lg.upper()}</a></li>'
                        for lg in self.site.langs)
        static = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>'
                         for p in self.site.static_pages.values())
        external = [*((f"Cổng thông tin {p}", _portal_url(p)) for p in PROVINCES),
                    *MINISTRIES, *APPS]
        ext = "".join(f'<li><a href="{escape(u)}" target="_blank" rel="noopener nofollow">{escape(n)}</a>'
                      "</li>"
                      for n, u in external)
        return (f'<div class="footer-sitemap"><ul class="fs-cats">{cats}</ul>'
                f'<ul class="fs-langs">{langs}</ul><ul class="fs-static">{static}</ul>'
                f'<ul class="fs-external">{ext}</ul></div>')

    def chunk(self, i: int) -> str:
        """Inline webpack chunk ``i`` (about 1–2.5 KB of minified-looking JavaScript)."""
        while len(self._chunks) <= i:
            self._chunks.append(self._make_chunk(len(self._chunks)))
        return self._chunks[i]

    def _make_chunk(self, i: int) -> str:
        rng = self._rng

        def ident() -> str:
            return rng.choice("abcdefghijklmnopqrstuvwxyz") + rng.choice("abcdefghijklmnopqrsuvw")

        def word() -> str:
            return rng.choice(JS_WORDS)

        def cls() -> str:
            return f"ant-{word().lower()}-{word().lower()}"

        templates = (
            lambda: f"var {ident()}=n({rng.randint(1000, 99999)}),{ident()}=n.n({ident()});",
            lambda: (f"function {ident().upper()}(e){{var t=e.{word()},r=e.{word()};"
                     f'return(0,o.jsx)("div",{{className:"{cls()}",children:t?r:null}})}}'),
            lambda: f'{ident().upper()}.defaultProps={{{word()}:!1,{word()}:"{cls()}"}};',
            lambda: (f"t.{word()}=function(e,t){{return e&&e.{word()}?e.{word()}.map("
                     f"function(e){{return e.{word()}}}):[]}};"),
            lambda: f'const {ident()}={{{word()}:"{cls()}",{word()}:{rng.randint(0, 9999)}}};',
            lambda: (f'window.addEventListener("{word()}",function(){{{ident()}.{word()}'
                     f"({ident()},{{passive:!0}})}});"),
        )
        body = "".join(rng.choice(templates)() for _ in range(rng.randint(12, 30)))
        return (f"<script>(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[{4000 + i}],"
                f'{{{rng.randint(10000, 99999)}:function(e,t,n){{"use strict";{body}}}}}]);'
                "</script>")
