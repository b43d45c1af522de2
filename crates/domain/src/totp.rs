//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s, 6 digits) and the unpadded
//! RFC 4648 base32 that authenticator apps use for secrets.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Length of one TOTP time step in seconds.
pub const STEP_SECS: u64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without `=` padding.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in data {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                BASE32_ALPHABET[((buffer >> bits) & 31) as usize],
            ));
        }
        buffer &= (1 << bits) - 1; // keep only the bits not yet written
    }
    if bits > 0 {
        out.push(char::from(
            BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize],
        ));
    }
    out
}

/// Decodes base32 case-insensitively, ignoring whitespace and `=`; `None` for a character
/// outside the alphabet or a length no encoding can produce.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buffer, mut bits, mut symbols) = (0u32, 0u32, 0usize);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        symbols += 1;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Each block of 8 symbols carries 5 bytes; 1, 3 or 6 leftover symbols cannot occur.
    if matches!(symbols % 8, 1 | 3 | 6) {
        return None;
    }
    Some(out)
}

/// HOTP (RFC 4226) value of `counter`, truncated to `digits` decimal digits.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation: the low nibble of the last byte picks 4 bytes; drop the sign bit.
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    let code = word % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The 6-digit code for the step containing `unix_secs`.
pub fn totp_at(secret: &[u8], unix_secs: u64) -> String {
    hotp(secret, unix_secs / STEP_SECS, DIGITS)
}

/// Checks `code` (spaces allowed) against the current step and one step either side, to
/// allow for clock drift. Returns the matched step so the caller can store it and refuse a
/// second use of the same or an earlier step.
pub fn verify_totp(secret: &[u8], code: &str, unix_secs: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_secs / STEP_SECS;
    [Some(now), now.checked_sub(1), now.checked_add(1)]
        .into_iter()
        .flatten()
        .find(|&step| constant_time_eq(hotp(secret, step, DIGITS).as_bytes(), code.as_bytes()))
}

/// Compares without an early exit, so timing does not tell how many leading digits match.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI that authenticator apps read from a QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent_encode(account),
        base32_encode(secret),
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters, byte by byte of UTF-8.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_sha1_vectors() {
        let vectors: [(u64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, eight) in vectors {
            assert_eq!(hotp(RFC_SECRET, t / STEP_SECS, 8), eight, "T={t}");
            assert_eq!(totp_at(RFC_SECRET, t), &eight[2..], "T={t}");
        }
        assert_eq!(totp_at(RFC_SECRET, 59), "287082");
        assert_eq!(totp_at(RFC_SECRET, 1_111_111_109), "081804");
        assert_eq!(totp_at(RFC_SECRET, 1_234_567_890), "005924");
        assert_eq!(totp_at(RFC_SECRET, 2_000_000_000), "279037");
    }

    #[test]
    fn verify_accepts_one_step_of_drift_and_reports_the_step() {
        let t = 1_234_567_890;
        let step = t / STEP_SECS;
        let code = totp_at(RFC_SECRET, t);
        assert_eq!(verify_totp(RFC_SECRET, &code, t), Some(step));
        assert_eq!(verify_totp(RFC_SECRET, &code, t + STEP_SECS), Some(step));
        assert_eq!(verify_totp(RFC_SECRET, &code, t - STEP_SECS), Some(step));
        assert_eq!(verify_totp(RFC_SECRET, &code, t + 2 * STEP_SECS), None);
        assert_eq!(verify_totp(RFC_SECRET, &code, t - 2 * STEP_SECS), None);
        assert_eq!(verify_totp(RFC_SECRET, "005 924", t), Some(step));
        assert_eq!(verify_totp(RFC_SECRET, "5924", t), None);
        assert_eq!(verify_totp(RFC_SECRET, "00592a", t), None);
        assert_eq!(verify_totp(b"another secret", &code, t), None);
        // Step 0 has no previous step; nothing underflows.
        assert_eq!(verify_totp(RFC_SECRET, &totp_at(RFC_SECRET, 0), 0), Some(0));
    }

    #[test]
    fn rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW1"), None);
        assert_eq!(base32_decode("M"), None);
        assert_eq!(base32_decode("MZX"), None);
    }

    #[test]
    fn property_base32_round_trips() {
        let mut state = 0xdead_beef_cafe_f00d_u64;
        for _ in 0..1000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 41) as usize;
            let data: Vec<u8> = (0..len)
                .map(|i| (state.rotate_left(i as u32 * 7) ^ i as u64) as u8)
                .collect();
            let encoded = base32_encode(&data);
            assert_eq!(encoded.len(), (len * 8).div_ceil(5));
            assert_eq!(base32_decode(&encoded), Some(data.clone()));
            assert_eq!(base32_decode(&encoded.to_lowercase()), Some(data));
        }
    }

    #[test]
    fn otpauth_uri_encodes_labels() {
        let uri = otpauth_uri("网格 Wangge", "zhang san@example", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/%E7%BD%91%E6%A0%BC%20Wangge:zhang%20san%40example?secret=MZXW6YTBOI\
             &issuer=%E7%BD%91%E6%A0%BC%20Wangge&algorithm=SHA1&digits=6&period=30"
        );
    }
}
