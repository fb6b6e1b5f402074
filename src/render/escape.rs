//! Escaping for typst. Every value a template inserts into a `.typ`
//! template passes through `markup` unless the template asks for `|str`
//! (a typst string literal, for code arguments such as alt text).

/// Escapes text so typst markup prints it literally.
pub fn markup(s: &str) -> String {
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
    fn string_literal_escapes_quotes_and_backslashes() {
        assert_eq!(string_literal("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
    }
}
