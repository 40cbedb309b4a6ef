//! simpletrace.py's delta column: `f'{delta_ns / 1000:0.3f}'`, i.e. Python's
//! correctly rounded int/int true division, then round-half-even of that
//! double to three decimals. Reproduced exactly for every `i128` delta of two
//! `u64` timestamps.

use std::io::Write;

use trace_events::text::digits::{dec8, dec_len};

use super::window::{append_window, Window, SLACK};

/// Below this the double nearest `n / 1000` is within 2e-6 of it, so three
/// decimals of it are exactly the integer digits of `n`.
const EXACT_INTEGER_PATH: u64 = 1 << 42;

/// The longest delta: `-18446744073709552.000`.
pub(crate) const MAX_DELTA_LEN: usize = 24;

/// Appends the delta in microseconds with three decimals.
pub fn write_delta_us(out: &mut Vec<u8>, delta_ns: i128) {
    append_window(out, MAX_DELTA_LEN + SLACK, |w| w.delta_us(delta_ns));
}

impl Window<'_> {
    /// Append the delta in microseconds with three decimals (at most
    /// [`MAX_DELTA_LEN`] bytes).
    #[inline(always)]
    pub fn delta_us(&mut self, delta_ns: i128) {
        let magnitude = delta_ns.unsigned_abs();
        if magnitude < EXACT_INTEGER_PATH as u128 {
            let m = magnitude as u64;
            if delta_ns < 0 {
                self.put(b'-');
            }
            // Integer microseconds, then `.` and three decimals as one store.
            let frac = if m < 100_000_000 {
                // One conversion gives both (at least one integer digit).
                let chars = dec8(m as u32);
                self.put_chars(chars >> 24, dec_len(chars).max(4) - 3);
                chars
            } else {
                self.dec(m / 1000);
                dec8((m % 1000) as u32)
            };
            let point_frac = u32::from(b'.') << 24 | (frac as u32 & 0xff_ffff);
            self.put_block(point_frac.to_be_bytes(), 4);
        } else {
            self.delta_us_rounded(delta_ns);
        }
    }

    /// Rust's `{:.3}` rounds the exact binary value half-to-even, as Python
    /// does.
    #[cold]
    fn delta_us_rounded(&mut self, delta_ns: i128) {
        let mut text = [0u8; MAX_DELTA_LEN];
        let mut cursor = std::io::Cursor::new(&mut text[..]);
        // 22 characters at most: it fits.
        let _ = write!(cursor, "{:.3}", div_1000(delta_ns));
        let len = cursor.position() as usize;
        self.put_slice(&text[..len]);
    }
}

/// `n / 1000` correctly rounded to the nearest double (ties to even), as
/// Python's int true division gives it; for |n| < 2^65.
fn div_1000(n: i128) -> f64 {
    let magnitude = n.unsigned_abs().min(u128::MAX >> 63);
    let scaled = magnitude << 63;
    // A sticky bit far below the rounding position keeps ties exact.
    let quotient = (scaled / 1000) | u128::from(scaled % 1000 != 0);
    let value = quotient as f64 * (-63f64).exp2();
    if n < 0 {
        -value
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(n: i128) -> String {
        let mut out = Vec::new();
        write_delta_us(&mut out, n);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn small_deltas() {
        assert_eq!(delta(0), "0.000");
        assert_eq!(delta(1), "0.001");
        assert_eq!(delta(-1), "-0.001");
        assert_eq!(delta(999), "0.999");
        assert_eq!(delta(123_456), "123.456");
        assert_eq!(delta(-2_774), "-2.774");
        assert_eq!(delta(-12_345), "-12.345");
        assert_eq!(delta(-9_580_541), "-9580.541");
        assert_eq!(delta(4_398_046_511_103), "4398046511.103");
        assert_eq!(delta(-4_398_046_511_103), "-4398046511.103");
    }

    /// Expected strings printed by CPython 3.11: `f'{n / 1000:0.3f}'`.
    #[test]
    fn large_deltas_match_python() {
        let cases: &[(i128, &str)] = &[
            ((1 << 42) - 1, "4398046511.103"),
            (1 << 42, "4398046511.104"),
            (9_007_199_254_740_993, "9007199254740.992"),
            (-9_007_199_254_740_993, "-9007199254740.992"),
            (18_446_744_073_709_551_615, "18446744073709552.000"),
            (-18_446_744_073_709_551_615, "-18446744073709552.000"),
            // float(n) / 1000.0 would give ...345.688: Python divides exactly.
            (123_456_789_012_345_678, "123456789012345.672"),
            (4_611_686_018_427_387_904, "4611686018427388.000"),
            (36_028_797_018_963_971, "36028797018963.969"),
            (-36_028_797_018_963_971, "-36028797018963.969"),
        ];
        for &(n, want) in cases {
            assert_eq!(delta(n), want, "delta_ns = {n}");
        }
    }

    /// Every boundary of the fast paths, and deltas spread over all
    /// magnitudes, against simpletrace.py's own formula run by CPython.
    #[test]
    #[cfg(not(windows))] // python3, the reference, is a program of the Linux host
    fn boundaries_and_spread_match_python() {
        let mut deltas: Vec<i128> = vec![
            0,
            999,
            1_000,
            99_999_999,
            100_000_000,
            100_000_001,
            123_456_789,
            999_999_999,
            1_000_000_000,
            (1 << 42) - 1,
            1 << 42,
            (1 << 42) + 1,
            u64::MAX as i128,
            // Exact quotients halfway between two doubles: (2^53 + 1) / 8
            // and (2^54 + 2) / 8 round to even; a sticky bit set on an exact
            // division would round them up.
            125 * ((1 << 53) + 1),
            125 * ((1 << 54) + 2),
        ];
        // A fixed pseudo-random spread: every bit length, mixed low digits.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for bits in 1..=64 {
            for _ in 0..8 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mask = if bits == 64 {
                    u64::MAX
                } else {
                    (1 << bits) - 1
                };
                deltas.push(i128::from(x & mask));
            }
        }
        let negatives: Vec<i128> = deltas.iter().map(|d| -d).collect();
        deltas.extend(negatives);

        let program = "import sys\nfor line in sys.stdin:\n    print(f'{int(line) / 1000:0.3f}')\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", program])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is the reference for simpletrace.py's formula");
        let input: String = deltas.iter().map(|d| format!("{d}\n")).collect();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        let expected = String::from_utf8(output.stdout).unwrap();
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(expected.len(), deltas.len());
        let failures: Vec<String> = deltas
            .iter()
            .zip(expected)
            .filter(|(&d, want)| delta(d) != *want)
            .map(|(&d, want)| format!("{d}: python {want}, ours {}", delta(d)))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
