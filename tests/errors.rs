//! Bad input through the real binary: each case fails with exit code 1 and a precise
//! `file:line[:col]: message` on stderr, and leaves the previous output byte-for-byte as it was.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::PathBuf;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The basic fixture, built once successfully, with a snapshot of that output.
fn built_fixture() -> (TestSite, BTreeMap<PathBuf, Vec<u8>>) {
    let site = TestSite::fixture("basic");
    site.build().success();
    let before = site.snapshot_output();
    assert!(before.len() > 10, "the first build wrote the site");
    (site, before)
}

/// The numbered entries of `error: found N errors…` (without their `N. ` and help lines),
/// after checking the header and the numbering.
fn errors_of(run: &Run) -> Vec<String> {
    let mut lines = run.stderr.lines();
    let header = lines
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no `error:` line on stderr:\n{}", run.stderr));
    let mut entries = Vec::new();
    for line in lines {
        let trimmed = line.trim_start();
        let Some((number, rest)) = trimmed.split_once(". ") else {
            continue;
        };
        if number.chars().all(|c| c.is_ascii_digit()) && !number.is_empty() {
            assert_eq!(
                number,
                (entries.len() + 1).to_string(),
                "numbered in order:\n{}",
                run.stderr
            );
            entries.push(rest.to_string());
        }
    }
    let count = entries.len();
    let noun = if count == 1 { "error" } else { "errors" };
    // `check` and `stats` never write, so they do not say that nothing was written.
    let written = format!("error: found {count} {noun}, nothing was written:");
    let checked = format!("error: found {count} {noun}:");
    assert!(
        header == written || header == checked,
        "header of:\n{}",
        run.stderr
    );
    entries
}

/// The `help:` line that follows the entry starting with `entry`.
fn help_after(run: &Run, entry: &str) -> String {
    let mut lines = run.stderr.lines().skip_while(|l| !l.contains(entry));
    lines
        .next()
        .unwrap_or_else(|| panic!("no entry {entry} in:\n{}", run.stderr));
    let help = lines.next().unwrap_or("").trim_start();
    help.strip_prefix("help: ")
        .unwrap_or_else(|| panic!("no help line after {entry}:\n{}", run.stderr))
        .to_string()
}

/// Writes `text` at `relative` into a built fixture, rebuilds, and checks that the build failed
/// without touching the output. Returns the run.
fn break_and_build(relative: &str, text: &str) -> Run {
    let (site, before) = built_fixture();
    site.write(relative, text);
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    run
}

/// Runs the binary in the site's folder, so relative `--out` paths are inside the site.
fn run_in_site(site: &TestSite, args: &[&str]) -> Run {
    let output = studybook_command()
        .args(args)
        .current_dir(site.root())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Front matter
// ---------------------------------------------------------------------------------------------

/// YAML's own message, at its line and column, for what no plain-words check recognises.
#[test]
fn malformed_yaml_front_matter_names_line_and_column() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 学习笔记\ntags: [甲]\n  - 乙\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:4:3: invalid YAML front matter: did not find expected key"]
    );
    assert!(help_after(&run, "content/notes/bad.md:4:3").contains("key: value"));
}

/// A front matter with errors does not hide the rest of the file: its broken image, link and
/// Markdown slips are listed in the same build, so the editor fixes the file in one round (it
/// took a build for the header, then one for the text).
#[test]
fn a_header_error_does_not_hide_the_problems_of_the_text() {
    for header in [
        "---\ntitle: 学习笔记\ndate: 2024-13-01\n---",
        // YAML that does not parse at all.
        "---\ntitle: 学习笔记\ntags: [甲]\n- 乙\n---",
    ] {
        let first = header.lines().count() + 2;
        let run = break_and_build(
            "content/notes/bad.md",
            &format!("{header}\n\n![图](missing.png)\n\n[链接](nope.md)\n\n【附件】(a.md)\n\n![远](https://example.com/a.png)\n"),
        );
        let errors = errors_of(&run);
        assert_eq!(errors.len(), 3, "{}", run.stderr);
        assert!(errors[0].starts_with("content/notes/bad.md:"), "{errors:?}");
        assert_eq!(
            errors[1..],
            [
                format!(
                    "content/notes/bad.md:{first}: broken image → `missing.png`: the target does not exist"
                ),
                format!(
                    "content/notes/bad.md:{}: broken link → `nope.md`: the target does not exist",
                    first + 2
                ),
            ]
        );
        let not_a_link = format!(
            "warning: content/notes/bad.md:{}: `【附件】(a.md)` is not a link",
            first + 4
        );
        assert!(run.stderr.contains(&not_a_link), "{}", run.stderr);
        let remote = format!(
            "warning: content/notes/bad.md:{}: the image `https://example.com/a.png` is loaded from another site",
            first + 6
        );
        assert!(run.stderr.contains(&remote), "{}", run.stderr);
    }
}

/// A record's `materials` are checked when other fields of its header have errors: a bad date,
/// attendees in words and a missing material were three builds, one fixed at a time.
#[test]
fn a_header_error_does_not_hide_a_missing_material() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-02-30\nmeeting: 室务会\nattendees: 七\nmaterials: [notes/missing.md, notes/2024/safety.md]\n---\n\n正文\n",
    );
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    assert!(
        errors[0].starts_with("content/sessions/2024-04-01.md:3: "),
        "{errors:?}"
    );
    assert_eq!(
        errors[1],
        "content/sessions/2024-04-01.md:5: `attendees` is `七`, not a whole number in digits"
    );
    assert_eq!(
        errors[2],
        "content/sessions/2024-04-01.md:6: material `notes/missing.md` does not resolve to a page"
    );
}

/// A `[[title]]` naming a page whose front matter has errors is not reported as leading
/// nowhere: that page's own errors are, and fixing them mends the link.
#[test]
fn a_wikilink_to_a_page_with_a_header_error_is_not_reported_again() {
    let (site, before) = built_fixture();
    site.write(
        "content/notes/broken.md",
        "+++\ntitle = \"坏文件头的页面\"\nattendees = \"十二\"\n+++\n\n正文。\n",
    );
    site.write(
        "content/notes/linking.md",
        "---\ntitle: 链接页\n---\n\n见[[坏文件头的页面]]和[[坏文件头的页面#要点]]。\n",
    );
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("content/notes/broken.md:3"), "{errors:?}");
    assert_eq!(site.snapshot_output(), before, "a failed build writes nothing");
}

#[test]
fn malformed_toml_front_matter_names_line_and_column() {
    let run = break_and_build(
        "content/notes/bad.md",
        "+++\ntitle = \"学习笔记\" 多余\ndate = 2024-01-01\n+++\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:2:16: `title`'s value goes on after its closing quote: `多余`"],
        "line 2, column of `多余` counted in characters"
    );
    assert!(
        help_after(&run, "content/notes/bad.md:2:16")
            .contains("remove `多余`, or move it inside the quotes: `title = \"学习笔记 多余\"`"),
        "{}",
        run.stderr
    );
    // What no plain-words check recognises keeps TOML's own message.
    let run = break_and_build(
        "content/notes/bad.md",
        "+++\ntitle = \"学习笔记\"\n[extra\n+++\n\n正文\n",
    );
    let errors = errors_of(&run);
    assert!(
        errors.len() == 1
            && errors[0].starts_with("content/notes/bad.md:3:")
            && errors[0].contains("invalid TOML front matter: "),
        "{errors:?}"
    );
}

/// TOML slips (the demo's session records are TOML) named in plain words, with the line as it
/// should be written.
#[test]
fn toml_slips_are_named_with_the_line_as_it_should_be() {
    let cases = [
        (
            "title = 学习笔记",
            "content/notes/bad.md:2:9: `title`'s value `学习笔记` is text without quotes",
            "help: TOML needs quotes around text: `title = \"学习笔记\"`",
        ),
        (
            "title = “学习笔记”",
            "content/notes/bad.md:2:9: `title`'s value is in Chinese quotes “ ”",
            "help: TOML needs half-width quotes around text: `title = \"学习笔记\"`",
        ),
        (
            "title: \"学习笔记\"",
            "content/notes/bad.md:2:8: `title` is followed by a colon: TOML front matter (between `+++` lines) writes `=`",
            "help: write `title = \"学习笔记\"`, or start and end the front matter with `---` to write YAML",
        ),
        (
            "title ＝ \"学习笔记\"",
            "content/notes/bad.md:2:7: `title` is followed by a full-width equals sign `＝`",
            "help: type a half-width `=`: `title = \"学习笔记\"`",
        ),
        (
            "title = \"学习\"二十大\"精神\"",
            "content/notes/bad.md:2:13: `title`'s value goes on after its closing quote: `二十大\"精神\"`",
            "single quotes around it: `title = '学习\"二十大\"精神'`",
        ),
        (
            "title = \"笔记\"\ntags = [安全, 生产]",
            "content/notes/bad.md:3:9: the items of `tags` need quotes",
            "help: write `tags = [\"安全\", \"生产\"]`",
        ),
        (
            "title = \"笔记\"\ndate = 2024-3-1",
            "content/notes/bad.md:3:8: `date` is `2024-3-1`, not a date written YYYY-MM-DD",
            "help: write `date = 2024-03-01`",
        ),
        (
            "title = \"笔记\"\ntitle = \"又一个\"",
            "content/notes/bad.md:3:1: `title` is written twice",
            "help: remove one of the `title` lines",
        ),
        (
            "title = \"笔记\"\ndraft: true",
            "content/notes/bad.md:3:8: `draft` is followed by a colon: TOML front matter (between `+++` lines) writes `=`",
            "help: write `draft = true`, or start",
        ),
        (
            "title = \"笔记\"\ndate = 2024年3月1日",
            "content/notes/bad.md:3:8: `date` is `2024年3月1日`, not a date written YYYY-MM-DD",
            "help: write `date = 2024-03-01`",
        ),
        (
            "title = \"笔记\"\nattendees = 十二",
            "content/notes/bad.md:3:13: `attendees` must be a whole number, not `十二`",
            "help: write it in digits, e.g. `attendees = 12`",
        ),
        (
            "title = \"笔记\"\nattendees = 99999999999999999999",
            "content/notes/bad.md:3:13: `attendees` is `99999999999999999999`, too large a number",
            "help: write how many people attended, e.g. `attendees = 13`",
        ),
    ];
    for (lines, error, help) in cases {
        let run = break_and_build("content/notes/bad.md", &format!("+++\n{lines}\n+++\n\n正文\n"));
        assert_eq!(errors_of(&run), [error], "{lines}");
        assert!(run.stderr.contains(help), "{lines}: {}", run.stderr);
    }
}

#[test]
fn unclosed_front_matter_is_reported() {
    let run = break_and_build("content/notes/bad.md", "---\ntitle: 没有结束\n\n正文\n");
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:1:1: front matter opened with `---` on line 1 is never closed"]
    );
}

#[test]
fn missing_title() {
    let run = break_and_build("content/notes/bad.md", "---\ndate: 2024-01-01\n---\n\n正文\n");
    assert_eq!(errors_of(&run), ["content/notes/bad.md:2: missing `title`"]);
    assert!(help_after(&run, "missing `title`").contains("title:"));
}

#[test]
fn session_without_meeting() {
    // The sessions section makes its pages sessions by default.
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 缺少会议的记录\ndate: 2024-04-01\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:1: session record has no `meeting`"]
    );
    assert!(help_after(&run, "has no `meeting`").contains("meeting: "));
}

#[test]
fn session_without_date() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 缺少日期的记录\nkind: session\nmeeting: 室务会\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:3: session record has no `date`"]
    );
    assert!(help_after(&run, "has no `date`").contains("date: "));
}

#[test]
fn date_not_written_yyyy_mm_dd_suggests_the_fix() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 日期写错\ndate: 2024-3-5\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:3: `date` is `2024-3-5`, not a date written YYYY-MM-DD"]
    );
    assert_eq!(
        help_after(&run, "content/notes/bad.md:3"),
        "write it as `date: 2024-03-05`"
    );
    // Other common spellings get their own day back, not an example.
    for written in [
        "24-3-5",
        "２０２４－０３－０５",
        "2024-03-05 09:30",
        "2024年3月5日",
    ] {
        let run = break_and_build(
            "content/notes/bad.md",
            &format!("---\ntitle: 日期写错\ndate: {written}\n---\n\n正文\n"),
        );
        assert_eq!(
            help_after(&run, "content/notes/bad.md:3"),
            "write it as `date: 2024-03-05`",
            "{written}"
        );
    }
}

