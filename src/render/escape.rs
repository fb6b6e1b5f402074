//! Escaping for typst. Every value a template inserts into a `.typ`
//! template passes through `markup` unless the template asks for `|str`
//! (a typst string literal, for code arguments such as alt text).

/// Words longer than this get places to break (web addresses, e-mail
/// addresses, a run of characters with no space): typst breaks lines only
/// at spaces and a few marks, so such a word would run over the next
/// column or off the page. No word of a sentence or a council's name is
/// this long.
pub const LONG_WORD: usize = 30;

/// A zero-width space: a place typst may break a line, printing nothing.
const BREAK: char = '\u{200B}';

/// `s` with a break allowed after each `/ . @ - _ ? & = :` of a long word,
/// and at least every 20 characters of it.
pub fn breakable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.split_whitespace().any(|w| w.chars().count() > LONG_WORD) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, piece) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if piece.chars().count() <= LONG_WORD {
            out.push_str(piece);
            continue;
        }
        let mut since = 0;
        let chars: Vec<char> = piece.chars().collect();
        for (k, &c) in chars.iter().enumerate() {
            out.push(c);
            since += 1;
            let last = k + 1 == chars.len();
            if !last && ("/.@-_?&=:".contains(c) || since >= 20) {
                out.push(BREAK);
                since = 0;
            }
        }
    }
    out.into()
}

/// Escapes text so typst markup prints it literally; a long word gets
/// places to break ([`breakable`]).
pub fn markup(s: &str) -> String {
    let s = breakable(s);
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | '[' | ']' | '~' | '=' | '-'
            | '+' | '/' | '\'' | '"' | ':' | '{' | '}' | '^' => {
                out.push('\\');
                out.push(c);
            }
            // `...` is an ellipsis and `1. ` an enumeration: escape the dot.
            '.' if matches!(chars.get(i + 1), None | Some('.') | Some(' ')) => out.push_str("\\."),
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A typst string literal holding `s` exactly.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_escapes_every_special_character() {
        assert_eq!(markup("St #1 [Met] & *Co*"), "St \\#1 \\[Met\\] & \\*Co\\*");
        assert_eq!(markup("a_b $x$ <l> @r"), "a\\_b \\$x\\$ \\<l\\> \\@r");
        assert_eq!(markup("// not a comment"), "\\/\\/ not a comment");
        assert_eq!(markup("1.37"), "1.37");
        assert_eq!(markup("wait..."), "wait\\.\\.\\.");
        assert_eq!(markup("http://x"), "http\\:\\/\\/x");
    }

    #[test]
    fn long_words_get_places_to_break_and_short_ones_none() {
        assert_eq!(
            breakable("Head of Workforce Development"),
            "Head of Workforce Development"
        );
        let mail = "firstname.lastname@councilname.gov.uk";
        assert_eq!(
            breakable(mail),
            "firstname.\u{200B}lastname@\u{200B}councilname.\u{200B}gov.\u{200B}uk"
        );
        let word = "x".repeat(10_000);
        let b = breakable(&word);
        assert_eq!(b.chars().filter(|c| *c == BREAK).count(), 499);
        assert_eq!(b.replace(BREAK, ""), word);
    }

    #[test]
    fn string_literal_escapes_quotes_and_backslashes() {
        assert_eq!(string_literal("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
    }
}
