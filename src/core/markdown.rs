//! Agents' and bots' Markdown, read into a small tree of the parts Genesys Messenger
//! draws: bold, italic, strikethrough, code, code blocks, links, lists, paragraphs
//! and line breaks. The view builds elements from the tree, one by one, and puts
//! every piece of text in a text node: no markup from a message ever reaches the page.
//! Raw HTML is kept as the characters it was written with; a link survives only with
//! an address the browser may open (`http:`, `https:`, `mailto:`, `tel:`).
//!
//! The subset is read here rather than by a CommonMark crate, which would cost the
//! widget ten times as much (docs/size.md). Left out on purpose: headings and quotes
//! are drawn as paragraphs, indented code is text, and only the named characters
//! agents write are decoded. A line break in a message is a line break, as in chat.

/// One part of a formatted message, with the parts inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Paragraph,
    /// A fenced or indented block; its one child is the text.
    CodeBlock,
    /// Numbered from `Some(start)`, or bulleted.
    List(Option<u64>),
    Item,
    Strong,
    Emphasis,
    Strike,
    Code(String),
    /// A checked address (see [`link_target`]).
    Link(String),
    Text(String),
    Break,
}

/// Nesting deeper than this (lists in lists, emphasis in emphasis) is flattened into
/// the level above: the text stays, and a hostile message cannot make the page deep.
const MAX_DEPTH: usize = 12;

impl Node {
    fn new(kind: Kind) -> Node {
        Node {
            kind,
            children: Vec::new(),
        }
    }

    fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Node {
            kind: Kind::Text(last),
            ..
        }) = self.children.last_mut()
        {
            last.push_str(text);
        } else {
            self.children.push(Node::new(Kind::Text(text.to_string())));
        }
    }
}

/// Whether `text` reads the same as Markdown and as plain text, so that the view can
/// skip the parser: no character that marks formatting, starts a block, or an address.
pub fn is_plain(text: &str) -> bool {
    let marks = text.bytes().any(|b| {
        matches!(
            b,
            b'*' | b'_'
                | b'~'
                | b'`'
                | b'['
                | b'<'
                | b'>'
                | b'#'
                | b'\\'
                | b'&'
                | b'\n'
                | b'\r'
                | b'\t'
        )
    });
    let start = text.trim_start_matches(' ');
    let block = text.len() - start.len() >= 4
        || start.starts_with(['-', '+', '=', '|'])
        || start.starts_with(|c: char| c.is_ascii_digit());
    !marks && !block && !text.contains("://") && !has_www(text)
}

fn has_www(text: &str) -> bool {
    text.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"www."))
}

/// The address a link may open, or `None`: only the web, mail and phone schemes, so a
/// `javascript:` or `data:` link is shown as its text.
pub fn link_target(url: &str) -> Option<String> {
    let url = url.trim();
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let allowed = match scheme.to_ascii_lowercase().as_str() {
        "https" | "http" => rest.len() > 2 && rest.starts_with("//") && !rest[2..].starts_with('/'),
        "mailto" | "tel" => !rest.is_empty(),
        _ => false,
    };
    allowed.then(|| url.to_string())
}

