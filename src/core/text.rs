//! Every sentence the widget shows, in every language it speaks. A catalog is a plain
//! struct of static strings (placeholders in braces), so adding a language is adding a
//! value, and the whole cost in the bundle is the text itself.

use super::chat::{Connection, RestFailure, Routing};

/// A language the widget ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Es,
    De,
    Ar,
}

impl Locale {
    /// The first of `preferred` (a `data-locale` value, then the browser's languages) that
    /// the widget speaks, by primary language subtag; English otherwise.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        preferred
            .into_iter()
            .find_map(|tag| {
                let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
                match primary.as_str() {
                    "en" => Some(Locale::En),
                    "es" => Some(Locale::Es),
                    "de" => Some(Locale::De),
                    "ar" => Some(Locale::Ar),
                    _ => None,
                }
            })
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
}

pub static EN: Strings = Strings {
    chat_label: "Chat",
    chat_title: "Chat with us",
    open_chat: "Open chat",
    close_chat: "Close chat",
    plural_rule: PluralRule::OneOther,
    unread: Plural {
        one: "1 unread message",
        two: "{n} unread messages",
        few: "{n} unread messages",
        many: "{n} unread messages",
        other: "{n} unread messages",
    },
    launcher_unread: "{action}, {unread}",
    message_label: "Message",
    placeholder: "Type a message…",
    send: "Send",
    retry: "Try again",
    retry_message: "Retry",
    new_messages: "New messages",
    agent_typing: "Agent is typing…",
    you: "You",
    agent: "Agent",
    agent_says: "{name} says: {text}",
    sending: "Sending…",
    sent: "Sent",
    delivered: "Delivered",
    not_delivered: "Not delivered",
    chat_connected: "Chat connected. You can start typing.",
    chat_ended: "The agent ended the chat.",
    session_renewed: "Your session expired, so a new conversation began.",
    queued: "You are in the queue.",
    queued_position: "You are in the queue (position {n}).",
    connected_agent: "Connected to an agent.",
    creating_session: "Creating session…",
    connecting: "Connecting…",
    connected: "Connected",
    disconnected_in: "Disconnected. Reconnecting in {n} s…",
    reconnecting: "Reconnecting… (attempt {n})",
    gave_up: "Could not reconnect.",
    ended: "Chat ended",
    offline: "Offline. Waiting for the network…",
    network_error: "network error",
    start_failed: "Could not start the chat ({status}).",
    start_failed_with: "Could not start the chat ({status}: {server}).",
    hint_network:
        "The chat service could not be reached. Check your internet connection, then try again.",
    hint_401: "The access token is invalid, expired, or lacks the webmessaging:guest scope.",
    hint_403:
        "This site is not allowed to start chats for this organization; check data-organization-id.",
    hint_404: "The session endpoint was not found; check data-session-url or data-api-base.",
    hint_429: "Too many chats are starting right now. Try again in a moment.",
    hint_429_in: "Too many chats are starting right now. Try again in {n} s.",
    hint_5xx: "The chat service is having trouble. Try again in a moment.",
    hint_2xx: "The session endpoint answered with something that is not a guest session.",
    hint_other: "The chat service refused the request.",
    hint_gave_up: "Check your internet connection, then try again.",
};

