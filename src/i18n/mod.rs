//! Every sentence the widget shows, in every language it speaks, and the rendering of
//! the core's typed states and lines into them. A catalog is a plain struct of static
//! strings (placeholders in braces), so adding a language is adding one file with one
//! value, and the whole cost in the bundle is the text itself.

mod ar;
mod de;
mod en;
mod es;

pub use ar::AR;
pub use de::DE;
pub use en::EN;
pub use es::ES;

use crate::core::{
    auth::AuthFailure, Connection, Entry, EntryKind, PendingFile, RestFailure, SystemLine,
    UploadProblem, UploadStage,
};

/// A language the widget ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Es,
    De,
    Ar,
}

impl Locale {
    /// The widget's language for a language tag, by its primary subtag.
    pub fn of(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "es" => Some(Locale::Es),
            "de" => Some(Locale::De),
            "ar" => Some(Locale::Ar),
            _ => None,
        }
    }

    /// The first of `preferred` (a `data-locale` value, then the browser's languages) that
    /// the widget speaks, by primary language subtag; English otherwise.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        preferred
            .into_iter()
            .find_map(Locale::of)
            .unwrap_or(Locale::En)
    }

    /// `data-locale` when the page set one (a language the widget lacks means
    /// English); else the first of the browser's languages that the widget speaks and
    /// the deployment offers (`offered` empty: any); else the deployment's default
    /// language; else English.
    pub fn choose(
        explicit: Option<&str>,
        browser: &[String],
        offered: &[String],
        default: Option<&str>,
    ) -> Locale {
        if let Some(tag) = explicit {
            return Locale::negotiate([tag]);
        }
        let offers = |locale: Locale| {
            offered.is_empty() || offered.iter().any(|o| Locale::of(o) == Some(locale))
        };
        browser
            .iter()
            .filter_map(|tag| Locale::of(tag))
            .find(|locale| offers(*locale))
            .or_else(|| default.and_then(Locale::of))
            .unwrap_or(Locale::En)
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::De => "de",
            Locale::Ar => "ar",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Locale::Ar
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::En => &EN,
            Locale::Es => &ES,
            Locale::De => &DE,
            Locale::Ar => &AR,
        }
    }
}

/// CLDR plural categories a catalog may need (`zero` is never shown: a count of none
/// is not announced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralCategory {
    One,
    Two,
    Few,
    Many,
    Other,
}

/// A language's rule for choosing the plural form of a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralRule {
    /// English, Spanish, German: 1 is singular, everything else plural.
    OneOther,
    /// Arabic: one, two, few (3–10), many (11–99), other, by the last two digits.
    Arabic,
}

impl PluralRule {
    pub fn category(self, n: u32) -> PluralCategory {
        match self {
            PluralRule::OneOther if n == 1 => PluralCategory::One,
            PluralRule::OneOther => PluralCategory::Other,
            PluralRule::Arabic => match (n, n % 100) {
                (1, _) => PluralCategory::One,
                (2, _) => PluralCategory::Two,
                (_, 3..=10) => PluralCategory::Few,
                (_, 11..=99) => PluralCategory::Many,
                _ => PluralCategory::Other,
            },
        }
    }
}

/// One phrase in every plural form; `{n}` is the count.
#[derive(Debug)]
pub struct Plural {
    pub one: &'static str,
    pub two: &'static str,
    pub few: &'static str,
    pub many: &'static str,
    pub other: &'static str,
}

impl Plural {
    pub fn pick(&self, category: PluralCategory) -> &'static str {
        match category {
            PluralCategory::One => self.one,
            PluralCategory::Two => self.two,
            PluralCategory::Few => self.few,
            PluralCategory::Many => self.many,
            PluralCategory::Other => self.other,
        }
    }
}

