//! A deployment's `config.json` (`GET https://api-cdn.{domain}/webdeployments/v1/
//! deployments/{id}/config.json`), read into the core's [`Deployment`]. Only the fields
//! the official SDKs read are named (see docs/protocol-genesys.md); every one may be
//! missing, which leaves the widget's default. A field of the wrong type makes the
//! whole file unreadable: the caller then warns and keeps the defaults.

use crate::core::{Colour, Deployment, FeatureChoices, LauncherVisibility};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ConfigFile {
    languages: Vec<String>,
    default_language: Option<String>,
    messenger: Option<Messenger>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Messenger {
    enabled: Option<bool>,
    styles: Option<Styles>,
    launcher_button: Option<LauncherButton>,
    apps: Option<Apps>,
    file_upload: Option<FileUpload>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Styles {
    primary_color: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LauncherButton {
    visibility: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Apps {
    conversations: Option<Conversations>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Conversations {
    show_agent_typing_indicator: Option<bool>,
    conversation_clear: Option<Switch>,
    humanize: Option<Switch>,
    markdown: Option<Switch>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Switch {
    enabled: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FileUpload {
    modes: Vec<serde::de::IgnoredAny>,
}

/// The deployment's settings, or why `text` is not a configuration.
pub fn read_deployment(text: &str) -> Result<Deployment, String> {
    let file: ConfigFile = serde_json::from_str(text).map_err(|err| err.to_string())?;
    let messenger = file.messenger.unwrap_or_default();
    let conversations = messenger
        .apps
        .and_then(|apps| apps.conversations)
        .unwrap_or_default();
    // A colour or visibility the widget cannot use is left out, not guessed at.
    let accent = messenger
        .styles
        .and_then(|styles| styles.primary_color)
        .and_then(|colour| Colour::parse(&colour));
    let launcher = messenger
        .launcher_button
        .and_then(|button| button.visibility)
        .and_then(|word| LauncherVisibility::parse(&word));
    Ok(Deployment {
        enabled: messenger.enabled,
        accent,
        launcher,
        languages: file.languages,
        default_language: file.default_language,
        features: FeatureChoices {
            clear_conversation: conversations.conversation_clear.and_then(|s| s.enabled),
            agent_typing: conversations.show_agent_typing_indicator,
            // Admin lists the kinds of file a visitor may send; none listed, none sent.
            file_upload: messenger.file_upload.map(|upload| !upload.modes.is_empty()),
            agent_names: conversations.humanize.and_then(|s| s.enabled),
            markdown: conversations.markdown.and_then(|s| s.enabled),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_the_widget_uses_is_read() {
        let deployment = read_deployment(
            r##"{
              "id": "d-1", "version": "3", "status": "Active",
              "languages": ["en-us", "de"], "defaultLanguage": "de",
              "messenger": {
                "enabled": true,
                "styles": { "primaryColor": "#0A7D3B" },
                "launcherButton": { "visibility": "OnDemand" },
                "apps": { "conversations": {
                  "enabled": true,
                  "showAgentTypingIndicator": false,
                  "conversationClear": { "enabled": false },
                  "humanize": { "enabled": true, "bot": { "name": "Ava" } },
                  "markdown": { "enabled": false }
                } },
                "fileUpload": { "modes": [] },
                "homeScreen": { "enabled": false }
              },
              "journeyEvents": { "enabled": false }
            }"##,
        )
        .unwrap();
        assert_eq!(deployment.enabled, Some(true));
        assert_eq!(deployment.accent, Colour::parse("#0a7d3b"));
        assert_eq!(deployment.launcher, Some(LauncherVisibility::OnDemand));
        assert_eq!(deployment.languages, ["en-us", "de"]);
        assert_eq!(deployment.default_language.as_deref(), Some("de"));
        assert_eq!(
            deployment.features,
            FeatureChoices {
                clear_conversation: Some(false),
                agent_typing: Some(false),
                file_upload: Some(false),
                agent_names: Some(true),
                markdown: Some(false),
            }
        );
    }

    #[test]
    fn what_the_file_leaves_out_stays_the_widgets() {
        assert_eq!(read_deployment("{}").unwrap(), Deployment::default());
        let some = read_deployment(
            r#"{"messenger": {"fileUpload": {"modes": [{"fileTypes": ["image/png"]}]}, "apps": {}}}"#,
        )
        .unwrap();
        assert_eq!(some.features.file_upload, Some(true));
        assert_eq!(some.features.agent_typing, None);
    }

    #[test]
    fn a_colour_or_visibility_the_widget_cannot_use_is_ignored() {
        let odd = read_deployment(
            r#"{"messenger": {"styles": {"primaryColor": "red;background:url(x)"},
                              "launcherButton": {"visibility": "Sometimes"}}}"#,
        )
        .unwrap();
        assert_eq!(odd.accent, None);
        assert_eq!(odd.launcher, None);
    }

    #[test]
    fn a_broken_file_is_an_error_not_a_guess() {
        for broken in [
            "",
            "<html>503</html>",
            "[1, 2]",
            r#"{"messenger": {"enabled": "yes"}}"#,
        ] {
            assert!(read_deployment(broken).is_err(), "{broken:?}");
        }
    }
}
