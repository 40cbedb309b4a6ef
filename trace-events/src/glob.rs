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
            ("a?b", "a_b", true),
            ("?", "_", true),
            ("_*", "_x", true),
            ("_?_", "___", true),
            ("a_b", "a?b", false),
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
        /// Names hold `_`, `?` and `*` too: they are ordinary bytes there.
        #[test]
        fn glob_agrees_with_reference(pattern in "[ab_*?]{0,8}", name in "[ab_?*]{0,10}") {
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

    /// Agrees with Python's `fnmatch.fnmatchcase` (the same `*`/`?` rules
    /// as GLib's `g_pattern_match_simple`, which QEMU uses, for patterns
    /// without `[`) on pairs drawn from an alphabet with `_`, `?` and `*`.
    #[test]
    #[cfg(not(windows))] // python3, the reference, is a program of the Linux host
    fn glob_agrees_with_python_fnmatch() {
        let alphabet = b"ab_?*";
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |len: usize| -> String {
            (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize] as char
                })
                .collect()
        };
        let pairs: Vec<(String, String)> = (0..3000).map(|i| (next(i % 7), next(i % 9))).collect();
        let program = "import sys, fnmatch\nfor line in sys.stdin:\n    p, n = line.rstrip('\\n').split(' ')\n    print(int(fnmatch.fnmatchcase(n, p)))\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", program])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is the reference");
        let input: String = pairs.iter().map(|(p, n)| format!("{p} {n}\n")).collect();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        let answers = String::from_utf8(output.stdout).unwrap();
        let answers: Vec<&str> = answers.lines().collect();
        assert_eq!(answers.len(), pairs.len());
        for ((pattern, name), answer) in pairs.iter().zip(answers) {
            assert_eq!(
                glob_match(pattern.as_bytes(), name.as_bytes()),
                answer == "1",
                "{pattern:?} vs {name:?}"
            );
        }
    }
}
