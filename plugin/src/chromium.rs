//! Printing mdBook's print view to PDF with Debian's headless Chromium, driven over the
//! DevTools protocol ([`crate::cdp`]) so one browser loads the book once and prints it as
//! often as the contents need. Edge code: it searches PATH and runs the browser. No
//! browser is ever downloaded.

use crate::cdp;
use base64::Engine;
use serde_json::{Value, json};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

/// Chromium's switches: headless, a fresh profile, no network services, no sandbox (root
/// in a container cannot use it; the page is our own output), and the protocol on the
/// pipe.
const SWITCHES: [&str; 12] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--remote-debugging-pipe",
    "about:blank",
];

/// A headless browser with one page loaded, to be printed as often as needed: one
/// browser and one layout serve every print of the book, and scripts can change the page
/// between prints.
pub struct Printer {
    browser: PathBuf,
    child: Child,
    connection: cdp::Connection,
    session: String,
    log_path: PathBuf,
    /// The profile folder, removed when the printer is dropped.
    _profile: tempfile::TempDir,
}

/// Starts `browser`, opens `page` (an HTML file) and waits until it and its fonts are
/// loaded. The browser runs in UTC with a fresh profile; everything, printing included,
/// must be done within `timeout`.
///
/// # Errors
///
/// When the browser cannot be started, the page cannot be loaded, or the time runs out;
/// the message ends with the browser's own last lines.
pub fn open(browser: &Path, page: &Path, timeout: Duration) -> Result<Printer, String> {
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
    let mut command = Command::new(browser);
    command
        .args(SWITCHES)
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    let (child, to_browser, from_browser) = spawn_with_pipe(command)
        .map_err(|e| format!("cannot run {}: {e}: {INSTALL_HINT}", browser.display()))?;
    let connection = cdp::Connection::new(
        to_browser,
        from_browser,
        Instant::now() + timeout,
        format!(
            "{} s (pdf-timeout in [preprocessor.techfile.bundle])",
            timeout.as_secs()
        ),
    );
    let mut printer = Printer {
        browser: browser.to_path_buf(),
        child,
        connection,
        session: String::new(),
        log_path,
        _profile: profile,
    };
    printer
        .load(page)
        .map_err(|e| printer.failure(&format!("cannot load {}: {e}", page.display())))?;
    Ok(printer)
}

/// Spawns `command` with the two ends of the protocol pipe as its file descriptors 3
/// (commands in) and 4 (answers out); returns the other two ends.
#[cfg(unix)]
#[allow(clippy::type_complexity)]
fn spawn_with_pipe(
    mut command: Command,
) -> std::io::Result<(Child, Box<dyn Write + Send>, Box<dyn Read + Send>)> {
    use command_fds::{CommandFdExt, FdMapping};
    let (browser_reads, we_write) = std::io::pipe()?;
    let (we_read, browser_writes) = std::io::pipe()?;
    command
        .fd_mappings(vec![
            FdMapping {
                parent_fd: browser_reads.into(),
                child_fd: 3,
            },
            FdMapping {
                parent_fd: browser_writes.into(),
                child_fd: 4,
            },
        ])
        .map_err(std::io::Error::other)?;
    let child = command.spawn()?;
    // The command holds our copies of the browser's ends; without dropping it, the
    // answers would never end when the browser does.
    drop(command);
    Ok((child, Box::new(we_write), Box::new(we_read)))
}

#[cfg(not(unix))]
#[allow(clippy::type_complexity)]
fn spawn_with_pipe(
    _command: Command,
) -> std::io::Result<(Child, Box<dyn Write + Send>, Box<dyn Read + Send>)> {
    Err(std::io::Error::other(
        "printing drives Chromium over file descriptors 3 and 4, which only Unix systems pass to a program",
    ))
}

impl Printer {
    fn load(&mut self, page: &Path) -> Result<(), String> {
        let c = &mut self.connection;
        let target = c.call("Target.createTarget", json!({ "url": "about:blank" }), None)?;
        let target = target["targetId"].as_str().unwrap_or_default().to_owned();
        let attached = c.call(
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
            None,
        )?;
        self.session = attached["sessionId"]
            .as_str()
            .ok_or("the browser gave no session for the page")?
            .to_owned();
        let s = Some(self.session.as_str());
        c.call("Page.enable", json!({}), s)?;
        let navigated = c.call("Page.navigate", json!({ "url": file_url(page) }), s)?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            return Err(error.to_owned());
        }
        c.event("Page.loadEventFired", &self.session)?;
        // The load event does not wait for web fonts that layout asks for late.
        self.evaluate("document.fonts.ready.then(() => document.fonts.status)")?;
        Ok(())
    }

    /// Runs `expression` in the page (awaiting it when it is a promise) and returns its
    /// value as JSON.
    ///
    /// # Errors
    ///
    /// When the script throws, or the browser fails.
    pub fn evaluate(&mut self, expression: &str) -> Result<Value, String> {
        let mut r = self.connection.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            Some(self.session.as_str()),
        )?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("a script in the page failed: {e}"));
        }
        Ok(r["result"]
            .get_mut("value")
            .map(Value::take)
            .unwrap_or_default())
    }

    /// Prints the page as it is now: the page size and margins of its `@page` rules,
    /// backgrounds, no header or footer of the browser's own, as `--print-to-pdf` does.
    /// `tagged` adds the structure tree (headings, tables, lists) a screen reader follows,
    /// which about doubles the time and size; a print only measured can leave it out.
    ///
    /// # Errors
    ///
    /// When the browser fails or the time runs out.
    pub fn print(&mut self, tagged: bool) -> Result<Vec<u8>, String> {
        let r = self
            .connection
            .call(
                "Page.printToPDF",
                json!({
                    "preferCSSPageSize": true,
                    "printBackground": true,
                    "displayHeaderFooter": false,
                    "generateTaggedPDF": tagged,
                    "generateDocumentOutline": false,
                    "transferMode": "ReturnAsBase64",
                }),
                Some(self.session.as_str()),
            )
            .map_err(|e| self.failure(&format!("printing failed: {e}")))?;
        let data = r["data"].as_str().unwrap_or_default();
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("the browser's PDF is not base64: {e}"))?;
        if pdf.is_empty() {
            return Err(self.failure("the browser printed an empty PDF"));
        }
        Ok(pdf)
    }

    /// `message` about the browser, with the last lines of its log.
    fn failure(&mut self, message: &str) -> String {
        let exited = match self.child.try_wait() {
            Ok(Some(status)) => format!(" (the browser exited: {status})"),
            _ => String::new(),
        };
        let log = fs::read_to_string(&self.log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        format!(
            "{}: {message}{exited}\n{}",
            self.browser.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }
}

impl Drop for Printer {
    /// Closes the browser politely, then for good: no process outlives the build.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.connection.call("Browser.close", json!({}), None);
            let started = Instant::now();
            while matches!(self.child.try_wait(), Ok(None))
                && started.elapsed() < Duration::from_secs(3)
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
