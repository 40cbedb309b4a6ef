//! Event-name globs as QEMU's `-trace` patterns: `*` and `?`. Shared by the
//! runtime's event selection and the reader's filters.

/// `*` matches any run of bytes, `?` any one byte, anything else itself.
/// Linear backtracking to the last `*`: O(pattern * name) at worst, no recursion.
pub fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: (pattern index after it, name index).
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    // Let the `*` swallow one more byte and retry.
                    star = Some((sp, sn + 1));
                    p = sp;
                    n = sn + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_matching() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything", true),
            ("", "", true),
            ("", "a", false),
            ("a", "", false),
            ("abc", "abc", true),
            ("abc", "abcd", false),
            ("abc*", "abcd", true),
            ("*cd", "abcd", true),
            ("*cd", "abcde", false),
            ("a*d", "abcd", true),
            ("a*d", "ad", true),
            ("a*d", "abdc", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("?", "", false),
            ("??", "ab", true),
            ("*a*b*", "xxaxxbxx", true),
            ("*a*b*", "xxbxxaxx", false),
            ("**", "x", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*bc", "abcbc", true),
            ("virtio_*_req?", "virtio_blk_reqs", true),
            ("virtio_*_req?", "virtio_blk_req", false),
        ];
        for &(pattern, name, want) in cases {
            assert_eq!(
                glob_match(pattern.as_bytes(), name.as_bytes()),
                want,
                "{pattern:?} vs {name:?}"
            );
        }
    }

    proptest::proptest! {
        /// Agrees with a plain recursive definition of `*`/`?` globbing.
        #[test]
        fn glob_agrees_with_reference(pattern in "[ab*?]{0,8}", name in "[ab]{0,10}") {
            fn reference(p: &[u8], n: &[u8]) -> bool {
                match (p.first(), n.first()) {
                    (None, _) => n.is_empty(),
                    (Some(b'*'), _) => reference(&p[1..], n) || (!n.is_empty() && reference(p, &n[1..])),
                    (Some(_), None) => false,
                    (Some(&c), Some(&d)) => (c == b'?' || c == d) && reference(&p[1..], &n[1..]),
                }
            }
            proptest::prop_assert_eq!(
                glob_match(pattern.as_bytes(), name.as_bytes()),
                reference(pattern.as_bytes(), name.as_bytes())
            );
        }
    }
}
