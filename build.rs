//! Puts a compact copy of style.css in OUT_DIR for the widget, which carries
//! its stylesheet inside the wasm module: comments and layout whitespace would
//! otherwise ship with every copy.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=style.css");
    let css = fs::read_to_string("style.css").expect("style.css beside Cargo.toml");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("style.min.css");
    fs::write(out, compact_css(&css)).expect("OUT_DIR is writable");
}

/// Drops comments, turns every run of whitespace into one space and removes the spaces
/// around `{`, `}` and `;`. Nothing else changes: a space before `:` can be a
/// descendant combinator, and quoted strings keep their single spaces.
fn compact_css(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
        without_comments.push(' ');
    }
    without_comments.push_str(rest);
    let collapsed = without_comments
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut compact = String::with_capacity(collapsed.len());
    let mut chars = collapsed.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' '
            && (compact.ends_with(['{', '}', ';']) || matches!(chars.peek(), Some('{' | '}' | ';')))
        {
            continue;
        }
        compact.push(c);
    }
    compact
}
