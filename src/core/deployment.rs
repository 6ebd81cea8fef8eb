//! What a Genesys Cloud deployment's own configuration (Admin → Messenger
//! Configurations, served as its `config.json`) decides for the widget, and how the
//! tag's `data-` attributes override it.

/// Whether the launcher button is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LauncherVisibility {
    On,
    /// Never drawn; the page opens the chat itself (`Messenger.open`, `GuestChat.open()`).
    Off,
    /// Drawn once the page asks for it (`Launcher.show`) or the chat has been opened.
    OnDemand,
}

impl LauncherVisibility {
    /// `data-launcher`'s words and Messenger's (`On`, `Off`, `OnDemand`).
    pub fn parse(word: &str) -> Option<LauncherVisibility> {
        match word.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "on" => Some(LauncherVisibility::On),
            "off" => Some(LauncherVisibility::Off),
            "ondemand" => Some(LauncherVisibility::OnDemand),
            _ => None,
        }
    }
}

/// The deployment's settings the widget reads; `None` where `config.json` is silent,
/// which leaves the widget's own default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `messenger.enabled`: a deployment switched off shows no launcher.
    pub enabled: Option<bool>,
    pub accent: Option<Colour>,
    pub launcher: Option<LauncherVisibility>,
    /// Language tags as Genesys writes them (`en-us`, `es`).
    pub languages: Vec<String>,
    pub default_language: Option<String>,
    pub features: FeatureChoices,
}

/// Each feature on, off, or left to the next source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeatureChoices {
    pub clear_conversation: Option<bool>,
    pub agent_typing: Option<bool>,
    pub file_upload: Option<bool>,
    /// Messenger's "humanize": the agent's own name over their messages.
    pub agent_names: Option<bool>,
    /// Agents' and bots' text read as Markdown.
    pub markdown: Option<bool>,
}

impl FeatureChoices {
    /// These choices where made, `other`'s elsewhere.
    pub fn or(self, other: FeatureChoices) -> FeatureChoices {
        FeatureChoices {
            clear_conversation: self.clear_conversation.or(other.clear_conversation),
            agent_typing: self.agent_typing.or(other.agent_typing),
            file_upload: self.file_upload.or(other.file_upload),
            agent_names: self.agent_names.or(other.agent_names),
            markdown: self.markdown.or(other.markdown),
        }
    }

    /// Every feature the widget has is on unless switched off.
    pub fn resolve(self) -> Features {
        Features {
            clear_conversation: self.clear_conversation.unwrap_or(true),
            agent_typing: self.agent_typing.unwrap_or(true),
            file_upload: self.file_upload.unwrap_or(true),
            agent_names: self.agent_names.unwrap_or(true),
            markdown: self.markdown.unwrap_or(true),
        }
    }
}

/// What the widget offers and shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    pub clear_conversation: bool,
    pub agent_typing: bool,
    /// Whether the visitor may attach files at all; what the session allows still applies.
    pub file_upload: bool,
    pub agent_names: bool,
    pub markdown: bool,
}

impl Default for Features {
    fn default() -> Self {
        FeatureChoices::default().resolve()
    }
}

/// A colour written `#rgb` or `#rrggbb`: nothing else can reach a style property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour([u8; 3]);

impl Colour {
    pub fn parse(text: &str) -> Option<Colour> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize, width: usize| u8::from_str_radix(&hex[i..i + width], 16).ok();
        match hex.len() {
            3 => Some(Colour([
                digit(0, 1)? * 17,
                digit(1, 1)? * 17,
                digit(2, 1)? * 17,
            ])),
            6 => Some(Colour([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?])),
            _ => None,
        }
    }

    pub fn css(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// White or near-black, whichever reads better on this colour (WCAG's contrast).
    pub fn text_on(self) -> &'static str {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        let with_white = 1.05 / (luminance + 0.05);
        let with_black = (luminance + 0.05) / 0.05;
        if with_white >= with_black {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_only() {
        assert_eq!(
            Colour::parse("#0A7").map(Colour::css),
            Some("#00aa77".into())
        );
        assert_eq!(
            Colour::parse(" #c01048 ").map(Colour::css),
            Some("#c01048".into())
        );
        for bad in ["red", "#12345", "#ggg", "#fff;background:url(x)", "", "#"] {
            assert_eq!(Colour::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn text_on_a_colour_is_the_readable_one() {
        assert_eq!(Colour::parse("#1f6feb").unwrap().text_on(), "#ffffff");
        assert_eq!(Colour::parse("#ffd500").unwrap().text_on(), "#111111");
        assert_eq!(Colour::parse("#000").unwrap().text_on(), "#ffffff");
    }

    #[test]
    fn launcher_words_of_both_sources() {
        assert_eq!(
            LauncherVisibility::parse("OnDemand"),
            Some(LauncherVisibility::OnDemand)
        );
        assert_eq!(
            LauncherVisibility::parse("on-demand"),
            Some(LauncherVisibility::OnDemand)
        );
        assert_eq!(
            LauncherVisibility::parse("Off"),
            Some(LauncherVisibility::Off)
        );
        assert_eq!(LauncherVisibility::parse("sometimes"), None);
    }

    #[test]
    fn the_first_source_that_chose_wins_and_the_rest_are_on() {
        let tag = FeatureChoices {
            agent_typing: Some(true),
            ..Default::default()
        };
        let deployment = FeatureChoices {
            agent_typing: Some(false),
            clear_conversation: Some(false),
            ..Default::default()
        };
        let features = tag.or(deployment).resolve();
        assert!(features.agent_typing);
        assert!(!features.clear_conversation);
        assert!(features.file_upload && features.agent_names && features.markdown);
    }
}