#[test]
fn date_that_is_not_a_calendar_day() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 日期不存在\ndate: 2023-02-29\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:3: `date` is `2023-02-29`, not a date written YYYY-MM-DD"]
    );
    assert!(help_after(&run, "content/notes/bad.md:3").contains("not a day of the calendar"));
}

#[test]
fn attendees_negative() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees: -3\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:5: `attendees` is -3, a negative number"]
    );
}

#[test]
fn attendees_too_large() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees: 5000000000\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:5: `attendees` is 5000000000, too large a number"]
    );
}

/// More attendees than any meeting holds: a warning, the site still builds.
#[test]
fn attendees_past_what_a_meeting_holds_are_warned() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees: 130000\n---\n\n正文\n",
    );
    let run = site.build().success();
    assert!(
        run.stderr.lines().any(|l| l
            == "warning: content/sessions/2024-04-01.md:5: `attendees` is 130000: did that many people attend?"),
        "{}",
        run.stderr
    );
}

/// The row of `stats --json` for the sessions of `meeting` in `year`.
fn stats_row(site: &TestSite, meeting: &str, year: u32) -> serde_json::Value {
    let stats = site.run(&["stats", "--json"]).success();
    let json: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["meeting"] == meeting && row["year"] == year)
        .unwrap_or_else(|| panic!("no {meeting} of {year}: {}", stats.stdout))
        .clone()
}

/// `attendees:` left blank, as a template leaves it: not recorded, as if the line were not
/// there (it said "`attendees` is `null`", which no editor wrote).
#[test]
fn attendees_left_blank_are_not_recorded() {
    let (site, _) = built_fixture();
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees:\n---\n\n正文\n",
    );
    site.build().success();
    let row = stats_row(&site, "室务会", 2024);
    assert_eq!(row["count"], 1, "{row}");
    assert_eq!(row["attendees_unrecorded"], 1, "{row}");
}

#[test]
fn attendees_not_a_number() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees: 十三人\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:5: `attendees` is `十三人`, not a whole number in digits"]
    );
    assert_eq!(help_after(&run, "not a whole number"), "write `attendees: 13`");
}

/// What YAML reads as a number but no editor meant as a count is reported as typed, with the
/// count it stands for: `1e3` said `1000.0`, `0x10` counted 16 attendees without a word.
#[test]
fn attendees_are_reported_as_typed() {
    let cases = [
        (
            "1e3",
            ":5: `attendees` is `1e3`, not a whole number in digits",
            "write `attendees: 1000`",
        ),
        (
            "0x10",
            ":5: `attendees` is `0x10`, not a whole number in digits",
            "write `attendees: 16`",
        ),
        (
            "12.0 # 实到",
            ":5: `attendees` is `12.0`, not a whole number in digits",
            "write `attendees: 12`",
        ),
        (
            "12人",
            ":5: `attendees` is `12人`, not a whole number in digits",
            "write `attendees: 12`",
        ),
        (
            "1e10",
            ":5: `attendees` is `1e10`, not a whole number in digits",
            "write how many people attended as digits, e.g. `attendees: 13`",
        ),
        (
            "12.5",
            ":5: `attendees` is `12.5`, not a whole number in digits",
            "write how many people attended as digits, e.g. `attendees: 13`",
        ),
        // Past 64 bits the YAML parser itself gives up, in words of JSON.
        (
            "99999999999999999999",
            ":5:12: `attendees` is `99999999999999999999`, too large a number",
            "write how many people attended, e.g. `attendees: 13`",
        ),
    ];
    for (typed, error, help) in cases {
        let run = break_and_build(
            "content/sessions/2024-04-01.md",
            &format!(
                "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees: {typed}\n---\n\n正文\n"
            ),
        );
        assert_eq!(
            errors_of(&run),
            [format!("content/sessions/2024-04-01.md{error}")],
            "{typed}"
        );
        assert_eq!(
            help_after(&run, "content/sessions/2024-04-01.md:5"),
            help,
            "{typed}"
        );
    }
}

/// A title of digits alone, too long for a number: quoted, it is text.
#[test]
fn a_number_too_long_to_read_is_text_in_quotes() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 20240312000000000000000\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:2:8: `title` holds `20240312000000000000000`, a number too long to read"]
    );
    assert_eq!(
        help_after(&run, "content/notes/bad.md:2"),
        "if it is text, put it in quotes: `\"20240312000000000000000\"`"
    );
    // In a list, with a comment after it.
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 笔记\ntags: [学习, 20240312000000000000000]  # 编号\n---\n\n正文\n",
    );
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].ends_with("`tags` holds `20240312000000000000000`, a number too long to read"),
        "{errors:?}"
    );
}

/// Where the line of `attendees` is not found as typed (its key in quotes), a number with a
/// point is still no count.
#[test]
fn attendees_with_a_quoted_key_are_whole_numbers_only() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\n\"attendees\": 12.0\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:5: `attendees` is `12.0`, not a whole number in digits"]
    );
}

/// Digits and a sign are a count, as the editor typed them, a comment after them or not.
#[test]
fn attendees_with_a_plus_or_full_width_digits_count() {
    let (site, _) = built_fixture();
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nattendees: +12\t# 实到\n---\n\n正文\n",
    );
    site.write(
        "content/sessions/2024-04-02.md",
        "---\ntitle: 记录二\ndate: 2024-04-02\nmeeting: 室务会\nattendees: １３\t# 实到\n---\n\n正文\n",
    );
    site.build().success();
    let row = stats_row(&site, "室务会", 2024);
    assert_eq!(row["count"], 2, "{row}");
    assert_eq!(row["attendees"], 25, "{row}");
}

#[test]
fn draft_that_is_not_true_or_false() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 草稿写法\ndate: 2024-01-01\ndraft: 是\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:4: `draft` is `是`, not true or false"]
    );
    assert_eq!(
        help_after(&run, "not true or false"),
        "write `draft: true` to keep the page out of the site, or remove the line to publish it"
    );
}

#[test]
fn a_text_field_written_as_a_list_names_the_field_and_the_fix() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: [室务会, 支委会]\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:4: `meeting` is `[室务会, 支委会]`, not text"]
    );
    assert_eq!(
        help_after(&run, "not text"),
        "write it on one line, e.g. `meeting: 党支部委员会会议`; text that holds `: ` or starts with `[` goes in quotes: `meeting: \"…\"`"
    );
}

#[test]
fn a_material_that_is_not_a_path_is_named_by_its_place() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nmaterials:\n  - notes/2024/safety.md\n  - title: 讲话\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:5: material 2 is `{title: 讲话}`, not a page path"]
    );
    assert!(
        help_after(&run, "not a page path").starts_with("list the pages studied by their paths"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_kind() {
    let run = break_and_build(
        "content/notes/bad.md",
        "---\ntitle: 类型写错\ndate: 2024-01-01\nkind: meeting\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:4: unknown kind `meeting`"]
    );
    assert!(help_after(&run, "unknown kind").contains("`note`"));
}

#[test]
fn every_problem_of_one_file_is_reported() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024/4/1\nmeeting: 室务会\nattendees: -1\nkind: lecture\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        [
            "content/sessions/2024-04-01.md:3: `date` is `2024/4/1`, not a date written YYYY-MM-DD",
            "content/sessions/2024-04-01.md:5: `attendees` is -1, a negative number",
            "content/sessions/2024-04-01.md:6: unknown kind `lecture`",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown fields: a warning, not an error
// ---------------------------------------------------------------------------------------------

const TYPO_PAGE: &str = "---\ntitle: 字段拼错\ntittle: 旧标题\ndate: 2024-01-01\n---\n\n正文\n";

#[test]
fn unknown_field_is_a_warning_with_did_you_mean() {
    let site = TestSite::fixture("basic");
    site.write("content/notes/typo.md", TYPO_PAGE);
    let run = site.build().success();
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "warning: content/notes/typo.md:3: unknown field `tittle`")
        .unwrap_or_else(|| panic!("no warning for `tittle`:\n{}", run.stderr));
    let help = lines.get(at + 1).copied().unwrap_or("").trim_start();
    assert!(
        help.starts_with("help: did you mean `title`?"),
        "help line: {help}"
    );
    assert!(site.output_exists("notes/typo.html"), "the build went on");
    assert!(
        run.stderr.lines().last().unwrap().contains("1 warning"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_link_to_a_place_a_page_does_not_have_is_a_warning() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/anchors-target.md",
        "---\ntitle: 锚点目标\ndate: 2024-05-01\n---\n\n## 一、总体要求\n\n正文[^1]。\n\n<p id=\"附表\">表</p>\n\n[^1]: 注释。\n",
    );
    site.write(
        "content/notes/anchors.md",
        "---\ntitle: 锚点链接\ndate: 2024-05-02\n---\n\n\
         [标题](anchors-target.md#一总体要求)\n\n\
         [脚注](anchors-target.md#fn-1)\n\n\
         [附表](anchors-target.md#%E9%99%84%E8%A1%A8)\n\n\
         [写了标题原文](anchors-target.md#一、总体要求)\n\n\
         [本页](#不存在)\n\n\
         [[锚点目标#总体要求]]\n\n\
         [顶部](#top)\n\n\
         ## 本页小节\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: content/notes/anchors"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: content/notes/anchors.md:12: the link `anchors-target.md#一、总体要求` names `#一、总体要求`, which `content/notes/anchors-target.md` does not have",
            "warning: content/notes/anchors.md:14: the link `#不存在` names `#不存在`, which this page does not have",
            "warning: content/notes/anchors.md:16: the link `锚点目标#总体要求` names `#总体要求`, which `content/notes/anchors-target.md` does not have",
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        help_after(&run, "anchors.md:12:"),
        "did you mean `#一总体要求`? A heading's id is its text, as in the table of contents"
    );
    assert_eq!(
        help_after(&run, "anchors.md:14:"),
        "the places there: `#本页小节`"
    );
    assert_eq!(
        help_after(&run, "anchors.md:16:"),
        "did you mean `#一总体要求`? A heading's id is its text, as in the table of contents"
    );
    // The build went on, the links as written.
    let html = site.output("notes/anchors.html");
    let written = format!("href=\"anchors-target.html#{}\"", percent_encode("一、总体要求"));
    assert!(html.contains(&written), "{html}");
}

#[test]
fn link_like_text_that_markdown_did_not_read_as_a_link_is_a_warning() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/not-links.md",
        "---\ntitle: 不是链接\ndate: 2024-05-01\n---\n\n见[指南](2024/my guide.md)。\n\n见[安全]（2024/safety.md）。\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: content/notes/not-links.md"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: content/notes/not-links.md:6: `[指南](2024/my guide.md)` is not a link: it shows as plain text",
            "warning: content/notes/not-links.md:8: `[安全]（2024/safety.md）` is not a link: it shows as plain text",
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        help_after(&run, "not-links.md:6:"),
        "a link's path cannot hold spaces: write it in angle brackets, `[文字](<my note.md>)`, or rename the file without spaces"
    );
    assert_eq!(
        help_after(&run, "not-links.md:8:"),
        "type the brackets half-width: `[文字](路径)`"
    );
}

#[test]
fn an_image_from_another_site_is_a_warning() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/remote.md",
        "---\ntitle: 外部图片\ndate: 2024-05-01\n---\n\n![示意图](https://example.com/a.png)\n\n<img src=\"//cdn.example.com/b.png\">\n",
    );
    let run = site.build().success();
    let lines: Vec<&str> = run.stderr.lines().collect();
    for (line, url) in [(6, "https://example.com/a.png"), (8, "//cdn.example.com/b.png")] {
        let expected =
            format!("warning: content/notes/remote.md:{line}: the image `{url}` is loaded from another site");
        assert!(
            lines.contains(&expected.as_str()),
            "no `{expected}`:\n{}",
            run.stderr
        );
    }
    assert!(site.output_exists("notes/remote.html"), "the build went on");
}

#[test]
fn a_field_written_twice_is_a_warning() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/twice.md",
        "---\ntitle: 旧标题\ntitle: 新标题\ndate: 2024-05-01\n---\n\n正文。\n",
    );
    let run = site.build().success();
    assert!(
        run.stderr
            .lines()
            .any(|l| l == "warning: content/notes/twice.md:3: `title` is written twice; the last one is used"),
        "{}",
        run.stderr
    );
    assert_eq!(select_texts(&site.html("notes/twice.html"), "h1"), ["新标题"]);
}

