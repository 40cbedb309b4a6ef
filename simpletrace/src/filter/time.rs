//! Time bounds of `--from`/`--to`: nanoseconds as in the trace
//! (CLOCK_MONOTONIC), or relative to the first record with a leading `+`;
//! an optional unit `ns` (default), `us`, `ms` or `s`, decimals allowed.

use std::str::FromStr;

/// One end of a time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBound {
    /// Counted from the trace's first record rather than the clock's origin.
    pub relative: bool,
    /// A timestamp in nanoseconds, or with `relative` an offset from the first
    /// record.
    pub ns: u64,
}

impl TimeBound {
    /// The bound as a timestamp, for a trace whose first record is at `origin`.
    pub fn resolve(self, origin: u64) -> u64 {
        if self.relative {
            origin.saturating_add(self.ns)
        } else {
            self.ns
        }
    }
}

/// A `--from`/`--to` value that is not a time; holds the text as given.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time '{0}': expected [+]NUMBER[ns|us|ms|s], e.g. 1500000, 2.5ms, +1s")]
pub struct BadTime(String);

/// The message, as `ReadError`'s `Debug`.
impl std::fmt::Debug for BadTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::error::debug_as_message(self, f)
    }
}

impl FromStr for TimeBound {
    type Err = BadTime;

    fn from_str(text: &str) -> Result<Self, BadTime> {
        let bad = || BadTime(text.to_string());
        let (relative, rest) = match text.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let split = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, unit) = rest.split_at(split);
        let scale: u128 = match unit {
            "" | "ns" => 1,
            "us" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            _ => return Err(bad()),
        };
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if int.is_empty() && frac.is_empty() || frac.contains('.') {
            return Err(bad());
        }
        // Exact decimal arithmetic; fractions below a nanosecond are cut.
        let digits = |s: &str| -> Result<u128, BadTime> {
            if s.is_empty() {
                Ok(0)
            } else if s.len() > 30 {
                Err(bad())
            } else {
                s.parse::<u128>().map_err(|_| bad())
            }
        };
        let frac_digits = u32::try_from(frac.len()).map_err(|_| bad())?;
        let ns = digits(int)?
            .checked_mul(scale)
            .and_then(|n| {
                let f = digits(frac).ok()?.checked_mul(scale)? / 10u128.checked_pow(frac_digits)?;
                n.checked_add(f)
            })
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(bad)?;
        Ok(Self { relative, ns })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Result<(bool, u64), BadTime> {
        s.parse::<TimeBound>().map(|b| (b.relative, b.ns))
    }

    #[test]
    fn units_decimals_and_relative() {
        assert_eq!(t("1500"), Ok((false, 1500)));
        assert_eq!(t("1500ns"), Ok((false, 1500)));
        assert_eq!(t("2.5us"), Ok((false, 2500)));
        assert_eq!(t("2.5ms"), Ok((false, 2_500_000)));
        assert_eq!(t("+1s"), Ok((true, 1_000_000_000)));
        assert_eq!(t("+.25s"), Ok((true, 250_000_000)));
        assert_eq!(t("1.0000000001s"), Ok((false, 1_000_000_000)));
        assert_eq!(t("18446744073709551615"), Ok((false, u64::MAX)));
    }

    #[test]
    fn rejects_garbage_and_overflow() {
        for bad in [
            "",
            "+",
            "s",
            "1h",
            "-5",
            "1.2.3",
            "1e9",
            "18446744073709551616",
            "99999999999s",
        ] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }
}