#[derive(Debug)]
pub struct Strings {
    pub chat_label: &'static str,
    pub chat_title: &'static str,
    pub open_chat: &'static str,
    pub close_chat: &'static str,
    /// Closes a prompt the page opened (Messenger's toaster).
    pub dismiss: &'static str,
    /// How this language picks among `unread`'s forms.
    pub plural_rule: PluralRule,
    pub unread: Plural,
    /// The launcher's name while messages wait: `{action}` is `open_chat`, `{unread}`
    /// the `unread` phrase.
    pub launcher_unread: &'static str,
    pub message_label: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub retry: &'static str,
    pub retry_message: &'static str,
    pub new_messages: &'static str,
    pub agent_typing: &'static str,
    pub you: &'static str,
    pub agent: &'static str,
    pub agent_says: &'static str,
    pub sending: &'static str,
    pub sent: &'static str,
    pub delivered: &'static str,
    pub not_delivered: &'static str,
    pub chat_connected: &'static str,
    pub chat_ended: &'static str,
    pub session_renewed: &'static str,
    pub queued: &'static str,
    pub queued_position: &'static str,
    pub connected_agent: &'static str,
    pub creating_session: &'static str,
    pub connecting: &'static str,
    pub connected: &'static str,
    pub disconnected_in: &'static str,
    pub reconnecting: &'static str,
    pub gave_up: &'static str,
    pub displaced: &'static str,
    pub ended: &'static str,
    pub offline: &'static str,
    pub network_error: &'static str,
    pub start_failed: &'static str,
    pub start_failed_with: &'static str,
    pub hint_network: &'static str,
    pub hint_401: &'static str,
    pub hint_403: &'static str,
    pub hint_404: &'static str,
    pub hint_429: &'static str,
    pub hint_429_in: &'static str,
    pub hint_5xx: &'static str,
    pub hint_2xx: &'static str,
    pub hint_other: &'static str,
    pub hint_gave_up: &'static str,
    pub hint_displaced: &'static str,
    pub new_chat_line: &'static str,
    pub signed_in_line: &'static str,
    pub signed_out_line: &'static str,
    pub sign_in_refused: &'static str,
    pub sign_in_expired: &'static str,
    pub sign_in_unavailable: &'static str,
    pub sign_in_blocked: &'static str,
    pub refused_too_long: &'static str,
    pub refused_attributes: &'static str,
    pub refused_forbidden: &'static str,
    pub refused_bad_request: &'static str,
    pub refused_read_only: &'static str,
    pub refused_server: &'static str,
    pub refused_other: &'static str,
    pub unreachable: &'static str,
    pub hint_unreachable: &'static str,
    pub start_new_chat: &'static str,
    pub chat_options: &'static str,
    pub clear_conversation: &'static str,
    /// The chat menu's way to sign in at the site's provider, and out.
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub clear_confirm: &'static str,
    pub clear_yes: &'static str,
    pub cancel: &'static str,
    pub quick_replies: &'static str,
    pub cards: &'static str,
    /// How many choices a message offers, as the announcer says it.
    pub choices: Plural,
    pub attach_file: &'static str,
    /// `{name}` is the file's name, here and below.
    pub remove_file: &'static str,
    pub uploading: &'static str,
    pub upload_ready: &'static str,
    pub upload_type_refused: &'static str,
    /// `{max}` is the largest size the deployment takes.
    pub upload_too_large_max: &'static str,
    pub upload_too_large: &'static str,
    pub upload_content_refused: &'static str,
    pub upload_name_refused: &'static str,
    pub upload_name_too_long: &'static str,
    pub upload_empty: &'static str,
    pub upload_interrupted: &'static str,
    pub upload_refused: &'static str,
    /// The offer of notifications, inside the panel (`data-notify`), and its button.
    pub notify_offer: &'static str,
    pub notify_turn_on: &'static str,
    /// A system notification's title.
    pub notification_title: &'static str,
}