#[test]
fn check_reports_unknown_field_warning() {
    let site = TestSite::fixture("basic");
    site.write("content/notes/typo.md", TYPO_PAGE);
    let run = site.run(&["check"]).success();
    assert!(
        run.stderr
            .lines()
            .any(|l| l == "warning: content/notes/typo.md:3: unknown field `tittle`"),
        "no warning for `tittle`:\n{}",
        run.stderr
    );
}

#[test]
fn unknown_field_value_reaches_templates_as_page_extra() {
    let site = TestSite::fixture("basic");
    site.write("content/notes/typo.md", TYPO_PAGE);
    site.write(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n<p id=\"extra\">{{ page.extra.tittle | default(value=\"\") }}</p>\n{% endblock main %}\n",
    );
    site.build().success();
    let html = site.html("notes/typo.html");
    assert_eq!(select_texts(&html, "#extra"), ["旧标题"]);
    assert_eq!(select_texts(&html, "h1"), ["字段拼错"]);
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

#[test]
fn index_md_and_underscore_index_md_clash() {
    let run = break_and_build("content/notes/index.md", "---\ntitle: 重复的栏目说明\n---\n");
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`content/notes/_index.md`") && errors[0].contains("`content/notes/index.md`")
    );
    assert!(errors[0].contains("same URL"), "{errors:?}");
}

#[test]
fn file_names_differing_only_in_case_clash() {
    let run = break_and_build(
        "content/notes/2024/Guide.md",
        "---\ntitle: 大写的指南\ndate: 2024-01-01\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/2024/guide.md: `content/notes/2024/Guide.md` and `content/notes/2024/guide.md` map to the same URL `notes/2024/guide.html`"]
    );
}

/// A file just created and not written yet is left out with a warning, not an error that
/// fails the build.
#[test]
fn an_empty_file_is_left_out_with_a_warning() {
    let site = TestSite::fixture("basic");
    site.write("content/notes/new.md", "");
    site.write("content/notes/blank.md", " \r\n\n");
    let run = site.build().success();
    for file in ["content/notes/blank.md", "content/notes/new.md"] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l == format!("warning: {file}: the file is empty: it is left out of the site")),
            "{}",
            run.stderr
        );
    }
    assert!(!site.path("public/notes/new.html").exists());
}

#[test]
fn page_on_a_reserved_url() {
    let run = break_and_build("content/search.md", "---\ntitle: 搜索说明\n---\n\n正文\n");
    assert_eq!(
        errors_of(&run),
        ["content/search.md: maps to `search.html`, which studybook generates itself"]
    );
    assert!(help_after(&run, "content/search.md").contains("rename"));
}

/// A reserved name in other letters' case is the same file on Windows: `Search.md` would
/// overwrite the search page, a folder `Tags/` the tag pages.
#[test]
fn page_on_a_reserved_url_in_capitals() {
    let run = break_and_build("content/Search.md", "---\ntitle: 说明\n---\n\n正文\n");
    assert_eq!(
        errors_of(&run),
        ["content/Search.md: maps to `Search.html`, which studybook generates itself"]
    );
    // The folder's own page and its page, each.
    let run = break_and_build("content/Tags/党建.md", "---\ntitle: 说明\n---\n\n正文\n");
    assert_eq!(
        errors_of(&run),
        [
            "content/Tags/: maps to `Tags/index.html`, which studybook generates itself",
            "content/Tags/党建.md: maps to `Tags/党建.html`, which studybook generates itself"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Links and materials
// ---------------------------------------------------------------------------------------------

#[test]
fn broken_links_images_drafts_and_materials_are_reported_together() {
    let (site, before) = built_fixture();
    site.write(
        "content/notes/2024/links.md",
        "---\ntitle: 链接\ndate: 2024-01-01\n---\n\n[缺失的页面](missing.md)\n\n![缺失的图片](nope.png)\n\n[草稿](../draft-secret.md)\n",
    );
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nmaterials:\n  - notes/2024/safety.md\n  - notes/nothing.md\n---\n\n正文\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/2024/links.md:6: broken link → `missing.md`: the target does not exist",
            "content/notes/2024/links.md:8: broken image → `nope.png`: the target does not exist",
            "content/notes/2024/links.md:10: broken link → `../draft-secret.md`: the target is a draft, which is not published",
            "content/sessions/2024-04-01.md:7: material `notes/nothing.md` does not resolve to a page",
        ]
    );
    assert!(help_after(&run, "links.md:10").contains("--drafts"));
}

/// A folder that holds only attachments gets no page: a link to it led to a missing
/// `index.html` and the build said nothing.
#[test]
fn a_link_to_a_folder_of_attachments_is_reported() {
    let (site, before) = built_fixture();
    site.write("content/notes/附件库/通知.pdf", "%PDF-1.4\n");
    site.write("content/notes/附件库/办法.pdf", "%PDF-1.4\n");
    site.write(
        "content/notes/2024/folder.md",
        "---\ntitle: 附件\ndate: 2024-01-01\n---\n\n[附件库](../附件库/)\n\n[附件库](../附件库)\n\n[通知](../附件库/通知.pdf)\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/2024/folder.md:6: broken link → `../附件库/`: the target is a folder of attachments, which has no page",
            "content/notes/2024/folder.md:8: broken link → `../附件库`: the target is a folder of attachments, which has no page",
        ]
    );
    assert_eq!(
        help_after(&run, "folder.md:6"),
        "link a file inside it, e.g. `[办法.pdf](../附件库/办法.pdf)`, or give the folder a page by adding an `_index.md` to it"
    );
    // A folder whose only page is a draft is a draft; one whose `_index.md` has header errors
    // has those errors said, not the link's.
    site.write(
        "content/notes/草稿夹/a.md",
        "---\ntitle: 草稿\ndraft: true\n---\n",
    );
    site.write(
        "content/notes/坏目录/_index.md",
        "---\ntitle: 坏目录\ndate: 2024-13-01\n---\n",
    );
    site.write(
        "content/notes/2024/folder.md",
        "---\ntitle: 附件\ndate: 2024-01-01\n---\n\n[草稿夹](../草稿夹/)\n\n[坏目录](../坏目录/)\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("content/notes/2024/folder.md:6: broken link → `../草稿夹/`: the target is a draft"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("content/notes/坏目录/_index.md:3: "),
        "{errors:?}"
    );
    site.remove("content/notes/草稿夹/a.md");
    site.remove("content/notes/坏目录/_index.md");
    // With a page of its own, the folder is a section to link.
    site.write("content/notes/附件库/_index.md", "---\ntitle: 附件库\n---\n");
    site.write(
        "content/notes/2024/folder.md",
        "---\ntitle: 附件\ndate: 2024-01-01\n---\n\n[附件库](../附件库/)\n",
    );
    site.build().success();
}

/// A record entered twice (same meeting, date and topic), or copied to start the next one with
/// its title left as it was: each is a warning naming both files; the site still builds.
#[test]
fn a_session_recorded_twice_or_two_records_titled_alike_are_warned() {
    let site = TestSite::fixture("basic");
    let original = std::fs::read_to_string(site.path("content/sessions/2024-03-12.md")).unwrap();
    site.write("content/sessions/2024-03-12-copy.md", &original);
    site.write(
        "content/sessions/2024-04-09.md",
        &original
            .replace("date: 2024-03-12", "date: 2024-04-09")
            .replace("topic: 学习贯彻关于安全生产的重要论述", "topic: 学习防汛工作部署"),
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: content/sessions/"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: content/sessions/2024-03-12-copy.md:2: the same session is recorded twice: `content/sessions/2024-03-12.md` and `content/sessions/2024-03-12-copy.md` have the same meeting, date and topic (区委常委会 2024-03-12 学习贯彻关于安全生产的重要论述)",
            "warning: content/sessions/2024-04-09.md:2: two records have the same title: `content/sessions/2024-03-12.md` and `content/sessions/2024-04-09.md` are both “区委常委会第一议题学习（2024年第3次）”",
        ],
        "{}",
        run.stderr
    );
}

/// Two notes of one folder with the same title (a file copied to start the next one) are
/// warned, naming both; the same title in two folders is not (each list shows one).
#[test]
fn two_notes_of_a_folder_titled_alike_are_warned() {
    let site = TestSite::fixture("basic");
    let original = std::fs::read_to_string(site.path("content/notes/2024/safety.md")).unwrap();
    site.write(
        "content/notes/2024/safety-copy.md",
        &original.replace("weight: 1\n", ""),
    );
    site.write(
        "content/notes/safety-elsewhere.md",
        "---\ntitle: 关于安全生产的重要论述\n---\n\n正文\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("have the same title"))
        .collect();
    assert_eq!(
        warnings,
        ["warning: content/notes/2024/safety.md:2: two pages of `content/notes/2024/` have the same title: `content/notes/2024/safety-copy.md` and `content/notes/2024/safety.md` are both “关于安全生产的重要论述”"],
        "{}",
        run.stderr
    );
    assert!(
        help_after(&run, "have the same title").starts_with("give each its own title"),
        "{}",
        run.stderr
    );
}

/// A record listing itself, or one material twice (a line copied): warned, listed once, and the
/// record is not shown as studied by itself.
#[test]
fn a_record_listing_itself_or_a_material_twice_is_warned() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nmaterials:\n  - notes/2024/safety.md\n  - sessions/2024-04-01.md\n  - ./../notes/2024/safety.md\n---\n\n正文\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: content/sessions/2024-04-01.md"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: content/sessions/2024-04-01.md:7: material `sessions/2024-04-01.md` is this record itself",
            "warning: content/sessions/2024-04-01.md:8: material `./../notes/2024/safety.md` is listed twice",
        ]
    );
    let record = site.output("sessions/2024-04-01.html");
    assert_eq!(record.matches("safety.html").count(), 1, "{record}");
    assert!(!record.contains("2024-04-01.html"), "{record}");
}

/// `materials: a.md b.md`: two paths with the comma forgotten.
#[test]
fn materials_apart_by_a_space_are_told_to_use_commas() {
    let run = break_and_build(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nmaterials: notes/2024/safety.md notes/2024/guide.md\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-04-01.md:5: material `notes/2024/safety.md notes/2024/guide.md` does not resolve to a page"]
    );
    assert_eq!(
        help_after(&run, "content/sessions/2024-04-01.md:5"),
        "these are 2 paths: separate them with commas, `materials: [notes/2024/safety.md, notes/2024/guide.md]`, or write one per line as `- path`"
    );
}

#[test]
fn link_with_the_wrong_folder_suggests_the_right_path() {
    let run = break_and_build(
        "content/about.md",
        "---\ntitle: 关于本站\n---\n\n见[指南](notes/guide.md)。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/about.md:5: broken link → `notes/guide.md`: the target does not exist"]
    );
    assert!(help_after(&run, "content/about.md:5").contains("notes/2024/guide.md"));
}

/// The suggested path is the one to write in that file: relative to it (or from content/).
/// A material or link typed by title, without `.md`, with `.md.md` or a slip of a character or
/// two gets the page meant; paths apart by `、` in one item are two materials.
#[test]
fn materials_and_links_typed_loosely_suggest_the_page_meant() {
    let (site, before) = built_fixture();
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 记录\ndate: 2024-04-01\nmeeting: 室务会\nmaterials:\n  - 学习指南\n  - notes/2024/safty.md\n  - notes/2024/guide\n  - notes/2024/guide.md.md\n  - notes/2024/safety.md、notes/2024/guide.md\n  - sessions/2024-03-13.md\n---\n\n见[指南](../notes/2024/gide.md)。\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        [
            "content/sessions/2024-04-01.md:6: material `学习指南` does not resolve to a page",
            "content/sessions/2024-04-01.md:7: material `notes/2024/safty.md` does not resolve to a page",
            "content/sessions/2024-04-01.md:8: material `notes/2024/guide` does not resolve to a page",
            "content/sessions/2024-04-01.md:9: material `notes/2024/guide.md.md` does not resolve to a page",
            "content/sessions/2024-04-01.md:11: material `sessions/2024-03-13.md` does not resolve to a page",
            "content/sessions/2024-04-01.md:14: broken link → `../notes/2024/gide.md`: the target does not exist",
        ]
    );
    for (line, page) in [
        (6, "notes/2024/guide.md"),
        (7, "notes/2024/safety.md"),
        (8, "notes/2024/guide.md"),
        (9, "notes/2024/guide.md"),
    ] {
        assert_eq!(
            help_after(&run, &format!("2024-04-01.md:{line}:")),
            format!("did you mean `{page}`? (materials are paths relative to content/)")
        );
    }
    // Another day's record is not a slip of the one meant.
    assert_eq!(
        help_after(&run, "2024-04-01.md:11:"),
        "write the path of a page relative to content/, e.g. `speeches/2024/safety.md`"
    );
    assert!(
        help_after(&run, "2024-04-01.md:14:").starts_with("did you mean `../notes/2024/guide.md`"),
        "{}",
        run.stderr
    );
}