pub static ES: Strings = Strings {
    chat_label: "Chat",
    chat_title: "Chatea con nosotros",
    open_chat: "Abrir el chat",
    close_chat: "Cerrar el chat",
    plural_rule: PluralRule::OneOther,
    unread: Plural {
        one: "1 mensaje sin leer",
        two: "{n} mensajes sin leer",
        few: "{n} mensajes sin leer",
        many: "{n} mensajes sin leer",
        other: "{n} mensajes sin leer",
    },
    launcher_unread: "{action}, {unread}",
    message_label: "Mensaje",
    placeholder: "Escribe un mensaje…",
    send: "Enviar",
    retry: "Reintentar",
    retry_message: "Reintentar",
    new_messages: "Mensajes nuevos",
    agent_typing: "El agente está escribiendo…",
    you: "Tú",
    agent: "Agente",
    agent_says: "{name} dice: {text}",
    sending: "Enviando…",
    sent: "Enviado",
    delivered: "Entregado",
    not_delivered: "No entregado",
    chat_connected: "Chat conectado. Ya puedes escribir.",
    chat_ended: "El agente terminó el chat.",
    session_renewed: "Tu sesión caducó, así que empezó una conversación nueva.",
    queued: "Estás en la cola.",
    queued_position: "Estás en la cola (posición {n}).",
    connected_agent: "Conectado con un agente.",
    creating_session: "Creando la sesión…",
    connecting: "Conectando…",
    connected: "Conectado",
    disconnected_in: "Desconectado. Reconectando en {n} s…",
    reconnecting: "Reconectando… (intento {n})",
    gave_up: "No se pudo reconectar.",
    ended: "Chat terminado",
    offline: "Sin conexión. Esperando a la red…",
    network_error: "error de red",
    start_failed: "No se pudo iniciar el chat ({status}).",
    start_failed_with: "No se pudo iniciar el chat ({status}: {server}).",
    hint_network: "No se pudo contactar con el servicio de chat. Comprueba tu conexión a internet y vuelve a intentarlo.",
    hint_401: "El token de acceso no es válido, caducó o no tiene el permiso webmessaging:guest.",
    hint_403: "Este sitio no puede iniciar chats para esta organización; revisa data-organization-id.",
    hint_404: "No se encontró el punto de acceso de sesiones; revisa data-session-url o data-api-base.",
    hint_429: "Se están iniciando demasiados chats. Inténtalo de nuevo en un momento.",
    hint_429_in: "Se están iniciando demasiados chats. Inténtalo de nuevo en {n} s.",
    hint_5xx: "El servicio de chat tiene problemas. Inténtalo de nuevo en un momento.",
    hint_2xx: "El punto de acceso de sesiones respondió algo que no es una sesión de invitado.",
    hint_other: "El servicio de chat rechazó la solicitud.",
    hint_gave_up: "Comprueba tu conexión a internet y vuelve a intentarlo.",
};

pub static DE: Strings = Strings {
    chat_label: "Chat",
    chat_title: "Chatten Sie mit uns",
    open_chat: "Chat öffnen",
    close_chat: "Chat schließen",
    plural_rule: PluralRule::OneOther,
    unread: Plural {
        one: "1 ungelesene Nachricht",
        two: "{n} ungelesene Nachrichten",
        few: "{n} ungelesene Nachrichten",
        many: "{n} ungelesene Nachrichten",
        other: "{n} ungelesene Nachrichten",
    },
    launcher_unread: "{action}, {unread}",
    message_label: "Nachricht",
    placeholder: "Nachricht eingeben…",
    send: "Senden",
    retry: "Erneut versuchen",
    retry_message: "Erneut senden",
    new_messages: "Neue Nachrichten",
    agent_typing: "Der Mitarbeiter schreibt…",
    you: "Sie",
    agent: "Mitarbeiter",
    agent_says: "{name} schreibt: {text}",
    sending: "Wird gesendet…",
    sent: "Gesendet",
    delivered: "Zugestellt",
    not_delivered: "Nicht zugestellt",
    chat_connected: "Chat verbunden. Sie können jetzt schreiben.",
    chat_ended: "Der Mitarbeiter hat den Chat beendet.",
    session_renewed: "Ihre Sitzung ist abgelaufen, deshalb hat ein neues Gespräch begonnen.",
    queued: "Sie sind in der Warteschlange.",
    queued_position: "Sie sind in der Warteschlange (Position {n}).",
    connected_agent: "Mit einem Mitarbeiter verbunden.",
    creating_session: "Sitzung wird erstellt…",
    connecting: "Verbindung wird hergestellt…",
    connected: "Verbunden",
    disconnected_in: "Getrennt. Neuer Versuch in {n} s…",
    reconnecting: "Verbindung wird wiederhergestellt… (Versuch {n})",
    gave_up: "Die Verbindung konnte nicht wiederhergestellt werden.",
    ended: "Chat beendet",
    offline: "Offline. Warten auf das Netzwerk…",
    network_error: "Netzwerkfehler",
    start_failed: "Der Chat konnte nicht gestartet werden ({status}).",
    start_failed_with: "Der Chat konnte nicht gestartet werden ({status}: {server}).",
    hint_network: "Der Chat-Dienst ist nicht erreichbar. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.",
    hint_401: "Das Zugriffstoken ist ungültig, abgelaufen oder hat nicht die Berechtigung webmessaging:guest.",
    hint_403: "Diese Website darf keine Chats für diese Organisation starten; prüfen Sie data-organization-id.",
    hint_404: "Der Sitzungs-Endpunkt wurde nicht gefunden; prüfen Sie data-session-url oder data-api-base.",
    hint_429: "Gerade starten zu viele Chats. Versuchen Sie es gleich noch einmal.",
    hint_429_in: "Gerade starten zu viele Chats. Versuchen Sie es in {n} s erneut.",
    hint_5xx: "Der Chat-Dienst hat Probleme. Versuchen Sie es gleich noch einmal.",
    hint_2xx: "Der Sitzungs-Endpunkt hat etwas geantwortet, das keine Gastsitzung ist.",
    hint_other: "Der Chat-Dienst hat die Anfrage abgelehnt.",
    hint_gave_up: "Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.",
};

