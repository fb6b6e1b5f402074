//! Sign-in links by email: a plain SMTP client (RFC 5321) for a relay the
//! national team runs or is given (on the same host or network; the relay
//! does TLS and authentication onwards). Used only when configured; the
//! link is always shown to the national team as well.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

/// Where mail goes and whom it is from.
#[derive(Clone, Debug)]
pub struct Smtp {
    /// `host:port` of the relay.
    pub relay: String,
    pub from: String,
}

#[derive(Debug)]
pub enum MailError {
    Io(std::io::Error),
    /// The relay answered a command with an error.
    Refused {
        command: String,
        reply: String,
    },
    /// An address with a line break or angle bracket.
    BadAddress(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailError::Io(e) => write!(f, "the mail relay could not be reached: {e}"),
            MailError::Refused { command, reply } => {
                write!(f, "the mail relay refused {command}: {reply}")
            }
            MailError::BadAddress(a) => write!(f, "not an address mail can go to: {a:?}"),
        }
    }
}

impl From<std::io::Error> for MailError {
    fn from(e: std::io::Error) -> Self {
        MailError::Io(e)
    }
}

fn clean(addr: &str) -> Result<&str, MailError> {
    if !super::auth::email_ok(addr) {
        return Err(MailError::BadAddress(addr.to_string()));
    }
    Ok(addr)
}

impl Smtp {
    /// Sends one plain-text message.
    pub fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        let to = clean(to)?;
        let from = clean(&self.from)?;
        let addr = self
            .relay
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| std::io::Error::other("no address for the relay"))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_write_timeout(Some(Duration::from_secs(30)))?;
        let mut w = stream.try_clone()?;
        let mut r = BufReader::new(stream);
        let expect = |r: &mut BufReader<TcpStream>, command: &str, ok: u8| {
            let mut reply = String::new();
            loop {
                let mut line = String::new();
                if r.by_ref().take(4096).read_line(&mut line)? == 0 {
                    return Err(MailError::Refused {
                        command: command.to_string(),
                        reply: "connection closed".into(),
                    });
                }
                reply.push_str(line.trim_end());
                // `250-…` continues, `250 …` ends a reply.
                if line.as_bytes().get(3) != Some(&b'-') {
                    break;
                }
                reply.push(' ');
            }
            if reply.as_bytes().first() != Some(&ok) {
                return Err(MailError::Refused {
                    command: command.to_string(),
                    reply,
                });
            }
            Ok(())
        };
        use std::io::Read as _;
        expect(&mut r, "the greeting", b'2')?;
        for (cmd, ok) in [
            ("EHLO scwres".to_string(), b'2'),
            (format!("MAIL FROM:<{from}>"), b'2'),
            (format!("RCPT TO:<{to}>"), b'2'),
            ("DATA".to_string(), b'3'),
        ] {
            write!(w, "{cmd}\r\n")?;
            expect(&mut r, &cmd, ok)?;
        }
        let subject: String = subject.chars().filter(|c| !c.is_control()).collect();
        let mut msg = format!(
            "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        );
        for line in body.lines() {
            // Dot-stuffing: a line starting with "." gets another.
            if line.starts_with('.') {
                msg.push('.');
            }
            msg.push_str(line);
            msg.push_str("\r\n");
        }
        msg.push_str(".\r\n");
        w.write_all(msg.as_bytes())?;
        expect(&mut r, "the message", b'2')?;
        write!(w, "QUIT\r\n")?;
        Ok(())
    }
}
