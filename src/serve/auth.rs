//! Secrets and limits: sign-in links and session tokens (random, stored
//! only as hashes), CSRF tokens, and the rate limits of signing in.

use std::collections::HashMap;
use std::sync::Mutex;

/// How long a sign-in link works.
pub const LINK_TTL: i64 = 24 * 3600;
/// How long a session lasts.
pub const SESSION_TTL: i64 = 8 * 3600;
/// The session cookie's name.
pub const COOKIE: &str = "scwres_session";

/// 32 random bytes as hex: a link, session or CSRF token.
pub fn token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random numbers");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What is stored of a token: its SHA-256.
pub fn hash(token: &str) -> String {
    crate::digest::sha256_hex(token.as_bytes())
}

/// A token as a link or cookie carries it: 64 hex digits, nothing else.
pub fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The one e-mail rule of the service (signing in, inviting, sending): a
/// single address, `local@domain`, at most 254 characters, with one `@`,
/// a domain with a dot and no empty label, and nothing that could make it
/// two addresses or a header (no space, control character, comma,
/// semicolon, angle bracket, quote or bracket).
pub fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
        && !email.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    ',' | ';' | '<' | '>' | '"' | '(' | ')' | '[' | ']' | '\\' | ':'
                )
        })
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Counts of events per key in fixed windows: at most `max` in `window`
/// seconds.
pub struct Limiter {
    max: u32,
    window: i64,
    counts: Mutex<HashMap<String, (i64, u32)>>,
}

impl Limiter {
    pub fn new(max: u32, window: i64) -> Limiter {
        Limiter {
            max,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; false when it is over the limit.
    pub fn allow(&self, key: &str, now: i64) -> bool {
        let Ok(mut m) = self.counts.lock() else {
            return false;
        };
        if m.len() > 100_000 {
            m.retain(|_, (start, _)| now - *start < self.window);
        }
        let e = m.entry(key.to_string()).or_insert((now, 0));
        if now - e.0 >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.max
    }

    /// Whether `key` is over the limit, without counting.
    pub fn blocked(&self, key: &str, now: i64) -> bool {
        self.counts
            .lock()
            .map(|m| {
                m.get(key)
                    .is_some_and(|(start, n)| now - start < self.window && *n >= self.max)
            })
            .unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_checked() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert!(well_formed(&a));
        assert!(!well_formed("../x"));
        assert!(same(&a, &a.clone()) && !same(&a, &b));
        assert_ne!(hash(&a), a);
    }

    #[test]
    fn one_address_is_an_address() {
        for ok in [
            "a@b.example",
            "first.last+tag@council.gov.uk",
            "A@B.EXAMPLE",
        ] {
            assert!(email_ok(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.example",
            "a@b.example,c@evil.example",
            "a@b.example;c@evil.example",
            "a@b@c.example",
            "a b@c.example",
            "a@b..example",
            "a@b.example\r\nBcc: c@evil.example",
            "<a@b.example>",
            "\"a\"@b.example",
        ] {
            assert!(!email_ok(bad), "{bad:?}");
        }
        assert!(!email_ok(&format!("{}@b.example", "a".repeat(65))));
    }

    #[test]
    fn the_limiter_limits_and_forgets() {
        let l = Limiter::new(2, 60);
        assert!(l.allow("k", 0) && l.allow("k", 1));
        assert!(!l.allow("k", 2));
        assert!(l.blocked("k", 3));
        assert!(l.allow("k", 61));
        assert!(l.allow("other", 2));
    }
}