pub static AR: Strings = Strings {
    chat_label: "الدردشة",
    chat_title: "تحدث معنا",
    open_chat: "فتح الدردشة",
    close_chat: "إغلاق الدردشة",
    plural_rule: PluralRule::Arabic,
    unread: Plural {
        one: "رسالة غير مقروءة: 1",
        two: "رسالتان غير مقروءتين: 2",
        few: "{n} رسائل غير مقروءة",
        many: "{n} رسالة غير مقروءة",
        other: "{n} رسالة غير مقروءة",
    },
    launcher_unread: "{action}، {unread}",
    message_label: "الرسالة",
    placeholder: "اكتب رسالة…",
    send: "إرسال",
    retry: "حاول مرة أخرى",
    retry_message: "إعادة الإرسال",
    new_messages: "رسائل جديدة",
    agent_typing: "الموظف يكتب…",
    you: "أنت",
    agent: "الموظف",
    agent_says: "{name} يقول: {text}",
    sending: "جارٍ الإرسال…",
    sent: "أُرسلت",
    delivered: "وصلت",
    not_delivered: "لم تصل",
    chat_connected: "تم الاتصال بالدردشة. يمكنك البدء بالكتابة.",
    chat_ended: "أنهى الموظف الدردشة.",
    session_renewed: "انتهت صلاحية جلستك، لذلك بدأت محادثة جديدة.",
    queued: "أنت في قائمة الانتظار.",
    queued_position: "أنت في قائمة الانتظار (الترتيب {n}).",
    connected_agent: "تم توصيلك بموظف.",
    creating_session: "جارٍ إنشاء الجلسة…",
    connecting: "جارٍ الاتصال…",
    connected: "متصل",
    disconnected_in: "انقطع الاتصال. إعادة المحاولة خلال {n} ث…",
    reconnecting: "جارٍ إعادة الاتصال… (المحاولة {n})",
    gave_up: "تعذرت إعادة الاتصال.",
    ended: "انتهت الدردشة",
    offline: "لا يوجد اتصال. في انتظار الشبكة…",
    network_error: "خطأ في الشبكة",
    start_failed: "تعذر بدء الدردشة ({status}).",
    start_failed_with: "تعذر بدء الدردشة ({status}: {server}).",
    hint_network: "تعذر الوصول إلى خدمة الدردشة. تحقق من اتصالك بالإنترنت ثم حاول مرة أخرى.",
    hint_401: "رمز الوصول غير صالح أو منتهي الصلاحية أو لا يملك صلاحية webmessaging:guest.",
    hint_403: "لا يُسمح لهذا الموقع ببدء محادثات لهذه المؤسسة؛ تحقق من data-organization-id.",
    hint_404: "لم يُعثر على نقطة الجلسات؛ تحقق من data-session-url أو data-api-base.",
    hint_429: "هناك محادثات كثيرة تبدأ الآن. حاول مرة أخرى بعد قليل.",
    hint_429_in: "هناك محادثات كثيرة تبدأ الآن. حاول مرة أخرى خلال {n} ث.",
    hint_5xx: "تواجه خدمة الدردشة مشكلة. حاول مرة أخرى بعد قليل.",
    hint_2xx: "أجابت نقطة الجلسات بشيء ليس جلسة ضيف.",
    hint_other: "رفضت خدمة الدردشة الطلب.",
    hint_gave_up: "تحقق من اتصالك بالإنترنت ثم حاول مرة أخرى.",
};

