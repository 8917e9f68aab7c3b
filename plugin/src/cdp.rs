//! A small Chrome DevTools Protocol client over `--remote-debugging-pipe`: the browser
//! reads commands from its file descriptor 3 and writes answers and events to 4, each a
//! JSON object ended by a NUL byte. Edge code: it owns the pipes, a reader thread and the
//! deadline of the whole session.
//!
//! Only what printing needs: commands with their answers in order, events kept until
//! asked for, and one deadline, so a hung browser fails the build instead of blocking it.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Instant;

/// A message from the browser, or why none will come.
type Incoming = Result<Value, String>;

/// The protocol half of a browser session: writes commands, matches answers to them.
pub struct Connection {
    to_browser: Box<dyn Write + Send>,
    from_browser: Receiver<Incoming>,
    next_id: u64,
    /// Events that arrived while waiting for an answer, oldest first.
    events: Vec<Value>,
    deadline: Instant,
    /// What the deadline error says ran out, such as "pdf-timeout".
    budget: String,
}

impl Connection {
    /// Starts reading `from_browser` on a thread of its own; everything must be done by
    /// `deadline`.
    pub fn new(
        to_browser: Box<dyn Write + Send>,
        mut from_browser: Box<dyn Read + Send>,
        deadline: Instant,
        budget: String,
    ) -> Connection {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut pending: Vec<u8> = Vec::new();
            let mut chunk = vec![0u8; 1 << 16];
            loop {
                let n = match from_browser.read(&mut chunk) {
                    Ok(0) => {
                        let _ = tx.send(Err("the browser closed the connection".to_string()));
                        return;
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        let _ = tx.send(Err(format!("reading from the browser: {e}")));
                        return;
                    }
                };
                let start = pending.len();
                pending.extend_from_slice(&chunk[..n]);
                // Only the new bytes can hold a new end of message.
                let mut from = 0;
                let mut search = start;
                while let Some(end) = pending[search..].iter().position(|&b| b == 0) {
                    let end = search + end;
                    let message = serde_json::from_slice(&pending[from..end])
                        .map_err(|e| format!("the browser sent a message that is not JSON: {e}"));
                    if tx.send(message).is_err() {
                        return;
                    }
                    from = end + 1;
                    search = from;
                }
                pending.drain(..from);
            }
        });
        Connection {
            to_browser,
            from_browser: rx,
            next_id: 0,
            events: Vec::new(),
            deadline,
            budget,
        }
    }

    fn receive(&mut self) -> Result<Value, String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.from_browser.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => {
                Err(format!("the browser did not finish within {}", self.budget))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err("the browser closed the connection".to_string())
            }
        }
    }

    /// Sends `method` with `params` (to the page of `session`, or to the browser) and
    /// waits for its answer.
    ///
    /// # Errors
    ///
    /// The browser's error message, a closed connection, or the deadline.
    pub fn call(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = Value::String(s.to_owned());
        }
        let mut bytes = serde_json::to_vec(&message).map_err(|e| e.to_string())?;
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .and_then(|()| self.to_browser.flush())
            .map_err(|e| format!("writing to the browser: {e}"))?;
        loop {
            let mut message = self.receive()?;
            if message.get("id").and_then(Value::as_u64) != Some(id) {
                if message.get("method").is_some() {
                    self.events.push(message);
                }
                continue;
            }
            if let Some(error) = message.get("error") {
                let text = error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error");
                return Err(format!("{method}: {text}"));
            }
            return Ok(message
                .get_mut("result")
                .map(Value::take)
                .unwrap_or_default());
        }
    }

    /// Waits for the event `method` of `session`, taking it from those already received
    /// first.
    ///
    /// # Errors
    ///
    /// A closed connection, or the deadline.
    pub fn event(&mut self, method: &str, session: &str) -> Result<Value, String> {
        let matches = |m: &Value| {
            m.get("method").and_then(Value::as_str) == Some(method)
                && m.get("sessionId").and_then(Value::as_str) == Some(session)
        };
        if let Some(at) = self.events.iter().position(matches) {
            return Ok(self.events.remove(at));
        }
        loop {
            let message = self.receive()?;
            if matches(&message) {
                return Ok(message);
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Records what is written, for a look at the commands.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn connection(answers: &str, sink: Sink) -> Connection {
        Connection::new(
            Box::new(sink),
            Box::new(Cursor::new(answers.replace('|', "\0").into_bytes())),
            Instant::now() + Duration::from_secs(10),
            "the test's 10 s".into(),
        )
    }

    #[test]
    fn answers_are_matched_and_events_kept() {
        let sink = Sink::default();
        let mut c = connection(
            r#"{"method":"Page.loadEventFired","sessionId":"S","params":{}}|{"id":1,"result":{"frameId":"F"}}|{"id":2,"error":{"code":-32000,"message":"Page is already being printed"}}|"#,
            sink.clone(),
        );
        let r = c
            .call("Page.navigate", json!({"url": "file:///x"}), Some("S"))
            .unwrap();
        assert_eq!(r["frameId"], "F");
        assert!(
            c.event("Page.loadEventFired", "S").is_ok(),
            "kept from before the answer"
        );
        let e = c.call("Page.printToPDF", json!({}), Some("S")).unwrap_err();
        assert_eq!(e, "Page.printToPDF: Page is already being printed");
        let written = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let commands: Vec<Value> = written
            .split_terminator('\0')
            .map(|m| serde_json::from_str(m).unwrap())
            .collect();
        assert_eq!(commands[0]["id"], 1);
        assert_eq!(commands[0]["sessionId"], "S");
        assert_eq!(commands[1]["method"], "Page.printToPDF");
        // The browser is gone: said so, not waited for.
        let e = c.call("Browser.close", json!({}), None).unwrap_err();
        assert!(e.contains("closed the connection"), "{e}");
    }

    #[test]
    fn a_silent_browser_runs_into_the_deadline() {
        // A reader that never answers and never ends.
        struct Silent;
        impl Read for Silent {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                std::thread::sleep(Duration::from_secs(3600));
                Ok(0)
            }
        }
        let mut c = Connection::new(
            Box::new(Sink::default()),
            Box::new(Silent),
            Instant::now() + Duration::from_millis(200),
            "pdf-timeout (1 s)".into(),
        );
        let started = Instant::now();
        let e = c.call("Target.createTarget", json!({}), None).unwrap_err();
        assert_eq!(e, "the browser did not finish within pdf-timeout (1 s)");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
