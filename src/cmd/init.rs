//! `studybook init DIR`: a new site with a sample note and a sample session record.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _};

use crate::cli::InitArgs;
use crate::i18n::Language;
use crate::text;

const FILES_ZH: &[(&str, &str)] = &[
    ("book.toml", "[book]\ntitle = \"学习资料库\"\ndescription = \"本支部的学习资料与第一议题学习记录\"\nlanguage = \"zh-CN\"\n\n[build]\noutput-dir = \"public\"\n"),
    (".gitignore", "/public/\n/.public.*\n"),
    ("content/_index.md", "---\ntitle: 学习资料库\n---\n\n欢迎使用学习资料库。在 `content/` 中添加 Markdown 文件，然后运行 `studybook build`。\n"),
    ("content/notes/_index.md", "---\ntitle: 学习资料\nsummary: 重要讲话、文件精神和学习笔记。\nweight: 1\n---\n"),
    ("content/notes/sample-note.md", "---\ntitle: 学习笔记示例\ndate: 2024-03-01\ntags: [示例]\n---\n\n## 学习要点\n\n这是一篇学习笔记示例。每个页面开头的 `---` 之间是页面信息（标题、日期、标签），下面是正文。\n\n- 列表、**加粗**、表格和脚注都可以使用。\n- 链接到其他页面时，写它的文件路径，例如 [学习记录示例](../sessions/sample-session.md)。\n"),
    ("content/sessions/_index.md", "---\ntitle: 第一议题学习记录\nsummary: 各类会议第一议题学习的记录。\nkind: session\nweight: 2\n---\n"),
    ("content/sessions/sample-session.md", "---\ntitle: 支部委员会第一议题学习（示例）\nkind: session\ndate: 2024-03-12\nmeeting: 支部委员会\ntopic: 学习笔记示例中的内容\nhost: 支部书记\nattendees: 7\nmaterials: [notes/sample-note.md]\ntags: [示例]\n---\n\n会议首先学习了学习笔记示例，并结合工作实际进行了交流。\n"),
];

const FILES_EN: &[(&str, &str)] = &[
    ("book.toml", "[book]\ntitle = \"Study library\"\ndescription = \"Study materials and first-topic session records\"\nlanguage = \"en\"\n\n[build]\noutput-dir = \"public\"\n"),
    (".gitignore", "/public/\n/.public.*\n"),
    ("content/_index.md", "---\ntitle: Study library\n---\n\nWelcome. Add Markdown files under `content/` and run `studybook build`.\n"),
    ("content/notes/_index.md", "---\ntitle: Study materials\nsummary: Speeches, documents and study notes.\nweight: 1\n---\n"),
    ("content/notes/sample-note.md", "---\ntitle: A sample note\ndate: 2024-03-01\ntags: [sample]\n---\n\n## Key points\n\nThis is a sample study note. The block between the `---` lines holds the page's details; the text follows.\n\n- Link to another page by its file path, e.g. [the sample session](../sessions/sample-session.md).\n"),
    ("content/sessions/_index.md", "---\ntitle: Study sessions\nsummary: Records of first-topic study sessions.\nkind: session\nweight: 2\n---\n"),
    ("content/sessions/sample-session.md", "---\ntitle: Branch committee first-topic study (sample)\nkind: session\ndate: 2024-03-12\nmeeting: Branch committee\ntopic: The sample note\nhost: Branch secretary\nattendees: 7\nmaterials: [notes/sample-note.md]\ntags: [sample]\n---\n\nThe meeting first studied the sample note.\n"),
];

pub fn run(args: InitArgs) -> anyhow::Result<ExitCode> {
    let dir = args.root.root.join(&args.dir);
    // A usage error (exit code 2), as clap's own are.
    let Some(language) = Language::from_tag(&args.language) else {
        eprintln!(
            "{}",
            text!(
                "error: unsupported language `{}`; use one of: {}",
                "错误：不支持的语言 `{}`；请从这几种中选一种：{}",
                args.language,
                Language::TAGS.join(", ")
            )
        );
        return Ok(ExitCode::from(2));
    };
    create_site(&dir, language)?;
    eprintln!(
        "{}",
        text!(
            "created a new site in {0}\nnext: studybook serve --root {0}",
            "已在 {0} 新建站点\n下一步：studybook serve --root {0}",
            dir.display()
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the starter files into `dir`, which must be empty or not exist.
pub fn create_site(dir: &Path, language: Language) -> anyhow::Result<()> {
    if dir.join("book.toml").exists() {
        bail!(
            "{}",
            text!(
                "`{}` already holds a site (book.toml exists); choose another folder",
                "`{}` 里已经有一个站点（有 book.toml）；请换一个文件夹",
                dir.display()
            )
        );
    }
    if dir.is_dir() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{}",
            text!(
                "`{}` is not empty; choose a new or empty folder",
                "`{}` 不是空文件夹；请选一个新的或空的文件夹",
                dir.display()
            )
        );
    }
    let files = match language {
        Language::ZhCn => FILES_ZH,
        Language::En => FILES_EN,
    };
    for (path, text) in files {
        let path = path.split('/').fold(dir.to_path_buf(), |p, part| p.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| text!("failed to create `{}`", "无法创建 `{}`", parent.display()))?;
        }
        std::fs::write(&path, text)
            .with_context(|| text!("failed to write `{}`", "无法写入 `{}`", path.display()))?;
    }
    Ok(())
}