/// `template` with each `{name}` among `values` replaced by its value, in one pass:
/// a value is never searched for placeholders itself (an agent called "{text}" keeps
/// that name). Slicing only through `split_once` and `strip_prefix` keeps the
/// standard library's slice-error formatting out of the widget.
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

/// `parts` with `separator` between them. Written out because the standard `join`
/// adds its own generic copy per element type to the widget.
pub(crate) fn join_with<'a>(parts: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

fn fill(template: &str, n: impl std::fmt::Display) -> String {
    fill_in(template, &[("n", &n.to_string())])
}

impl Strings {
    pub fn routing_line(&self, routing: Routing) -> String {
        match routing {
            Routing::Queued { position: Some(p) } => fill(self.queued_position, p),
            Routing::Queued { position: None } => self.queued.to_string(),
            Routing::Connected => self.connected_agent.to_string(),
            Routing::Unknown => String::new(),
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
            Connection::Ended => self.ended.into(),
            Connection::Offline => self.offline.into(),
            Connection::SessionFailed(failure) => {
                let status = match failure.status {
                    Some(code) => format!("HTTP {code}"),
                    None => self.network_error.into(),
                };
                let server = failure.server_text();
                let template = if server.is_empty() {
                    self.start_failed
                } else {
                    self.start_failed_with
                };
                fill_in(template, &[("status", &status), ("server", &server)])
            }
        }
    }

    /// "3 unread messages", in the form the language's plural rule picks.
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
    fn parts_are_joined_with_the_separator_between_them() {
        assert_eq!(
            join_with(["You", "10:04", "Delivered"], " · "),
            "You · 10:04 · Delivered"
        );
        assert_eq!(join_with(["only"], ", "), "only");
        assert_eq!(join_with([], ", "), "");
    }

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
        assert!(Locale::Ar.is_rtl() && !Locale::De.is_rtl());
    }

    #[test]
    fn every_catalog_fills_its_placeholders() {
        for locale in [Locale::En, Locale::Es, Locale::De, Locale::Ar] {
            let s = locale.strings();
            let line = s.routing_line(Routing::Queued { position: Some(7) });
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
            let failed = s.status_line(&Connection::SessionFailed(RestFailure {
                status: Some(503),
                body: "down".into(),
                retry_after_s: None,
            }));
            assert!(
                failed.contains("HTTP 503") && failed.contains("down"),
                "{locale:?}: {failed}"
            );
            assert!(!s.unread_label(4).contains('{'));
            let said = s.agent_says(Some("Sam"), "hi");
            assert!(said.contains("Sam") && said.contains("hi"));
            assert!(!s
                .failure_hint(&RestFailure {
                    status: Some(429),
                    body: String::new(),
                    retry_after_s: Some(9)
                })
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

    #[test]
    fn catalogs_differ_from_english_where_they_should() {
        assert_ne!(ES.send, EN.send);
        assert_ne!(DE.chat_connected, EN.chat_connected);
        assert_ne!(AR.placeholder, EN.placeholder);
    }
}
