"""Deterministic, mutable model of the vietnam.vn site used by the offline mirror.

Generation lives here; HTML rendering lives in ``render.py`` and the expected crawler output in
``truth.py``. All model text is already in the crawler's normal form (NFC, single spaces, no
zero-width characters); the renderer adds the noise that normalisation must remove.

The site has its own clock, :attr:`SiteModel.now`; everything time-dependent (sitemap
``lastmod``, the news-sitemap window, feeds) derives from the model, never from the wall clock.
Mutations (:func:`add_articles`, :func:`change_article`, :func:`remove_article`,
:func:`advance_clock`) change the model in place and advance that clock; call
``MirrorServer.rebuild()`` afterwards.

``build_site(embedded=N)`` (2 by default) adds N articles in each layout of
:data:`EMBEDDED_LAYOUTS`, whose fields live only in data the page embeds (``__NEXT_DATA__``, React
flight data, JSON-LD); they exist in every language and are generated after everything else from
their own random stream, so the rest of the site is the same with or without them.

``build_site(js=True)`` adds pages that need a browser (off by default): a category whose listing
is built by JavaScript from ``/api/category/<slug>?lang=<lang>&page=N``, a category with a "load
more" button, and article versions whose body is fetched from ``/api/post/<slug>?lang=<lang>``.
Their articles are linked from nowhere else (no other listing, box, sitemap or feed):
:meth:`SiteModel.browser_only_urls` names the truth URLs a crawl without a browser misses and
:meth:`SiteModel.browser_listing_paths` the listing pages that need one. With embedded articles,
it also marks two versions of the first layout D article as ``client_meta``: their data lacks
the date and the outlet's name, which a script draws from ``/api/post/<slug>?lang=<lang>``
(:meth:`SiteModel.client_meta_urls`); a crawl without a browser still emits them, without those
two fields. It also gives two versions of the first listed layout A article a misbehaving inline
script (:attr:`ArticleVersion.page_script`, :meth:`SiteModel.misbehaving_urls`): the Vietnamese
one leaves for ``/newsletter`` 200 ms after load, another one throws; their content, and so the
truth, is unchanged. The ``js_load_more`` listing's page 1 carries decoys beside its button (a
newsletter form whose submit button is labelled like it, a promo link whose sentence contains its
label) that lead to ``/newsletter``, a static page no href links to.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))
CANONICAL = "https://www.vietnam.vn"
LANGS: tuple[str, ...] = ("vi", "en", "fr", "zh-cn", "ko", "ja")
SPACED = frozenset({"vi", "en", "fr", "ko"})
"""Languages whose text separates words with spaces."""
DATE_START = datetime(2024, 1, 1, tzinfo=VN_TZ)
DATE_END = datetime(2026, 11, 20, tzinfo=VN_TZ)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=VN_TZ)
"""Default site clock: after every generated article (and every generated modification)."""
GONE_STATUSES = (404, 410)

PAGINATION_STYLES = ("rel_next", "ant", "path", "next_text", "load_more")
JS_PAGINATION_STYLES = ("js_listing", "js_load_more")
"""Listings that need a browser (``build_site(js=True)``): items built by JavaScript from the
JSON API, with a client-side pager; or page 1 static with a "load more" button (no href)."""
HREF_STYLES = ("relative", "absolute", "alias", "cdn", "protocol")
CAPTION_PLACEMENTS = ("figcaption", "p.caption", "p.em", "none")
EMBEDDED_LAYOUTS = ("D", "E", "F")
"""Layouts whose article fields are only in embedded data: D ``__NEXT_DATA__`` (pages router,
drawn by a script), E React flight data (App Router), F a JSON-LD ``@graph``."""
QUIRKS = ("zw", "nbsp", "nfd", "autolink", "split_word", "br", "blank_para", "ad_top", "related")
"""Rendering quirks a language version may carry (see ``render.py``)."""

# --------------------------------------------------------------------------- data tables

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "di-san": {"vi": "Di sản", "en": "Heritage", "fr": "Patrimoine", "zh-cn": "遗产",
               "ko": "유산", "ja": "遺産"},
    "nhan-vat": {"vi": "Nhân vật", "en": "Figure", "fr": "Personnalité", "zh-cn": "人物",
                 "ko": "인물", "ja": "人物"},
    "doanh-nghiep": {"vi": "Doanh nghiệp", "en": "Enterprise", "fr": "Entreprise",
                     "zh-cn": "企业", "ko": "기업", "ja": "企業"},
    "tin-tuc": {"vi": "Tin tức", "en": "News", "fr": "Actualités", "zh-cn": "新闻",
                "ko": "뉴스", "ja": "ニュース"},
    "he-thong-chinh-tri": {"vi": "Hệ thống chính trị", "en": "Political System",
                           "fr": "Système politique", "zh-cn": "政治体系", "ko": "정치 체계",
                           "ja": "政治システム"},
    "diem-den": {"vi": "Điểm đến", "en": "Destination", "fr": "Destination", "zh-cn": "目的地",
                 "ko": "여행지", "ja": "目的地"},
    "san-pham": {"vi": "Sản phẩm", "en": "Product", "fr": "Produit", "zh-cn": "产品",
                 "ko": "제품", "ja": "製品"},
    "viet-nam-hanh-phuc": {"vi": "Việt Nam hạnh phúc", "en": "Happy Vietnam",
                           "fr": "Vietnam heureux", "zh-cn": "幸福越南", "ko": "행복한 베트남",
                           "ja": "幸せなベトナム"},
    "the-thao": {"vi": "Thể thao", "en": "Sports", "fr": "Sport", "zh-cn": "体育",
                 "ko": "스포츠", "ja": "スポーツ"},
    "cong-nghe": {"vi": "Công nghệ", "en": "Technology", "fr": "Technologie", "zh-cn": "科技",
                  "ko": "기술", "ja": "テクノロジー"},
}
PLACEMENTS = {"nhan-vat": "footer", "viet-nam-hanh-phuc": "footer", "cong-nghe": "sidebar"}
"""Categories not in the nav menu: footer-only, or linked only from a host's listing sidebar."""
SIDEBAR_HOSTS = {"cong-nghe": "tin-tuc"}