/// A page renamed by a word added or taken off (`guide.md` → `guide-2024.md`): links and
/// materials to its old name are pointed to its new one.
#[test]
fn a_link_to_a_renamed_page_points_to_its_new_name() {
    let (site, before) = built_fixture();
    let guide = std::fs::read_to_string(site.path("content/notes/2024/guide.md")).unwrap();
    std::fs::remove_file(site.path("content/notes/2024/guide.md")).unwrap();
    site.write("content/notes/2024/guide-2024.md", &guide);
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    let errors = errors_of(&run);
    assert!(!errors.is_empty(), "{}", run.stderr);
    for error in &errors {
        let location = error.split(": ").next().unwrap();
        let help = help_after(&run, location);
        assert!(help.contains("notes/2024/guide-2024.md"), "{error}: {help}");
    }
    // A link to a place in it keeps the place.
    assert!(
        run.stderr
            .contains("did you mean `guide-2024.md#第二部分` (or `/notes/2024/guide-2024.md#第二部分`)?"),
        "{}",
        run.stderr
    );
}

/// Word habits Markdown reads otherwise: a first-line indent (a code box) and `#一、…` without
/// its space (text with a `#`) are warnings with the fix; real indented code is not.
#[test]
fn word_indents_and_headings_without_a_space_are_named() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/word.md",
        "---\ntitle: 从 Word 粘贴\n---\n\n\t一、提高政治站位，这是缩进的段落。\n\n#一、总体要求\n\n＃二、主要任务\n正文里的 #话题 不算。\n\n    let code = 1;\n\n\\#号开头的句子。\n\n`#include` 是代码。\n\n[#3号简报](../about.md)已印发。\n\n#学习二十大# 打卡。\n",
    );
    let run = site.build().success();
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .skip_while(|l| !l.contains("word.md"))
        .take_while(|l| l.contains("word.md") || l.starts_with("   help:"))
        .collect();
    assert_eq!(
        lines,
        [
            "warning: content/notes/word.md:5: this paragraph is indented, so it shows as a box of code",
            "   help: remove the tab or spaces at the start of its lines: Markdown reads lines indented by a tab or 4 spaces as code",
            "warning: content/notes/word.md:7: `#一、总体要求` shows as text, not as a heading",
            "   help: a heading needs a half-width `#` and a space after it: `# 一、总体要求`",
            "warning: content/notes/word.md:9: `＃二、主要任务` shows as text, not as a heading",
            "   help: a heading needs a half-width `#` and a space after it: `# 二、主要任务`",
        ],
        "{}",
        run.stderr
    );
}

/// A year typed two centuries ahead is a warning; attendees in full-width digits are a number;
/// a file Notepad saved as "Unicode" (UTF-16) is named as such.
#[test]
fn far_dates_full_width_numbers_and_utf16_files() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/sessions/2204-03-05.md",
        "---\ntitle: 记录\ndate: 2204-03-05\nmeeting: 室务会\nattendees: １２\n---\n\n正文。\n",
    );
    let run = site.build().success();
    assert!(
        run.stderr.contains(
            "warning: content/sessions/2204-03-05.md:3: `date` is `2204-03-05`, in the year 2204: is the year typed right?"
        ),
        "{}",
        run.stderr
    );
    assert!(
        site.output("sessions/2204-03-05.html").contains(">12<"),
        "attendees 12"
    );
    let (site, before) = built_fixture();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "---\ntitle: 统一码\n---\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    site.write_bytes("content/notes/unicode.md", &utf16);
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["content/notes/unicode.md:1: the file is saved as UTF-16 (\"Unicode\"), not UTF-8"]
    );
}

/// A file name in GBK bytes (a zip made on Chinese Windows, unpacked on Linux) is published
/// garbled: named, with how to fix it. Only Unix file systems hold such names.
#[cfg(unix)]
#[test]
fn a_file_name_in_gbk_bytes_is_named() {
    use std::os::unix::ffi::OsStrExt;
    let site = TestSite::fixture("basic");
    // 学习资料 in GBK (学习 alone happens to be valid UTF-8: ѧϰ).
    let name = std::ffi::OsStr::from_bytes(b"\xd1\xa7\xcf\xb0\xd7\xca\xc1\xcf.md");
    std::fs::write(
        site.path("content/notes").join(name),
        "---\ntitle: 乱码文件名\n---\n\n正文。\n",
    )
    .unwrap();
    let run = site.build().success();
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("is not Unicode text"))
        .unwrap_or_else(|| panic!("no warning:\n{}", run.stderr));
    assert!(warning.starts_with("warning: content/notes/"), "{warning}");
    assert!(
        run.stderr
            .contains("help: rename it, or unpack the zip again with a tool that keeps Chinese names"),
        "{}",
        run.stderr
    );
}

/// Without `base-url` no sitemap is written, so a link to it is broken.
#[test]
fn a_link_to_the_sitemap_needs_a_base_url() {
    let run = break_and_build(
        "content/notes/map.md",
        "---\ntitle: 站点地图\n---\n\n见[站点地图](/sitemap.xml)。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/map.md:5: broken link → `/sitemap.xml`: the target does not exist"]
    );
}

#[test]
fn link_suggestions_are_written_from_the_linking_file() {
    let run = break_and_build(
        "content/sessions/2024-03-12.md",
        "---\ntitle: 记录\ndate: 2024-03-12\nmeeting: 室务会\n---\n\n见[指南](../Notes/Guide.md)。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-03-12.md:7: broken link → `../Notes/Guide.md`: the target does not exist"]
    );
    assert_eq!(
        help_after(&run, "sessions/2024-03-12.md:7"),
        "did you mean `../notes/2024/guide.md` (or `/notes/2024/guide.md`)? Paths are relative to the linking file; a leading `/` means content/"
    );
}

#[test]
fn errors_of_different_stages_are_reported_together() {
    let (site, before) = built_fixture();
    site.write("content/a.md", "---\ntitle: 甲\ndate: 2024-13-01\n---\n");
    site.write("content/b.md", "---\ndate: 2024-01-01\n---\n");
    site.write(
        "content/c.md",
        "---\ntitle: 丙\n---\n\n第一段\n\n[坏链接](nowhere.md)\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        [
            "content/a.md:3: `date` is `2024-13-01`, not a date written YYYY-MM-DD",
            "content/b.md:2: missing `title`",
            "content/c.md:7: broken link → `nowhere.md`: the target does not exist",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

#[test]
fn file_that_is_not_utf8_is_named() {
    let (site, before) = built_fixture();
    // "标题" in GBK, as Notepad on a Chinese Windows saves it.
    let mut bytes = b"---\ntitle: ".to_vec();
    bytes.extend_from_slice(&[0xB1, 0xEA, 0xCC, 0xE2]);
    bytes.extend_from_slice(b"\n---\n");
    site.write_bytes("content/notes/gbk.md", &bytes);
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["content/notes/gbk.md:2: the file is not valid UTF-8 text"]
    );
    assert!(help_after(&run, "gbk.md:2").contains("UTF-8"));
}

// ---------------------------------------------------------------------------------------------
// Theme
// ---------------------------------------------------------------------------------------------

#[test]
fn template_syntax_error_names_the_override_and_line() {
    let run = break_and_build(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{% if page.date %}\n<p>{{ page.date }}</p>\n{% endblock main %}\n",
    );
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("themes/default/templates/page.html:6:1: template error"),
        "the unclosed `if` is noticed at the `endblock` on line 6: {errors:?}"
    );
    assert!(help_after(&run, "page.html:6").contains("endif"));
}

#[test]
fn template_render_error_names_the_override_and_line_once() {
    let run = break_and_build(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n<p>{{ page.no_such_field }}</p>\n{% endblock main %}\n",
    );
    let errors = errors_of(&run);
    assert_eq!(
        errors.len(),
        1,
        "one error for one mistake, not one per page: {errors:#?}"
    );
    assert!(
        errors[0].starts_with("themes/default/templates/page.html:4"),
        "the override's file and the line of `page.no_such_field`: {errors:?}"
    );
    assert!(errors[0].contains("no_such_field"), "{errors:?}");
}

/// A theme copied from an older studybook carries a search engine that cannot read this
/// version's search data: refused by name, instead of a search page that finds nothing.
#[test]
fn a_theme_search_engine_from_another_version_is_refused() {
    let builtin =
        std::fs::read_to_string(repo_root().join("themes/default/static/search-engine.js")).unwrap();
    let format = studybook::search::pack::FORMAT;
    let older = builtin.replace(
        &format!("meta.format !== {format})"),
        &format!("meta.format !== {})", format - 1),
    );
    assert_ne!(older, builtin, "the engine checks the format");
    let run = break_and_build("themes/default/static/search-engine.js", &older);
    assert_eq!(
        errors_of(&run),
        [format!(
            "themes/default/static/search-engine.js: this search-engine.js is from another version of studybook: \
             it cannot read this version's search data (format {format}), so the search page would find nothing"
        )]
    );
    assert!(help_after(&run, "search-engine.js").starts_with("delete it to use the built-in one"));
    // This version's own engine, copied into the theme, builds.
    let (site, _) = built_fixture();
    site.write("themes/default/static/search-engine.js", &builtin);
    site.build().success();
}

/// Notepad saves `学习心得.md` as `学习心得.md.txt` and Windows hides the `.txt`: the editor sees
/// a page, the site a download. Said, with the name to give it; a plain `.txt` download is not.
#[test]
fn a_page_saved_as_a_text_file_is_named() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/学习心得.md.txt",
        "---\ntitle: 学习心得\n---\n\n正文。\n",
    );
    site.write("content/notes/体会.txt", "\u{feff}---\r\ntitle: 体会\r\n---\r\n");
    site.write("content/notes/说明.txt", "这是一份供下载的说明。\n");
    let run = site.build().success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains(".txt")).collect();
    assert_eq!(
        warnings,
        [
            "warning: content/notes/体会.txt: this is a text file (`.txt`), so it is published as a download, not as a page",
            "   help: if it is a page, rename it to `体会.md` (Windows hides the `.txt`: in File Explorer, View, tick File name extensions)",
            "warning: content/notes/学习心得.md.txt: this is a text file (`.txt`), so it is published as a download, not as a page",
            "   help: if it is a page, rename it to `学习心得.md` (Windows hides the `.txt`: in File Explorer, View, tick File name extensions)",
        ],
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// book.toml
// ---------------------------------------------------------------------------------------------

#[test]
fn book_toml_unknown_key_names_line_and_suggests() {
    let run = break_and_build(
        "book.toml",
        "[book]\ntitle = \"测试学习库\"\n\n[build]\noutput-dri = \"public\"\n",
    );
    assert_eq!(errors_of(&run), ["book.toml:5:1: unknown key `output-dri`"]);
    assert_eq!(help_after(&run, "book.toml:5:1"), "did you mean `output-dir`?");
}

#[test]
fn book_toml_values_of_the_wrong_type_get_the_line_as_it_should_be() {
    for (text, expected, help) in [
        (
            "[book]\ntitle = \"测试学习库\"\nauthors = \"张三\"\n",
            "book.toml:3:11: invalid type: string \"张三\", expected a sequence",
            "write it as `authors = [\"张三\", \"李四\"]`",
        ),
        (
            "[book]\ntitle = 123\n",
            "book.toml:2:9: invalid type: integer `123`, expected a string",
            "write it as `title = \"机关党支部学习资料库\"`",
        ),
    ] {
        let run = break_and_build("book.toml", text);
        assert_eq!(errors_of(&run), [expected], "{text}");
        let location = expected.split(": ").next().unwrap();
        assert_eq!(help_after(&run, location), help, "{text}");
    }
}

/// A quote opened and never closed in book.toml says so, with the fix, in the editor's words.
#[test]
fn book_toml_text_never_closed_says_where_to_close_it() {
    let run = break_and_build("book.toml", "[book]\ntitle = \"测试学习库\n");
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("book.toml:2:") && errors[0].ends_with(": the text in quotes is never closed"),
        "{errors:?}"
    );
    let location = errors[0].rsplit_once(": ").unwrap().0;
    assert_eq!(
        help_after(&run, location),
        "end the text with a half-width `\"` on the same line, e.g. title = \"学习资料库\""
    );
}

