//! The view a mirroring tab shows, as one line of text on the tabs' channel.

use crate::core::{Connection, MirroredView, RestFailure, Routing};

impl MirroredView {
    /// A line of numbers, and the server's words last: written by hand, because serde's
    /// code for these enums would cost the widget several kilobytes.
    pub fn encode(&self) -> String {
        // `Option`s as n + 1, with 0 for none.
        let some = |n: Option<u32>| n.map_or(0, |n| u64::from(n) + 1);
        let (tag, a, b, text) = match &self.connection {
            Connection::Idle => (0, 0, 0, ""),
            Connection::CreatingSession => (1, 0, 0, ""),
            Connection::SessionFailed(f) => (
                2,
                some(f.status.map(u32::from)),
                some(f.retry_after_s),
                f.server_text.as_str(),
            ),
            Connection::Connecting => (3, 0, 0, ""),
            Connection::Connected => (4, 0, 0, ""),
            Connection::Disconnected { attempt, delay_ms } => {
                (5, u64::from(*attempt), u64::from(*delay_ms), "")
            }
            Connection::Reconnecting { attempt } => (6, u64::from(*attempt), 0, ""),
            Connection::GaveUp => (7, 0, 0, ""),
            Connection::Displaced => (8, 0, 0, ""),
            Connection::Ended => (9, 0, 0, ""),
            Connection::Offline => (10, 0, 0, ""),
            Connection::Unreachable => (11, 0, 0, ""),
        };
        let (routing, position) = match self.routing {
            Routing::Unknown => (0, 0),
            Routing::Queued { position } => (1, some(position)),
            Routing::Connected => (2, 0),
        };
        format!(
            "{tag} {a} {b} {routing} {position} {} {} {}\n{text}",
            u8::from(self.agent_typing),
            u8::from(self.ever_connected),
            self.len
        )
    }

    pub fn decode(line: &str) -> Option<MirroredView> {
        let (numbers, text) = line.split_once('\n')?;
        let mut numbers = numbers.split(' ').map(|n| n.parse::<u64>().ok());
        let mut next = || numbers.next().flatten();
        let (tag, a, b) = (next()?, next()?, next()?);
        let (routing, position) = (next()?, next()?);
        let (typing, ever, len) = (next()?, next()?, next()?);
        let small = |n: u64| u32::try_from(n).ok();
        let option = |n: u64| n.checked_sub(1).and_then(small);
        let connection = match tag {
            0 => Connection::Idle,
            1 => Connection::CreatingSession,
            2 => Connection::SessionFailed(RestFailure {
                status: option(a).and_then(|s| u16::try_from(s).ok()),
                server_text: text.to_string(),
                retry_after_s: option(b),
            }),
            3 => Connection::Connecting,
            4 => Connection::Connected,
            5 => Connection::Disconnected {
                attempt: small(a)?,
                delay_ms: small(b)?,
            },
            6 => Connection::Reconnecting { attempt: small(a)? },
            7 => Connection::GaveUp,
            8 => Connection::Displaced,
            9 => Connection::Ended,
            10 => Connection::Offline,
            11 => Connection::Unreachable,
            _ => return None,
        };
        let routing = match routing {
            0 => Routing::Unknown,
            1 => Routing::Queued {
                position: option(position),
            },
            2 => Routing::Connected,
            _ => return None,
        };
        Some(MirroredView {
            connection,
            routing,
            agent_typing: typing == 1,
            ever_connected: ever == 1,
            len: usize::try_from(len).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_words_of_a_failure_survive_the_line() {
        let view = MirroredView {
            connection: Connection::SessionFailed(RestFailure {
                status: Some(503),
                server_text: "down\nfor maintenance".into(),
                retry_after_s: None,
            }),
            routing: Routing::Queued { position: None },
            agent_typing: true,
            ever_connected: false,
            len: 3,
        };
        assert_eq!(MirroredView::decode(&view.encode()), Some(view));
    }
}