JS_CATEGORIES: dict[str, tuple[str, int, dict[str, str]]] = {
    # slug: (pagination style, number of articles, labels)
    "doi-song": ("js_listing", 11, {"vi": "Đời sống", "en": "Life", "fr": "Vie quotidienne",
                                    "zh-cn": "生活", "ko": "생활", "ja": "暮らし"}),
    "giai-tri": ("js_load_more", 14, {"vi": "Giải trí", "en": "Entertainment",
                                      "fr": "Divertissement", "zh-cn": "娱乐",
                                      "ko": "엔터테인먼트", "ja": "エンタメ"}),
}
"""Categories added by ``build_site(js=True)``, in the nav menu, with 5 items per page."""
JS_PAGE_SIZE = 5

COVERAGE = {"en": 0.8, "fr": 0.65, "zh-cn": 0.7, "ko": 0.6, "ja": 0.75}
"""Share of articles that exist in each non-Vietnamese language."""

OUTLETS: dict[str, tuple[str, str, int]] = {
    # name: (home page, article URL pattern, weight)
    "ZNews": ("https://znews.vn", "https://znews.vn/{slug}-post{n}.html", 14),
    "Báo An Giang": ("https://baoangiang.com.vn",
                     "https://baoangiang.com.vn/{slug}-a{n}.html", 8),
    "Sài Gòn Giải Phóng": ("https://www.sggp.org.vn",
                           "https://www.sggp.org.vn/{slug}-post{n}.html", 10),
    "Báo Dân trí": ("https://dantri.com.vn", "https://dantri.com.vn/xa-hoi/{slug}-{n}.htm", 12),
    "VnExpress": ("https://vnexpress.net", "https://vnexpress.net/{slug}-{n}.html", 12),
    "Tạp chí Cộng sản": ("https://www.tapchicongsan.org.vn",
                         "https://www.tapchicongsan.org.vn/web/guest/tin-tuc/-/2018/{n}/{slug}",
                         6),
    "Báo Quân đội Nhân dân": ("https://www.qdnd.vn", "https://www.qdnd.vn/{slug}-{n}", 8),
    "VietNamNet": ("https://vietnamnet.vn", "https://vietnamnet.vn/{slug}-{n}.html", 10),
    "Báo Nhân Dân": ("https://nhandan.vn", "https://nhandan.vn/{slug}-post{n}.html", 8),
}
TCCS = "Tạp chí Cộng sản"

AUTHOR_NAMES = ("Hoài Nhân", "Khải Minh", "Thu Hà", "Minh Anh", "Quốc Tuấn", "Lan Phương",
                "Đức Thắng", "Ngọc Diệp", "Thanh Tùng", "Bảo Châu")

WORDS: dict[str, tuple[str, ...]] = {
    "vi": ("phát triển", "kinh tế", "du lịch", "văn hóa", "người dân", "địa phương",
           "doanh nghiệp", "sản phẩm", "công nghệ", "thị trường", "đầu tư", "xuất khẩu",
           "nông nghiệp", "di sản", "lễ hội", "truyền thống", "bền vững", "chính quyền",
           "cộng đồng", "thành phố", "năm nay", "tăng trưởng", "hợp tác", "quốc tế", "giáo dục",
           "thanh niên", "chuyển đổi số", "hạ tầng", "giao thông", "môi trường", "biển đảo",
           "miền núi", "sáng tạo", "khởi nghiệp", "bóng đá", "vận động viên", "điện thoại",
           "ra mắt", "mới", "tại", "Việt Nam", "Hà Nội", "Đà Nẵng", "An Giang", "Huế",
           "Hội An", "Phú Quốc", "trong", "và", "của", "với", "được", "những", "các", "cho",
           "đã", "sẽ", "đang", "nhiều", "hơn", "Xiaomi", "thanh long", "gạo", "cà phê"),
    "en": ("development", "economy", "tourism", "culture", "people", "local", "enterprise",
           "product", "technology", "market", "investment", "export", "agriculture",
           "heritage", "festival", "traditional", "sustainable", "government", "community",
           "city", "province", "this year", "growth", "cooperation", "international",
           "education", "youth", "digital transformation", "infrastructure", "transport",
           "environment", "islands", "mountains", "innovation", "startup", "football",
           "athletes", "phone", "launch", "new", "in", "Vietnam", "Hanoi", "Da Nang",
           "Ho Chi Minh City", "Hue", "the", "and", "of", "with", "for", "many", "more",
           "will", "has", "is", "rice", "coffee", "Xiaomi"),
    "fr": ("développement", "économie", "tourisme", "culture", "habitants", "locale",
           "entreprise", "produit", "technologie", "marché", "investissement", "exportation",
           "agriculture", "patrimoine", "festival", "traditionnel", "durable", "gouvernement",
           "communauté", "ville", "province", "cette année", "croissance", "coopération",
           "internationale", "éducation", "jeunesse", "transformation numérique",
           "infrastructures", "transport", "environnement", "îles", "montagnes", "innovation",
           "jeunes pousses", "football", "athlètes", "téléphone", "lancement", "nouveau", "au",
           "Vietnam", "Hanoï", "Da Nang", "Hô Chi Minh-Ville", "le", "la", "les", "et", "de",
           "des", "avec", "pour", "plusieurs", "plus", "sera", "a été", "est", "l'économie",
           "riz", "café", "élevé"),
    "zh-cn": ("发展", "经济", "旅游", "文化", "人民", "地方", "企业", "产品", "科技", "市场",
              "投资", "出口", "农业", "遗产", "节日", "传统", "可持续", "政府", "社区", "城市",
              "省", "今年", "增长", "合作", "国际", "教育", "青年", "数字化转型", "基础设施",
              "交通", "环境", "海岛", "山区", "创新", "创业", "足球", "运动员", "手机", "发布",
              "新", "在", "越南", "河内", "胡志明市", "岘港", "顺化", "的", "和", "与", "为",
              "许多", "更多", "将", "已经", "是", "大米", "咖啡"),
    "ko": ("발전", "경제", "관광", "문화", "주민", "지역", "기업", "제품", "기술", "시장", "투자",
           "수출", "농업", "유산", "축제", "전통", "지속 가능한", "정부", "공동체", "도시", "성",
           "올해", "성장", "협력", "국제", "교육", "청년", "디지털 전환", "인프라", "교통", "환경",
           "섬", "산악", "혁신", "스타트업", "축구", "선수", "휴대폰", "출시", "새로운", "베트남",
           "하노이", "호치민시", "다낭", "후에", "그리고", "함께", "위해", "많은", "더", "것",
           "있다", "했다", "쌀", "커피"),
    "ja": ("発展", "経済", "観光", "文化", "住民", "地方", "企業", "製品", "技術", "市場", "投資",
           "輸出", "農業", "遺産", "祭り", "伝統", "持続可能な", "政府", "地域社会", "都市", "省",
           "今年", "成長", "協力", "国際", "教育", "若者", "デジタル変革", "インフラ", "交通",
           "環境", "島々", "山岳", "イノベーション", "スタートアップ", "サッカー", "選手",
           "スマートフォン", "発売", "新しい", "ベトナム", "ハノイ", "ホーチミン市", "ダナン",
           "フエ", "の", "と", "で", "に", "は", "を", "多くの", "さらに", "しました", "米",
           "コーヒー"),
}
STOPS = {"zh-cn": ("。", "，"), "ja": ("。", "、")}
"""Sentence end and clause separator for languages without spaces (others use '.' and ',')."""