/// `Title:` or `标题:` instead of `title:`: the error says where the title is and how to name it.
#[test]
fn a_title_under_another_name_is_named_in_the_error() {
    for (front, line, key, value) in [
        ("Title: 学习笔记", 2, "Title", "学习笔记"),
        ("date: 2024-05-01\n标题: 学习心得", 3, "标题", "学习心得"),
    ] {
        let run = break_and_build(
            "content/notes/named.md",
            &format!("---\n{front}\n---\n\n正文。\n"),
        );
        assert_eq!(
            errors_of(&run),
            [format!(
                "content/notes/named.md:{line}: missing `title`: the title is written as `{key}`"
            )],
            "{front}"
        );
        assert_eq!(
            help_after(&run, &format!("content/notes/named.md:{line}")),
            format!("field names are lowercase English words: write `title: {value}`")
        );
    }
}

#[test]
fn field_names_written_in_chinese_are_read_as_the_fields_meant() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/chinese-keys.md",
        "---\ntitle: 学习心得\n日期: 2024-05-01\n主持人: 张三\n---\n\n正文。\n",
    );
    let run = site.build().success();
    for (line, key, field) in [(3, "日期", "date"), (4, "主持人", "host")] {
        let entry = format!("warning: content/notes/chinese-keys.md:{line}: unknown field `{key}`");
        assert!(run.stderr.lines().any(|l| l == entry), "{entry}\n{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("help: did you mean `{field}`? (the value stays available to templates as `page.extra.{key}`)")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn book_toml_syntax_slips_get_a_fix() {
    for (text, expected, help) in [
        (
            "[book]\ntitle = “测试学习库”\n",
            "book.toml:2:9: string values must be quoted, expected literal string",
            "write text in half-width double quotes: title = \"学习资料库\" (Chinese quotes “ ” do not count)",
        ),
        (
            "[book]\ntitle: \"测试学习库\"\n",
            "book.toml:2:8: key with no value, expected `=`",
            "book.toml writes `key = value`, with `=` (not `:` as in front matter), e.g. title = \"学习资料库\"",
        ),
        (
            "[book]\ntitle = \"测试学习库\"\n[build]\noutput-dir = \"D:\\网站\\public\"\n",
            "book.toml:4:18: missing escaped value, expected `b`, `e`, `f`, `n`, `r`, `\\`, `\"`, `x`, `u`, `U`",
            "in double quotes `\\` starts an escape: put a Windows path in single quotes, `output-dir = 'D:\\网站\\public'`, or write `/` for `\\`",
        ),
        (
            "[book]\ntitle = \"测试学习库\"\n[search]\ndictionary = \"C:\\Users\\me\\dict.txt\"\n",
            "book.toml:4:19: too few unicode value digits, expected unicode hexadecimal value",
            "in double quotes `\\` starts an escape: put a Windows path in single quotes, `dictionary = 'C:\\Users\\me\\dict.txt'`, or write `/` for `\\`",
        ),
        (
            "[book]\ntitle = \"测试学习库\"\n[build]\noutput-dir = \"C:\\temp\\new\"\n",
            "book.toml:4: `output-dir` holds a tab or a line break: in double quotes `\\t` and `\\n` are read as such",
            "in double quotes `\\` starts an escape: put a Windows path in single quotes, `output-dir = 'C:\\temp\\new'`, or write `/` for `\\`",
        ),
        (
            "[book]\ntitle = \"测试学习库\"\n语言 = zh-CN\n",
            "book.toml:3:1: invalid unquoted key, expected letters, numbers, `-`, `_`",
            "settings are named in English: `language = \"zh-CN\"`",
        ),
        (
            "[book]\n标题 = \"测试学习库\"\n",
            "book.toml:2:1: invalid unquoted key, expected letters, numbers, `-`, `_`",
            "settings are named in English: `title = \"测试学习库\"`",
        ),
        (
            "[book\ntitle = \"测试学习库\"\n",
            "book.toml:1:6: unclosed table, expected `]`",
            "end it with `]`: `[book]`",
        ),
        (
            "[book]\ntitle ＝ \"测试学习库\"\n",
            "book.toml:2:7: key with no value, expected `=`",
            "type a half-width `=`: `title = \"测试学习库\"`",
        ),
        (
            "[book]\ntitle = \"测试学习库\"\n\n[search]\ndictionary = \"没有这个.txt\"\n",
            "book.toml:5: the search dictionary `没有这个.txt` does not exist",
            "check the file name (the path is from the folder of book.toml), or remove the line",
        ),
    ] {
        let run = break_and_build("book.toml", text);
        assert_eq!(errors_of(&run), [expected], "{text}");
        let location = expected.split(": ").next().unwrap();
        assert_eq!(help_after(&run, location), help, "{text}");
    }
}

#[test]
fn book_toml_key_in_the_wrong_table_names_its_table() {
    let run = break_and_build(
        "book.toml",
        "title = \"测试学习库\"\n\n[book]\ntitle = \"测试学习库\"\n",
    );
    assert_eq!(errors_of(&run), ["book.toml:1:1: unknown key `title`"]);
    assert_eq!(
        help_after(&run, "book.toml:1:1"),
        "`title` belongs in the `[book]` table: move the line below `[book]`"
    );
    let run = break_and_build(
        "book.toml",
        "[book]\ntitle = \"测试学习库\"\n\n[build]\nlanguage = \"en\"\n",
    );
    assert_eq!(errors_of(&run), ["book.toml:5:1: unknown key `language`"]);
    assert_eq!(
        help_after(&run, "book.toml:5:1"),
        "`language` belongs in the `[book]` table: move the line below `[book]`"
    );
}

#[test]
fn book_toml_missing_suggests_init() {
    let (site, before) = built_fixture();
    site.remove("book.toml");
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("book.toml: no book.toml in "), "{errors:?}");
    assert!(help_after(&run, "no book.toml").contains("studybook init"));
}

#[test]
fn book_toml_without_title() {
    let run = break_and_build("book.toml", "[book]\ndescription = \"没有标题\"\n");
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("book.toml"), "{errors:?}");
    assert!(errors[0].contains("title"), "{errors:?}");
}

#[test]
fn broken_links_and_images_in_raw_html_are_reported() {
    let run = break_and_build(
        "content/notes/raw-html.md",
        "---\ntitle: 原始网页代码\ndate: 2024-05-01\n---\n\n<table>\n<tr><td><a href=\"2024/guide.md\">好</a></td></tr>\n<tr><td><a href=\"nothere.md\">坏</a> <img src=\"nothere.png\"></td></tr>\n</table>\n",
    );
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("content/notes/raw-html.md:8: broken link → `nothere.md`"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("content/notes/raw-html.md:8: broken image → `nothere.png`"),
        "{errors:?}"
    );
}

#[test]
fn unquoted_links_and_images_in_raw_html_are_checked_too() {
    let run = break_and_build(
        "content/notes/raw-html.md",
        "---\ntitle: 原始网页代码\ndate: 2024-05-01\n---\n\n<p><a href=2024/guide.md>好</a> <a href=nothere.md>坏</a> <img src=nothere.png></p>\n",
    );
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("content/notes/raw-html.md:6: broken link → `nothere.md`"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("content/notes/raw-html.md:6: broken image → `nothere.png`"),
        "{errors:?}"
    );
    // Fixed, the good one is rewritten like a Markdown link.
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/raw-html.md",
        "---\ntitle: 原始网页代码\ndate: 2024-05-01\n---\n\n<p><a href=2024/guide.md>好</a></p>\n",
    );
    site.build().success();
    assert!(site
        .output("notes/raw-html.html")
        .contains("href=\"2024/guide.html\""));
}

