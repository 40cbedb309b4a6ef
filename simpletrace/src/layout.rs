//! How an event's arguments lie in a record, packed into a few bytes per
//! event so that checking and walking a record touches one small dense
//! table, not the event's declarations scattered over the heap: with
//! QEMU's ~6,000 events those cost cache misses on every record.

use trace_events::{ArgKind, Event};

/// Events with more arguments than this (tracetool allows 10) are walked
/// through their declarations.
const MAX_PACKED_ARGS: usize = 16;

/// An event's argument layout: how many, which are strings (bit `i` for
/// argument `i`), and the bytes the integers take (the whole length when
/// there is no string: the only case it is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArgLayout {
    count: u8,
    strings: u16,
    int_len: u16,
}

impl ArgLayout {
    /// The layout of `event`; `None` past [`MAX_PACKED_ARGS`] arguments.
    pub fn of(event: &Event) -> Option<Self> {
        if event.args.len() > MAX_PACKED_ARGS {
            return None;
        }
        let mut layout = Self {
            count: event.args.len() as u8,
            strings: 0,
            int_len: 0,
        };
        for (i, arg) in event.args.iter().enumerate() {
            if arg.kind == ArgKind::Str {
                layout.strings |= 1 << i;
            } else {
                layout.int_len += 8;
            }
        }
        Some(layout)
    }

    pub fn count(self) -> usize {
        self.count.into()
    }

    /// Whether argument `i` is a string.
    #[inline]
    pub fn is_string(self, i: usize) -> bool {
        self.strings >> i & 1 != 0
    }

    /// Length the arguments take at the start of `body`, or the length they
    /// claim when it runs past `body` (as [`trace_events::v4::args_len`]).
    #[inline]
    pub fn args_len(self, body: &[u8]) -> Result<usize, u64> {
        if self.strings == 0 {
            // Integers only: the length is known without reading the body.
            let len = usize::from(self.int_len);
            return if len <= body.len() {
                Ok(len)
            } else {
                Err(first_past_end_int(body.len()))
            };
        }
        trace_events::v4::args_len(body, (0..self.count()).map(|i| self.is_string(i)))
    }
}

/// For integer-only arguments in a body of `available` bytes: the end of the
/// first argument that does not fit, as the argument walk reports it.
fn first_past_end_int(available: usize) -> u64 {
    (available / 8 + 1) as u64 * 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_events::v4::event_args_len as args_len;

    fn event(decl: &str) -> Event {
        trace_events::parse_str("t", &format!("{decl}\n"))
            .file
            .events
            .remove(0)
    }

    /// The packed walk answers as the walk over the declarations does, for
    /// bodies that fit, are short, or claim too long a string.
    #[test]
    fn agrees_with_the_declaration_walk() {
        let events = [
            event("a(void)"),
            event("b(int x, uint64_t y)"),
            event("c(const char *s)"),
            event("d(int x, const char *s, void *p, char *t)"),
        ];
        let mut bodies: Vec<Vec<u8>> = vec![Vec::new()];
        for len in [0u32, 1, 3, 9, 100] {
            for pad in 0..20 {
                let mut body = len.to_le_bytes().to_vec();
                body.extend((0..pad).map(|i| i as u8));
                bodies.push(body.clone());
                let mut prefixed = vec![7u8; 8];
                prefixed.extend(&body);
                bodies.push(prefixed);
            }
        }
        for event in &events {
            let layout = ArgLayout::of(event).unwrap();
            for body in &bodies {
                for cut in 0..=body.len() {
                    let body = &body[..cut];
                    assert_eq!(
                        layout.args_len(body),
                        args_len(event, body),
                        "{} on {body:?}",
                        event.name
                    );
                }
            }
        }
    }

    #[test]
    fn too_many_arguments_are_not_packed() {
        let mut many = event("e(int a)");
        many.args = vec![many.args[0].clone(); MAX_PACKED_ARGS + 1];
        assert_eq!(ArgLayout::of(&many), None);
    }
}
