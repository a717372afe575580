"""Everything specific to vietnam.vn: hosts, languages, URL shapes, selectors and labels.

The spider and the extraction layers read this profile; nothing else in the project
should know a vietnam.vn host name, class name or localised label.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone

from newscrawl.sites.profile import Discovery, Labels, SiteProfile, UrlGrammar

CANONICAL_ORIGIN = "https://www.vietnam.vn"
CANONICAL_HOST = "www.vietnam.vn"
# Hosts that serve the same paths as the canonical one (DESIGN.md §1).
SITE_HOSTS = frozenset(
    {"www.vietnam.vn", "vietnam.vn", "vcdn.vietnam.vn", "vjs.vietnam.vn", "thongtin.vietnam.vn"}
)
DEFAULT_LANG = "vi"
# Vietnam has kept UTC+7 without daylight saving since 1975: dates shown without a zone are in it.
TIMEZONE = timezone(timedelta(hours=7))

# Language prefixes seen on the site plus the ones its language switcher is likely to grow;
# ``-a langs`` accepts only these so a typo fails at start instead of crawling nothing.
LANGUAGES = (
    "vi", "en", "fr", "es", "de", "it", "pt", "nl", "no", "sv", "da", "fi", "pl", "cs",
    "hu", "ro", "ru", "uk", "el", "tr", "ar", "hi", "th", "id", "ms", "tl", "lo", "km",
    "my", "ja", "ko", "zh-cn", "zh-tw",
)  # fmt: skip
PREFIXED_LANGUAGES = frozenset(LANGUAGES) - {DEFAULT_LANG}

# First path segments that are never article slugs.
RESERVED_SEGMENTS = frozenset(
    {
        "category", "tag", "tags", "author", "authors", "search", "tim-kiem", "static",
        "_next", "api", "assets", "images", "img", "css", "js", "fonts", "sitemap",
        "sitemap.xml", "news-sitemap.xml", "robots.txt", "favicon.ico", "feed", "rss",
        "video", "videos", "login", "register", "user", "page",
    }
)  # fmt: skip
# Article slugs are transliterated titles: several lowercase ASCII words joined by hyphens.
# Short slugs (``/gioi-thieu``, ``/lien-he``) are static pages.
ARTICLE_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){3,}$")
CATEGORY_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# --- listing pages -------------------------------------------------------------------
LISTING_LINK_SELECTORS = ("a.v-link-title", ".post-item a[href]", "article a[href]")
# Links inside these are other listings' articles (sidebars, "most read"), not this listing's.
LISTING_EXCLUDED_AREAS = ("aside", "header", "footer", "nav")
LISTING_EXCLUDED_CLASSES = ("sidebar", "most-read", "related", "popular", "trending", "widget")
# Text of pagination links that lead onwards, in the site's languages.
NEXT_PAGE_LABELS = frozenset(
    {
        "next", "next page", "older", "older posts", "more", "load more", "see more", "view more",
        "trang sau", "trang tiếp", "tiếp", "xem thêm", "tải thêm", "suivant", "page suivante",
        "voir plus", "plus", "siguiente", "ver más", "weiter", "nächste", "mehr laden",
        "próximo", "seguinte", "volgende", "következő", "neste", "următorul", "далее",
        "следующая", "下一页", "下一頁", "加载更多", "다음", "더보기", "더 보기", "次へ",
        "もっと見る", "ถัดไป", "berikutnya", "selanjutnya", "»", "›", ">", ">>",
    }
)  # fmt: skip
# Buttons that load more items in place (matched as a whole label, never a word in a sentence).
LOAD_MORE_LABELS = (
    "load more", "see more", "view more", "more", "xem thêm", "tải thêm", "voir plus", "ver más",
    "mehr laden", "더보기", "더 보기", "もっと見る", "加载更多", "更多",
)  # fmt: skip
# What a listing with no articles says, in the site's languages (a legitimately empty category).
EMPTY_LISTING_LABELS = (
    "no posts yet", "no posts", "no articles", "chưa có bài viết", "không có bài viết",
    "aucun article", "no hay artículos", "keine beiträge", "nenhum artigo", "暂无文章",
    "게시물이 없습니다", "記事はありません",
)  # fmt: skip
PAGE_QUERY_KEYS = ("page", "p", "trang", "pg")
PAGE_PATH_RE = re.compile(r"/(?:page|trang)/(\d+)/?$")
LISTING_DATE_SELECTORS = (".time", "time", ".date", ".post-date")

# --- article pages ---------------------------------------------------------------------
TITLE_SUFFIX_RE = re.compile(r"\s*[-|–]\s*Vietnam\.vn\s*$", re.IGNORECASE)
SITE_HEADER_TEXT = "Vietnam.vn - Nền tảng quảng bá Việt Nam"

ARTICLE_SELECTORS = {
    "container": (".post-detail-container", ".post-detail", "article", "[itemprop=articleBody]"),
    "title": ("h1.post-detail-title", ".post-detail-title", ".post-detail-container h1", "h1"),
    "summary": (
        ".post-detail-sapo",
        ".post-detail-summary",
        ".post-sapo",
        ".sapo",
        ".post-detail-lead",
        ".post-lead",
    ),
    "body": (".post-detail-body", ".post-detail-content", "[itemprop=articleBody]", ".article-body"),
    # The outlet, shown twice (logo + name), alone or run together with the date.
    "source": (
        ".post-detail-source",
        ".post-source",
        ".source-name",
        ".post-detail-info",
        ".post-author-info",
    ),
    "date": (".post-detail-time", ".post-detail-date", ".post-time", ".post-date", "time"),
    "authors": (".post-author", ".post-detail-author", "[rel=author]", "[itemprop=author]"),
    "tags": (".post-tags a", ".post-detail-tags a", ".tags a"),
    "breadcrumb": (".breadcrumb a", ".ant-breadcrumb a", "[itemtype*=BreadcrumbList] a"),
}
# Inside a body: blocks that are never article text.
BODY_EXCLUDE = (
    "script", "style", "noscript", "iframe", "form", "button", "svg", "template",
    ".related-posts", ".related", ".post-related", ".box-related", ".ads", ".ad", ".advertisement",
    ".post-tags", ".comment", ".comments", ".comment-count", ".share", ".social-share",
)  # fmt: skip

# Localised "Source:" lines that end an article; a line made of the link text alone counts too.
SOURCE_LABELS = (
    "source", "nguồn", "fuente", "fonte", "bron", "forrás", "kilde", "källa", "quelle",
    "źródło", "sursa", "источник", "出典", "来源", "來源", "출처", "ที่มา", "sumber", "المصدر",
    "स्रोत",
)  # fmt: skip
SOURCE_LINK_TEXTS = (
    "source link", "link nguồn", "quellenlink", "lien source", "lien vers la source",
    "enlace fuente", "enlace de origen", "link da fonte", "bronlink", "소스 링크", "ソースリンク",
    "源链接", "来源链接", "ลิงค์ที่มา", "tautan sumber",
)  # fmt: skip
COMMENT_LABELS = (
    "comment", "comments", "bình luận", "commentaire", "commentaires", "comentario",
    "comentarios", "comentário", "comentários", "kommentar", "kommentare", "reactie",
    "reacties", "hozzászólás", "megjegyzés", "comentariu", "комментарий", "комментарии",
    "댓글", "コメント", "评论", "評論", "ความคิดเห็น", "komentar", "تعليق", "टिप्पणी",
)  # fmt: skip
# Captions: a localised credit word followed by a colon (optionally wrapped or prefixed).
CAPTION_CREDIT_WORDS = (
    "photo", "photos", "ảnh", "foto", "fotos", "fotó", "bild", "image", "illustration",
    "minh họa", "写真", "사진", "फोटो", "图", "图片", "照片", "รูป", "ภาพ", "фото", "source ảnh",
)  # fmt: skip

# --- the profile ---------------------------------------------------------------------
# The constants above are read directly by modules not yet given a profile; new code takes
# VIETNAM_VN (issue 15: the profile is passed in, not imported).
VIETNAM_VN = SiteProfile(
    name="vietnamvn",
    canonical_origin=CANONICAL_ORIGIN,
    hosts=SITE_HOSTS,
    default_lang=DEFAULT_LANG,
    languages=LANGUAGES,
    urls=UrlGrammar(
        category="category",
        tags=("tag", "tags"),
        authors=("author", "authors"),
        reserved=RESERVED_SEGMENTS,
        article_slug=ARTICLE_SLUG_RE,
        category_slug=CATEGORY_SLUG_RE,
        page_query_keys=PAGE_QUERY_KEYS,
        page_path=PAGE_PATH_RE,
    ),
    discovery=Discovery(
        sitemap="/sitemap.xml",
        feed="{home}/sitemap.rss",
        day_sitemap=re.compile(r"/sitemap-post/(\d{4}-\d{2}-\d{2})\.xml(?:\.gz)?$"),
        category_sitemap=re.compile(r"sitemap-category"),
        news_sitemap=re.compile(r"news-sitemap|sitemap-news"),
        skipped_sitemaps=re.compile(r"sitemap-(?:tag|page|author|video|image)s?\.xml", re.IGNORECASE),
    ),
    labels=Labels(
        next_page=NEXT_PAGE_LABELS,
        load_more=LOAD_MORE_LABELS,
        source=SOURCE_LABELS,
        source_link=SOURCE_LINK_TEXTS,
        comment=COMMENT_LABELS,
        caption_credit=CAPTION_CREDIT_WORDS,
        empty_listing=EMPTY_LISTING_LABELS,
    ),
    timezone=TIMEZONE,
    title_suffix=TITLE_SUFFIX_RE,
    site_header=SITE_HEADER_TEXT,
    listing_links=LISTING_LINK_SELECTORS,
    listing_excluded_areas=LISTING_EXCLUDED_AREAS,
    listing_excluded_classes=LISTING_EXCLUDED_CLASSES,
    listing_dates=LISTING_DATE_SELECTORS,
    article=ARTICLE_SELECTORS,
    body_exclude=BODY_EXCLUDE,
    https_image_hosts=frozenset({"vstatic.vietnam.vn"}),
)