/// A page whose front matter fails has no title: a wikilink to it says where to look.
#[test]
fn a_wikilink_to_a_page_with_broken_front_matter_points_at_that_page() {
    let (site, before) = built_fixture();
    let safety = std::fs::read_to_string(site.path("content/notes/2024/safety.md")).unwrap();
    site.write(
        "content/notes/2024/safety.md",
        &safety.replacen("date: 2024-03-01", "date: 2024-13-01", 1),
    );
    site.write(
        "content/notes/wiki.md",
        "---\ntitle: 维基链接\ndate: 2024-05-01\n---\n\n见[[关于安全生产的重要论述]]。\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    let errors = errors_of(&run);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("content/notes/2024/safety.md:3: ")),
        "{errors:?}"
    );
    // Its title is read from the broken header: the link is not reported as leading nowhere.
    assert!(
        !errors.iter().any(|e| e.starts_with("content/notes/wiki.md")),
        "{errors:?}"
    );
    // A title that no page seems to give still says that a broken header may be why.
    site.write(
        "content/notes/wiki.md",
        "---\ntitle: 维基链接\ndate: 2024-05-01\n---\n\n见[[关于安全生产]]。\n",
    );
    let run = site.build();
    assert!(
        help_after(&run, "content/notes/wiki.md:6").ends_with(
            "if it names a page whose front matter has errors (notes/2024/safety.md), fix that first"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_material_that_is_a_file_says_so() {
    let run = break_and_build(
        "content/sessions/2024-03-12.md",
        "---\ntitle: 记录\ndate: 2024-03-12\nmeeting: 室务会\nmaterials:\n  - notes/2024/chart.svg\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-03-12.md:6: material `notes/2024/chart.svg` is a file, not a page"]
    );
    assert!(
        help_after(&run, "is a file, not a page").starts_with("materials are the pages studied"),
        "{}",
        run.stderr
    );
}

/// Paths on the editor's own computer lead nowhere for readers.
#[test]
fn links_to_files_on_the_editors_computer_are_named() {
    let run = break_and_build(
        "content/notes/own-pc.md",
        "---\ntitle: 本机路径\ndate: 2024-05-01\n---\n\n[材料](C:\\Users\\张三\\Desktop\\材料.docx)\n\n[原件](file:///D:/资料/原件.pdf)\n\n<img width=553 src=\"file:///C:/Users/ADMINI~1/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png\">\n",
    );
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/own-pc.md:6: the link `C:\\Users\\张三\\Desktop\\材料.docx` is a file on your own computer, which readers cannot open",
            "content/notes/own-pc.md:10: the image `file:///C:/Users/ADMINI~1/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png` is a file on your own computer, which readers cannot open",
        ]
    );
    assert_eq!(
        help_after(&run, "own-pc.md:10"),
        "save the picture into content/ beside the page and show it by its name, e.g. `![说明](图片.png)`"
    );
    assert_eq!(
        help_after(&run, "own-pc.md:6"),
        "copy the file into content/ beside the page and link it by its name, e.g. `[原件](原件.pdf)`"
    );
    assert!(
        run.stderr.lines().any(|l| l
            == "warning: content/notes/own-pc.md:8: the link `file:///D:/资料/原件.pdf` is a file on your own computer, which readers cannot open"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_wikilink_to_a_draft_says_it_is_a_draft() {
    let run = break_and_build(
        "content/notes/wiki-draft.md",
        "---\ntitle: 链接草稿\ndate: 2024-05-01\n---\n\n见[[未完成的草稿]]和[[notes/draft-secret]]。\n",
    );
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/wiki-draft.md:6: wikilink `[[未完成的草稿]]` leads to a draft, which is not published",
            "content/notes/wiki-draft.md:6: wikilink `[[notes/draft-secret]]` leads to a draft, which is not published",
        ]
    );
    assert!(
        run.stderr
            .contains("help: publish the page (remove `draft: true`)"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_wikilink_is_an_error_and_brackets_inside_one_a_warning() {
    let (site, before) = built_fixture();
    site.write(
        "content/notes/wiki-empty.md",
        "---\ntitle: 空双链\ndate: 2024-05-01\n---\n\n- [[|显示]]\n- [[]]\n- [[问答 [一]]]\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/wiki-empty.md:6: a wikilink `[[…]]` names no page",
            "content/notes/wiki-empty.md:7: a wikilink `[[…]]` names no page",
        ]
    );
    assert_eq!(
        help_after(&run, "content/notes/wiki-empty.md:6"),
        "write the page's title or path inside, before any `|`: `[[页面标题]]`, `[[页面标题|显示的文字]]`"
    );
    assert!(
        run.stderr.contains(
            "warning: content/notes/wiki-empty.md:8: `[[问答 [一]]]` is not a link: it shows as plain text"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_without_a_space_after_its_colon_is_named_at_its_line() {
    for (text, line, key, fixed) in [
        (
            "---\ntitle: 学习\ndate:2024-03-12\n---\n\n正文\n",
            3,
            "date",
            "date: 2024-03-12",
        ),
        (
            "---\ntitle:学习\ndate: 2024-03-12\n---\n\n正文\n",
            2,
            "title",
            "title: 学习",
        ),
        (
            "---\ntitle:\u{3000}全角空格\ndate: 2024-03-12\n---\n\n正文\n",
            2,
            "title",
            "title: 全角空格",
        ),
    ] {
        let run = break_and_build("content/notes/colon.md", text);
        assert_eq!(
            errors_of(&run),
            [format!(
                "content/notes/colon.md:{line}: `{key}:` is not followed by a space"
            )],
            "{text}"
        );
        assert_eq!(
            help_after(&run, "is not followed by a space"),
            format!("type a half-width space after the colon: `{fixed}`")
        );
    }
}

/// An emptied content folder (pages moved away by mistake) must not replace the site.
#[test]
fn a_content_folder_without_pages_is_refused_and_the_site_stays() {
    let (site, before) = built_fixture();
    std::fs::remove_dir_all(site.path("content")).unwrap();
    std::fs::create_dir_all(site.path("content/notes")).unwrap();
    site.write("content/notes/readme.txt", "以后再放。");
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["content: the content folder holds no Markdown pages"]
    );
    assert!(
        help_after(&run, "holds no Markdown pages").ends_with("the site stays as it was"),
        "{}",
        run.stderr
    );
}

/// A failed build shows its warnings too: a misspelt field is often why a field is missing.
#[test]
fn a_failed_build_shows_the_warnings_that_explain_it() {
    let run = break_and_build(
        "content/sessions/2024-03-12.md",
        "---\ntitle: 记录\ndate: 2024-03-12\nmeetting: 室务会\n---\n\n正文\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/sessions/2024-03-12.md:1: session record has no `meeting`"]
    );
    assert!(
        run.stderr
            .lines()
            .any(|l| l == "warning: content/sessions/2024-03-12.md:4: unknown field `meetting`"),
        "{}",
        run.stderr
    );
}

#[test]
fn front_matter_fences_typed_wrong_are_named() {
    for (text, expected, help) in [
        (
            "———\ntitle: 学习\n———\n\n正文\n",
            "content/notes/fence.md:1:1: the front matter starts with `———`, not `---`",
            "type exactly three half-width hyphens `---` on the first line, and the same on the line that closes the block",
        ),
        (
            "----\ntitle: 学习\n----\n\n正文\n",
            "content/notes/fence.md:1:1: the front matter starts with `----`, not `---`",
            "type exactly three half-width hyphens `---` on the first line, and the same on the line that closes the block",
        ),
        (
            "\n\n---\ntitle: 学习\n---\n\n正文\n",
            "content/notes/fence.md:1:1: the front matter must start on the first line",
            "remove the 2 empty lines before `---`",
        ),
        (
            "---\ntitle: 学习\n－－－\n\n正文\n",
            "content/notes/fence.md:3:1: the front matter is closed with `－－－`, not `---`",
            "type exactly three half-width hyphens `---`",
        ),
    ] {
        let run = break_and_build("content/notes/fence.md", text);
        assert_eq!(errors_of(&run), [expected], "{text:?}");
        let location = expected.split(": ").next().unwrap();
        assert_eq!(help_after(&run, location), help, "{text:?}");
    }
}

#[test]
fn front_matter_indentation_is_explained_in_plain_words() {
    for (text, expected, help) in [
        (
            "---\ntitle: 学习\ntags:\n\t- 安全\n---\n\n正文\n",
            "content/notes/indent.md:4: this line is indented with a tab",
            "YAML indents with spaces: replace the tab with two spaces",
        ),
        (
            "---\n title: 学习\ndate: 2024-03-12\n---\n\n正文\n",
            "content/notes/indent.md:2: the first field does not start at the beginning of its line",
            "remove the spaces before it: fields start at the left edge, e.g. `title: 页面标题`",
        ),
        (
            "---\n\u{3000}title: 学习\n---\n\n正文\n",
            "content/notes/indent.md:2: this line starts with a full-width space",
            "remove it: fields start at the left edge, e.g. `title: 页面标题`",
        ),
    ] {
        let run = break_and_build("content/notes/indent.md", text);
        assert_eq!(errors_of(&run), [expected], "{text:?}");
        let location = expected.split(": ").next().unwrap();
        assert_eq!(help_after(&run, location), help, "{text:?}");
    }
}

#[test]
fn a_full_width_colon_after_a_key_is_named() {
    let run = break_and_build(
        "content/notes/colon.md",
        "---\ntitle：会议纪要\ndate: 2024-05-01\n---\n\n正文。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/colon.md:2: `title` is followed by a full-width colon `：`"]
    );
    assert!(
        run.stderr
            .contains("help: type a half-width colon and a space: `title: 会议纪要`"),
        "{}",
        run.stderr
    );
}

/// Field names typed in Chinese with the full-width colon the input method gives: every line
/// named at once, with the line as it should be (a date in YYYY-MM-DD).
#[test]
fn chinese_field_names_with_full_width_colons_are_all_named_with_their_fix() {
    let run = break_and_build(
        "content/notes/chinese.md",
        "---\n标题：会议纪要\n日期：2024.3.5\n标签：学习\n---\n\n正文。\n",
    );
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/chinese.md:2: `标题：` is a field name in Chinese, followed by a full-width colon `：`",
            "content/notes/chinese.md:3: `日期：` is a field name in Chinese, followed by a full-width colon `：`",
            "content/notes/chinese.md:4: `标签：` is a field name in Chinese, followed by a full-width colon `：`",
        ]
    );
    for (line, fix) in [(2, "title: 会议纪要"), (3, "date: 2024-03-05"), (4, "tags: 学习")] {
        assert_eq!(
            help_after(&run, &format!("chinese.md:{line}")),
            format!("field names are English, with a half-width colon and a space: `{fix}`")
        );
    }
    // Inside a block of text, such lines are text.
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/summary.md",
        "---\ntitle: 会议纪要\nsummary: |\n  会议：支部委员会\n  主持人：张三\n---\n\n正文。\n",
    );
    let run = site.build().success();
    assert!(!run.stderr.contains("summary.md"), "{}", run.stderr);
}

/// Values YAML needs in quotes, or quotes left open: named at their line in plain words, with
/// the value as it should be written, instead of YAML's "did not find expected key".
#[test]
fn values_that_need_quotes_are_named_with_the_quoted_value() {
    let cases = [
        (
            "title: \"学习二十大精神",
            "content/notes/quoted.md:2: the quote \" that opens `title`'s value is never closed",
            "help: end the value with \": `title: \"学习二十大精神\"`",
        ),
        (
            "title: \"学习\"二十大\"精神\"",
            "content/notes/quoted.md:2: `title`'s value goes on after its closing quote: `二十大\"精神\"`",
            "or put the whole value in the other kind of quotes: `title: '学习\"二十大\"精神'`",
        ),
        (
            "title: 学习: 二十大",
            "content/notes/quoted.md:2: `title`'s value holds `: `, which YAML reads as the start of another field",
            "help: put the value in quotes: `title: \"学习: 二十大\"`",
        ),
        (
            "title: [转载] 学习笔记",
            "content/notes/quoted.md:2: `title`'s value goes on after `]`: `学习笔记`",
            "goes in quotes: `title: \"[转载] 学习笔记\"`",
        ),
        (
            "title: @全体党员",
            "content/notes/quoted.md:2: `title`'s value starts with `@`, which YAML keeps for itself",
            "help: put the value in quotes: `title: \"@全体党员\"`",
        ),
    ];
    for (line, error, help) in cases {
        let run = break_and_build(
            "content/notes/quoted.md",
            &format!("---\n{line}\ndate: 2024-05-01\n---\n\n正文。\n"),
        );
        assert_eq!(errors_of(&run), [error], "{line}");
        assert!(run.stderr.contains(help), "{line}: {}", run.stderr);
    }
    // Lines YAML cannot place, named where they are (YAML blames the line after, or says
    // "mapping values are not allowed in this context").
    let misplaced = [
        (
            "---\ntitle 学习笔记\ndate: 2024-05-01\n---\n\n正文。\n",
            "content/notes/quoted.md:2: this line is not a field: `title 学习笔记`",
            "help: put a colon and a space after the name: `title: 学习笔记`",
        ),
        (
            "---\ntitle: 学习笔记\n  date: 2024-05-01\n---\n\n正文。\n",
            "content/notes/quoted.md:3: `date` is indented, so YAML reads it as more of `title`'s value",
            "help: start `date:` at the beginning of its line",
        ),
        (
            "---\ntitle: 学习笔记\ntags:\n  - 学习\n - 党建\n---\n\n正文。\n",
            "content/notes/quoted.md:5: this `-` item is indented differently from the one on line 4",
            "help: line up the `-` of every item: 2 spaces before each",
        ),
    ];
    // A `|` block's lines and a quote's second line are text: the slip is where YAML failed.
    let misplaced = misplaced.into_iter().chain([
        (
            "---\ntitle: 学习笔记\nsummary: |\n  要点：\n  - 第一\n    - 子项\ndescription: 通知: 学习\n---\n\n正文。\n",
            "content/notes/quoted.md:7: `description`'s value holds `: `, which YAML reads as the start of another field",
            "help: put the value in quotes: `description: \"通知: 学习\"`",
        ),
        (
            "---\ntitle: \"第一行\n第二行\"\ndescription: 通知: 学习\n---\n\n正文。\n",
            "content/notes/quoted.md:4: `description`'s value holds `: `, which YAML reads as the start of another field",
            "help: put the value in quotes: `description: \"通知: 学习\"`",
        ),
    ]);
    for (text, error, help) in misplaced {
        let run = break_and_build("content/notes/quoted.md", text);
        assert_eq!(errors_of(&run), [error], "{text}");
        assert!(run.stderr.contains(help), "{text}: {}", run.stderr);
    }
    // A list left open, even when it goes on over several lines.
    let run = break_and_build(
        "content/notes/quoted.md",
        "---\ntitle: 笔记\ntags: [学习,\n  党建\ndate: 2024-05-01\n---\n\n正文。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/quoted.md:3: the list `[` that opens `tags`'s value is never closed"]
    );
    assert!(
        run.stderr
            .contains("help: end it with `]`, e.g. `tags: [甲, 乙]`"),
        "{}",
        run.stderr
    );
}

/// `title: 第 #3 期` is the title `第`: YAML reads ` #` on as a comment, silently.
#[test]
fn lists_without_commas_or_with_an_open_quote_get_the_list_as_it_should_be() {
    let cases = [
        (
            "---\ntitle: 学习笔记\ndate: 2024-05-01\ntags: [\"学习\" \"党建\"]\n---\n\n正文。\n",
            "content/notes/list.md:4: the items of `tags` need commas between them",
            "help: write `tags: [\"学习\", \"党建\"]`",
        ),
        (
            "+++\ntitle = \"学习笔记\"\ndate = 2024-05-01\ntags = [\"学习\" \"党建\"]\n+++\n\n正文。\n",
            "content/notes/list.md:4:14: the items of `tags` need commas between them",
            "help: write `tags = [\"学习\", \"党建\"]`",
        ),
        (
            "---\ntitle: 学习笔记\ndate: 2024-05-01\ntags: [\"学习, 党建]\n---\n\n正文。\n",
            "content/notes/list.md:4: an item of `tags` opens a quote that is never closed",
            "help: close every quote: `tags: [\"学习\", \"党建\"]`",
        ),
        // A comment the editor meant stays outside the suggested quotes.
        (
            "---\ntitle: 学习: 二十大 # 第三期\ndate: 2024-05-01\n---\n\n正文。\n",
            "content/notes/list.md:2: `title`'s value holds `: `, which YAML reads as the start of another field",
            "help: put the value in quotes: `title: \"学习: 二十大\" # 第三期`",
        ),
    ];
    for (text, error, help) in cases {
        let run = break_and_build("content/notes/list.md", text);
        assert_eq!(errors_of(&run), [error], "{text}");
        assert!(run.stderr.contains(help), "{text}: {}", run.stderr);
    }
}

#[test]
fn list_items_read_other_than_they_look_are_warnings() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/items.md",
        "---\ntitle: 学习笔记\ndate: 2024-05-01\ntags:\n  - 学习 #重点\n  - 党建 # 说明\n  - 作风\n    - 纪律\n---\n\n正文。\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("items.md")).collect();
    assert_eq!(
        warnings,
        [
            "warning: content/notes/items.md:5: an item of `tags` is read as `学习`: YAML drops everything from ` #` on as a comment",
            "warning: content/notes/items.md:8: `- 纪律` is indented deeper than the item above it, so YAML reads both as the one item `作风 - 纪律`",
        ],
        "`# 说明` after a space is a comment the editor meant:\n{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: put the item in quotes: `- \"学习 #重点\"`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: start every `-` of `tags` at the same column"),
        "{}",
        run.stderr
    );
    // The page is built with the tags YAML read, as the warnings say.
    let page = site.output("notes/items.html");
    assert!(page.contains("作风 - 纪律") && page.contains("学习"), "{page}");
}

