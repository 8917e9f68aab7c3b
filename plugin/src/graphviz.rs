//! The layout engine of data-flow diagrams: Graphviz `dot` from the operating system's
//! packages, run once per diagram with the DOT text on stdin and a time limit. Edge code:
//! the core builds the DOT and draws the SVG ([`techfile_core::threat`]).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};
use techfile_core::config::DiagramConfig;
use techfile_core::threat::layout::{Layout, LayoutError};

/// Graphviz `dot`, as configured in `[preprocessor.techfile.diagram]`.
#[derive(Debug, Clone)]
pub struct Graphviz {
    /// A name looked up on PATH, or a path.
    pub program: PathBuf,
    pub timeout: Duration,
}

impl Graphviz {
    pub fn new(config: &DiagramConfig) -> Graphviz {
        Graphviz {
            program: PathBuf::from(&config.dot),
            timeout: Duration::from_millis(config.timeout_ms()),
        }
    }
}

impl Layout for Graphviz {
    fn layout(&self, dot: &str) -> Result<String, LayoutError> {
        let program = self.program.display().to_string();
        let mut child = Command::new(&self.program)
            .arg("-Tjson0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                LayoutError::Missing(if e.kind() == std::io::ErrorKind::NotFound {
                    format!("Graphviz `{program}` is not installed (not found)")
                } else {
                    format!("Graphviz `{program}` cannot be run: {e}")
                })
            })?;
        // stdin, stdout and stderr are served by their own threads: a large diagram fills
        // a pipe before `dot` has read all of its input.
        let writer = child.stdin.take().map(|mut stdin| {
            let text = dot.to_owned();
            thread::spawn(move || {
                // A program that exits early closes the pipe; its exit status says why.
                let _ = stdin.write_all(text.as_bytes());
            })
        });
        let stdout = reader(child.stdout.take());
        let stderr = reader(child.stderr.take());
        let status = wait(&mut child, self.timeout);
        if let Some(w) = writer {
            let _ = w.join();
        }
        let out = stdout.join().unwrap_or_default();
        let err = stderr.join().unwrap_or_default();
        match status {
            None => Err(LayoutError::TimedOut(self.timeout.as_secs_f64())),
            Some(Ok(s)) if s.success() => String::from_utf8(out).map_err(|_| {
                LayoutError::Failed(format!("`{program}` wrote output that is not UTF-8"))
            }),
            Some(Ok(s)) => {
                let said = String::from_utf8_lossy(&err);
                let said: Vec<&str> = said.lines().take(5).collect();
                Err(LayoutError::Failed(format!(
                    "`{program}` exited with {s}{}{}",
                    if said.is_empty() { "" } else { ": " },
                    said.join(" / ")
                )))
            }
            Some(Err(e)) => Err(LayoutError::Failed(format!("waiting for `{program}`: {e}"))),
        }
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Waits for the child, killing it after `timeout` (then `None`). Polls with a short sleep
/// that grows, since most layouts take milliseconds.
fn wait(child: &mut Child, timeout: Duration) -> Option<std::io::Result<std::process::ExitStatus>> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(Ok(status)),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(25));
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(program: &str, timeout_ms: u64) -> Graphviz {
        Graphviz {
            program: PathBuf::from(program),
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[test]
    fn a_missing_program_says_so() {
        let e = engine("/nonexistent/dot", 1000)
            .layout("digraph {}")
            .unwrap_err();
        assert!(
            matches!(&e, LayoutError::Missing(m) if m.contains("/nonexistent/dot") && m.contains("not installed")),
            "{e:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_program_that_takes_too_long_is_stopped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let slow = dir.path().join("slow-dot");
        std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
        let started = Instant::now();
        let e = engine(slow.to_str().unwrap(), 300)
            .layout("digraph {}")
            .unwrap_err();
        assert_eq!(e, LayoutError::TimedOut(0.3));
        assert!(started.elapsed() < Duration::from_secs(10), "not killed");
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_program_reports_what_it_said() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad-dot");
        std::fs::write(
            &bad,
            "#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n",
        )
        .unwrap();
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = engine(bad.to_str().unwrap(), 5000)
            .layout("digraph {}")
            .unwrap_err();
        assert!(
            matches!(&e, LayoutError::Failed(m) if m.contains("syntax error in line 1")),
            "{e:?}"
        );
    }
}
