use super::*;
use crate::includes::chapter::{Read, Source, read};

/// A `src` folder: each file in the source map (named `src/PATH`) and in the files
/// includes may read.
fn src(files: &[(&str, &str)]) -> (SourceMap, Files<'static>) {
    let mut map = SourceMap::new();
    let mut out = Files::default();
    for (path, text) in files {
        let id = map.add(format!("src/{path}"), *text);
        out.read.insert(path.to_string(), Included::Text(id));
    }
    (map, out)
}

/// Expands the chapter `path` of `files` (mdBook's `links` on).
fn expand_chapter(files: &[(&str, &str)], path: &str) -> (SourceMap, Expansion, Vec<Diagnostic>) {
    let (mut map, files) = src(files);
    let text = files
        .read
        .get(path)
        .map(|f| match f {
            Included::Text(id) => map.text(*id).to_string(),
            _ => unreachable!(),
        })
        .unwrap_or_default();
    let file = map.add(format!("src/{path}"), text.clone());
    let mut chapter = Mapped::new();
    chapter.push_copied(&text, file, 0);
    let (x, diags) = expand(&map, chapter, path, &files);
    (map, x, diags)
}

/// `file:line:col` of the byte at `at` of the page text.
fn place(map: &SourceMap, m: &Mapped, at: usize) -> String {
    let span = m.span_of(at..at + 1).expect("copied text");
    let f = map.get(span.file);
    let (line, col) = f.line_col(span.start as usize);
    format!("{}:{line}:{col}", f.name)
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

const INTRO: &str = "# Intro\n\nSome text.\n\n{{#include shared/disclaimer.md}}\n\nOwn link: [bad](changes.md#nope).\n";
const DISCLAIMER: &str =
    "# Disclaimer\n\nLine three.\n\nLine five: see [the missing annex](annex.md).\n";

#[test]
fn included_text_keeps_its_file_and_line_and_the_chapter_keeps_its_own() {
    let (map, x, diags) = expand_chapter(
        &[("intro.md", INTRO), ("shared/disclaimer.md", DISCLAIMER)],
        "intro.md",
    );
    assert!(diags.is_empty(), "{diags:?}");
    let page = x.page();
    assert_eq!(
        page.text,
        "# Intro\n\nSome text.\n\n# Disclaimer\n\nLine three.\n\nLine five: see [the missing annex](annex.md).\n\nOwn link: [bad](changes.md#nope).\n"
    );
    let annex = page.text.find("annex.md").unwrap();
    assert_eq!(place(&map, &page, annex), "src/shared/disclaimer.md:5:36");
    let via = page.included_at(annex);
    assert_eq!(via.len(), 1);
    let (line, col) = map.get(via[0].file).line_col(via[0].start as usize);
    assert_eq!((map.name(via[0].file), line, col), ("src/intro.md", 5, 1));
    let own = page.text.find("changes.md#nope").unwrap();
    assert_eq!(place(&map, &page, own), "src/intro.md:7:17");
    assert!(page.included_at(own).is_empty());
    assert_eq!(x.used.iter().collect::<Vec<_>>(), ["shared/disclaimer.md"]);
}

#[test]
fn nested_includes_resolve_from_the_including_file() {
    let (map, x, diags) = expand_chapter(
        &[
            ("part/ch.md", "A {{#include ../common/a.md}} Z"),
            ("common/a.md", "a1\n{{#include sub/b.md:2}}\na3\n"),
            ("common/sub/b.md", "b1\nb2 [x](y.md)\nb3\n"),
        ],
        "part/ch.md",
    );
    assert!(diags.is_empty(), "{diags:?}");
    let page = x.page();
    assert_eq!(page.text, "A a1\nb2 [x](y.md)\na3 Z");
    let y = page.text.find("y.md").unwrap();
    assert_eq!(place(&map, &page, y), "src/common/sub/b.md:2:8");
    // The chapter line comes first, then the line of the file that includes it.
    let via: Vec<String> = page
        .included_at(y)
        .iter()
        .map(|s| map.name(s.file).to_string())
        .collect();
    assert_eq!(via, ["src/part/ch.md", "src/common/a.md"]);
    let z = page.text.rfind('Z').unwrap();
    assert_eq!(place(&map, &page, z), "src/part/ch.md:1:31");
}

#[test]
fn escapes_and_titles_are_removed_where_mdbook_expands() {
    let (_, x, diags) = expand_chapter(
        &[
            (
                "ch.md",
                "{{#title T}}Esc \\{{#include a.md}} and \\{{#techfile x}}.\n\\{{#techfile y\n}} {{#include a.md}}",
            ),
            (
                "a.md",
                "in \\{{#include b.md}} {{#title V}}\n{{#title U}}end",
            ),
        ],
        "ch.md",
    );
    assert!(diags.is_empty(), "{diags:?}");
    // The first escape runs to the last `}}` of its line; on the second line the escape
    // has no `}}` and stays.
    assert_eq!(
        x.page().text,
        "Esc {{#include a.md}} and \\{{#techfile x}}.\n\\{{#techfile y\n}} in {{#include b.md}} {{#title V}}\nend"
    );
    assert!(x.removals.iter().all(|r| r.by == By::Links));
    assert_eq!(x.removals.len(), 4);
}

#[test]
fn rustdoc_include_and_playground_are_expanded_and_mapped() {
    let (map, x, _) = expand_chapter(
        &[
            (
                "ch.md",
                "{{#rustdoc_include code/m.rs:2}}\n{{#playground code/m.rs editable}}",
            ),
            ("code/m.rs", "use x;\nfn main() {}\n"),
        ],
        "ch.md",
    );
    let page = x.page();
    assert_eq!(
        page.text,
        "# use x;\nfn main() {}\n```rust,editable\nuse x;\nfn main() {}\n```\n"
    );
    let main = page.text.find("fn main").unwrap();
    assert_eq!(place(&map, &page, main), "src/code/m.rs:2:1");
}

#[test]
fn unreadable_includes_stay_as_written_with_a_finding() {
    let (mut map, mut files) = src(&[("a.md", "A")]);
    let bad = map.add("src/latin1.md", "caf\u{fffd}");
    files
        .read
        .insert("latin1.md".into(), Included::NotUtf8 { file: bad, at: 3 });
    files.read.insert(
        "big.md".into(),
        Included::Failed(InputError::TooLarge { size: 9, limit: 5 }),
    );
    files.read.insert(
        "locked.md".into(),
        Included::Failed(InputError::Io("Permission denied".into())),
    );
    let text = "{{#include none.md}} {{#include ../out.md}} {{#include /etc/x}} {{#include latin1.md}} {{#include big.md}} {{#include locked.md}} {{#include a.md}}";
    let file = map.add("src/ch.md", text);
    let mut chapter = Mapped::new();
    chapter.push_copied(text, file, 0);
    let (x, diags) = expand(&map, chapter, "ch.md", &files);
    assert_eq!(
        x.page().text,
        text.replace("{{#include a.md}}", "A"),
        "mdBook leaves what it cannot read as written"
    );
    assert_eq!(
        codes(&diags),
        [
            "include-not-found",
            "include-outside-src",
            "include-outside-src",
            "not-utf8",
            "file-too-large",
            "read-error"
        ]
    );
    assert!(
        diags
            .iter()
            .all(|d| d.primary.as_ref().unwrap().span.file == file)
    );
    assert_eq!(diags[3].secondary[0].span, Span::new(bad, 3..3));
}

#[test]
fn a_cycle_expands_ten_levels_like_mdbook_and_is_reported_once() {
    let (map, x, diags) = expand_chapter(
        &[
            ("ch.md", "{{#include loop.md}}"),
            ("loop.md", "L [x](y.md) \\{{#x}}\n{{#include loop.md}}"),
        ],
        "ch.md",
    );
    let page = x.page();
    assert_eq!(page.text.matches("L [x]").count(), MAX_DEPTH);
    // The escape at the last level is dropped with everything else there.
    assert_eq!(page.text.matches("{{#x}}").count(), MAX_DEPTH - 1);
    assert!(!page.text.contains("{{#include"));
    assert_eq!(codes(&diags), ["include-cycle"]);
    let d = &diags[0];
    assert_eq!(
        d.message,
        "includes form a cycle: `loop.md` includes `loop.md`"
    );
    let primary = d.primary.as_ref().unwrap().span;
    assert_eq!(map.name(primary.file), "src/loop.md");
    assert_eq!(d.secondary.len(), 1);
    assert_eq!(map.name(d.secondary[0].span.file), "src/ch.md");
}

#[test]
fn nesting_deeper_than_mdbook_goes_is_reported() {
    let mut files: Vec<(String, String)> = vec![("ch.md".into(), "{{#include f1.md}}".into())];
    for n in 1..=12 {
        files.push((
            format!("f{n}.md"),
            format!("<{n}>{{{{#include f{}.md}}}}", n + 1),
        ));
    }
    files.push(("f13.md".into(), "end".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (_, x, diags) = expand_chapter(&refs, "ch.md");
    assert_eq!(x.page().text, "<1><2><3><4><5><6><7><8><9><10>");
    assert_eq!(codes(&diags), ["include-cycle"]);
    assert_eq!(diags[0].message, "includes nest more than 10 levels deep");
    assert_eq!(diags[0].secondary.len(), 10);
}

#[test]
fn targets_name_what_the_edge_reads() {
    assert_eq!(
        targets(
            "{{#include a.md:3}} {{#rustdoc_include ../x.rs}} {{#playground ./p.rs}} \\{{#include e.md}} {{#include ../../out.md}}",
            "dir/ch.md",
            &[]
        ),
        ["dir/a.md", "x.rs", "dir/p.rs"]
    );
    assert_eq!(resolve(&[], "a/b", "../c/./d.md"), Some("a/c/d.md".into()));
    assert_eq!(resolve(&[], "", "../d.md"), None);
    assert_eq!(resolve(&[], "a", "/abs.md"), None);
    // Knowing where `src` is, a path may climb out of it and back in, or be absolute.
    let root: Vec<String> = ["home", "book", "src"].map(String::from).to_vec();
    assert_eq!(resolve(&root, "a", "../../src/x.md"), Some("x.md".into()));
    assert_eq!(
        resolve(&root, "", "/home/book/src/a/x.md"),
        Some("a/x.md".into())
    );
    assert_eq!(resolve(&root, "", "../other/x.md"), None);
    assert_eq!(resolve(&root, "", "/etc/passwd"), None);
    assert_eq!(
        resolve(&root, "", "../../../../../home/book/src/x.md"),
        Some("x.md".into())
    );
    assert_eq!(resolve(&root, "", "."), None, "src itself is no file");
    // What is outside is named by its absolute path, for the edge to read as mdBook does.
    for (dir, path, target) in [
        (
            "",
            "../other/x.md",
            Some(Target::Outside("/home/book/other/x.md".into())),
        ),
        (
            "a",
            "/etc/passwd",
            Some(Target::Outside("/etc/passwd".into())),
        ),
        (
            "a/./b/../b",
            "../../x.md",
            Some(Target::Inside("x.md".into())),
        ),
        // From a file outside `src`, paths are relative to its folder.
        (
            "/home/book/other",
            "y.md",
            Some(Target::Outside("/home/book/other/y.md".into())),
        ),
        (
            "/home/book/other",
            "../src/a/z.md",
            Some(Target::Inside("a/z.md".into())),
        ),
        ("", "../../../..", None),
    ] {
        assert_eq!(locate(&root, dir, path), target, "{dir} {path}");
    }
    assert_eq!(
        targets(
            "{{#include ../../other/x.md}} {{#include y.md}}",
            "a/ch.md",
            &root
        ),
        ["/home/book/other/x.md", "a/y.md"]
    );
    assert_eq!(
        targets(
            "{{#include ../src/b.md}} {{#include c.md}}",
            "/home/book/other/n.md",
            &root
        ),
        ["b.md", "/home/book/other/c.md"]
    );
    assert_eq!(shown(&root, "/home/book/other/x.md"), "../other/x.md");
    assert_eq!(shown(&root, "/etc/x"), "../../../etc/x");
    assert_eq!(shown(&root, "a/b.md"), "a/b.md");
}

/// A file outside `src` is reported and included as mdBook includes it, its own includes
/// resolved from its folder: findings in it and after it keep their files and lines.
#[test]
fn a_file_outside_src_is_reported_and_included_like_mdbook() {
    let root: Vec<String> = ["home", "book", "src"].map(String::from).to_vec();
    let (mut map, mut files) = src(&[("part.md", "P [p](p.md)\n")]);
    files.root = root;
    let notes = map.add(
        "notes/n.md",
        "N1\n[n](n.md) {{#include ../src/part.md}}\n{{#include ../gone.md}}\n",
    );
    files
        .read
        .insert("/home/book/notes/n.md".into(), Included::Text(notes));
    let text = "# Ch\n\n{{#include ../notes/n.md}}\n\n{{#include part.md}}\n\nOwn [o](o.md).\n";
    let file = map.add("src/ch.md", text);
    let mut chapter = Mapped::new();
    chapter.push_copied(text, file, 0);
    let (x, diags) = expand(&map, chapter, "ch.md", &files);
    let page = x.page();
    assert_eq!(
        page.text,
        "# Ch\n\nN1\n[n](n.md) P [p](p.md)\n{{#include ../gone.md}}\n\nP [p](p.md)\n\nOwn [o](o.md).\n"
    );
    assert_eq!(
        codes(&diags),
        ["include-outside-src", "include-outside-src"]
    );
    // The second, in the outside file, names the file that brought it in.
    assert_eq!(
        diags[1].secondary[0].message,
        "`../notes/n.md` is included here"
    );
    let at = |needle: &str, nth: usize| {
        let i = page.text.match_indices(needle).nth(nth).unwrap().0;
        place(&map, &page, i)
    };
    assert_eq!(at("n.md", 0), "notes/n.md:2:5");
    assert_eq!(at("p.md", 0), "src/part.md:1:7");
    assert_eq!(at("p.md", 1), "src/part.md:1:7");
    assert_eq!(at("o.md", 0), "src/ch.md:7:9");
    let used: Vec<&String> = x.used.iter().collect();
    assert_eq!(used, ["/home/book/notes/n.md", "part.md"]);
    // An outside file the edge could not read stays a directive, as in mdBook.
    files.read.remove("/home/book/notes/n.md");
    let mut chapter = Mapped::new();
    chapter.push_copied(text, file, 0);
    let (x, diags) = expand(&map, chapter, "ch.md", &files);
    assert!(x.page().text.contains("{{#include ../notes/n.md}}"));
    assert_eq!(codes(&diags), ["include-outside-src"]);
}

fn read_chapter(
    files: &[(&str, &str)],
    bytes: &[u8],
    given: Option<&str>,
    links: bool,
) -> (SourceMap, Read, Vec<Diagnostic>) {
    let (mut map, files) = src(files);
    let source = Source {
        name: "src/ch.md",
        path: "ch.md",
        content: Ok(bytes),
        given,
        links,
    };
    let (r, diags) = read(&mut map, source, &files);
    (map, r, diags)
}

#[test]
fn the_handed_over_text_says_how_far_mdbook_got() {
    let files = [("a.md", "[x](y.md)")];
    let raw = "# Ch\n\n{{#include a.md}} \\{{#techfile summary}}\n";
    let expanded = "# Ch\n\n[x](y.md) {{#techfile summary}}\n";
    // `check`: the file, expanded.
    let (_, r, _) = read_chapter(&files, raw.as_bytes(), None, true);
    assert_eq!(r.expansion.page().text, expanded);
    assert!(!r.links_later && r.complete && r.note.is_none());
    // mdBook's `links` ran first: the plugin's expansion describes the text.
    let (_, r, _) = read_chapter(&files, raw.as_bytes(), Some(expanded), true);
    assert!(!r.links_later && r.complete && r.note.is_none());
    assert_eq!(r.expansion.used.len(), 1);
    // `links` runs after the plugin: the escape is left for it.
    let (_, r, _) = read_chapter(&files, raw.as_bytes(), Some(raw), true);
    assert!(r.links_later && r.complete && r.note.is_none());
    assert_eq!(r.expansion.page().text, expanded);
    // Another preprocessor changed the text: it is checked as handed over.
    let changed = "# Ch\n\nSomething else [z](w.md) {{#include a.md}}\n";
    let (map, r, _) = read_chapter(&files, raw.as_bytes(), Some(changed), true);
    assert!(r.note.as_deref().unwrap().contains("another preprocessor"));
    assert_eq!(map.text(r.file), changed);
    assert_eq!(r.expansion.page().text, changed);
    assert!(!r.complete, "mdBook may still expand the include");
    // Without mdBook's `links`, nothing is expanded; the plugin removes its own escape.
    let (_, r, _) = read_chapter(&files, raw.as_bytes(), Some(raw), false);
    assert_eq!(
        r.expansion.page().text,
        "# Ch\n\n{{#include a.md}} {{#techfile summary}}\n"
    );
    assert!(r.expansion.removals.iter().all(|x| x.by == By::Plugin));
}

/// Another preprocessor changed one line of an expanded chapter: the lines it did not
/// change keep their places, in the included file (with the directive) and after the
/// include; the changed line is placed in the text as handed over.
#[test]
fn lines_another_preprocessor_left_alone_keep_their_places() {
    let files = [("part.md", "P1\nP2 [p](p.md)\n")];
    let raw = "# Ch\n\n{{#include part.md}}\n\nMiddle.\n\nOwn [o](o.md).\n";
    let changed = "# Ch\n\nP1\nP2 [p](p.md)\n\nMiddle, CHANGED [c](c.md).\n\nOwn [o](o.md).\n";
    let (map, r, _) = read_chapter(&files, raw.as_bytes(), Some(changed), true);
    assert!(r.note.is_some());
    let page = r.expansion.page();
    assert_eq!(page.text, changed);
    let at = |needle: &str| place(&map, &page, page.text.find(needle).unwrap());
    assert_eq!(at("p.md"), "src/part.md:2:8");
    assert_eq!(page.included_at(page.text.find("p.md").unwrap()).len(), 1);
    assert_eq!(at("o.md"), "src/ch.md:7:9");
    // The changed line is in the handed-over text (line 6 there).
    assert_eq!(at("c.md"), "src/ch.md:6:21");
    let c = page.text.find("c.md").unwrap();
    assert_eq!(page.span_of(c..c + 1).unwrap().file, r.file);
    assert_ne!(page.span_of(0..1).unwrap().file, r.file, "the chapter file");
    // Before `links` ran, the file is the closer text: its lines keep their places.
    let changed = "# Ch\n\n{{#include part.md}}\n\nMiddle, CHANGED.\n\nOwn [o](o.md).\n";
    let (map, r, _) = read_chapter(&files, raw.as_bytes(), Some(changed), true);
    let page = r.expansion.page();
    assert_eq!(page.text, changed);
    assert_eq!(
        place(&map, &page, page.text.find("o.md").unwrap()),
        "src/ch.md:7:9"
    );
    assert!(!r.complete, "mdBook may still expand the include");
}

#[test]
fn chapters_are_read_as_mdbook_loads_them() {
    // A byte order mark is dropped, as mdBook drops it.
    let (map, r, diags) = read_chapter(&[], b"\xef\xbb\xbf# Title\n", None, true);
    assert!(diags.is_empty());
    assert_eq!(map.text(r.file), "# Title\n");
    // A chapter that is not UTF-8 stops mdBook.
    let (_, _, diags) = read_chapter(&[], b"# T\xe9\n", None, true);
    assert_eq!(codes(&diags), ["not-utf8"]);
    // A missing chapter file mdBook does not create stops it too.
    let (mut map, files) = src(&[]);
    let missing = InputError::Io("No such file or directory".into());
    let source = Source {
        name: "src/gone.md",
        path: "gone.md",
        content: Err(&missing),
        given: None,
        links: true,
    };
    let (_, diags) = read(&mut map, source, &files);
    assert_eq!(codes(&diags), ["read-error"]);
    // One it creates holds its title, which `check` reads without writing the file.
    let source = Source {
        given: Some("# Gone\n"),
        ..source
    };
    let (r, diags) = read(&mut map, source, &files);
    assert!(diags.is_empty());
    assert_eq!(r.expansion.page().text, "# Gone\n");
}

#[test]
fn a_missing_include_suggests_the_file_meant() {
    let (mut map, mut files) = src(&[]);
    let listed: BTreeSet<String> = ["shared/contacts.md", "img/logo.png"]
        .map(String::from)
        .into();
    files.all = Some(&listed);
    let text = "{{#include ../shared/contact.md}} {{#include team.md}}";
    let file = map.add("src/part/ch.md", text);
    let mut chapter = Mapped::new();
    chapter.push_copied(text, file, 0);
    let (_, diags) = expand(&map, chapter, "part/ch.md", &files);
    assert_eq!(codes(&diags), ["include-not-found", "include-not-found"]);
    assert_eq!(
        diags[0].help.as_deref(),
        Some(
            "did you mean `../shared/contacts.md`? mdBook leaves the directive in the page as text"
        )
    );
    assert!(
        diags[1].help.as_deref().unwrap().contains("(`src/part`)"),
        "{:?}",
        diags[1].help
    );
}