/// Slips of tags pasted or typed by hand: Word's curly quotes and a tag written twice are
/// read as meant; `#学习` (a YAML comment: no tags at all), a list without its brackets and
/// `-学习` at the start of a line get the line as it should be.
#[test]
fn pasted_and_hand_typed_tags_are_read_as_meant_or_named() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/curly.md",
        "---\ntitle: 弯引号\ntags: [“学习”, 党建, 学习, “两个确立”与“两个维护”]\n---\n\n正文。\n",
    );
    site.write(
        "content/notes/hash.md",
        "---\ntitle: 井号\ntags: #学习 #党建\n---\n\n正文。\n",
    );
    let run = site.build().success();
    assert_eq!(
        select_texts(&site.html("notes/curly.html"), "a.tag"),
        ["学习", "党建", "“两个确立”与“两个维护”"]
    );
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .skip_while(|l| !l.contains("hash.md"))
        .take(2)
        .collect();
    assert_eq!(
        lines,
        [
            "warning: content/notes/hash.md:3: `tags` is empty: YAML reads a value that starts with `#` as a comment",
            "   help: write `tags: [学习, 党建]`",
        ],
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("curly.md"), "{}", run.stderr);

    let run = break_and_build(
        "content/notes/brackets.md",
        "---\ntitle: 方括号\ntags: \"学习\",\"党建\"\n---\n\n正文。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/brackets.md:3: the items of `tags` go between square brackets"]
    );
    assert_eq!(
        help_after(&run, "brackets.md:3"),
        "write `tags: [\"学习\", \"党建\"]`"
    );
    let run = break_and_build(
        "content/notes/dash.md",
        "---\ntitle: 短横\ntags:\n-学习\n---\n\n正文。\n",
    );
    assert_eq!(
        errors_of(&run),
        ["content/notes/dash.md:4: a list item needs a space after its `-`: YAML reads `-学习` as text"]
    );
    assert_eq!(help_after(&run, "dash.md:4"), "write `- 学习`");
    let run = break_and_build("content/notes/title.md", "---\ntitle: #3号简报\n---\n\n正文。\n");
    assert!(
        run.stderr.contains(
            "warning: content/notes/title.md:2: `title` is empty: YAML reads a value that starts with `#` as a comment\n   help: write `title: \"#3号简报\"`"
        ),
        "{}",
        run.stderr
    );
}

/// Tags run together by a slip: `-甲` with no space (YAML reads the lines as one text), a
/// comma forgotten between Chinese words; a `；` separates tags as `，` and `、` do.
#[test]
fn tags_run_together_are_warnings_and_semicolons_separate_tags() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/dashes.md",
        "---\ntitle: 标签一\ndate: 2024-05-01\ntags:\n  -安全\n  -生产\n---\n\n正文。\n",
    );
    site.write(
        "content/notes/spaces.md",
        "---\ntitle: 标签二\ndate: 2024-05-02\ntags: [学习 党建, Party Building]\n---\n\n正文。\n",
    );
    site.write(
        "content/notes/semicolons.md",
        "---\ntitle: 标签三\ndate: 2024-05-03\ntags: 应急；管理\n---\n\n正文。\n",
    );
    let run = site.build().success();
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| {
            l.contains("dashes.md")
                || l.contains("spaces.md")
                || l.contains("semicolons.md")
                || l.contains("help: write")
        })
        .collect();
    assert_eq!(
        lines,
        [
            "warning: content/notes/dashes.md:4: `tags` reads as the one tag `-安全 -生产`: a list item needs a space after its `-`",
            "   help: write each tag on its own line as `  - 安全`, or all on one line: `tags: [安全, 生产]`",
            "warning: content/notes/spaces.md:4: the tag `学习 党建` holds a space: if these are 2 tags, separate them with commas",
            "   help: write them as `学习, 党建` in the list",
        ],
        "{}",
        run.stderr
    );
    let tags = |page: &str| select_texts(&site.html(page), "a.tag");
    assert_eq!(tags("notes/semicolons.html"), ["应急", "管理"]);
    assert_eq!(tags("notes/spaces.html"), ["学习 党建", "Party Building"]);
}

#[test]
fn a_value_cut_short_by_a_comment_is_a_warning() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/hash.md",
        "---\ntitle: 学习简报 #3\ndate: 2024-05-01 # 会议日期\ntags: [学习]  # 一个标签\n---\n\n正文。\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("hash.md")).collect();
    assert_eq!(
        warnings,
        ["warning: content/notes/hash.md:2: `title` is read as `学习简报`: YAML drops everything from ` #` on as a comment"],
        "a comment meant as one (`# 会议日期`, after a list) is not a cut value:\n{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: put the value in quotes: `title: \"学习简报 #3\"`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_base_url_that_is_not_a_whole_address_is_refused() {
    let run = break_and_build(
        "book.toml",
        "[book]\ntitle = \"测试学习库\"\n\n[build]\nbase-url = \"intranet/study\"\n",
    );
    assert_eq!(
        errors_of(&run),
        ["book.toml:5: `base-url` must be a whole address starting with http:// or https://, not `intranet/study`"]
    );
    assert!(
        run.stderr
            .contains("help: write where readers open the site, e.g. base-url = \"http://"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_theme_without_its_folder_is_refused() {
    let run = break_and_build(
        "book.toml",
        "[book]\ntitle = \"测试学习库\"\n\n[build]\ntheme = \"fancy\"\n",
    );
    assert_eq!(
        errors_of(&run),
        ["book.toml:5: theme `fancy` not found: there is no folder `themes/fancy`"]
    );
    assert!(
        run.stderr
            .contains("help: check the name, or remove the `theme` line"),
        "{}",
        run.stderr
    );
}

#[test]
fn tags_or_meetings_that_would_share_one_page_are_refused() {
    let (site, before) = built_fixture();
    site.write(
        "content/notes/clash-a.md",
        "---\ntitle: 标签写法甲\ndate: 2024-05-01\ntags: [安全/生产, Safety]\n---\n\n正文。\n",
    );
    site.write(
        "content/notes/clash-b.md",
        "---\ntitle: 标签写法乙\ndate: 2024-05-02\n\ntags: [安全_生产, safety]\n---\n\n正文。\n",
    );
    site.write(
        "content/sessions/2024-04-01.md",
        "---\ntitle: 会议写法\ndate: 2024-04-01\nmeeting: 区委常委会?\n---\n\n正文。\n",
    );
    site.write(
        "content/sessions/2024-04-02.md",
        "---\ntitle: 会议写法二\ndate: 2024-04-02\nmeeting: 区委常委会_\n---\n\n正文。\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        [
            "content/notes/clash-b.md:5: the tag `安全_生产` and the tag `安全/生产` (in `content/notes/clash-a.md`) would share one page",
            "content/notes/clash-b.md:5: the tag `safety` and the tag `Safety` (in `content/notes/clash-a.md`) would share one page",
            "content/sessions/2024-04-02.md:4: the meeting `区委常委会_` and the meeting `区委常委会?` (in `content/sessions/2024-04-01.md`) would share one page",
        ]
    );
    assert!(
        run.stderr
            .contains("help: write the tag the same way in both files"),
        "{}",
        run.stderr
    );
}

/// `区委 常委会` and `区委常委会`: two rows of the ledger for one meeting.
#[test]
fn a_meeting_written_with_spaces_or_full_width_letters_is_a_warning() {
    let site = TestSite::fixture("basic");
    for (day, meeting) in [
        ("01", "县政府常务会"),
        ("02", "县政府 常务会"),
        ("03", "县政府　常务会"),
        ("04", "ＡＢ支部"),
        ("05", "AB支部"),
    ] {
        site.write(
            &format!("content/sessions/2024-06-{day}.md"),
            &format!("---\ntitle: 记录{day}\ndate: 2024-06-{day}\nkind: session\nmeeting: {meeting}\n---\n\n正文。\n"),
        );
    }
    let run = site.build().success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("the ledger counts them"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: content/sessions/2024-06-02.md:5: the meeting `县政府 常务会` is written `县政府常务会` in `content/sessions/2024-06-01.md`: the ledger counts them as two meetings",
            "warning: content/sessions/2024-06-03.md:5: the meeting `县政府　常务会` is written `县政府常务会` in `content/sessions/2024-06-01.md`: the ledger counts them as two meetings",
            "warning: content/sessions/2024-06-05.md:5: the meeting `AB支部` is written `ＡＢ支部` in `content/sessions/2024-06-04.md`: the ledger counts them as two meetings",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_tag_named_index_is_refused_since_it_would_replace_the_list_of_tags() {
    let (site, before) = built_fixture();
    site.write(
        "content/notes/index-tag.md",
        "---\ntitle: 标签测试\ndate: 2024-05-01\ntags: [学习, Index]\n---\n\n正文。\n",
    );
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["content/notes/index-tag.md:4: the tag `Index` would replace the page that lists all tags (`tags/index.html`)"]
    );
    assert_eq!(
        help_after(&run, "content/notes/index-tag.md:4"),
        "choose another word for the tag, e.g. `索引`"
    );
}

// ---------------------------------------------------------------------------------------------
// Output folder
// ---------------------------------------------------------------------------------------------

#[test]
fn output_folder_equal_to_the_root_is_refused() {
    let (site, before) = built_fixture();
    let content = snapshot(&site.path("content"));
    let run = run_in_site(&site, &["build", "--out", "."]);
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["--out: refusing to use `.` as the output folder: it is the site root"]
    );
    assert_eq!(snapshot(&site.path("content")), content);
    assert!(site.path("book.toml").is_file());
}

#[test]
fn output_folder_inside_content_is_refused() {
    let (site, before) = built_fixture();
    let content = snapshot(&site.path("content"));
    let run = run_in_site(&site, &["build", "--out", "content/x"]);
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["--out: refusing to use `content/x` as the output folder: it overlaps the content folder"]
    );
    assert_eq!(snapshot(&site.path("content")), content, "content/ untouched");
}

#[test]
fn output_folder_in_book_toml_inside_content_is_refused() {
    let run = break_and_build(
        "book.toml",
        "[book]\ntitle = \"测试学习库\"\n\n[build]\noutput-dir = \"content/site\"\n",
    );
    assert_eq!(
        errors_of(&run),
        ["book.toml:5: refusing to use `content/site` as the output folder: it overlaps the content folder"]
    );
    // Written the Windows way, the same folder, the same answer.
    let run = break_and_build(
        "book.toml",
        "[book]\ntitle = \"测试学习库\"\n\n[build]\noutput-dir = \"content\\\\site\"\n",
    );
    assert_eq!(
        errors_of(&run),
        ["book.toml:5: refusing to use `content/site` as the output folder: it overlaps the content folder"]
    );
}

#[test]
fn existing_folder_not_made_by_studybook_is_refused_and_kept() {
    let (site, before) = built_fixture();
    site.write("mine/notes.txt", "我的文件");
    site.write("mine/sub/data.bin", "数据");
    let mine = snapshot(&site.path("mine"));
    let run = run_in_site(&site, &["build", "--out", "mine"]);
    assert_failed_and_untouched(&site, &before, &run);
    let errors = errors_of(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("--out: refusing to use `mine` as the output folder: "),
        "{errors:?}"
    );
    assert_eq!(
        snapshot(&site.path("mine")),
        mine,
        "the folder's files are untouched"
    );
}

#[test]
fn an_existing_file_as_the_output_folder_is_refused_and_kept() {
    let (site, before) = built_fixture();
    site.write("工作总结.docx", "重要文档");
    let run = run_in_site(&site, &["build", "--out", "工作总结.docx"]);
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["--out: refusing to use `工作总结.docx` as the output folder: it is a file (it would be replaced)"]
    );
    assert_eq!(
        std::fs::read_to_string(site.path("工作总结.docx")).unwrap(),
        "重要文档"
    );
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

#[test]
fn book_toml_as_its_own_output_folder_is_refused() {
    let (site, before) = built_fixture();
    let config = "[book]\ntitle = \"测试学习库\"\n\n[build]\noutput-dir = \"book.toml\"\n";
    site.write("book.toml", config);
    let run = run_in_site(&site, &["build"]);
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(
        errors_of(&run),
        ["book.toml:5: refusing to use `book.toml` as the output folder: it is a file (it would be replaced)"]
    );
    assert_eq!(std::fs::read_to_string(site.path("book.toml")).unwrap(), config);
}

// ---------------------------------------------------------------------------------------------
// check and usage
// ---------------------------------------------------------------------------------------------

#[test]
fn check_reports_the_same_errors_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/bad.md",
        "---\ntitle: 日期写错\ndate: 2024-3-5\n---\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        errors_of(&run),
        ["content/notes/bad.md:3: `date` is `2024-3-5`, not a date written YYYY-MM-DD"]
    );
    assert!(
        run.stderr.starts_with("error: found 1 error:\n"),
        "check writes nothing, so it does not say so: {}",
        run.stderr
    );
    assert!(!site.path("public").exists());
    // Nor does search, with no site where it is pointed.
    let mut command = studybook_command();
    command
        .args(["search", "--root"])
        .arg(site.path("no-such-folder"))
        .arg("学习");
    let run = Run::from(command.output().unwrap());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: found 1 error:\n  1. book.toml: no book.toml in "),
        "search writes nothing, so it does not say so: {}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_touch_nothing() {
    let (site, before) = built_fixture();
    for args in [&["build", "--bogus"][..], &["check", "--drafts=maybe"][..]] {
        let run = site.run(args);
        assert_eq!(run.code, 2, "{args:?}: usage error\n{}", run.stderr);
        assert!(run.stderr.contains("Usage:"), "{}", run.stderr);
    }
    let run = run_in_site(&site, &["init"]);
    assert_eq!(run.code, 2, "init without DIR\n{}", run.stderr);
    assert_eq!(site.snapshot_output(), before);
}

