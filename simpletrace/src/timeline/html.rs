//! A self-contained HTML timeline (inline SVG and script, no network): the
//! Chrome trace-event JSON embedded in a page that draws one row per thread,
//! calls as nested bars, instants as ticks and dropped records in red. For
//! looking at a trace where no trace viewer is at hand.

use std::io::{self, Write};

use super::ChromeTrace;
use crate::{Consumer, Record, Thread};

const HEAD: &str = include_str!("html/head.html");
const TAIL: &str = include_str!("html/tail.html");

/// Writes `<` as `\u003c`: the JSON has `<` only inside strings, where the
/// escape means the same, and the page's `</script>` can then never appear.
struct NoLt<W>(W);

impl<W: Write> Write for NoLt<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for (i, part) in buf.split(|&b| b == b'<').enumerate() {
            if i > 0 {
                self.0.write_all(b"\\u003c")?;
            }
            self.0.write_all(part)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A [`Consumer`] writing the HTML page to `W`.
pub struct HtmlTimeline<W: Write> {
    chrome: ChromeTrace<NoLt<W>>,
}

impl<W: Write> HtmlTimeline<W> {
    /// Write the page's head to `out`, titled `title` (HTML's special
    /// characters replaced by `_`); the rest comes as records arrive and at the
    /// end.
    pub fn new(mut out: W, title: &str) -> io::Result<Self> {
        let title: String = title
            .chars()
            .map(|c| match c {
                '<' | '>' | '&' | '"' => '_',
                c => c,
            })
            .collect();
        out.write_all(HEAD.replace("TITLE", &title).as_bytes())?;
        Ok(Self {
            chrome: ChromeTrace::new(NoLt(out)),
        })
    }

    /// The writer, after [`Consumer::end`] has written the page.
    pub fn into_inner(self) -> io::Result<W> {
        Ok(self.chrome.into_inner()?.0)
    }
}

impl<W: Write> Consumer for HtmlTimeline<W> {
    type Error = io::Error;

    fn record(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> io::Result<()> {
        self.chrome.record(record, thread)
    }

    fn end(&mut self) -> io::Result<()> {
        self.chrome.end()?;
        let out = &mut self.chrome.writer_mut().0;
        out.write_all(TAIL.as_bytes())?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn less_than_signs_are_escaped() {
        let mut out = NoLt(Vec::new());
        out.write_all(br#"{"s":"</script><b>"}"#).unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(text, r#"{"s":"\u003c/script>\u003cb>"}"#);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["s"], "</script><b>");
    }
}
