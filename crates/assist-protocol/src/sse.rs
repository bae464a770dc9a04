//! Incremental, sans-IO decoder for `text/event-stream`, after the WHATWG HTML standard,
//! §9.2.6 "Interpreting an event stream".
//!
//! Bytes go in with [`Decoder::feed`] in chunks of any size (a chunk may end in the middle of a
//! line, of a CRLF pair or of a multi-byte character: partial input is normal), and dispatched
//! [`Event`]s come out. [`Decoder::finish`] tells a clean end from a stream cut mid-frame.
//!
//! Lines are split on bytes: CR and LF never occur inside a UTF-8 multi-byte sequence, so a
//! line can be decoded on its own ("UTF-8 decode", with replacement characters) and a character
//! split across chunks is simply carried over with the rest of its line. For speed each chunk
//! is validated once and its lines are borrowed from it as `&str`.

use std::borrow::Cow;

use thiserror::Error;

/// Default cap on one frame (its pending line plus its data buffer): 4 MiB.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The event type: the last `event` field of the frame, or `message` when there was none.
    pub event: String,
    /// The data lines of the frame joined with LF.
    pub data: String,
    /// The last event ID string in force when the event was dispatched (it persists across
    /// events until an `id` field changes it).
    pub id: String,
}

/// A dispatched event borrowed from the decoder (see [`Decoder::feed_with`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRef<'a> {
    pub event: &'a str,
    pub data: &'a str,
    pub id: &'a str,
}

impl EventRef<'_> {
    /// An owned copy.
    pub fn to_owned(self) -> Event {
        Event {
            event: self.event.to_owned(),
            data: self.data.to_owned(),
            id: self.id.to_owned(),
        }
    }
}

impl Event {
    /// Borrows this event as an [`EventRef`].
    pub fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            event: &self.event,
            data: &self.data,
            id: &self.id,
        }
    }
}

/// How a stream ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Every frame that was opened was dispatched.
    Clean,
    /// A frame was still open (a field line, or part of a line, not yet followed by a blank
    /// line): per the standard it is discarded, and the caller learns the stream was cut.
    Truncated,
}

/// The decoder's only error: a frame grew past the configured limit.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("an event-stream frame exceeded {limit} bytes")]
pub struct FrameTooLarge {
    /// The limit that was crossed.
    pub limit: usize,
}

/// The decoder state. See the module documentation.
#[derive(Debug)]
pub struct Decoder {
    max_frame: usize,
    /// Bytes of the line not yet terminated (also holds the first bytes while the BOM is checked).
    line: Vec<u8>,
    /// Whether the start of the stream has been checked for a BOM.
    bom_checked: bool,
    /// The previous chunk ended with CR: an LF at the start of the next one belongs to it.
    after_cr: bool,
    data: String,
    event_type: String,
    last_event_id: String,
    retry: Option<u64>,
    /// A field line was processed since the last dispatch or blank line.
    frame_open: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder with the default frame limit ([`DEFAULT_MAX_FRAME_BYTES`]).
    pub fn new() -> Self {
        Self::with_max_frame(DEFAULT_MAX_FRAME_BYTES)
    }

    /// A decoder whose frames may hold at most `max_frame` bytes.
    pub fn with_max_frame(max_frame: usize) -> Self {
        Self {
            max_frame,
            line: Vec::new(),
            bom_checked: false,
            after_cr: false,
            data: String::new(),
            event_type: String::new(),
            last_event_id: String::new(),
            retry: None,
            frame_open: false,
        }
    }

