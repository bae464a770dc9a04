//! Log output with secrets redacted before a line reaches its destination, whatever logged it
//! (our code, reqwest, hyper): every configured secret (each key, the client secret) exactly,
//! anything shaped like `flowyte_sk_…`, and the credentials in a URL (`https://user:pass@host`).

use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;

const PREFIX: &str = "flowyte_sk_";
const REDACTED: &str = "[redacted]";

/// What to redact.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Configured secret values, longest first (so one that contains another goes whole).
    secrets: Arc<Vec<String>>,
}

impl Redactor {
    /// Redacts these values besides the shapes every gateway redacts. Values shorter than 4
    /// characters are ignored: they would redact ordinary words.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self {
            secrets: Arc::new(secrets),
        }
    }

    /// `text` with every secret replaced.
    pub fn redact<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED).into();
            }
        }
        if out.contains(PREFIX) {
            out = redact_key_shapes(&out).into();
        }
        if out.contains("://") {
            out = redact_url_credentials(&out).into();
        }
        out
    }
}

/// Every `flowyte_sk_<key chars>` replaced by `flowyte_sk_[redacted]`.
fn redact_key_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at + PREFIX.len()]);
        out.push_str(REDACTED);
        rest = rest[at + PREFIX.len()..]
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    }
    out.push_str(rest);
    out
}

/// `scheme://user:pass@host` → `scheme://[redacted]@host` for every URL in `text`.
fn redact_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first of these; credentials end at its last '@'.
        let end = tail
            .find(['/', '?', '#', ' ', '"', '\'', '>', '\n'])
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(user_end) => {
                out.push_str(REDACTED);
                rest = &tail[user_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// Wraps a [`MakeWriter`] so each formatted event is redacted on its way out.
#[derive(Clone, Debug)]
pub struct Redacting<M> {
    inner: M,
    redactor: Redactor,
}

impl<M> Redacting<M> {
    pub fn new(inner: M, redactor: Redactor) -> Self {
        Self { inner, redactor }
    }
}

/// One event's writer: buffers the event, redacts it, and writes it whole when dropped.
pub struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Redactor,
    buffer: Vec<u8>,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.buffer);
        self.inner
            .write_all(self.redactor.redact(&text).as_bytes())?;
        self.buffer.clear();
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.inner.make_writer(),
            redactor: self.redactor.clone(),
            buffer: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted_wherever_they_appear() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact("Bearer flowyte_sk_test_abc123-x done; flowyte_sk_live_ZZ"),
            "Bearer flowyte_sk_[redacted] done; flowyte_sk_[redacted]"
        );
        assert_eq!(redactor.redact("nothing secret"), "nothing secret");
    }

    #[test]
    fn configured_secrets_are_redacted_exactly_whatever_their_shape() {
        let redactor = Redactor::new([
            "sk-other-vendor-0123".to_owned(),
            "client-secret-value".to_owned(),
            "ab".to_owned(),
        ]);
        assert_eq!(
            redactor.redact("key=sk-other-vendor-0123 secret=client-secret-value tab abc"),
            "key=[redacted] secret=[redacted] tab abc"
        );
    }

    #[test]
    fn credentials_in_urls_are_redacted() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact("redis://:hunter2@10.0.0.5:6379/0 and https://u:p@x.example/a@b"),
            "redis://[redacted]@10.0.0.5:6379/0 and https://[redacted]@x.example/a@b"
        );
        assert_eq!(
            redactor.redact("see https://docs.example/page?mail=a@b"),
            "see https://docs.example/page?mail=a@b"
        );
    }

    #[test]
    fn the_writer_redacts_what_passes_through() {
        let sink = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        {
            let mut writer = RedactingWriter {
                inner: Sink(sink.clone()),
                redactor: Redactor::new(["custom-secret".to_owned()]),
                buffer: Vec::new(),
            };
            // A key split across two writes is still caught: the event is redacted whole.
            writer.write_all(b"key=flowyte_sk_te").unwrap();
            writer.write_all(b"st_secret custom-").unwrap();
            writer.write_all(b"secret\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(sink.lock().unwrap().clone()).unwrap(),
            "key=flowyte_sk_[redacted] [redacted]\n"
        );
    }
}