/// `text` read as Markdown: blocks line by line, then each block's inline marks.
pub fn parse(text: &str) -> Vec<Node> {
    let mut blocks: Vec<Node> = Vec::new();
    // Open lists, outermost first, each with the indent of its items' markers.
    let mut lists: Vec<(usize, Node)> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line.trim_start_matches(' ');
        let fence = ["```", "~~~"].into_iter().find(|f| body.starts_with(f));
        if let Some(fence) = fence.filter(|_| indent < 4) {
            close_paragraph(&mut paragraph, &mut lists, &mut blocks);
            close_lists(&mut lists, 0, &mut blocks);
            let mut code = String::new();
            for line in lines.by_ref() {
                if line.trim_start_matches(' ').starts_with(fence) {
                    break;
                }
                code.push_str(line);
                code.push('\n');
            }
            let mut block = Node::new(Kind::CodeBlock);
            block.push_text(&code);
            blocks.push(block);
        } else if body.is_empty() {
            close_paragraph(&mut paragraph, &mut lists, &mut blocks);
        } else if let Some((start, rest)) = list_marker(body) {
            close_paragraph(&mut paragraph, &mut lists, &mut blocks);
            close_lists(&mut lists, indent + 1, &mut blocks);
            let same_kind = lists.last().is_some_and(|(at, list)| {
                *at == indent
                    && matches!(list.kind, Kind::List(s) if s.is_some() == start.is_some())
            });
            if !same_kind {
                close_lists(&mut lists, indent, &mut blocks);
                // A list and its item are two levels each.
                if lists.len() < MAX_DEPTH / 2 {
                    lists.push((indent, Node::new(Kind::List(start))));
                }
            }
            let mut item = Node::new(Kind::Item);
            item.children = inline(rest, lists.len());
            match lists.last_mut() {
                Some((_, list)) => list.children.push(item),
                None => blocks.push(item),
            }
        } else if !lists.is_empty() && paragraph.is_empty() && indent > 0 {
            // An indented line under an item goes on with the item.
            let (_, list) = lists.last_mut().expect("a list");
            if let Some(item) = list.children.last_mut() {
                push_break(item);
                let depth = lists.len();
                let (_, list) = lists.last_mut().expect("a list");
                let item = list.children.last_mut().expect("an item");
                item.children.extend(inline(body, depth));
            }
        } else {
            close_lists(&mut lists, 0, &mut blocks);
            paragraph.push(heading_text(body));
        }
    }
    close_paragraph(&mut paragraph, &mut lists, &mut blocks);
    close_lists(&mut lists, 0, &mut blocks);
    for block in &mut blocks {
        link_bare_addresses(block);
    }
    blocks
}

/// A list item's marker: `Some(n)` for a numbered one starting at `n`, and its text.
fn list_marker(body: &str) -> Option<(Option<u64>, &str)> {
    if let Some(rest) = ["- ", "* ", "+ "].iter().find_map(|m| body.strip_prefix(m)) {
        return Some((None, rest.trim_start()));
    }
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &body[digits..];
        let rest = rest
            .strip_prefix(". ")
            .or_else(|| rest.strip_prefix(") "))?;
        return Some((body[..digits].parse().ok(), rest.trim_start()));
    }
    None
}

/// A heading's text (a chat bubble has no outline) and a quote's, without their marks.
fn heading_text(body: &str) -> &str {
    let hashes = body.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && body[hashes..].starts_with(' ') {
        return body[hashes..].trim();
    }
    body.strip_prefix('>').map(str::trim_start).unwrap_or(body)
}

fn close_paragraph(lines: &mut Vec<&str>, lists: &mut Vec<(usize, Node)>, blocks: &mut Vec<Node>) {
    if lines.is_empty() {
        return;
    }
    close_lists(lists, 0, blocks);
    let mut paragraph = Node::new(Kind::Paragraph);
    for (i, line) in lines.drain(..).enumerate() {
        if i > 0 {
            paragraph.children.push(Node::new(Kind::Break));
        }
        paragraph.children.extend(inline(line, 0));
    }
    blocks.push(paragraph);
}

/// Closes the lists whose items sit at `indent` or deeper, each into the item (or
/// the blocks) around it.
fn close_lists(lists: &mut Vec<(usize, Node)>, indent: usize, blocks: &mut Vec<Node>) {
    while lists.last().is_some_and(|(at, _)| *at >= indent) {
        let (_, list) = lists.pop().expect("a list");
        match lists
            .last_mut()
            .and_then(|(_, outer)| outer.children.last_mut())
        {
            Some(item) => item.children.push(list),
            None => blocks.push(list),
        }
    }
}