    /// The reconnection time set by the last valid `retry` field, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// The last event ID string.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Feeds the next chunk and returns the events it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Event>, FrameTooLarge> {
        let mut out = Vec::new();
        self.feed_into(chunk, &mut out)?;
        Ok(out)
    }

    /// Like [`Decoder::feed`], appending to `out` (lets a caller reuse one buffer).
    pub fn feed_into(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<(), FrameTooLarge> {
        self.feed_with(chunk, |event| out.push(event.to_owned()))
    }

    /// Feeds the next chunk and calls `on_event` for each event it completes, in order. The
    /// event borrows the decoder's buffers, so nothing is allocated per event: the fast path
    /// for callers that parse the data straight away.
    pub fn feed_with(
        &mut self,
        chunk: &[u8],
        mut on_event: impl FnMut(EventRef<'_>),
    ) -> Result<(), FrameTooLarge> {
        self.feed_dyn(chunk, &mut on_event)
    }

    /// The body of [`Decoder::feed_with`], not generic: it is compiled once, in this crate and
    /// with its optimisation level, rather than in each caller (the size-optimised panel).
    fn feed_dyn(
        &mut self,
        chunk: &[u8],
        out: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<(), FrameTooLarge> {
        let mut rest = chunk;
        if !self.bom_checked {
            // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
            // Hold up to three bytes until we can tell.
            let need = BOM.len() - self.line.len();
            let take = need.min(rest.len());
            self.line.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.line.len() < BOM.len() && BOM.starts_with(&self.line) {
                return Ok(());
            }
            self.bom_checked = true;
            let held = std::mem::take(&mut self.line);
            let held = held.strip_prefix(BOM).unwrap_or(&held);
            self.scan(held, out)?;
        }
        self.scan(rest, out)
    }

    /// Ends the stream. An open frame is discarded (never dispatched) and reported.
    pub fn finish(&mut self) -> End {
        let truncated = self.frame_open || !self.line.is_empty();
        self.line.clear();
        self.data.clear();
        self.event_type.clear();
        self.frame_open = false;
        if truncated {
            End::Truncated
        } else {
            End::Clean
        }
    }

    /// Splits `bytes` into lines ("CRLF, LF or CR") and processes each complete one.
    fn scan(
        &mut self,
        mut bytes: &[u8],
        out: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<(), FrameTooLarge> {
        if self.after_cr && !bytes.is_empty() {
            self.after_cr = false;
            if bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
        }
        // The chunk is UTF-8 validated once, from the first line that begins in it, and the
        // lines inside its valid part are sliced out as `&str` with no further checks. Lines
        // that began in an earlier chunk, or that hold invalid bytes, are decoded on their own
        // (a chunk in the middle of a long line is not validated twice).
        let mut text: Option<(usize, &str)> = None;
        let mut start = 0;
        let mut crlf_lf = None;
        for pos in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if crlf_lf == Some(pos) {
                // The LF of a CRLF pair: the line already ended at the CR.
                start = pos + 1;
                continue;
            }
            if self.line.is_empty() {
                self.check_size(pos - start)?;
                let (base, valid) =
                    *text.get_or_insert_with(|| (start, valid_prefix(&bytes[start..])));
                match valid.get(start - base..pos - base) {
                    Some(line) => self.process_line(line, out)?,
                    None => self.process_line(&String::from_utf8_lossy(&bytes[start..pos]), out)?,
                }
            } else {
                self.check_size(self.line.len() + pos - start)?;
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&bytes[start..pos]);
                self.process_line(&utf8(&line), out)?;
                line.clear();
                self.line = line;
            }
            if bytes[pos] == b'\r' {
                match bytes.get(pos + 1) {
                    Some(b'\n') => crlf_lf = Some(pos + 1),
                    Some(_) => {}
                    // Whether an LF follows is for the next chunk to tell.
                    None => self.after_cr = true,
                }
            }
            start = pos + 1;
        }
        let rest = &bytes[start..];
        if !rest.is_empty() {
            self.check_size(self.line.len() + rest.len())?;
            self.line.extend_from_slice(rest);
        }
        Ok(())
    }

    fn check_size(&self, line_len: usize) -> Result<(), FrameTooLarge> {
        if self.data.len() + line_len > self.max_frame {
            Err(FrameTooLarge {
                limit: self.max_frame,
            })
        } else {
            Ok(())
        }
    }

    /// One complete line, already decoded, without its terminator.
    fn process_line(
        &mut self,
        line: &str,
        out: &mut dyn FnMut(EventRef<'_>),
    ) -> Result<(), FrameTooLarge> {
        // "If the line is empty (a blank line): Dispatch the event."
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        // "If the line starts with a U+003A COLON character (:): Ignore the line."
        if line.as_bytes()[0] == b':' {
            return Ok(());
        }
        // "If the line contains a U+003A COLON character: collect the characters on the line
        // before the first colon as field, and after it as value; if value starts with a
        // U+0020 SPACE character, remove it from value. Otherwise the whole line is the field
        // name and the value is the empty string."
        let (field, value) = match memchr::memchr(b':', line.as_bytes()) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line, ""),
        };
        self.frame_open = true;
        match field {
            "event" => {
                self.event_type.clear();
                self.event_type.push_str(value);
            }
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.check_size(0)?;
            }
            // "If the field value does not contain U+0000 NULL, then set the last event ID
            // buffer to the field value. Otherwise, ignore the field."
            "id" if !value.contains('\0') => {
                self.last_event_id.clear();
                self.last_event_id.push_str(value);
            }
            // "If the field value consists of only ASCII digits, then interpret the field value
            // as an integer in base ten, and set the event stream's reconnection time."
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = Some(value.parse().unwrap_or(u64::MAX));
            }
            // "Otherwise: The field is ignored."
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut dyn FnMut(EventRef<'_>)) {
        self.frame_open = false;
        // "If the data buffer is an empty string, set the data buffer and the event type buffer
        // to the empty string and return."
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        // "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
        // remove the last character from the data buffer."
        let data = &self.data[..self.data.len() - 1];
        let event = if self.event_type.is_empty() {
            "message"
        } else {
            &self.event_type
        };
        out(EventRef {
            event,
            data,
            id: &self.last_event_id,
        });
        // Cleared, not freed: the next frame reuses the capacity.
        self.data.clear();
        self.event_type.clear();
    }
}