/// `template` with each `{name}` among `values` replaced by its value, in one pass, so
/// that a value is never searched for placeholders itself: an agent called "{text}"
/// keeps that name, where chained `str::replace` calls would put the message there.
fn fill_in(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let placeholder = values.iter().find_map(|(name, value)| {
            let tail = after.strip_prefix(name)?.strip_prefix('}')?;
            Some((*value, tail))
        });
        match placeholder {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `template` with its `{name}` filled in.
pub fn fill_name(template: &str, name: &str) -> String {
    fill_in(template, &[("name", name)])
}

fn fill(template: &str, n: impl std::fmt::Display) -> String {
    fill_in(template, &[("n", &n.to_string())])
}

impl Strings {
    /// A line the core put in the transcript, worded when shown: a conversation
    /// restored under another language reads in the current one.
    pub fn system_line(&self, line: &SystemLine) -> String {
        match *line {
            SystemLine::ChatConnected => self.chat_connected.into(),
            SystemLine::ChatEnded => self.chat_ended.into(),
            SystemLine::SessionRenewed => self.session_renewed.into(),
            SystemLine::Queued { position: Some(p) } => fill(self.queued_position, p),
            SystemLine::Queued { position: None } => self.queued.into(),
            SystemLine::AgentConnected => self.connected_agent.into(),
            SystemLine::NewChat => self.new_chat_line.into(),
            SystemLine::SignedIn => self.signed_in_line.into(),
            SystemLine::SignedOut => self.signed_out_line.into(),
            SystemLine::SignInFailed { why } => match why {
                AuthFailure::CodeRefused => self.sign_in_refused.into(),
                AuthFailure::Expired => self.sign_in_expired.into(),
                AuthFailure::Unavailable => self.sign_in_unavailable.into(),
                AuthFailure::WindowBlocked => self.sign_in_blocked.into(),
            },
            SystemLine::Refused { code } => match code {
                4011 => self.refused_too_long.into(),
                4013 => self.refused_attributes.into(),
                403 => self.refused_forbidden.into(),
                400 | 4020 => self.refused_bad_request.into(),
                409 => self.refused_read_only.into(),
                5000 => self.refused_server.into(),
                _ => fill(self.refused_other, code),
            },
        }
    }

    /// The text of a transcript entry as the visitor reads it. Lines kept by an older
    /// version carry their words instead of a typed line.
    pub fn entry_text(&self, entry: &Entry) -> String {
        match (&entry.kind, &entry.system) {
            (EntryKind::System, Some(line)) => self.system_line(line),
            _ => entry.text.to_string(),
        }
    }

    /// What to do about a failure the status line reports; nothing while all is well.
    pub fn hint(&self, connection: &Connection) -> Option<String> {
        match connection {
            Connection::SessionFailed(failure) => Some(self.failure_hint(failure)),
            Connection::GaveUp => Some(self.hint_gave_up.into()),
            Connection::Displaced => Some(self.hint_displaced.into()),
            Connection::Unreachable => Some(self.hint_unreachable.into()),
            _ => None,
        }
    }

    /// Plain-language advice for a failed session request.
    pub fn failure_hint(&self, failure: &RestFailure) -> String {
        match failure.status {
            None => self.hint_network.into(),
            Some(401) => self.hint_401.into(),
            Some(403) => self.hint_403.into(),
            Some(404) => self.hint_404.into(),
            Some(429) => match failure.retry_after_s {
                Some(s) => fill(self.hint_429_in, s),
                None => self.hint_429.into(),
            },
            Some(s) if s >= 500 => self.hint_5xx.into(),
            Some(s) if s < 300 => self.hint_2xx.into(),
            Some(_) => self.hint_other.into(),
        }
    }

    /// The status line above the transcript.
    pub fn status_line(&self, connection: &Connection) -> String {
        match connection {
            Connection::Idle => String::new(),
            Connection::CreatingSession => self.creating_session.into(),
            Connection::Connecting => self.connecting.into(),
            Connection::Connected => self.connected.into(),
            Connection::Disconnected { delay_ms, .. } => {
                fill(self.disconnected_in, delay_ms.div_ceil(1000))
            }
            Connection::Reconnecting { attempt } => fill(self.reconnecting, attempt),
            Connection::GaveUp => self.gave_up.into(),
            Connection::Displaced => self.displaced.into(),
            Connection::Unreachable => self.unreachable.into(),
            Connection::Ended => self.ended.into(),
            Connection::Offline => self.offline.into(),
            Connection::SessionFailed(failure) => {
                let status = match failure.status {
                    Some(code) => format!("HTTP {code}"),
                    None => self.network_error.into(),
                };
                let server = &failure.server_text;
                let template = if server.is_empty() {
                    self.start_failed
                } else {
                    self.start_failed_with
                };
                fill_in(template, &[("status", &status), ("server", server)])
            }
        }
    }

    /// "3 unread messages", in the form the language's plural rule picks.
    /// What the attached file's state is, in words; `max` is the deployment's largest
    /// size, worded, when it names one.
    pub fn upload_state(&self, file: &PendingFile, max: Option<&str>) -> String {
        let template = match file.stage {
            UploadStage::Asking | UploadStage::Uploading { .. } => self.uploading,
            UploadStage::Ready => self.upload_ready,
            UploadStage::Failed(problem) => match problem {
                UploadProblem::TypeRefused => self.upload_type_refused,
                UploadProblem::TooLarge if max.is_some() => self.upload_too_large_max,
                UploadProblem::TooLarge => self.upload_too_large,
                UploadProblem::ContentRefused => self.upload_content_refused,
                UploadProblem::NameRefused => self.upload_name_refused,
                UploadProblem::NameTooLong => self.upload_name_too_long,
                UploadProblem::Empty => self.upload_empty,
                UploadProblem::Interrupted => self.upload_interrupted,
                UploadProblem::Refused => self.upload_refused,
            },
        };
        fill_in(
            template,
            &[
                ("name", file.name.as_str()),
                ("max", max.unwrap_or_default()),
            ],
        )
    }

    pub fn choices_label(&self, count: u32) -> String {
        fill(self.choices.pick(self.plural_rule.category(count)), count)
    }

    pub fn unread_label(&self, count: u32) -> String {
        fill(self.unread.pick(self.plural_rule.category(count)), count)
    }

    /// The launcher's accessible name. It holds the count the badge shows, so a speech
    /// user can say what they see and a screen reader hears that messages wait.
    pub fn launcher_label(&self, open: bool, unread: u32) -> String {
        if open {
            self.close_chat.into()
        } else if unread == 0 {
            self.open_chat.into()
        } else {
            fill_in(
                self.launcher_unread,
                &[
                    ("action", self.open_chat),
                    ("unread", &self.unread_label(unread)),
                ],
            )
        }
    }

    /// What a screen reader hears for a new agent message.
    pub fn agent_says(&self, name: Option<&str>, text: &str) -> String {
        fill_in(
            self.agent_says,
            &[("name", name.unwrap_or(self.agent)), ("text", text)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_values_are_not_searched_again() {
        assert_eq!(
            EN.agent_says(Some("{text}"), "hi {name}"),
            "{text} says: hi {name}"
        );
        assert_eq!(
            fill_in("{a} and {b}", &[("a", "{b}"), ("b", "2")]),
            "{b} and 2"
        );
        assert_eq!(fill_in("{unknown} {n", &[("n", "1")]), "{unknown} {n");
        assert_eq!(fill_in("no placeholders", &[("n", "1")]), "no placeholders");
        assert_eq!(fill_in("{n}{n}", &[("n", "é")]), "éé");
        assert_eq!(fill("{n} ث", 7), "7 ث");
    }

    #[test]
    fn the_browser_language_picks_the_catalog_by_primary_subtag() {
        assert_eq!(Locale::negotiate(["de-AT", "en"]), Locale::De);
        assert_eq!(Locale::negotiate(["fr-FR", "ar-EG"]), Locale::Ar);
        assert_eq!(Locale::negotiate(["ES"]), Locale::Es);
        assert_eq!(Locale::negotiate(["fr", "it"]), Locale::En);
        assert_eq!(Locale::negotiate([]), Locale::En);
    }

    #[test]
    fn the_deployment_limits_the_browser_languages_and_gives_the_fallback() {
        let browser = ["fr-FR".to_string(), "es-MX".to_string(), "en".to_string()];
        let offered = ["en-us".to_string(), "de".to_string()];
        assert_eq!(Locale::choose(None, &browser, &[], None), Locale::Es);
        assert_eq!(
            Locale::choose(None, &browser, &offered, Some("de")),
            Locale::En
        );
        let french = ["fr".to_string()];
        assert_eq!(
            Locale::choose(None, &french, &offered, Some("de")),
            Locale::De
        );
        assert_eq!(
            Locale::choose(None, &french, &offered, Some("ja")),
            Locale::En
        );
        assert_eq!(
            Locale::choose(Some("ar"), &browser, &offered, Some("de")),
            Locale::Ar
        );
        assert!(Locale::Ar.is_rtl() && !Locale::De.is_rtl());
    }

    #[test]
    fn every_catalog_fills_its_placeholders() {
        for locale in [Locale::En, Locale::Es, Locale::De, Locale::Ar] {
            let s = locale.strings();
            let line = s.system_line(&SystemLine::Queued { position: Some(7) });
            assert!(
                line.contains('7') && !line.contains('{'),
                "{locale:?}: {line}"
            );
            let status = s.status_line(&Connection::Disconnected {
                attempt: 1,
                delay_ms: 2500,
            });
            assert!(
                status.contains('3') && !status.contains('{'),
                "{locale:?}: {status}"
            );
            let failed = s.status_line(&Connection::SessionFailed(RestFailure::new(
                Some(503),
                "down",
                None,
            )));
            assert!(
                failed.contains("HTTP 503") && failed.contains("down"),
                "{locale:?}: {failed}"
            );
            assert!(!s.unread_label(4).contains('{'));
            let said = s.agent_says(Some("Sam"), "hi");
            assert!(said.contains("Sam") && said.contains("hi"));
            assert!(!s
                .failure_hint(&RestFailure::new(Some(429), "", Some(9)))
                .contains('{'));
        }
    }

    #[test]
    fn arabic_counts_take_their_plural_form() {
        let forms: Vec<_> = [1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111, 1000]
            .into_iter()
            .map(|n| PluralRule::Arabic.category(n))
            .collect();
        use PluralCategory::*;
        assert_eq!(
            forms,
            [One, Two, Few, Few, Many, Many, Other, Other, Other, Few, Many, Other]
        );
        assert_eq!(AR.unread_label(2), "رسالتان غير مقروءتين: 2");
        assert_eq!(AR.unread_label(5), "5 رسائل غير مقروءة");
        assert_eq!(AR.unread_label(12), "12 رسالة غير مقروءة");
        assert_eq!(PluralRule::OneOther.category(1), One);
        assert_eq!(PluralRule::OneOther.category(0), Other);
        assert_eq!(PluralRule::OneOther.category(21), Other);
    }

    #[test]
    fn the_launcher_names_its_action_and_the_waiting_messages() {
        assert_eq!(EN.launcher_label(false, 0), "Open chat");
        assert_eq!(EN.launcher_label(false, 1), "Open chat, 1 unread message");
        assert_eq!(EN.launcher_label(false, 3), "Open chat, 3 unread messages");
        assert_eq!(EN.launcher_label(true, 0), "Close chat");
        assert_eq!(
            DE.launcher_label(false, 1),
            "Chat öffnen, 1 ungelesene Nachricht"
        );
        assert_eq!(
            ES.launcher_label(false, 2),
            "Abrir el chat, 2 mensajes sin leer"
        );
        assert_eq!(
            AR.launcher_label(false, 1),
            "فتح الدردشة، رسالة غير مقروءة: 1"
        );
        for locale in [Locale::En, Locale::Es, Locale::De, Locale::Ar] {
            let s = locale.strings();
            for n in 1..=120 {
                let label = s.launcher_label(false, n);
                assert!(
                    label.starts_with(s.open_chat) && !label.contains('{'),
                    "{locale:?} {n}: {label}"
                );
                // The badge's digits are the button's visible label: the name holds them
                // in every form, or a speech user's "click 3" finds nothing.
                assert!(label.contains(&n.to_string()), "{locale:?} {n}: {label}");
            }
        }
    }

    fn failure(status: Option<u16>, retry_after_s: Option<u32>) -> RestFailure {
        RestFailure::new(status, "", retry_after_s)
    }

    /// Every connection state and failure the status bar can show.
    fn every_connection() -> Vec<Connection> {
        let mut all = vec![
            Connection::Idle,
            Connection::CreatingSession,
            Connection::Connecting,
            Connection::Connected,
            Connection::Disconnected {
                attempt: 2,
                delay_ms: 1500,
            },
            Connection::Reconnecting { attempt: 3 },
            Connection::GaveUp,
            Connection::Displaced,
            Connection::Unreachable,
            Connection::Ended,
            Connection::Offline,
        ];
        let statuses = [None, Some(200), Some(302), Some(400), Some(401), Some(403)];
        let more = [Some(404), Some(429), Some(500), Some(503)];
        for status in statuses.into_iter().chain(more) {
            all.push(Connection::SessionFailed(failure(status, None)));
        }
        all.push(Connection::SessionFailed(failure(Some(429), Some(9))));
        all.push(Connection::SessionFailed(RestFailure::new(
            Some(503),
            "maintenance",
            None,
        )));
        all
    }

    fn every_system_line() -> Vec<SystemLine> {
        vec![
            SystemLine::ChatConnected,
            SystemLine::ChatEnded,
            SystemLine::SessionRenewed,
            SystemLine::Queued { position: Some(4) },
            SystemLine::Queued { position: None },
            SystemLine::AgentConnected,
            SystemLine::NewChat,
            SystemLine::SignedIn,
            SystemLine::SignedOut,
            SystemLine::SignInFailed {
                why: AuthFailure::CodeRefused,
            },
            SystemLine::SignInFailed {
                why: AuthFailure::Expired,
            },
            SystemLine::SignInFailed {
                why: AuthFailure::Unavailable,
            },
            SystemLine::SignInFailed {
                why: AuthFailure::WindowBlocked,
            },
            SystemLine::Refused { code: 4011 },
            SystemLine::Refused { code: 4013 },
            SystemLine::Refused { code: 403 },
            SystemLine::Refused { code: 400 },
            SystemLine::Refused { code: 409 },
            SystemLine::Refused { code: 5000 },
            SystemLine::Refused { code: 4008 },
        ]
    }

    /// Everything a catalog words for the status bar and the transcript.
    fn everything_worded(s: &Strings) -> Vec<(String, String)> {
        let mut out = vec![];
        for c in every_connection() {
            out.push((format!("status {c:?}"), s.status_line(&c)));
            if let Some(hint) = s.hint(&c) {
                out.push((format!("hint {c:?}"), hint));
            }
        }
        for line in every_system_line() {
            out.push((format!("{line:?}"), s.system_line(&line)));
        }
        out
    }

    #[test]
    fn every_state_failure_and_line_is_worded_by_the_visitors_catalog() {
        let english = everything_worded(&EN);
        for (what, text) in &english {
            assert!(!text.contains('{'), "{what}: {text}");
        }
        for locale in [Locale::Es, Locale::De, Locale::Ar] {
            let theirs = everything_worded(locale.strings());
            assert_eq!(
                theirs.len(),
                english.len(),
                "{locale:?}: hints for the same states"
            );
            for ((what, text), (_, in_english)) in theirs.iter().zip(&english) {
                assert!(!text.contains('{'), "{locale:?} {what}: {text}");
                if !in_english.is_empty() {
                    assert_ne!(text, in_english, "{locale:?} {what} is English");
                }
            }
        }
    }

    #[test]
    fn failures_are_worded_with_advice() {
        assert_eq!(
            EN.status_line(&Connection::SessionFailed(RestFailure::new(
                Some(401),
                "bad token",
                None
            ))),
            "Could not start the chat (HTTP 401: bad token)."
        );
        let hint = |status, retry| EN.failure_hint(&failure(status, retry));
        assert!(hint(Some(401), None).contains("webmessaging:guest"));
        assert!(hint(None, None).contains("could not be reached"));
        assert!(hint(Some(403), None).contains("organization"));
        assert!(hint(Some(429), Some(7)).contains("7 s"));
        assert!(hint(Some(503), None).contains("having trouble"));
        assert_eq!(
            EN.hint(&Connection::GaveUp).as_deref(),
            Some(EN.hint_gave_up)
        );
        assert_eq!(EN.hint(&Connection::Connected), None);
    }

    #[test]
    fn typed_lines_read_in_the_current_language_and_old_worded_ones_as_kept() {
        let mut entry = Entry {
            id: 1,
            kind: EntryKind::System,
            text: "".into(),
            delivery: None,
            client_id: None,
            agent_name: None,
            system: Some(SystemLine::ChatEnded),
            at_ms: 0.0,
            server_id: None,
            offer: None,
            answered: false,
            answer: None,
        };
        assert_eq!(DE.entry_text(&entry), DE.chat_ended);
        assert_eq!(AR.entry_text(&entry), AR.chat_ended);
        entry.system = None;
        entry.text = "Chat connected. You can start typing.".into();
        assert_eq!(
            ES.entry_text(&entry),
            "Chat connected. You can start typing."
        );
    }

    #[test]
    fn catalogs_differ_from_english_where_they_should() {
        assert_ne!(ES.send, EN.send);
        assert_ne!(DE.chat_connected, EN.chat_connected);
        assert_ne!(AR.placeholder, EN.placeholder);
    }
}