// ---------------------------------------------------------------------------------------------
// The language of messages
// ---------------------------------------------------------------------------------------------

/// Usage errors in Chinese under a Chinese locale (clap words them in English only), with the
/// fix where one is known; exit code 2 as in English; `--year 2024年` is a year.
#[test]
fn usage_errors_are_in_the_editors_language() {
    let site = TestSite::fixture("ledger");
    let run = |args: &[&str]| {
        let mut command = studybook_command();
        command
            .env("STUDYBOOK_LANG", "zh-CN")
            .args(args)
            .arg("--root")
            .arg(site.root());
        Run::from(command.output().unwrap())
    };
    let more = "   运行 `studybook --help` 查看全部命令和参数";
    for (args, expected) in [
        (
            &["stats", "--year", "24"][..],
            "错误：参数 `--year <YYYY>` 的值 `24` 不对：`24` 不是四位数的年份，例如 2024".to_string(),
        ),
        (
            &["build", "--bogus"][..],
            "错误：不认识的参数 `--bogus`".to_string(),
        ),
        (
            &["stats", "--json", "--csv"][..],
            "错误：参数 `--json` 不能和 `--csv` 一起用".to_string(),
        ),
        // A missing value, and the reasons the standard library and clap give in English.
        (
            &["search", "--year"][..],
            "错误：参数 `--year <YYYY>` 后面缺少要写的值".to_string(),
        ),
        (
            &["search", "--year", "2024", "--year", "2023", "学习"][..],
            "错误：参数 `--year <YYYY>` 只能写一次".to_string(),
        ),
        (
            &["search", "学习", "-word"][..],
            "错误：不认识的参数 `-word`\n   提示：要排除英文词 `-word`，请把它写在 `--` 之后，例如 `studybook search -- 关键词 -word`".to_string(),
        ),
        (
            &["search", "--kind", ""][..],
            "错误：参数 `--kind <KIND>` 后面缺少要写的值，可选的值：note、session、section".to_string(),
        ),
        (
            &["search", "--limit", "abc", "学习"][..],
            "错误：参数 `--limit <LIMIT>` 的值 `abc` 不对：要写一个整数".to_string(),
        ),
        (
            &["search", "--limit", "0", "学习"][..],
            "错误：参数 `--limit <LIMIT>` 的值 `0` 不对：要在 1 到 1000 之间".to_string(),
        ),
        (
            &["serve", "--port", "99999"][..],
            "错误：参数 `--port <PORT>` 的值 `99999` 不对：要在 0 到 65535 之间".to_string(),
        ),
        (
            &["serve", "--bind", "nonsense"][..],
            "错误：参数 `--bind <BIND>` 的值 `nonsense` 不对：不是 IP 地址，例如 127.0.0.1（只有本机）或 0.0.0.0（局域网都能访问）".to_string(),
        ),
        (
            &["search", "--kind", "x", "学习"][..],
            "错误：参数 `--kind <KIND>` 的值 `x` 不对，可选的值：note、session、section".to_string(),
        ),
    ] {
        let result = run(args);
        assert_eq!(result.code, 2, "{args:?}\n{}", result.stderr);
        // The command's own help, where the arguments are.
        let own = format!("   运行 `studybook {} --help` 查看这个命令的参数", args[0]);
        assert_eq!(result.stderr, format!("{expected}\n{own}\n"), "{args:?}");
    }
    let mut command = studybook_command();
    command.env("STUDYBOOK_LANG", "zh-CN").arg("buld");
    let result = Run::from(command.output().unwrap());
    assert_eq!(result.code, 2);
    assert_eq!(
        result.stderr,
        format!("错误：没有 `buld` 这个命令\n   提示：是不是要写 `build`？\n{more}\n")
    );
    // A command, but not where it was written (it said there was no such command).
    let mut command = studybook_command();
    command
        .env("STUDYBOOK_LANG", "zh-CN")
        .args(["help", "search", "build"]);
    let result = Run::from(command.output().unwrap());
    assert_eq!(result.code, 2);
    assert_eq!(
        result.stderr,
        format!("错误：`build` 不能写在这里：一次查看一个命令的帮助，例如 `studybook help build`\n{more}\n")
    );
    let year = run(&["stats", "--year", "2024年"]).success();
    assert!(year.stdout.contains("2024"), "{}", year.stdout);
    site.build().success();
    run(&["search", "--year", "2024年", "学习"]).success();
    std::fs::remove_dir_all(site.path("public")).unwrap();
    // Before any build, `search` says so in Chinese too.
    let result = run(&["search", "学习"]);
    assert_eq!(result.code, 1);
    assert!(
        result
            .stderr
            .contains("里没有搜索索引\n   提示：请先运行 `studybook build` 生成站点"),
        "{}",
        result.stderr
    );
}

/// `--help` under a Chinese locale is Chinese throughout: clap's own words (Usage, Options,
/// Print help, [default: …]) included; under an English one it stays clap's English.
#[test]
fn help_is_in_the_editors_language() {
    let help = |lang: &str, args: &[&str]| {
        let mut command = studybook_command();
        for key in ["STUDYBOOK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"] {
            command.env_remove(key);
        }
        command.env("LANG", lang).args(args);
        Run::from(command.output().unwrap()).success().stdout
    };
    let search = help("zh_CN.UTF-8", &["search", "--help"]);
    for line in [
        "在终端里搜索已生成网站的索引",
        "用法：studybook search [选项] [QUERY]...",
        "      --root <DIR>         网站文件夹，即放 book.toml 的文件夹（默认：.，当前文件夹）",
        "      --limit <LIMIT>      最多显示多少条结果（默认：10）",
        "      --kind <KIND>        只要这一类页面：note（学习资料）、session（学习记录）或 section（栏目自身的页面）",
        "  -h, --help               显示帮助",
        "  [QUERY]...  要搜索的词；词前加 - 表示不要含它的页面，加引号表示原样查找",
    ] {
        assert!(search.lines().any(|l| l == line), "{line}\n{search}");
    }
    let whole = help("zh_CN.UTF-8", &["--help"]);
    let commands = help("zh_CN.UTF-8", &["help"]);
    assert_eq!(whole, commands);
    for line in [
        "用法：studybook <命令>",
        "  serve   生成网站，然后在 http://127.0.0.1:3000 上提供带搜索的预览，保存即刷新",
        "  help    显示本帮助，或某个命令的帮助",
        "  -V, --version  显示版本号",
    ] {
        assert!(whole.lines().any(|l| l == line), "{line}\n{whole}");
    }
    for args in [
        &["--help"][..],
        &["help", "help"],
        &["build", "-h"],
        &["check", "-h"],
        &["init", "-h"],
        &["search", "-h"],
        &["serve", "-h"],
        &["stats", "-h"],
    ] {
        let text = help("zh_CN.UTF-8", args);
        for english in [
            "Usage",
            "Options",
            "Arguments",
            "Commands",
            "Print",
            "default",
            "possible",
            "OPTIONS",
            "COMMAND",
        ] {
            assert!(!text.contains(english), "{args:?}: `{english}` in\n{text}");
        }
    }
    let english = help("en_US.UTF-8", &["search", "--help"]);
    assert!(
        english.contains("Usage: studybook search [OPTIONS] [QUERY]..."),
        "{english}"
    );
    assert!(
        english.contains("Most results to show [default: 10]"),
        "{english}"
    );
}

/// `studybook build` on `site` with these environment variables set (`Some`) or removed
/// (`None`), and no other locale variable.
fn build_with_env(site: &TestSite, env: &[(&str, Option<&str>)]) -> Run {
    let mut command = studybook_command();
    command.args(["build", "--root"]).arg(site.root());
    for key in ["STUDYBOOK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"] {
        command.env_remove(key);
    }
    for (key, value) in env {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    Run::from(command.output().unwrap())
}

const MISSPELT_KEY: &str = "[book]\ntitle = \"测试学习库\"\n\n[build]\noutput-dri = \"public\"\n";

const MISSPELT_KEY_IN_CHINESE: &str = "错误：发现 1 处错误，本次没有写出任何文件：
  1. book.toml:5:1: 未知设置项 `output-dri`
   提示：是不是要写 `output-dir`？";

const MISSPELT_KEY_IN_ENGLISH: &str = "error: found 1 error, nothing was written:
  1. book.toml:5:1: unknown key `output-dri`
   help: did you mean `output-dir`?";

#[test]
fn an_editor_on_a_chinese_system_reads_the_errors_in_chinese() {
    let (site, before) = built_fixture();
    site.write("book.toml", MISSPELT_KEY);
    for locale in ["zh_CN.UTF-8", "zh_CN.GB18030", "zh_TW.UTF-8"] {
        let run = build_with_env(&site, &[("LANG", Some(locale))]);
        assert_failed_and_untouched(&site, &before, &run);
        assert_eq!(run.stderr.trim_end(), MISSPELT_KEY_IN_CHINESE, "LANG={locale}");
    }
    // The more specific variables win over LANG, as for every program on the system.
    let run = build_with_env(
        &site,
        &[
            ("LANG", Some("en_US.UTF-8")),
            ("LC_MESSAGES", Some("zh_CN.UTF-8")),
        ],
    );
    assert_eq!(run.stderr.trim_end(), MISSPELT_KEY_IN_CHINESE);
}

#[test]
fn other_systems_get_english_and_studybook_lang_overrides_the_system() {
    let (site, before) = built_fixture();
    site.write("book.toml", MISSPELT_KEY);
    for env in [
        vec![],
        vec![("LANG", Some("C.UTF-8"))],
        vec![("LANG", Some("fr_FR.UTF-8"))],
        vec![("LANG", Some("zh_CN.UTF-8")), ("STUDYBOOK_LANG", Some("en"))],
    ] {
        let run = build_with_env(&site, &env);
        assert_failed_and_untouched(&site, &before, &run);
        assert_eq!(run.stderr.trim_end(), MISSPELT_KEY_IN_ENGLISH, "{env:?}");
    }
    let run = build_with_env(
        &site,
        &[("LANG", Some("en_US.UTF-8")), ("STUDYBOOK_LANG", Some("zh-CN"))],
    );
    assert_failed_and_untouched(&site, &before, &run);
    assert_eq!(run.stderr.trim_end(), MISSPELT_KEY_IN_CHINESE);
}

#[test]
fn a_good_build_reports_in_chinese_too() {
    let site = TestSite::fixture("basic");
    let run = build_with_env(&site, &[("STUDYBOOK_LANG", Some("zh-CN"))]).success();
    let summary = run.stderr.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("已生成 ")
            && summary.contains(" 个页面（其中学习记录 ")
            && summary.contains(" 秒 → "),
        "{}",
        run.stderr
    );
    let english = build_with_env(&site, &[]).success();
    assert!(
        english
            .stderr
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("built "),
        "{}",
        english.stderr
    );
}