/// The marks inside one line: code, links, strong, emphasis, strikethrough, escapes.
/// Each search for a closing mark that fails is remembered, so a line of unmatched
/// marks is read in one pass, not one pass per mark.
fn inline(text: &str, depth: usize) -> Vec<Node> {
    let bytes = text.as_bytes();
    let mut out = Node::new(Kind::Paragraph);
    let mut failed: Vec<(u8, usize)> = Vec::new();
    let mut i = 0;
    let mut plain_from = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let found = match b {
            b'\\' if bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                Some((i + 2, Node::new(Kind::Text(text[i + 1..i + 2].to_string()))))
            }
            b'`' => code_span(text, i, &mut failed),
            b'[' => link(text, i, depth),
            b'*' | b'_' | b'~' if depth < MAX_DEPTH => emphasis(text, i, depth, &mut failed),
            b'&' => entity(text, i),
            _ => None,
        };
        match found {
            Some((next, node)) => {
                out.push_text(&text[plain_from..i]);
                match node.kind {
                    Kind::Text(t) => out.push_text(&t),
                    _ => out.children.push(node),
                }
                i = next;
                plain_from = next;
            }
            None => {
                // A run of marks that opened nothing is text, all of it.
                let run = bytes[i..].iter().take_while(|&&c| c == b).count().max(1);
                i += if matches!(b, b'*' | b'_' | b'~' | b'`') {
                    run
                } else {
                    1
                };
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    out.push_text(&text[plain_from..]);
    out.children
}

fn code_span(text: &str, at: usize, failed: &mut Vec<(u8, usize)>) -> Option<(usize, Node)> {
    let bytes = text.as_bytes();
    let run = bytes[at..].iter().take_while(|&&c| c == b'`').count();
    if failed.contains(&(b'`', run)) {
        return None;
    }
    let mut j = at + run;
    while j < bytes.len() {
        if bytes[j] == b'`' {
            let close = bytes[j..].iter().take_while(|&&c| c == b'`').count();
            if close == run {
                let code = &text[at + run..j];
                let code = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                    Some(inner) if !inner.trim().is_empty() => inner,
                    _ => code,
                };
                return Some((j + run, Node::new(Kind::Code(code.to_string()))));
            }
            j += close;
        } else {
            j += 1;
        }
    }
    failed.push((b'`', run));
    None
}