CREDITS = ("VNA", "Xiaomi", "TTXVN", "Vietnam.vn", "hoài nhân", "khai minh", "nhật minh")
CAPTION_STYLES: dict[str, tuple[str, ...]] = {
    "vi": ("Ảnh: {CREDIT}", "{desc}. Ảnh: {credit}", "{vi_title} - Ảnh {n}.", "{file}"),
    "en": ("Photo: {credit}.", "{desc}. Photo: {credit}", "_Photo: {credit}", "PHOTO: {CREDIT}",
           "{vi_title} - Ảnh {n}.", "{file}"),
    "fr": ("(Foto: {credit})", "{desc} (Photo: {credit})", "Photo : {credit}", "{file}"),
    "zh-cn": ("{desc}。图片：{credit}", "来源: {credit}", "{vi_title} - Ảnh {n}.", "{file}"),
    "ko": ("사진: {credit}", "{desc}. 사진: {CREDIT}", "{file}"),
    "ja": ("写真: {credit}", "{desc}。写真：{credit}", "{vi_title} - Ảnh {n}.", "{file}"),
}
AD_MARKERS = {"vi": ("[ad_2]",), "en": ("[ad_2]",), "fr": ("[ad_2]", "[Anzeige_2]"),
              "zh-cn": ("[ad_2]",), "ko": ("[광고_2]",), "ja": ("[広告2]",)}
IMAGE_NAMES = ("xiaomi", "le-hoi", "ha-noi", "dsc-0123", "anh-1", "toan-canh", "san-pham",
               "img-2034", "z6032561817224-3b1e", "hoi-an")

# --------------------------------------------------------------------------- dataclasses


@dataclass
class Category:
    """A listing section with its labels and how its listing pages paginate and link."""

    slug: str
    labels: dict[str, str]
    pagination: str
    href_style: str
    placement: str = "nav"
    page_size: int = 6
    thumbs: bool = False
    sidebar_extra: list[str] = field(default_factory=list)


@dataclass
class Tag:
    """A tag with one label per language; ``has_page`` says whether /tag/<slug> answers 200."""

    slug: str
    labels: dict[str, str]
    has_page: bool


@dataclass
class Author:
    """A byline author; ``has_page`` says whether /author/<slug> answers 200."""

    slug: str
    name: str
    has_page: bool


@dataclass(slots=True)
class Block:
    """One body block: a paragraph (``p``) or a subheading (``h2``/``h3``)."""

    kind: str
    text: str


@dataclass(slots=True)
class Image:
    """A body image placed after block ``after_block``, with its caption in one language."""

    url: str
    caption: str
    after_block: int
    placement: str
    lazy: bool = False
    protocol_relative: bool = False


