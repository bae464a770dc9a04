//! Log output with secret keys redacted: anything shaped like `flowyte_sk_…` is replaced before
//! a line reaches its destination, whatever logged it (our code, reqwest, hyper).

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

const PREFIX: &str = "flowyte_sk_";

/// `text` with every `flowyte_sk_<key chars>` replaced by `flowyte_sk_[redacted]`.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(PREFIX) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at + PREFIX.len()]);
        out.push_str("[redacted]");
        rest = rest[at + PREFIX.len()..]
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    }
    out.push_str(rest);
    out.into()
}

/// Wraps a [`MakeWriter`] so each formatted event is redacted on its way out.
#[derive(Clone, Debug)]
pub struct Redacting<M>(pub M);

/// One event's writer: buffers the event, redacts it, and writes it whole when dropped.
pub struct RedactingWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.buffer);
        self.inner.write_all(redact(&text).as_bytes())?;
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
            inner: self.0.make_writer(),
            buffer: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted_wherever_they_appear() {
        assert_eq!(
            redact("Bearer flowyte_sk_test_abc123-x done; flowyte_sk_live_ZZ"),
            "Bearer flowyte_sk_[redacted] done; flowyte_sk_[redacted]"
        );
        assert_eq!(redact("nothing secret"), "nothing secret");
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
                buffer: Vec::new(),
            };
            // A key split across two writes is still caught: the event is redacted whole.
            writer.write_all(b"key=flowyte_sk_te").unwrap();
            writer.write_all(b"st_secret\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(sink.lock().unwrap().clone()).unwrap(),
            "key=flowyte_sk_[redacted]\n"
        );
    }
}
