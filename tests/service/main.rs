//! The collection service (`scwres serve`), tested as its users and an
//! attacker use it; one test binary (one link of the program) for all:
//!
//! - `flows`: in-process, on loopback: signing in, uploads good, bad and
//!   hostile, versions, sign-off, the national team's pages, CSRF, limits,
//!   concurrent uploads, mail to a local SMTP server, the audit log, backup;
//! - `isolation`: as council A, every route with council B's identifiers;
//! - `kill`: the binary killed with SIGKILL mid-upload, three times;
//! - `browser`: the journey in Debian's chromium, every page checked;
//! - `hardening`: mail off the request path, sign-in limits, Host and
//!   Origin, one e-mail rule, releases that fail cleanly.

mod browser;
mod extract;
mod flows;
mod hardening;
mod isolation;
mod kill;
mod notices;
mod releases;
mod review;
mod support;