@dataclass(slots=True)
class ArticleVersion:
    """One language version of an article: its text, images and rendering quirks.

    The lead and body are generated on access from ``text_seed`` (so large sites stay small in
    memory) unless they were edited: assigning ``lead`` or ``blocks`` stores the new text.
    """

    lang: str
    title: str
    images: list[Image]
    quirks: frozenset[str] = frozenset()
    ad_marker: str = ""
    source_style: str = "label"
    comments: int = 0
    text_seed: int = 0
    kinds: tuple[str, ...] = ()
    has_lead: bool = True
    lead_prefix: str = ""
    edited_lead: str | None = None
    edited_blocks: tuple[Block, ...] | None = None
    client_body: bool = False
    """The page's body container is empty: a script fills it from ``/api/post/<slug>``."""
    client_meta: bool = False
    """Layout D only: the page's data leaves out the date and the outlet's name; a script
    draws them from ``/api/post/<slug>`` (the rest still comes from the data)."""
    page_script: str = ""
    """An inline script the page carries besides its content: ``""`` (none), ``"navigates"``
    (leaves for ``/newsletter`` 200 ms after load) or ``"throws"`` (an uncaught error)."""

    @property
    def lead(self) -> str:
        """The lead paragraph (``""`` when the version has none)."""
        if self.edited_lead is not None:
            return self.edited_lead
        if not self.has_lead:
            return ""
        return self.lead_prefix + sentences(random.Random(self.text_seed * 2), self.lang,
                                            1, 2)

    @lead.setter
    def lead(self, text: str) -> None:
        self.edited_lead = text

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Body blocks, in order (a tuple: assign a new sequence to edit)."""
        if self.edited_blocks is not None:
            return self.edited_blocks
        rng = random.Random(self.text_seed * 2 + 1)
        return tuple(Block(k, sentences(rng, self.lang, 1, 4) if k == "p"
                           else phrase(rng, self.lang, 3, 7)) for k in self.kinds)

    @blocks.setter
    def blocks(self, blocks: Sequence[Block]) -> None:
        self.edited_blocks = tuple(blocks)


@dataclass(slots=True)
class Article:
    """An article and what its translations share (slug, sections, outlet, dates, layout)."""

    slug: str
    categories: list[str]
    layout: str
    published: datetime
    modified: datetime | None
    outlet: str | None
    source_url: str | None
    authors: list[str]
    tags: list[str]
    versions: dict[str, ArticleVersion]
    time_format: str = "local"
    lead_first: bool = True
    next_data: bool = False
    dup_of: str | None = None
    listed: bool = True
    """False for sitemap-only articles: no listing, home, most-read, related or tag box links
    to them; only sitemaps, feeds and their own translations do."""
    data_variant: int = 0
    """Key spelling of the embedded article object (layout E: 0 or 1)."""

    @property
    def changed(self) -> datetime:
        """When the article last changed: its modified time, else its published time."""
        return self.modified or self.published


@dataclass
class Removal:
    """An article taken down: every language page answers ``status`` (404 or 410)."""

    article: Article
    status: int
    removed_at: datetime


@dataclass
class StaticPage:
    """A Vietnamese static page (about, privacy, contact)."""

    path: str
    title: str
    paragraphs: list[str]


@dataclass
class SiteModel:
    """The whole site: categories, tags, authors, articles, static pages, taken-down articles
    and the site clock ``now``; ``padding_kb`` asks the renderer for heavier pages."""

    seed: int
    langs: tuple[str, ...]
    categories: dict[str, Category] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    static_pages: dict[str, StaticPage] = field(default_factory=dict)
    now: datetime = NOW
    gone: dict[str, Removal] = field(default_factory=dict)
    padding_kb: int = 0
    revision: int = 0
    """Number of mutations applied (seeds their random choices)."""
    _titles: dict[str, set[str]] = field(default_factory=dict, init=False, compare=False,
                                         repr=False)
    _indexed: int = field(default=-1, init=False, compare=False, repr=False)

    def in_lang(self, lang: str) -> list[Article]:
        """Articles that exist in ``lang``, newest first."""
        arts = [a for a in self.articles.values() if lang in a.versions]
        return sorted(arts, key=lambda a: (a.published, a.slug), reverse=True)

    def listing(self, category: str, lang: str) -> list[Article]:
        """Listed articles of ``category`` in ``lang``, newest first (what its listing shows)."""
        return [a for a in self.in_lang(lang) if category in a.categories and a.listed]

    def nav_categories(self) -> list[Category]:
        """Categories shown in the nav menu."""
        return [c for c in self.categories.values() if c.placement == "nav"]

    # ------------------------------------------------------------------ pages needing a browser

    def js_categories(self) -> list[Category]:
        """Categories whose listing needs a browser (:data:`JS_PAGINATION_STYLES`)."""
        return [c for c in self.categories.values() if c.pagination in JS_PAGINATION_STYLES]

    def browser_listed(self, art: Article) -> bool:
        """Whether ``art`` is listed only in browser listings (every category a JS one): no
        other listing, home, box, tag/author page, sitemap or feed links to it."""
        if not art.listed or not art.categories:
            return False
        cats = self.categories
        return all(cats[c].pagination in JS_PAGINATION_STYLES for c in art.categories)

    def page_count(self, category: str, lang: str) -> int:
        """Number of pages of a category listing in ``lang`` (at least 1)."""
        return max(1, -(-len(self.listing(category, lang)) // self.categories[category].page_size))

    def browser_listing_paths(self) -> dict[str, str]:
        """Every request target of a listing page that needs a browser → its pagination style:
        every page of a ``js_listing`` category (``/category/<slug>``, ``?page=N``) and page 1
        of a ``js_load_more`` one (its later items appear only after clicking "load more")."""
        out: dict[str, str] = {}
        for cat in self.js_categories():
            for lang in self.langs:
                base = category_path(lang, cat.slug)
                out[base] = cat.pagination
                if cat.pagination == "js_listing":
                    for p in range(1, self.page_count(cat.slug, lang) + 1):
                        out[f"{base}?page={p}"] = cat.pagination
        return out

    def static_entry_slugs(self) -> set[str]:
        """Browser-listed articles a crawl without a browser still reaches: those on the static
        page 1 of a ``js_load_more`` listing in some language (their translations follow)."""
        out: set[str] = set()
        for cat in self.js_categories():
            if cat.pagination == "js_load_more":
                for lang in self.langs:
                    out.update(a.slug for a in self.listing(cat.slug, lang)[:cat.page_size]
                               if self.browser_listed(a))
        return out

    def client_rendered_urls(self) -> set[str]:
        """Canonical URLs of the article versions whose body is rendered by a script."""
        return {canonical_url(lang, art.slug) for art in self.articles.values()
                for lang, ver in art.versions.items() if ver.client_body}

    def client_meta_urls(self) -> set[str]:
        """Canonical URLs of the article versions whose date and outlet are drawn by a script
        (their body comes from the page's data: a crawl without a browser emits them without
        ``published_at`` and ``source_name``)."""
        return {canonical_url(lang, art.slug) for art in self.articles.values()
                for lang, ver in art.versions.items() if ver.client_meta}

    def misbehaving_urls(self) -> dict[str, str]:
        """Canonical URL → :attr:`ArticleVersion.page_script` of the article versions whose page
        carries a misbehaving script (their content is what the truth says)."""
        return {canonical_url(lang, art.slug): ver.page_script for art in self.articles.values()
                for lang, ver in art.versions.items() if ver.page_script}

    def browser_only_urls(self) -> set[str]:
        """Truth URLs a crawl without a browser cannot produce: every version of a
        browser-listed article not reached through a static page 1 (a page links to its own
        translations), and every version whose body is rendered by a script."""
        if not self.js_categories():
            return set()
        reached = self.static_entry_slugs()
        hidden = {canonical_url(lang, art.slug) for art in self.articles.values()
                  if self.browser_listed(art) and art.slug not in reached
                  for lang in art.versions}
        return hidden | self.client_rendered_urls()

    def titles(self, lang: str) -> set[str]:
        """Titles already used in ``lang`` (by current or removed articles; kept as an index)."""
        if self._indexed != len(self.articles) + len(self.gone):
            self._titles = {}
            for art in [*self.articles.values(), *(r.article for r in self.gone.values())]:
                self._index(art)
        return self._titles.setdefault(lang, set())

    def _index(self, art: Article) -> None:
        for lang, ver in art.versions.items():
            self._titles.setdefault(lang, set()).add(ver.title)
        self._indexed = len(self.articles) + len(self.gone)


# --------------------------------------------------------------------------- URL helpers


def lang_prefix(lang: str) -> str:
    """URL path prefix of a language: '' for Vietnamese, '/<lang>' otherwise."""
    return "" if lang == "vi" else f"/{lang}"


def article_path(lang: str, slug: str) -> str:
    """Site-relative path of an article version."""
    return f"{lang_prefix(lang)}/{slug}"


def canonical_url(lang: str, slug: str) -> str:
    """Canonical absolute URL of an article version."""
    return CANONICAL + article_path(lang, slug)


def home_path(lang: str) -> str:
    """Path of a language's home page."""
    return lang_prefix(lang) or "/"


