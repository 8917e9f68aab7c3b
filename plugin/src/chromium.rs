//! Printing mdBook's print view to PDF with Debian's headless Chromium. Edge code: it
//! searches PATH and runs the browser. No browser is ever downloaded.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What to do when no browser is found, quoted in every such error.
pub const INSTALL_HINT: &str = "install Debian's chromium package (`apt-get install chromium`), or set `pdf = false` in [preprocessor.techfile.bundle] to build without the PDF";

/// The names tried on PATH, Debian's first.
const NAMES: [&str; 2] = ["chromium", "chromium-browser"];

#[cfg(unix)]
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(path: &Path) -> bool {
    path.is_file()
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| executable(p))
}

/// The browser to print with: the configured one (a path, or a name on PATH), else the
/// first of `chromium` and `chromium-browser` on PATH.
pub fn find(configured: Option<&str>) -> Result<PathBuf, String> {
    if let Some(c) = configured {
        let found = if c.contains('/') {
            Some(PathBuf::from(c)).filter(|p| executable(p))
        } else {
            on_path(c)
        };
        return found.ok_or_else(|| {
            format!("the browser `{c}` set in [preprocessor.techfile.bundle] browser is not an executable file: {INSTALL_HINT}")
        });
    }
    NAMES.iter().find_map(|n| on_path(n)).ok_or_else(|| {
        format!(
            "printing the PDF needs headless Chromium, and neither `chromium` nor `chromium-browser` is on PATH: {INSTALL_HINT}"
        )
    })
}

/// A `file://` URL for an absolute path, percent-encoding everything but unreserved
/// characters and `/`.
pub fn file_url(path: &Path) -> String {
    let mut out = String::from("file://");
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    for &b in &bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Prints `page` (an HTML file) to the PDF `out`. The browser gets a fresh profile, no
/// network services and no header or footer of its own (the page's `@page` rules provide
/// them), and runs in UTC. It is stopped after `timeout`.
pub fn print_to_pdf(
    browser: &Path,
    page: &Path,
    out: &Path,
    timeout: Duration,
) -> Result<(), String> {
    let profile = tempfile::Builder::new()
        .prefix("techfile-chromium-")
        .tempdir()
        .map_err(|e| format!("cannot create a browser profile folder: {e}"))?;
    let log_path = profile.path().join("browser.log");
    let log = fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let mut child = Command::new(browser)
        .args([
            "--headless",
            // Root in a container cannot use Chromium's sandbox; the page is our own output.
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(file_url(page))
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}: {INSTALL_HINT}", browser.display()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} did not finish printing within {} s (pdf-timeout in [preprocessor.techfile.bundle])",
                    browser.display(),
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("waiting for {}: {e}", browser.display())),
        }
    };
    let written = fs::metadata(out).is_ok_and(|m| m.len() > 0);
    if status.success() && written {
        return Ok(());
    }
    let log = fs::read_to_string(&log_path).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(15).collect();
    Err(format!(
        "{} failed to print {} ({status}{}):\n{}",
        browser.display(),
        page.display(),
        if written { "" } else { ", no PDF written" },
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/print#1.html")),
            "file:///tmp/a%20b/print%231.html"
        );
    }

    #[test]
    fn a_configured_browser_that_does_not_exist_names_the_package() {
        let e = find(Some("/nonexistent/chromium")).unwrap_err();
        assert!(e.contains("apt-get install chromium"), "{e}");
        assert!(e.contains("pdf = false"), "{e}");
    }
}
