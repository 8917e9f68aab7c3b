//! How paths are compared and shown: made absolute and normalised lexically (without
//! touching the disk), and shown relative to where the user runs the tool (findings) or to
//! the folder that holds the book (the book itself).

use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute (against the current directory) and removes `.` and `..`
/// lexically, so that paths can be compared and shown without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A path relative to `src` as mdBook compares it, written with forward slashes: its
/// components, so `./a.md` and `a/./b.md` are `a.md` and `a/b.md` (`..` stays).
pub fn slash_path(path: &Path) -> String {
    path.components()
        .filter(|c| *c != Component::CurDir)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` relative to `base`, with forward slashes (both made absolute first).
pub fn relative(path: &Path, base: &Path) -> String {
    let path = normalize(path);
    let base = normalize(base);
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// How paths are shown: to the user running the tool, and to the reader of the book.
#[derive(Clone, Debug)]
pub struct Names {
    /// Base for diagnostics (the current directory).
    pub cwd: PathBuf,
    /// Base for paths printed in the book (the folder holding the book).
    pub project: PathBuf,
}

impl Names {
    /// Names relative to the current directory (findings) and to the book's parent folder
    /// (the book).
    pub fn for_book(book_root: &Path) -> Names {
        let root = normalize(book_root);
        Names {
            cwd: normalize(Path::new(".")),
            project: root.parent().map(Path::to_path_buf).unwrap_or(root),
        }
    }

    /// Names for the preprocessor: findings relative to the book root, where mdBook runs
    /// it. Taken from the root mdBook hands over rather than from the current directory,
    /// so one run never mixes two bases even when the preprocessor is started elsewhere.
    /// The shell's folder is not used: the process cannot know it (`PWD` is whatever the
    /// last shell set, stale after a parent changed directory without a shell), and the
    /// book served by `mdbook serve` shows the same names, which must not depend on where
    /// mdBook was started.
    pub fn in_book_root(book_root: &Path) -> Names {
        Names {
            cwd: normalize(book_root),
            ..Names::for_book(book_root)
        }
    }

    pub fn diag(&self, p: &Path) -> String {
        relative(p, &self.cwd)
    }

    pub fn book(&self, p: &Path) -> String {
        relative(p, &self.project)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapter_paths_are_written_as_mdbook_compares_them() {
        assert_eq!(slash_path(Path::new("a/./b c.md")), "a/b c.md");
        assert_eq!(slash_path(Path::new("./a.md")), "a.md");
        assert_eq!(slash_path(Path::new("a/../b.md")), "a/../b.md");
    }

    #[test]
    fn relative_paths_walk_up_and_down() {
        assert_eq!(relative(Path::new("/a/b/c.md"), Path::new("/a")), "b/c.md");
        assert_eq!(
            relative(Path::new("/a/req/x.md"), Path::new("/a/book")),
            "../req/x.md"
        );
        assert_eq!(
            relative(Path::new("/a/book/../req/x.md"), Path::new("/a")),
            "req/x.md"
        );
    }
}
