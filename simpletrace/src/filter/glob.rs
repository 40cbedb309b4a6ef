//! Event-name globs with `*` and `?`, as QEMU's `-trace` patterns.

/// Whether `name` matches `pattern` (`*` any run, `?` any one byte). Linear
/// backtracking over the last `*`: no exponential case.
pub fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook recursive definition.
    fn reference(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, _) => n.is_empty(),
            (Some(b'*'), _) => reference(&p[1..], n) || (!n.is_empty() && reference(p, &n[1..])),
            (Some(_), None) => false,
            (Some(&c), Some(&d)) => (c == b'?' || c == d) && reference(&p[1..], &n[1..]),
        }
    }

    #[test]
    fn examples() {
        assert!(glob_match(b"request_*", b"request_submit"));
        assert!(glob_match(b"*_enter", b"io_enter"));
        assert!(glob_match(b"cache_looku?", b"cache_lookup"));
        assert!(!glob_match(b"cache_looku?", b"cache_lookups"));
        assert!(glob_match(b"*", b""));
        assert!(!glob_match(b"a", b""));
    }

    proptest! {
        #[test]
        fn agrees_with_reference(p in "[ab*?]{0,8}", n in "[ab]{0,10}") {
            prop_assert_eq!(glob_match(p.as_bytes(), n.as_bytes()), reference(p.as_bytes(), n.as_bytes()));
        }
    }
}