def category_path(lang: str, slug: str) -> str:
    """Path of page 1 of a category listing."""
    return f"{lang_prefix(lang)}/category/{slug}"


def api_category_path(lang: str, slug: str, page: int) -> str:
    """Request target of page ``page`` of a category's JSON listing (browser categories)."""
    return f"/api/category/{slug}?lang={lang}&page={page}"


def api_post_path(lang: str, slug: str) -> str:
    """Request target of the JSON body of a client-rendered article version."""
    return f"/api/post/{slug}?lang={lang}"


def slugify(text: str) -> str:
    """ASCII transliteration of Vietnamese text: lowercase, hyphen-separated."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- text generation


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def phrase(rng: random.Random, lang: str, lo: int, hi: int) -> str:
    """A capitalised run of ``lo``..``hi`` words, without final punctuation."""
    words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(lo, hi))]
    return _cap(("" if lang not in SPACED else " ").join(words))


def sentence(rng: random.Random, lang: str) -> str:
    """A pseudo-sentence with an occasional clause separator and a final stop."""
    end, comma = STOPS.get(lang, (".", ","))
    words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(6, 14))]
    if rng.random() < 0.4:
        i = rng.randint(2, len(words) - 3)
        words[i] += comma
    return _cap(("" if lang not in SPACED else " ").join(words)) + end


def sentences(rng: random.Random, lang: str, lo: int, hi: int) -> str:
    """``lo``..``hi`` sentences joined as one paragraph."""
    sep = " " if lang in SPACED else ""
    return sep.join(sentence(rng, lang) for _ in range(rng.randint(lo, hi)))


def unique_title(rng: random.Random, lang: str, used: set[str]) -> str:
    """A title not in ``used`` (Vietnamese titles must also give a slug of at least 4 words)."""
    while True:
        title = phrase(rng, lang, 5, 8) if lang in SPACED else phrase(rng, lang, 4, 7)
        if title not in used and (lang != "vi" or len(slugify(title).split("-")) >= 4):
            return title


# --------------------------------------------------------------------------- site generation


def _spread(rng: random.Random, values: Sequence[str], n: int) -> list[str]:
    """``n`` values cycling through ``values``, shuffled: every value used about equally."""
    out = [values[i % len(values)] for i in range(n)]
    rng.shuffle(out)
    return out


def _make_categories(rng: random.Random, langs: tuple[str, ...]) -> dict[str, Category]:
    slugs = list(CATEGORY_LABELS)
    styles = _spread(rng, PAGINATION_STYLES, len(slugs))
    hrefs = _spread(rng, HREF_STYLES, len(slugs))
    cats = {
        slug: Category(slug=slug, labels={lg: CATEGORY_LABELS[slug][lg] for lg in langs},
                       pagination=pag, href_style=href,
                       placement=PLACEMENTS.get(slug, "nav"), page_size=rng.randint(5, 7),
                       thumbs=rng.random() < 0.5)
        for slug, pag, href in zip(slugs, styles, hrefs, strict=True)
    }
    for hidden, host in SIDEBAR_HOSTS.items():
        cats[host].sidebar_extra.append(hidden)
    return cats


def _make_tags(rng: random.Random, langs: tuple[str, ...], n: int = 30) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    used: dict[str, set[str]] = {lg: set() for lg in langs}
    while len(tags) < n:
        labels = {lg: phrase(rng, lg, 1, 2) for lg in langs}
        slug = slugify(labels["vi"])
        if slug in tags or any(labels[lg] in used[lg] for lg in langs):
            continue
        for lg in langs:
            used[lg].add(labels[lg])
        tags[slug] = Tag(slug=slug, labels=labels, has_page=len(tags) % 2 == 0)
    return tags


def _make_authors() -> dict[str, Author]:
    return {slugify(name): Author(slug=slugify(name), name=name, has_page=i % 3 != 2)
            for i, name in enumerate(AUTHOR_NAMES)}


def _random_datetime(rng: random.Random) -> datetime:
    span = int((DATE_END - DATE_START).total_seconds())
    return DATE_START + timedelta(seconds=rng.randrange(span))


def _pick_categories(rng: random.Random, site: SiteModel) -> list[str]:
    """One or two random categories (never a browser one: those get their articles at build)."""
    cats = [c for c in site.categories.values() if c.pagination not in JS_PAGINATION_STYLES]
    slugs = [c.slug for c in cats]
    weights = [1.4 if c.placement == "nav" else 0.8 for c in cats]
    first = rng.choices(slugs, weights)[0]
    if rng.random() < 0.15:
        second = rng.choice([s for s in slugs if s != first])
        return [first, second]
    return [first]


def _caption(rng: random.Random, lang: str, n: int, vi_title: str, when: datetime) -> str:
    style = rng.choice(CAPTION_STYLES[lang])
    credit = rng.choice(CREDITS)
    credit = credit.title() if credit.islower() else credit
    shot = when - timedelta(days=rng.randint(1, 30), seconds=rng.randint(0, 86399))
    return style.format(
        credit=credit, CREDIT=credit.upper(), n=n,
        desc=phrase(rng, lang, 3, 6), vi_title=" ".join(vi_title.split()[:5]),
        file=_file_name(shot))


def _file_name(shot: datetime) -> str:
    """A camera or screenshot file name, chosen from ``shot`` (no extra random draw, so the
    captions of every other style stay as they were)."""
    kind = shot.second % 3
    if kind == 0:
        return shot.strftime("Screenshot %Y-%m-%d at %H.%M.%S.png")
    if kind == 1:
        return f"IMG_{shot.hour:02d}{shot.minute:02d}.JPG"
    return f"dsc-{shot.minute:02d}{shot.day:02d}.jpeg"


def _image_specs(rng: random.Random, n_blocks: int, layout: str, when: datetime
                 ) -> list[Image]:
    """Article-level image slots (url, position, placement); captions are filled per language."""
    placements = CAPTION_PLACEMENTS if layout != "C" else ("figcaption", "p.em", "none")
    count = rng.choice((0, 1, 1, 2, 2, 3, 4))
    positions = sorted(rng.randrange(n_blocks) for _ in range(count))
    stamp = int(when.timestamp())
    specs = []
    for i, pos in enumerate(positions):
        url = (f"https://vstatic.vietnam.vn/vietnam/resource/IMAGE/{when.year}/{when.month}/"
               f"{when.day}/{stamp + i}_{rng.choice(IMAGE_NAMES)}.jpeg")
        specs.append(Image(url=url, caption="", after_block=pos,
                           placement=rng.choices(placements, (4, 2, 2, 2)[:len(placements)])[0],
                           lazy=rng.random() < 0.35, protocol_relative=rng.random() < 0.2))
    return specs


def _structure(rng: random.Random) -> list[str]:
    """Block kinds shared by every translation: 3–8 paragraphs, sometimes subheadings."""
    kinds = ["p"] * rng.randint(3, 8)
    if rng.random() < 0.25:
        for _ in range(rng.randint(1, 2)):
            kinds.insert(rng.randint(1, len(kinds) - 1), rng.choice(("h2", "h3")))
    return kinds


def _text_seed(seed: int, slug: str, lang: str) -> int:
    """A 64-bit seed for the lazily generated text of one version."""
    return int.from_bytes(hashlib.sha1(f"{seed}/{slug}/{lang}".encode()).digest()[:8], "big")


_QUIRK_SETS: dict[frozenset[str], frozenset[str]] = {}


def _quirks(rng: random.Random, lang: str) -> frozenset[str]:
    rates = {"zw": 0.25, "nbsp": 0.25, "nfd": 0.35, "autolink": 0.3, "split_word": 0.25,
             "br": 0.15, "blank_para": 0.2, "ad_top": 0.15, "related": 0.4}
    quirks = {q for q in QUIRKS if rng.random() < rates[q]}
    if lang != "vi":
        quirks.discard("nfd")
    if lang not in SPACED:
        quirks -= {"nbsp", "br"}
    key = frozenset(quirks)
    return _QUIRK_SETS.setdefault(key, key)


def _make_version(rng: random.Random, site: SiteModel, lang: str, kinds: list[str],
                  images: list[Image], lead: bool, outlet: str | None, vi_title: str,
                  when: datetime, slug: str) -> ArticleVersion:
    """One language version; its lead and body text are drawn lazily from a per-version seed."""
    title = vi_title if lang == "vi" else unique_title(rng, lang, site.titles(lang))
    imgs = []
    for n, spec in enumerate(images, 1):
        caption = "" if spec.placement == "none" else _caption(rng, lang, n, vi_title, when)
        imgs.append(dataclasses.replace(spec, caption=caption))
    return ArticleVersion(
        lang=lang, title=title, images=imgs,
        quirks=_quirks(rng, lang),
        ad_marker=rng.choice(AD_MARKERS[lang]) if rng.random() < 0.35 else "",
        source_style="link" if lang in ("ko", "ja") and rng.random() < 0.5 else "label",
        comments=rng.choice((0, 0, 0, 0, 1, 2, 5, 12)),
        text_seed=_text_seed(site.seed, slug, lang), kinds=tuple(kinds), has_lead=lead,
        lead_prefix="TCCS - " if outlet == TCCS else "")


def make_article(rng: random.Random, site: SiteModel, layout: str | None = None, *,
                 published: datetime | None = None, langs: Sequence[str] | None = None
                 ) -> Article:
    """Generate one new article (not yet added to ``site``) with all its language versions.

    ``published`` fixes the publication time (the article is then fresh: never modified) and
    ``langs`` the languages it exists in (Vietnamese always); otherwise both are random.
    """
    layout = layout or rng.choices("ABC", (70, 15, 15))[0]
    categories = _pick_categories(rng, site)
    modified = None
    if published is None:
        published = _random_datetime(rng)
        if layout == "A" and rng.random() < 0.4:
            modified = min(published + timedelta(seconds=rng.randint(600, 20 * 86400)),
                           DATE_END)
    outlet = None
    if rng.random() >= 0.05:
        names = list(OUTLETS)
        outlet = rng.choices(names, [OUTLETS[n][2] for n in names])[0]
    if langs is None:
        langs = ["vi"] + [lg for lg in site.langs if lg != "vi" and rng.random() < COVERAGE[lg]]
    else:
        unknown = set(langs) - set(site.langs)
        if unknown:
            raise ValueError(f"languages not on this site: {sorted(unknown)}")
        langs = ["vi"] + [lg for lg in site.langs if lg != "vi" and lg in langs]
    while True:
        vi_title = unique_title(rng, "vi", site.titles("vi"))
        slug = slugify(vi_title)
        if slug not in site.articles and slug not in site.gone:
            break
    source_url = None
    if outlet and rng.random() >= 0.06:
        source_url = OUTLETS[outlet][1].format(slug=slug, n=rng.randint(100000, 2999999))
    has_lead = outlet == TCCS or rng.random() >= 0.1
    kinds = _structure(rng)
    images = _image_specs(rng, len(kinds), layout, published)
    n_tags = rng.choice((0, 0, 1, 2, 3, 4))
    n_authors = rng.choice((0, 0, 0, 1, 1, 2))
    article = Article(
        slug=slug, categories=categories, layout=layout, published=published,
        modified=modified, outlet=outlet, source_url=source_url,
        authors=rng.sample(sorted(site.authors), n_authors),
        tags=rng.sample(sorted(site.tags), n_tags), versions={},
        time_format=rng.choice(("local", "utc")), lead_first=rng.random() < 0.5,
        next_data=layout == "A" and rng.random() < 0.3)
    for lang in langs:
        article.versions[lang] = _make_version(rng, site, lang, kinds, images, has_lead,
                                               outlet, vi_title, published, slug)
    return article


def add_article(site: SiteModel, article: Article) -> Article:
    """Add ``article`` to ``site`` (slugs must be unique) and return it."""
    if article.slug in site.articles or article.slug in site.gone:
        raise ValueError(f"duplicate slug {article.slug!r}")
    site.titles("vi")  # bring the title index up to date before counting this article
    site.articles[article.slug] = article
    site._index(article)
    return article


def _add_duplicate(rng: random.Random, site: SiteModel) -> None:
    """Republish one Vietnamese article under a second slug (identical title and body)."""
    original = rng.choice([a for a in site.articles.values() if a.layout == "A"])
    dup = copy.deepcopy(original)
    dup.slug = f"{original.slug}-1"
    dup.versions = {"vi": dup.versions["vi"]}
    dup.published = min(original.published + timedelta(hours=rng.randint(2, 72)), DATE_END)
    dup.modified = None
    dup.next_data = False
    dup.dup_of = original.slug
    add_article(site, dup)


def _static_pages(rng: random.Random) -> dict[str, StaticPage]:
    pages = {"/gioi-thieu": "Giới thiệu",
             "/chinh-sach-bao-mat-thong-tin": "Chính sách bảo mật thông tin",
             "/lien-he": "Liên hệ"}
    return {path: StaticPage(path, title, [sentences(rng, "vi", 2, 3) for _ in range(3)])
            for path, title in pages.items()}


def _add_js_section(site: SiteModel) -> None:
    """Add the browser categories (:data:`JS_CATEGORIES`) with their articles, and mark a few
    article versions (layouts A and B) as client-rendered: the newest article of the JS listing
    in Vietnamese and in one other language; of the load-more listing, the newest one on the
    static page 1 in Vietnamese and the oldest one in one other language."""
    rng = random.Random(f"{site.seed}/js")
    for slug, (style, _, labels) in JS_CATEGORIES.items():
        site.categories[slug] = Category(slug=slug, labels={lg: labels[lg] for lg in site.langs},
                                         pagination=style, href_style="relative",
                                         page_size=JS_PAGE_SIZE)
    for slug, (style, count, _) in JS_CATEGORIES.items():
        for layout in _spread(rng, "AAABC", count):
            article = make_article(rng, site, layout)
            article.categories = [slug]
            add_article(site, article)
        listing = site.listing(slug, "vi")
        first = [a for a in listing[:JS_PAGE_SIZE] if a.layout != "C"]
        arts = [a for a in listing if a.layout != "C"]
        if not first:
            continue
        first[0].versions["vi"].client_body = True
        other = first[0] if style == "js_listing" else arts[-1]
        translated = [lg for lg in site.langs if lg != "vi" and lg in other.versions]
        if translated:
            other.versions[rng.choice(translated)].client_body = True


def _add_embedded(site: SiteModel, per_layout: int) -> None:
    """Add ``per_layout`` articles in each of :data:`EMBEDDED_LAYOUTS`, in every language, with
    an outlet and a source URL. The first of each layout (and the second of layout E, so that
    both key spellings show every field) has a lead, tags, authors, a captioned image and a
    modified time; the others are left to chance. Layout E articles alternate between the two
    key spellings of their embedded data (:attr:`Article.data_variant`)."""
    rng = random.Random(f"{site.seed}/embedded")
    names = list(OUTLETS)
    for layout in EMBEDDED_LAYOUTS:
        for k in range(per_layout):
            full = k == 0 or (layout == "E" and k == 1)
            while True:
                article = make_article(rng, site, layout, langs=site.langs)
                vi = article.versions["vi"]
                if not full or (vi.has_lead and any(img.caption for img in vi.images)):
                    break
            if article.outlet is None:
                article.outlet = rng.choices(names, [OUTLETS[n][2] for n in names])[0]
            if article.source_url is None:
                article.source_url = OUTLETS[article.outlet][1].format(
                    slug=article.slug, n=rng.randint(100000, 2999999))
            if full:
                article.tags = article.tags or rng.sample(sorted(site.tags), 2)
                article.authors = article.authors or rng.sample(sorted(site.authors), 1)
                article.modified = min(
                    article.published + timedelta(seconds=rng.randint(600, 20 * 86400)),
                    DATE_END)
            article.data_variant = k % 2 if layout == "E" else 0
            add_article(site, article)


def _add_client_meta(site: SiteModel) -> None:
    """Mark the first layout D article's Vietnamese version and one other language version as
    :attr:`ArticleVersion.client_meta`. Only flags change (no article is added and the shared
    random stream is not touched), so every other page stays byte-identical."""
    drawn = [a for a in site.articles.values() if a.layout == "D"]
    if not drawn:
        return
    rng = random.Random(f"{site.seed}/client_meta")
    art = drawn[0]
    art.versions["vi"].client_meta = True
    others = [lg for lg in site.langs if lg != "vi" and lg in art.versions]
    if others:
        art.versions[rng.choice(others)].client_meta = True


def _add_misbehaving_scripts(site: SiteModel) -> None:
    """Give the first listed layout A article whose versions are all static (no
    ``client_body``, no ``client_meta``) and that is translated a misbehaving script
    (:attr:`ArticleVersion.page_script`): ``"navigates"`` on its Vietnamese version, ``"throws"``
    on one other language version. Only flags change (no article is added and the shared random
    stream is not touched), so every other page stays byte-identical."""
    def static(art: Article) -> bool:
        return not any(v.client_body or v.client_meta for v in art.versions.values())

    chosen = next((a for a in site.articles.values() if a.layout == "A" and a.listed
                   and not a.dup_of and static(a) and len(a.versions) > 1), None)
    if chosen is None:
        return
    rng = random.Random(f"{site.seed}/page_script")
    chosen.versions["vi"].page_script = "navigates"
    others = [lg for lg in site.langs if lg != "vi" and lg in chosen.versions]
    chosen.versions[rng.choice(others)].page_script = "throws"


def build_site(seed: int = 7, n_articles: int = 120, langs: tuple[str, ...] = LANGS, *,
               unlisted: int = 0, page_padding_kb: int = 0, js: bool = False,
               embedded: int = 2) -> SiteModel:
    """Build the deterministic site: same arguments → identical model (and rendered bytes).

    ``unlisted`` extra articles exist only in sitemaps and feeds (no listing links to them);
    ``page_padding_kb`` makes the renderer pad HTML pages to about that many KB; ``js`` adds
    the pages that need a browser (see the module docstring; the rest of the site is the same);
    ``embedded`` is the number of articles per layout of :data:`EMBEDDED_LAYOUTS` (none when
    ``n_articles`` is 0).
    """
    unknown = [lg for lg in langs if lg not in WORDS]
    if unknown or "vi" not in langs:
        raise ValueError(f"langs must include 'vi' and only {sorted(WORDS)}: {langs}")
    if n_articles < 0 or unlisted < 0 or page_padding_kb < 0 or embedded < 0:
        raise ValueError("n_articles, unlisted, page_padding_kb and embedded must be >= 0")
    langs = ("vi",) + tuple(lg for lg in langs if lg != "vi")
    rng = random.Random(seed)
    site = SiteModel(seed=seed, langs=langs, padding_kb=page_padding_kb)
    site.categories = _make_categories(rng, langs)
    site.tags = _make_tags(rng, langs)
    site.authors = _make_authors()
    layouts = _spread(rng, "A" * 14 + "B" * 3 + "C" * 3, n_articles)
    for layout in layouts:
        add_article(site, make_article(rng, site, layout))
    if site.articles:
        _add_duplicate(rng, site)
    site.static_pages = _static_pages(rng)
    for layout in _spread(rng, "A" * 14 + "B" * 3 + "C" * 3, unlisted):
        article = make_article(rng, site, layout)
        article.listed = False
        add_article(site, article)
    if js:
        _add_js_section(site)
    if n_articles and embedded:
        _add_embedded(site, embedded)
        if js:
            _add_client_meta(site)
    if js:
        _add_misbehaving_scripts(site)
    return site


# --------------------------------------------------------------------------- mutations


def _mutation_rng(site: SiteModel, what: str) -> random.Random:
    """A generator for one mutation, seeded by the site seed and revision (deterministic)."""
    site.revision += 1
    return random.Random(f"{site.seed}/{site.revision}/{what}")


def advance_clock(site: SiteModel, minutes: int) -> datetime:
    """Move the site clock forward by ``minutes`` (the news sitemap window moves with it)."""
    if minutes < 0:
        raise ValueError("the site clock only moves forward")
    site.now += timedelta(minutes=minutes)
    return site.now


def add_articles(site: SiteModel, n: int, *, langs: Sequence[str] | None = None,
                 minutes_apart: int = 5, listed: bool = True) -> list[Article]:
    """Publish ``n`` new articles after every existing one, ``minutes_apart`` apart.

    They top their category listings, join their day sitemap, the news sitemap and the feeds.
    ``langs`` fixes their languages (Vietnamese always; default: random coverage). The site clock
    ends at the last one's publication time.
    """
    if n < 0 or minutes_apart < 1:
        raise ValueError("n must be >= 0 and minutes_apart >= 1")
    if langs is not None and set(langs) - set(site.langs):
        raise ValueError(f"languages not on this site: {sorted(set(langs) - set(site.langs))}")
    rng = _mutation_rng(site, "add")
    start = max([site.now, *(a.published for a in site.articles.values())])
    start = start.replace(second=0, microsecond=0)
    added = []
    for k in range(1, n + 1):
        when = start + timedelta(minutes=minutes_apart * k)
        article = make_article(rng, site, published=when, langs=langs)
        article.listed = listed
        added.append(add_article(site, article))
    if added:
        site.now = added[-1].published
    return added


def _unlink_duplicates(site: SiteModel, slug: str) -> None:
    """``slug`` no longer has the same text as its republished copy (or original)."""
    for art in site.articles.values():
        if art.dup_of == slug or (art.slug == slug and art.dup_of):
            art.dup_of = None


def _article(site: SiteModel, slug: str) -> Article:
    if slug not in site.articles:
        raise KeyError(f"no article {slug!r}")
    return site.articles[slug]


def change_article(site: SiteModel, slug: str, *, langs: Sequence[str] | None = None,
                   retitle: str | None = None, minutes: int = 10) -> Article:
    """Edit the body of the ``langs`` versions (default: all) of an article, and the title of
    the ``retitle`` version if given, ``minutes`` after the latest site event.

    One paragraph is rewritten and one appended; ``modified`` becomes the new ``site.now``.
    """
    art = _article(site, slug)
    targets = list(art.versions) if langs is None else list(langs)
    missing = [lg for lg in [*targets, *([retitle] if retitle else [])] if lg not in art.versions]
    if missing:
        raise ValueError(f"{slug!r} has no version in {missing}")
    rng = _mutation_rng(site, f"change:{slug}")
    site.now = max(site.now, art.changed) + timedelta(minutes=minutes)
    for lang in targets:
        ver = art.versions[lang]
        blocks = ver.blocks
        paragraphs = [i for i, b in enumerate(blocks) if b.kind == "p"]
        i = paragraphs[rng.randrange(len(paragraphs))]
        text = blocks[i].text
        while text == blocks[i].text:
            text = sentences(rng, lang, 1, 4)
        ver.blocks = [*blocks[:i], Block("p", text), *blocks[i + 1:],
                      Block("p", sentences(rng, lang, 1, 2))]
    if retitle:
        title = unique_title(rng, retitle, site.titles(retitle))
        art.versions[retitle].title = title
        site.titles(retitle).add(title)
    art.modified = site.now
    if "vi" in targets or retitle == "vi":
        _unlink_duplicates(site, slug)
    return art


def remove_article(site: SiteModel, slug: str, *, status: int = 410, minutes: int = 10
                   ) -> Article:
    """Take an article down ``minutes`` after the latest site event: every language page then
    answers ``status`` (404 or 410) and it leaves listings, sitemaps, feeds and the truth."""
    if status not in GONE_STATUSES:
        raise ValueError(f"status must be one of {GONE_STATUSES}")
    art = _article(site, slug)
    site.titles("vi")  # keep the title index counting removed articles
    site.revision += 1
    site.now += timedelta(minutes=minutes)
    _unlink_duplicates(site, slug)
    del site.articles[slug]
    site.gone[slug] = Removal(art, status, site.now)
    site._indexed = len(site.articles) + len(site.gone)
    return art