/// The longest prefix of `bytes` that is valid UTF-8 (checked with SIMD where the target has
/// it). A chunk usually is valid whole, or ends inside a character the next chunk completes.
fn valid_prefix(bytes: &[u8]) -> &str {
    match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => simdutf8::basic::from_utf8(&bytes[..error.valid_up_to()])
            .expect("the prefix before the first error is valid"),
    }
}

/// "UTF-8 decode" of one line: borrowed when valid, with U+FFFD replacement characters
/// otherwise.
fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str, id: &str) -> Event {
        Event {
            event: event.into(),
            data: data.into(),
            id: id.into(),
        }
    }

    fn decode_all(input: &[u8]) -> (Vec<Event>, End) {
        let mut d = Decoder::new();
        let events = d.feed(input).unwrap();
        (events, d.finish())
    }

    fn decode_chunked(input: &[u8], size: usize) -> (Vec<Event>, End) {
        let mut d = Decoder::new();
        let mut events = Vec::new();
        for chunk in input.chunks(size) {
            d.feed_into(chunk, &mut events).unwrap();
        }
        (events, d.finish())
    }

    #[test]
    fn contract_frames() {
        let input = b"event:progress\ndata:{\"message\":\"Reading\"}\n\nevent:done\ndata:{}\n\n";
        let (events, end) = decode_all(input);
        assert_eq!(
            events,
            vec![
                ev("progress", "{\"message\":\"Reading\"}", ""),
                ev("done", "{}", "")
            ]
        );
        assert_eq!(end, End::Clean);
    }

    #[test]
    fn line_endings_bom_comments_and_multiline_data() {
        let input =
            "\u{FEFF}: keep-alive\r\nevent: delta\rdata: a\r\ndata:  b\n\r\ndata\n\n".as_bytes();
        let (events, end) = decode_all(input);
        assert_eq!(
            events,
            vec![ev("delta", "a\n b", ""), ev("message", "", "")]
        );
        assert_eq!(end, End::Clean);
    }

    #[test]
    fn every_chunking_matches_the_whole() {
        let input = "\u{FEFF}event:delta\r\ndata:{\"text\":\"héllo 🌍\"}\r\r\nid: 7\ndata:x\n\n:c\rdata:y\r\n\r\n".as_bytes();
        let whole = decode_all(input);
        for size in 1..input.len() {
            assert_eq!(decode_chunked(input, size), whole, "chunk size {size}");
        }
    }

    #[test]
    fn bom_only_at_start() {
        let (events, _) = decode_all("data:a\n\n\u{FEFF}data:b\n\n".as_bytes());
        // A second BOM is part of a field name, so that line is an unknown field.
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn id_persists_and_rejects_nul_and_retry_needs_digits() {
        let mut d = Decoder::new();
        let events = d
            .feed(b"id:1\ndata:a\n\ndata:b\n\nid:x\0y\nretry:12a\ndata:c\n\nretry:250\n\n")
            .unwrap();
        assert_eq!(
            events,
            vec![
                ev("message", "a", "1"),
                ev("message", "b", "1"),
                ev("message", "c", "1")
            ]
        );
        assert_eq!(d.retry(), Some(250));
    }

    #[test]
    fn open_frame_at_end_is_truncated_and_not_dispatched() {
        assert_eq!(
            decode_all(b"data:a\n\ndata:b\n"),
            (vec![ev("message", "a", "")], End::Truncated)
        );
        assert_eq!(decode_all(b"data:a\n\nda").1, End::Truncated);
        assert_eq!(decode_all(b"data:a\n\n: comment\n").1, End::Clean);
    }

    #[test]
    fn frames_over_the_limit_are_errors() {
        let mut d = Decoder::with_max_frame(16);
        assert!(d.feed(b"data:0123456789\n").is_ok());
        assert_eq!(
            d.feed(b"data:0123456789\n"),
            Err(FrameTooLarge { limit: 16 })
        );
        let mut d = Decoder::with_max_frame(16);
        assert!(
            d.feed(&[b'x'; 32]).is_err(),
            "an unterminated line is bounded too"
        );
    }
}
