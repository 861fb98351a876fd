//! Small helpers: hashing, JSON text writing, China-time calendar arithmetic, query strings.

use std::fmt::Write as _;

/// Offset of China Standard Time from UTC, in seconds.
pub(crate) const CST_OFFSET: i64 = 8 * 3600;

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seconds since the Unix epoch, from the wall clock.
pub(crate) fn unix_now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Milliseconds since the Unix epoch, from the wall clock.
pub(crate) fn unix_now_ms() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Appends `s` as a JSON string literal (quoted, escaped; non-ASCII kept as UTF-8).
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => {
                out.push_str(&s[start..i]);
                let _ = write!(out, "\\u{:04x}", b);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(esc);
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends a decimal integer.
pub(crate) fn push_int<T: std::fmt::Display>(out: &mut String, n: T) {
    let _ = write!(out, "{n}");
}

/// Appends `"key":` (key must not need escaping).
pub(crate) fn push_key(out: &mut String, key: &str) {
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Date of a day number (days since 1970-01-01).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// The layouts in which the vendors print China-time instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeFmt {
    /// `yyyy-MM-dd`
    Date,
    /// `yyyy-MM-dd HH:mm`
    Minute,
    /// `yyyy-MM-dd HH:mm:ss`
    Second,
    /// `yyyyMMddHHmmss`
    Compact,
}

fn push2(out: &mut String, n: u32) {
    out.push(char::from(b'0' + u8::try_from(n / 10 % 10).unwrap_or(0)));
    out.push(char::from(b'0' + u8::try_from(n % 10).unwrap_or(0)));
}

/// Appends the China-time rendering of a Unix instant (seconds).
pub(crate) fn push_cst(out: &mut String, unix: i64, fmt: TimeFmt) {
    let local = unix + CST_OFFSET;
    let days = local.div_euclid(86_400);
    let secs = u32::try_from(local.rem_euclid(86_400)).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    let _ = write!(out, "{y:04}");
    let compact = fmt == TimeFmt::Compact;
    if !compact {
        out.push('-');
    }
    push2(out, m);
    if !compact {
        out.push('-');
    }
    push2(out, d);
    if fmt == TimeFmt::Date {
        return;
    }
    if !compact {
        out.push(' ');
    }
    push2(out, hh);
    if !compact {
        out.push(':');
    }
    push2(out, mm);
    if fmt == TimeFmt::Minute {
        return;
    }
    if !compact {
        out.push(':');
    }
    push2(out, ss);
}

/// China-time rendering of a Unix instant (seconds) as a new string.
pub(crate) fn fmt_cst(unix: i64, fmt: TimeFmt) -> String {
    let mut s = String::with_capacity(19);
    push_cst(&mut s, unix, fmt);
    s
}

fn digits(s: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    if s.is_empty() {
        return None;
    }
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

fn to_unix(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(i64::from(y), mo)
        || h > 23
        || mi > 59
        || s > 59
    {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    Some(days * 86_400 + i64::from(h * 3600 + mi * 60 + s) - CST_OFFSET)
}

/// Parses `yyyy-MM-dd` (China time) to the Unix instant of its midnight.
pub(crate) fn parse_cst_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    to_unix(
        digits(&b[0..4])?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
        0,
        0,
        0,
    )
}

/// Parses `yyyy-MM-dd HH:mm:ss` (optionally with a fractional part, or only `yyyy-MM-dd`),
/// China time, to a Unix instant in seconds.
pub(crate) fn parse_cst_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 10 {
        return parse_cst_date(s);
    }
    let b = s.as_bytes();
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b.len() > 19 && (b[19] != b'.' || digits(&b[20..]).is_none()) {
        return None;
    }
    let day = parse_cst_date(&s[..10])?;
    let (h, mi, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(day + i64::from(h * 3600 + mi * 60 + sec))
}

/// Parses `yyyyMMddHHmmss` (China time) to a Unix instant in seconds.
pub(crate) fn parse_cst_compact(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 14 {
        return None;
    }
    to_unix(
        digits(&b[0..4])?,
        digits(&b[4..6])?,
        digits(&b[6..8])?,
        digits(&b[8..10])?,
        digits(&b[10..12])?,
        digits(&b[12..14])?,
    )
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes a query component (`+` is a space). Invalid escapes are kept verbatim.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decoded `key=value` pairs of a query string.
pub(crate) fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// The first value of `key` in decoded query pairs.
pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 of 24 bytes (32 characters, no padding needed).
pub(crate) fn b64_encode24(bytes: &[u8; 24]) -> String {
    let mut s = String::with_capacity(32);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        for shift in [18u32, 12, 6, 0] {
            s.push(char::from(B64[((n >> shift) & 63) as usize]));
        }
    }
    s
}

/// Inverse of [`b64_encode24`].
pub(crate) fn b64_decode24(s: &str) -> Option<[u8; 24]> {
    let b = s.as_bytes();
    if b.len() != 32 {
        return None;
    }
    let mut out = [0u8; 24];
    for (k, c) in b.chunks(4).enumerate() {
        let mut n: u32 = 0;
        for &ch in c {
            let v = B64.iter().position(|&x| x == ch)?;
            n = (n << 6) | u32::try_from(v).ok()?;
        }
        out[k * 3] = u8::try_from((n >> 16) & 0xff).ok()?;
        out[k * 3 + 1] = u8::try_from((n >> 8) & 0xff).ok()?;
        out[k * 3 + 2] = u8::try_from(n & 0xff).ok()?;
    }
    Some(out)
}

/// A JSON body field as `i64` (number or numeric string); `null`, absent and `""` are
/// `None`; anything else is an error naming the field.
pub(crate) fn json_i64(v: &serde_json::Value, key: &str) -> Result<Option<i64>, String> {
    match v.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{key} must be an integer")),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{key} must be an integer")),
        Some(_) => Err(format!("{key} must be an integer")),
    }
}

