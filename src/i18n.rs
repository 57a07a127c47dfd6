//! The default theme's words in each supported language, chosen by book.toml `language`.
//!
//! Templates never hold user-visible text of their own: they read `t.<label>`, so a site in
//! English gets an English theme without overriding a single template.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    En,
}

impl Language {
    pub const TAGS: &'static [&'static str] = &["zh-CN", "en"];

    /// Accepts the usual spellings of a language tag (`zh-CN`, `zh_cn`, `zh-Hans`, `en-US`…).
    pub fn from_tag(tag: &str) -> Option<Language> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        match tag.as_str() {
            "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" => Some(Language::ZhCn),
            t if t == "en" || t.starts_with("en-") => Some(Language::En),
            _ => None,
        }
    }

    /// The value of `<html lang>`.
    pub fn html_tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Language::ZhCn => &ZH_CN,
            Language::En => &EN,
        }
    }
}

/// Every label of the default theme.
#[derive(Debug, Serialize)]
pub struct Labels {
    pub home: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub search_help: &'static str,
    pub search_no_results: &'static str,
    pub search_results_count: &'static str,
    pub search_unavailable: &'static str,
    pub search_needs_js: &'static str,
    pub search_filters: &'static str,
    pub search_all: &'static str,
    pub toc: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub tags: &'static str,
    pub all_tags: &'static str,
    pub tag_pages: &'static str,
    pub sections: &'static str,
    pub recent: &'static str,
    pub sessions: &'static str,
    pub session_record: &'static str,
    pub note: &'static str,
    pub kind: &'static str,
    pub year: &'static str,
    pub date: &'static str,
    pub meeting: &'static str,
    pub topic: &'static str,
    pub host: &'static str,
    pub attendees: &'static str,
    pub materials: &'static str,
    pub studied_in: &'static str,
    pub breadcrumbs: &'static str,
    pub skip_to_content: &'static str,
    pub main_navigation: &'static str,
    pub pages_in_section: &'static str,
    pub subsections: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,
    pub empty_section: &'static str,
    pub page_count_suffix: &'static str,
    pub generated_by: &'static str,
}

static ZH_CN: Labels = Labels {
    home: "首页",
    search: "搜索",
    search_placeholder: "搜索学习资料、学习记录…",
    search_button: "搜索",
    search_help: "输入关键词即可搜索，多个词用空格分开；用引号 \"…\" 精确匹配短语，用 -词语 排除。",
    search_no_results: "没有找到相关内容。可以减少关键词、检查错别字，或去掉筛选条件再试。",
    search_results_count: "条结果",
    search_unavailable: "搜索数据不可用，请重新生成站点（studybook build）。",
    search_needs_js: "搜索需要启用 JavaScript。也可以按栏目、标签浏览全部内容。",
    search_filters: "筛选",
    search_all: "全部",
    toc: "目录",
    previous: "上一篇",
    next: "下一篇",
    tags: "标签",
    all_tags: "全部标签",
    tag_pages: "带有此标签的页面",
    sections: "栏目",
    recent: "最近更新",
    sessions: "学习记录",
    session_record: "第一议题学习记录",
    note: "学习资料",
    kind: "类型",
    year: "年份",
    date: "日期",
    meeting: "会议",
    topic: "学习内容",
    host: "主持人",
    attendees: "参会人数",
    materials: "学习材料",
    studied_in: "学习记录",
    breadcrumbs: "当前位置",
    skip_to_content: "跳到正文",
    main_navigation: "主导航",
    pages_in_section: "本栏目文章",
    subsections: "子栏目",
    not_found_title: "页面不存在",
    not_found_text: "您访问的页面不存在或已被移动。",
    back_home: "返回首页",
    empty_section: "本栏目暂无内容。",
    page_count_suffix: "篇",
    generated_by: "由 studybook 生成",
};

static EN: Labels = Labels {
    home: "Home",
    search: "Search",
    search_placeholder: "Search materials and session records…",
    search_button: "Search",
    search_help:
        "Type words to search, separated by spaces; use \"…\" for an exact phrase and -word to exclude.",
    search_no_results: "Nothing found. Try fewer words, check the spelling, or clear the filters.",
    search_results_count: "results",
    search_unavailable: "Search data unavailable, please rebuild the site (studybook build).",
    search_needs_js: "Search needs JavaScript. You can still browse by section and tag.",
    search_filters: "Filters",
    search_all: "All",
    toc: "Contents",
    previous: "Previous",
    next: "Next",
    tags: "Tags",
    all_tags: "All tags",
    tag_pages: "Pages with this tag",
    sections: "Sections",
    recent: "Recent updates",
    sessions: "Study sessions",
    session_record: "First-topic study session",
    note: "Study material",
    kind: "Kind",
    year: "Year",
    date: "Date",
    meeting: "Meeting",
    topic: "Topic",
    host: "Host",
    attendees: "Attendees",
    materials: "Materials",
    studied_in: "Studied in",
    breadcrumbs: "Breadcrumbs",
    skip_to_content: "Skip to content",
    main_navigation: "Main navigation",
    pages_in_section: "Pages in this section",
    subsections: "Subsections",
    not_found_title: "Page not found",
    not_found_text: "The page you asked for does not exist or has moved.",
    back_home: "Back to the home page",
    empty_section: "Nothing here yet.",
    page_count_suffix: "pages",
    generated_by: "Generated by studybook",
};
