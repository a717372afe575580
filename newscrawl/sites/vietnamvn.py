"""vietnam.vn's profile, :data:`VIETNAM_VN`: hosts, languages, URL shapes, selectors and labels.

The spider crawls it by default and hands it on; nothing outside ``newscrawl/sites/`` should
know a vietnam.vn host name, path, class name or localised label (tests/test_layout.py checks).
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone

from newscrawl.sites.profile import Discovery, Labels, SiteProfile, UrlGrammar

# fmt: off
VIETNAM_VN = SiteProfile(
    name="vietnamvn",
    canonical_origin="https://www.vietnam.vn",
    # Hosts that serve the same paths as the canonical one (DESIGN.md §1).
    hosts=frozenset(
        {"www.vietnam.vn", "vietnam.vn", "vcdn.vietnam.vn", "vjs.vietnam.vn", "thongtin.vietnam.vn"}
    ),
    default_lang="vi",
    # Language prefixes seen on the site plus the ones its language switcher is likely to grow;
    # ``-a langs`` accepts only these so a typo fails at start instead of crawling nothing.
    languages=(
        "vi", "en", "fr", "es", "de", "it", "pt", "nl", "no", "sv", "da", "fi", "pl", "cs",
        "hu", "ro", "ru", "uk", "el", "tr", "ar", "hi", "th", "id", "ms", "tl", "lo", "km",
        "my", "ja", "ko", "zh-cn", "zh-tw",
    ),
    urls=UrlGrammar(
        category="category",
        tags=("tag", "tags"),
        authors=("author", "authors"),
        # First path segments that are never article slugs.
        reserved=frozenset(
            {
                "category", "tag", "tags", "author", "authors", "search", "tim-kiem", "static",
                "_next", "api", "assets", "images", "img", "css", "js", "fonts", "sitemap",
                "sitemap.xml", "news-sitemap.xml", "robots.txt", "favicon.ico", "feed", "rss",
                "video", "videos", "login", "register", "user", "page",
            }
        ),
        # Article slugs are transliterated titles: several lowercase ASCII words joined by hyphens.
        # Short slugs (``/gioi-thieu``, ``/lien-he``) are static pages.
        article_slug=re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){3,}$"),
        category_slug=re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
        page_query_keys=("page", "p", "trang", "pg"),
        page_path=re.compile(r"/(?:page|trang)/(\d+)/?$"),
    ),
    discovery=Discovery(
        sitemap="/sitemap.xml",
        feed="{home}/sitemap.rss",
        day_sitemap=re.compile(r"/sitemap-post/(\d{4}-\d{2}-\d{2})\.xml(?:\.gz)?$"),
        category_sitemap=re.compile(r"sitemap-category"),
        news_sitemap=re.compile(r"news-sitemap|sitemap-news"),
        # Sitemaps of things that are never articles.
        skipped_sitemaps=re.compile(r"sitemap-(?:tag|page|author|video|image)s?\.xml", re.IGNORECASE),
    ),
    labels=Labels(
        # Text of pagination links that lead onwards, in the site's languages.
        next_page=frozenset(
            {
                "next", "next page", "older", "older posts", "more", "load more", "see more",
                "view more", "trang sau", "trang tiếp", "tiếp", "xem thêm", "tải thêm", "suivant",
                "page suivante", "voir plus", "plus", "siguiente", "ver más", "weiter", "nächste",
                "mehr laden", "próximo", "seguinte", "volgende", "következő", "neste", "următorul",
                "далее", "следующая", "下一页", "下一頁", "加载更多", "다음", "더보기", "더 보기",
                "次へ", "もっと見る", "ถัดไป", "berikutnya", "selanjutnya", "»", "›", ">", ">>",
            }
        ),
        # Buttons that load more items in place (matched as a whole label, never a word in a sentence).
        load_more=(
            "load more", "see more", "view more", "more", "xem thêm", "tải thêm", "voir plus",
            "ver más", "mehr laden", "더보기", "더 보기", "もっと見る", "加载更多", "更多",
        ),
        # Localised "Source:" lines that end an article; a line made of the link text alone counts too.
        source=(
            "source", "nguồn", "fuente", "fonte", "bron", "forrás", "kilde", "källa", "quelle",
            "źródło", "sursa", "источник", "出典", "来源", "來源", "출처", "ที่มา", "sumber", "المصدر",
            "स्रोत",
        ),
        source_link=(
            "source link", "link nguồn", "quellenlink", "lien source", "lien vers la source",
            "enlace fuente", "enlace de origen", "link da fonte", "bronlink", "소스 링크", "ソースリンク",
            "源链接", "来源链接", "ลิงค์ที่มา", "tautan sumber",
        ),
        comment=(
            "comment", "comments", "bình luận", "commentaire", "commentaires", "comentario",
            "comentarios", "comentário", "comentários", "kommentar", "kommentare", "reactie",
            "reacties", "hozzászólás", "megjegyzés", "comentariu", "комментарий", "комментарии",
            "댓글", "コメント", "评论", "評論", "ความคิดเห็น", "komentar", "تعليق", "टिप्पणी",
        ),
        # Captions: a localised credit word followed by a colon (optionally wrapped or prefixed).
        caption_credit=(
            "photo", "photos", "ảnh", "foto", "fotos", "fotó", "bild", "image", "illustration",
            "minh họa", "写真", "사진", "फोटो", "图", "图片", "照片", "รูป", "ภาพ", "фото", "source ảnh",
        ),
        caption_numbered=("ảnh", "hình", "photo", "image"),
        # What a listing with no articles says, in the site's languages (a legitimately empty category).
        empty_listing=(
            "no posts yet", "no posts", "no articles", "chưa có bài viết", "không có bài viết",
            "aucun article", "no hay artículos", "keine beiträge", "nenhum artigo", "暂无文章",
            "게시물이 없습니다", "記事はありません",
        ),
    ),
    # Vietnam has kept UTC+7 without daylight saving since 1975: dates shown without a zone are in it.
    timezone=timezone(timedelta(hours=7)),
    title_suffix=re.compile(r"\s*[-|–]\s*Vietnam\.vn\s*$", re.IGNORECASE),
    site_header="Vietnam.vn - Nền tảng quảng bá Việt Nam",
    # --- listing pages
    listing_links=("a.v-link-title", ".post-item a[href]", "article a[href]"),
    # Links inside these are other listings' articles (sidebars, "most read"), not this listing's.
    listing_excluded_areas=("aside", "header", "footer", "nav"),
    listing_excluded_classes=("sidebar", "most-read", "related", "popular", "trending", "widget"),
    listing_dates=(".time", "time", ".date", ".post-date"),
    # --- article pages
    article={
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
    },
    # Inside a body: blocks that are never article text.
    body_exclude=(
        "script", "style", "noscript", "iframe", "form", "button", "svg", "template",
        ".related-posts", ".related", ".post-related", ".box-related", ".ads", ".ad",
        ".advertisement", ".post-tags", ".comment", ".comments", ".comment-count", ".share",
        ".social-share",
    ),
    caption_classes=("caption", "desc", "credit", "chu-thich", "image-note", "photo-note"),
    https_image_hosts=frozenset({"vstatic.vietnam.vn"}),
    next_page_classes=("next",),
    load_more_classes=("load-more", "loadmore", "view-more", "see-more", "btn-more"),
)
# fmt: on