/// A JSON body field as a string (numbers are taken as their decimal text); `null`, absent
/// and `""` are `None`.
pub(crate) fn json_string(v: &serde_json::Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

/// Parses a request body as a JSON object; an empty body is `{}`.
pub(crate) fn json_object(body: &[u8]) -> Result<serde_json::Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v @ serde_json::Value::Object(_)) => Ok(v),
        Ok(_) => Err("body must be a JSON object".to_owned()),
        Err(e) => Err(format!("body is not valid JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn calendar_round_trip() {
        // 2024-01-01 00:00:00 +08:00
        assert_eq!(parse_cst_date("2024-01-01"), Some(1_704_038_400));
        assert_eq!(
            fmt_cst(1_704_038_400, TimeFmt::Second),
            "2024-01-01 00:00:00"
        );
        assert_eq!(
            fmt_cst(1_704_038_400 + 3661, TimeFmt::Compact),
            "20240101010101"
        );
        assert_eq!(
            parse_cst_compact("20150806142836"),
            parse_cst_datetime("2015-08-06 14:28:36")
        );
        assert_eq!(
            parse_cst_datetime("2024-02-29 23:59:59.123456"),
            Some(1_704_038_400 + 59 * 86_400 + 86_399)
        );
        assert_eq!(parse_cst_date("2023-02-29"), None);
        assert_eq!(parse_cst_datetime("sunt"), None);
        for d in [-1000i64, 0, 19_000, 20_000, 60_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn json_and_query() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\n\u{1}中");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001中\"");
        let p = query_pairs("city=%E6%AD%A6%E6%B1%89&x=a+b&bad=%zz&e");
        assert_eq!(query_get(&p, "city"), Some("武汉"));
        assert_eq!(query_get(&p, "x"), Some("a b"));
        assert_eq!(query_get(&p, "bad"), Some("%zz"));
        assert_eq!(query_get(&p, "e"), Some(""));
        let bytes: [u8; 24] = core::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(b64_decode24(&b64_encode24(&bytes)), Some(bytes));
    }
}