/// `[text](address)` and `<address>`; a link whose address may not be opened is its text.
fn link(text: &str, at: usize, depth: usize) -> Option<(usize, Node)> {
    let bytes = text.as_bytes();
    let mut nesting = 0usize;
    let mut close = None;
    for (j, &b) in bytes.iter().enumerate().skip(at) {
        match b {
            b'[' => nesting += 1,
            b']' => {
                nesting -= 1;
                if nesting == 0 {
                    close = Some(j);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let rest = text[close + 1..].strip_prefix('(')?;
    let mut parens = 0usize;
    let end = rest.find(|c: char| {
        match c {
            '(' => parens += 1,
            ')' if parens == 0 => return true,
            ')' => parens -= 1,
            _ => {}
        }
        false
    })?;
    let destination = rest[..end].split_whitespace().next().unwrap_or("");
    let destination = destination
        .strip_prefix('<')
        .and_then(|d| d.strip_suffix('>'))
        .unwrap_or(destination);
    let label = inline(&text[at + 1..close], depth + 1);
    let next = close + 2 + end + 1;
    let node = match link_target(destination) {
        Some(target) => Node {
            kind: Kind::Link(target),
            children: without_links(label),
        },
        None => {
            let mut words = Node::new(Kind::Emphasis);
            words.children = label;
            return Some((next, Node::new(Kind::Text(plain_words(&[words])))));
        }
    };
    Some((next, node))
}

/// A link's label with any link inside it reduced to its text.
fn without_links(nodes: Vec<Node>) -> Vec<Node> {
    nodes
        .into_iter()
        .map(|node| match node.kind {
            Kind::Link(_) => Node::new(Kind::Text(plain_words(&node.children))),
            _ => node,
        })
        .collect()
}

fn emphasis(
    text: &str,
    at: usize,
    depth: usize,
    failed: &mut Vec<(u8, usize)>,
) -> Option<(usize, Node)> {
    let bytes = text.as_bytes();
    let mark = bytes[at];
    let run = bytes[at..].iter().take_while(|&&c| c == mark).count();
    let (width, kind) = match (mark, run) {
        (b'~', 2..) => (2, Kind::Strike),
        (b'~', _) => return None,
        (_, 2..) => (2, Kind::Strong),
        _ => (1, Kind::Emphasis),
    };
    let before = text[..at].chars().next_back();
    let after = text[at + width..].chars().next();
    let opens = after.is_some_and(|c| !c.is_whitespace())
        && !(mark == b'_' && before.is_some_and(char::is_alphanumeric));
    if !opens || failed.contains(&(mark, width)) {
        return None;
    }
    let mut j = at + width;
    while j < bytes.len() {
        let b = bytes[j];
        if b == b'`' {
            j += bytes[j..].iter().take_while(|&&c| c == b'`').count();
            continue;
        }
        if b == mark {
            let close_run = bytes[j..].iter().take_while(|&&c| c == mark).count();
            let before = text[..j].chars().next_back();
            let after = text[j + close_run..].chars().next();
            // A run that only opens begins marks of its own, closed before ours.
            let only_opens =
                before.is_none_or(char::is_whitespace) && after.is_some_and(|c| !c.is_whitespace());
            if only_opens && depth + 1 < MAX_DEPTH {
                if let Some((end, _)) = emphasis(text, j, depth + 1, failed) {
                    j = end;
                    continue;
                }
            }
            let closes = j > at + width
                && close_run >= width
                && before.is_some_and(|c| !c.is_whitespace())
                && !(mark == b'_' && after.is_some_and(char::is_alphanumeric));
            if closes {
                // The innermost marks close first: `***a***` is strong around emphasis.
                let end = j + close_run - width;
                let mut node = Node::new(kind);
                node.children = inline(&text[at + width..end], depth + 1);
                return Some((end + width, node));
            }
            j += close_run;
            continue;
        }
        j += 1;
    }
    failed.push((mark, width));
    None
}

/// The few named characters agents write; any other `&` is itself.
fn entity(text: &str, at: usize) -> Option<(usize, Node)> {
    [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&nbsp;", "\u{a0}"),
    ]
    .into_iter()
    .find(|(name, _)| text[at..].starts_with(name))
    .map(|(name, ch)| (at + name.len(), Node::new(Kind::Text(ch.to_string()))))
}

fn push_break(node: &mut Node) {
    if !node.children.is_empty() {
        node.children.push(Node::new(Kind::Break));
    }
}

/// Each bare web address in the text of `node` and below made a link; the parser
/// splits text at marks, so this runs once the pieces are joined.
fn link_bare_addresses(node: &mut Node) {
    if matches!(node.kind, Kind::Link(_) | Kind::CodeBlock) {
        return;
    }
    let children = std::mem::take(&mut node.children);
    for mut child in children {
        match child.kind {
            Kind::Text(text) => push_autolinked(node, &text),
            _ => {
                link_bare_addresses(&mut child);
                node.children.push(child);
            }
        }
    }
}

fn push_autolinked(node: &mut Node, text: &str) {
    let mut rest = text;
    while let Some((start, end)) = bare_address(rest) {
        node.push_text(&rest[..start]);
        let written = &rest[start..end];
        let address = if written.len() >= 4 && written[..4].eq_ignore_ascii_case("www.") {
            format!("https://{written}")
        } else {
            written.to_string()
        };
        match link_target(&address) {
            Some(target) => {
                let mut link = Node::new(Kind::Link(target));
                link.push_text(written);
                node.children.push(link);
            }
            None => node.push_text(written),
        }
        rest = &rest[end..];
    }
    node.push_text(rest);
}

/// Where the first bare address in `text` starts and ends: `http://`, `https://` or
/// `www.` up to a space, without the punctuation that ends a sentence around it.
fn bare_address(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let start = ["https://", "http://", "www."]
        .iter()
        .filter_map(|prefix| lower.find(prefix))
        .filter(|&at| {
            // Inside a word (`xwww.`), it is not an address.
            text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
        .min()?;
    let length = text[start..]
        .find(|c: char| c.is_whitespace() || c == '<' || c == '"')
        .unwrap_or(text.len() - start);
    let mut end = start + length;
    loop {
        let written = &text[start..end];
        let Some(last) = written.chars().next_back() else {
            break;
        };
        let unbalanced_paren =
            last == ')' && written.matches(')').count() > written.matches('(').count();
        if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | '\'') || unbalanced_paren {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    let written = &text[start..end];
    let bare_prefix = ["https://", "http://", "www."]
        .iter()
        .any(|p| written.eq_ignore_ascii_case(p));
    if bare_prefix {
        // A prefix alone is text; look after it.
        let after = start + written.len();
        return bare_address(&text[after..]).map(|(s, e)| (s + after, e + after));
    }
    Some((start, end))
}

/// What a screen reader should hear of the message: its words, without the marks.
pub fn plain_words(nodes: &[Node]) -> String {
    fn walk(nodes: &[Node], out: &mut String) {
        for node in nodes {
            match &node.kind {
                Kind::Text(text) | Kind::Code(text) => out.push_str(text),
                Kind::Break => out.push(' '),
                _ => {
                    walk(&node.children, out);
                    if matches!(
                        node.kind,
                        Kind::Paragraph | Kind::CodeBlock | Kind::Item | Kind::List(_)
                    ) {
                        out.push(' ');
                    }
                }
            }
        }
    }
    let mut out = String::new();
    walk(nodes, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message as a screen reader should hear it.
pub fn spoken(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    plain_words(&parse(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Node {
        Node::new(Kind::Text(t.into()))
    }

    fn node(kind: Kind, children: Vec<Node>) -> Node {
        Node { kind, children }
    }

    #[test]
    fn the_subset_messenger_draws() {
        let nodes = parse("**Bold**, *it*, ~~gone~~ and `x < y`\nnext line");
        assert_eq!(
            nodes,
            vec![node(
                Kind::Paragraph,
                vec![
                    node(Kind::Strong, vec![text("Bold")]),
                    text(", "),
                    node(Kind::Emphasis, vec![text("it")]),
                    text(", "),
                    node(Kind::Strike, vec![text("gone")]),
                    text(" and "),
                    Node::new(Kind::Code("x < y".into())),
                    Node::new(Kind::Break),
                    text("next line"),
                ]
            )]
        );
        let lists = parse("1. one\n2. two\n\n- a\n- b\n\n```\nfn main() {}\n```");
        assert_eq!(lists.len(), 3);
        assert_eq!(lists[0].kind, Kind::List(Some(1)));
        assert_eq!(lists[0].children.len(), 2);
        assert_eq!(lists[0].children[1], node(Kind::Item, vec![text("two")]));
        assert_eq!(lists[1].kind, Kind::List(None));
        assert_eq!(
            lists[2],
            node(Kind::CodeBlock, vec![text("fn main() {}\n")])
        );
    }

    #[test]
    fn markup_stays_text() {
        let nodes = parse("<img src=x onerror=alert(1)> and <b>bold</b>\n\n<script>x()</script>");
        let words = plain_words(&nodes);
        assert!(words.contains("<img src=x onerror=alert(1)>"), "{words}");
        assert!(words.contains("<b>bold</b>"), "{words}");
        assert!(words.contains("<script>x()</script>"), "{words}");
        fn no_elements_but_paragraphs(nodes: &[Node]) -> bool {
            nodes.iter().all(|n| {
                matches!(n.kind, Kind::Paragraph | Kind::Text(_) | Kind::Break)
                    && no_elements_but_paragraphs(&n.children)
            })
        }
        assert!(no_elements_but_paragraphs(&nodes), "{nodes:?}");
    }

    #[test]
    fn only_safe_addresses_become_links() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<b>x</b>",
            "vbscript:x",
            "/relative",
            "//example.com",
            "https:///nohost",
            "https:",
            "file:///etc/passwd",
        ] {
            assert_eq!(link_target(bad), None, "{bad}");
            let nodes = parse(&format!("[click]({bad})"));
            assert!(
                !format!("{nodes:?}").contains("Link"),
                "{bad} made a link: {nodes:?}"
            );
            assert!(plain_words(&nodes).contains("click"), "{bad}");
        }
        for good in [
            "https://example.com/a?b#c",
            "http://example.com",
            "mailto:help@example.com",
            "tel:+15551234",
        ] {
            assert_eq!(link_target(good).as_deref(), Some(good));
        }
        assert_eq!(
            parse("[Help](https://example.com/help)"),
            vec![node(
                Kind::Paragraph,
                vec![node(
                    Kind::Link("https://example.com/help".into()),
                    vec![text("Help")]
                )]
            )]
        );
    }

    #[test]
    fn bare_addresses_are_linked_without_the_sentence_around_them() {
        let nodes = parse("See https://example.com/a_(b). Or www.example.org, thanks");
        assert_eq!(
            nodes[0].children,
            vec![
                text("See "),
                node(
                    Kind::Link("https://example.com/a_(b)".into()),
                    vec![text("https://example.com/a_(b)")]
                ),
                text(". Or "),
                node(
                    Kind::Link("https://www.example.org".into()),
                    vec![text("www.example.org")]
                ),
                text(", thanks"),
            ]
        );
        // Not inside a word, not a bare prefix, and not inside code.
        let nodes = parse("xwww.example.com https:// `https://example.com`");
        assert!(!format!("{nodes:?}").contains("Link"), "{nodes:?}");
        assert_eq!(bare_address("(see http://a.example)"), Some((5, 21)));
    }

    #[test]
    fn deep_nesting_is_flattened_and_the_text_kept() {
        let nodes = parse(
            &(0..200)
                .map(|i| {
                    format!(
                        "{}- {}",
                        " ".repeat(i * 2),
                        if i == 199 { "deep" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        );
        fn depth(nodes: &[Node]) -> usize {
            nodes
                .iter()
                .map(|n| 1 + depth(&n.children))
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&nodes) <= MAX_DEPTH + 2, "{}", depth(&nodes));
        assert_eq!(plain_words(&nodes), "deep");
        let nested = parse("*a **b ~~c `d` [e](https://e.example)~~ f** g*");
        assert_eq!(depth(&nested), 6, "{nested:?}");
        assert_eq!(plain_words(&nested), "a b c d e f g");
        let lists = (0..100)
            .map(|i| format!("{}- level {i}", "  ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n");
        let nodes = parse(&lists);
        assert!(depth(&nodes) <= MAX_DEPTH + 2);
        assert!(plain_words(&nodes).contains("level 99"));
    }

    #[test]
    fn a_long_hostile_message_is_read_whole() {
        let chunk = "**bold *it [l](javascript:x) <b>x</b> `c` ~~s~~ www.example.com ";
        let long = chunk.repeat(100_000 / chunk.len() + 1);
        assert!(long.len() >= 100_000);
        let nodes = parse(&long);
        let words = plain_words(&nodes);
        assert_eq!(
            words.matches("<b>x</b>").count(),
            long.matches("<b>x</b>").count()
        );
        assert!(!format!("{nodes:?}").contains("javascript"));
    }

    #[test]
    fn plain_text_skips_the_parser_only_when_it_reads_the_same() {
        for plain in [
            "Hello there",
            "message 1234",
            "Is 3 ok? Yes, it's fine.",
            "a-b",
        ] {
            assert!(is_plain(plain), "{plain}");
            assert_eq!(plain_words(&parse(plain)), plain);
        }
        for marked in [
            "*x*",
            "1. one",
            "- item",
            "see https://a.example",
            "www.a.example",
            "a\nb",
            "    code",
            "&amp;",
            "# title",
        ] {
            assert!(!is_plain(marked), "{marked}");
        }
    }

    #[test]
    fn the_spoken_message_has_no_marks() {
        assert_eq!(
            spoken("**Your order** ships *today*:\n1. pack\n2. [track](https://t.example)"),
            "Your order ships today: pack track"
        );
    }
}
