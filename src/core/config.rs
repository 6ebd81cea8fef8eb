//! The widget's configuration, read from the mount element's `data-` attributes.

use std::collections::BTreeMap;

use super::auth::SignInPage;
use super::deployment::{Colour, Deployment, FeatureChoices, Features, LauncherVisibility};

pub const DEFAULT_REGION: &str = "us-east-1";

/// Where the guest session comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSource {
    /// A backend endpoint that holds the access token and returns a guest session (recommended).
    Backend { url: String },
    /// The page calls the Guest API itself with an access token (development only).
    Direct { access_token: String },
    /// Genesys Cloud Web Messaging: the widget makes its own session token and talks to
    /// the deployment's socket.
    Genesys { deployment_id: String },
}

/// Genesys Cloud's domain for each region key (docs/protocol-genesys.md).
pub const GENESYS_REGIONS: [(&str, &str); 17] = [
    ("us-east-1", "mypurecloud.com"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("us-west-2", "usw2.pure.cloud"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("eu-west-1", "mypurecloud.ie"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("eu-central-1", "mypurecloud.de"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("ap-southeast-2", "mypurecloud.com.au"),
    ("mx-central-1", "mxc1.pure.cloud"),
];

/// Where the conversation is kept across page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// `localStorage`: survives reloads and new tabs of the site.
    Local,
    /// `sessionStorage`: survives reloads of this tab only.
    Session,
    /// Nothing is kept.
    None,
}

/// Colour scheme of the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follows the visitor's `prefers-color-scheme`.
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Side of the page where the launcher sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Right,
    Left,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub organization_id: Option<String>,
    pub region: String,
    /// `https://…` origin of the REST API.
    pub api_base: String,
    /// `wss://…` origin of the WebSocket.
    pub ws_base: String,
    pub session: SessionSource,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub heartbeat_ms: u32,
    pub reconnect_base_ms: u32,
    pub reconnect_attempts: u32,
    pub session_timeout_ms: u32,
    pub persistence: Persistence,
    pub theme: Theme,
    pub side: Side,
    /// `data-locale` as given; without it the browser's languages choose.
    pub language: Option<String>,
    /// The languages the deployment offers (empty: every one the widget speaks), and
    /// the one for a visitor whose languages are none of them.
    pub languages: Vec<String>,
    pub default_language: Option<String>,
    pub accent: Option<Colour>,
    pub launcher: Option<LauncherVisibility>,
    /// A sound and a system notification for agents' messages while the visitor is
    /// away, once they allow it from inside the panel (`data-notify`).
    pub notify: bool,
    pub features: FeatureChoices,
    /// The site's identity provider, where the widget may run the sign-in itself.
    pub sign_in_page: Option<SignInPage>,
}

/// A configuration the widget cannot start with; shown in the widget as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The domain a Genesys Messenger snippet's `environment` names: `prod` is us-east-1,
/// the regions of the older domains have their own names, and every other one is
/// `prod-` and the first label of its `pure.cloud` domain (`prod-euw2`).
fn messenger_environment(name: &str) -> Option<&'static str> {
    let short = match name.to_ascii_lowercase().as_str() {
        "prod" => return Some("mypurecloud.com"),
        "prod-euw1" => return Some("mypurecloud.ie"),
        "prod-euc1" => return Some("mypurecloud.de"),
        "prod-apse2" => return Some("mypurecloud.com.au"),
        "prod-apne1" => return Some("mypurecloud.jp"),
        other => other.strip_prefix("prod-")?.to_string(),
    };
    GENESYS_REGIONS
        .iter()
        .map(|(_, domain)| *domain)
        .find(|domain| {
            domain.split('.').next() == Some(short.as_str()) && domain.contains("pure.cloud")
        })
}

/// The Genesys Cloud domain: `data-environment` as given (a domain, or Messenger's
/// short name for one), else the region's.
fn genesys_domain(environment: Option<String>, region: &str) -> Result<String, ConfigError> {
    if let Some(domain) = environment.as_deref().and_then(messenger_environment) {
        return Ok(domain.to_string());
    }
    if let Some(domain) = environment {
        let plausible = domain.contains('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        return if plausible {
            Ok(domain.to_ascii_lowercase())
        } else {
            Err(ConfigError(format!(
                "data-environment must be a Genesys Cloud domain like \"mypurecloud.ie\" or a Messenger environment like \"prod-euw1\", but is \"{domain}\"."
            )))
        };
    }
    GENESYS_REGIONS
        .iter()
        .find(|(key, _)| *key == region)
        .map(|(_, domain)| domain.to_string())
        .ok_or_else(|| {
            ConfigError(format!(
                "data-region \"{region}\" is not a Genesys Cloud region; use one like \"eu-west-1\", or set data-environment to your domain."
            ))
        })
}

fn trim_base(url: String) -> String {
    url.trim().trim_end_matches('/').to_string()
}

fn check_scheme(name: &str, url: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    if schemes.iter().any(|s| url.starts_with(&format!("{s}://")))
        && url.len() > schemes[0].len() + 3
    {
        Ok(())
    } else {
        Err(ConfigError(format!(
            "{name} must be an absolute {} URL, but is \"{url}\".",
            schemes.join(" or ")
        )))
    }
}

fn number(
    attr: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: u32,
    min: u32,
) -> Result<u32, ConfigError> {
    match attr(name) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<u32>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(ConfigError(format!(
                "data-{name} must be a whole number of at least {min}, but is \"{raw}\"."
            ))),
        },
    }
}

/// One of a fixed set of words; absent means the first.
/// An `on`/`off` attribute (`true`/`false` too); `None` when absent.
fn switch(attr: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<bool>, ConfigError> {
    match attr(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(None),
        Some("on" | "true") => Ok(Some(true)),
        Some("off" | "false") => Ok(Some(false)),
        Some(other) => Err(ConfigError(format!(
            "data-{name} must be \"on\" or \"off\", but is \"{other}\"."
        ))),
    }
}

fn choice<T: Copy>(
    attr: &impl Fn(&str) -> Option<String>,
    name: &str,
    options: &[(&str, T)],
) -> Result<T, ConfigError> {
    let Some(raw) = attr(name) else {
        return Ok(options[0].1);
    };
    match options.iter().find(|(word, _)| *word == raw) {
        Some((_, value)) => Ok(*value),
        None => {
            let words: Vec<String> = options.iter().map(|(w, _)| format!("\"{w}\"")).collect();
            let (last, rest) = words.split_last().expect("at least one option");
            let listed = if rest.is_empty() {
                last.clone()
            } else {
                let rest = rest.join(", ");
                format!("{rest} or {last}")
            };
            Err(ConfigError(format!(
                "data-{name} must be {listed}, but is \"{raw}\"."
            )))
        }
    }
}

impl Config {
    /// Reads the configuration through `attr`, which answers a `data-` attribute by its
    /// name without the prefix (`"organization-id"`). Blank attributes count as absent.
    pub fn from_attributes(attr: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let attr = |name: &str| {
            attr(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let region = attr("region").unwrap_or_else(|| DEFAULT_REGION.to_string());
        if !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ConfigError(format!(
                "data-region must look like \"us-east-1\", but is \"{region}\"."
            )));
        }
        let deployment_id = attr("deployment-id");
        // An environment that is an address names a service of one's own (such as the
        // simulator) serving REST and the socket at one origin.
        let own_service = attr("environment").filter(|e| {
            deployment_id.is_some() && (e.starts_with("http://") || e.starts_with("https://"))
        });
        // The tutorial's hosts, or Genesys Cloud's for the region or environment.
        let domain = match (&deployment_id, &own_service) {
            (None, _) => format!("{region}.mygen.com"),
            (Some(_), Some(_)) => String::new(),
            (Some(_), None) => genesys_domain(attr("environment"), &region)?,
        };
        let api_base = trim_base(attr("api-base").unwrap_or_else(|| match &own_service {
            Some(origin) => origin.clone(),
            None => format!("https://api.{domain}"),
        }));
        let ws_base = trim_base(attr("ws-base").unwrap_or_else(|| match &own_service {
            Some(origin) => origin.replacen("http", "ws", 1),
            None => format!("wss://webmessaging.{domain}"),
        }));
        check_scheme("data-api-base", &api_base, &["https", "http"])?;
        check_scheme("data-ws-base", &ws_base, &["wss", "ws"])?;
        let organization_id = attr("organization-id");
        let session = match (attr("session-url"), attr("access-token")) {
            _ if deployment_id.is_some() => {
                if attr("session-url").is_some() || attr("access-token").is_some() {
                    return Err(ConfigError(
                        "Set data-deployment-id for Genesys Cloud, or data-session-url (or data-access-token) for the Guest API, not both."
                            .into(),
                    ));
                }
                SessionSource::Genesys {
                    deployment_id: deployment_id.clone().unwrap_or_default(),
                }
            }
            (Some(_), Some(_)) => {
                return Err(ConfigError(
                    "Set either data-session-url or data-access-token, not both: the session URL keeps the access token on your server."
                        .into(),
                ))
            }
            (Some(url), None) => SessionSource::Backend { url },
            (None, Some(access_token)) => {
                if organization_id.is_none() {
                    return Err(ConfigError(
                        "data-access-token needs data-organization-id too: the Guest API asks for the organization on every session."
                            .into(),
                    ));
                }
                SessionSource::Direct { access_token }
            }
            (None, None) => {
                return Err(ConfigError(
                    "The chat is not configured: set data-session-url to your backend's guest-session endpoint (or, for development only, data-access-token)."
                        .into(),
                ))
            }
        };
        let attributes = match attr("attributes") {
            None => BTreeMap::new(),
            Some(raw) => serde_json::from_str(&raw).map_err(|_| {
                ConfigError(
                    "data-attributes must be a JSON object of strings, like {\"plan\":\"pro\"}."
                        .into(),
                )
            })?,
        };
        let persistence = choice(
            &attr,
            "storage",
            &[
                ("local", Persistence::Local),
                ("session", Persistence::Session),
                ("none", Persistence::None),
            ],
        )?;
        let theme = choice(
            &attr,
            "theme",
            &[
                ("auto", Theme::Auto),
                ("light", Theme::Light),
                ("dark", Theme::Dark),
            ],
        )?;
        let side = choice(
            &attr,
            "position",
            &[("right", Side::Right), ("left", Side::Left)],
        )?;
        let accent = match attr("accent") {
            None => None,
            Some(raw) => Some(Colour::parse(&raw).ok_or_else(|| {
                ConfigError(format!(
                    "data-accent must be a colour like \"#1f6feb\", but is \"{raw}\"."
                ))
            })?),
        };
        let launcher = match attr("launcher") {
            None => None,
            Some(raw) => Some(LauncherVisibility::parse(&raw).ok_or_else(|| {
                ConfigError(format!(
                    "data-launcher must be \"on\", \"off\" or \"on-demand\", but is \"{raw}\"."
                ))
            })?),
        };
        let sign_in_page = match attr("auth-authorize-url") {
            None => None,
            Some(authorize_url) => {
                check_scheme(
                    "data-auth-authorize-url",
                    &authorize_url,
                    &["https", "http"],
                )?;
                if !matches!(session, SessionSource::Genesys { .. }) {
                    return Err(ConfigError(
                        "data-auth-authorize-url signs visitors in to Genesys Cloud: set data-deployment-id too."
                            .into(),
                    ));
                }
                let client_id = attr("auth-client-id").ok_or_else(|| {
                    ConfigError(
                        "data-auth-authorize-url needs data-auth-client-id: the client your identity provider registered for this site."
                            .into(),
                    )
                })?;
                let redirect_uri = attr("auth-redirect-uri");
                if let Some(uri) = &redirect_uri {
                    check_scheme("data-auth-redirect-uri", uri, &["https", "http"])?;
                }
                Some(SignInPage {
                    authorize_url,
                    client_id,
                    scope: attr("auth-scope").unwrap_or_else(|| "openid profile email".into()),
                    redirect_uri,
                })
            }
        };
        let features = FeatureChoices {
            clear_conversation: switch(&attr, "clear-conversation")?,
            agent_typing: switch(&attr, "typing-indicator")?,
            file_upload: switch(&attr, "file-upload")?,
            agent_names: switch(&attr, "agent-names")?,
            markdown: switch(&attr, "markdown")?,
        };
        Ok(Config {
            organization_id,
            region,
            api_base,
            ws_base,
            session,
            guest_name: attr("guest-name"),
            guest_email: attr("guest-email"),
            attributes,
            heartbeat_ms: number(&attr, "heartbeat-ms", 30_000, 100)?,
            reconnect_base_ms: number(&attr, "reconnect-base-ms", 1_000, 1)?,
            reconnect_attempts: number(&attr, "reconnect-attempts", 5, 0)?,
            session_timeout_ms: number(&attr, "session-timeout-ms", 15_000, 100)?,
            persistence,
            theme,
            side,
            language: attr("locale"),
            languages: Vec::new(),
            default_language: None,
            accent,
            launcher,
            notify: switch(&attr, "notify")?.unwrap_or(false),
            features,
            sign_in_page,
        })
    }

    /// The deployment's settings where the tag left them open.
    pub fn apply_deployment(&mut self, deployment: Deployment) {
        self.accent = self.accent.or(deployment.accent);
        self.launcher = self.launcher.or(deployment.launcher);
        if deployment.enabled == Some(false) && self.launcher.is_none() {
            self.launcher = Some(LauncherVisibility::Off);
        }
        self.features = self.features.or(deployment.features);
        self.languages = deployment.languages;
        self.default_language = deployment.default_language;
    }

    pub fn feature_set(&self) -> Features {
        self.features.resolve()
    }

    /// Storage key of this configuration's conversation: another endpoint, organization
    /// or guest identity is another conversation.
    pub fn storage_key(&self) -> String {
        let source = match &self.session {
            SessionSource::Backend { url } => url.clone(),
            SessionSource::Direct { .. } => self.api_base.clone(),
            SessionSource::Genesys { deployment_id } => format!("{}|{deployment_id}", self.ws_base),
        };
        format!(
            "guest-chat:v1:{source}|{}|{}|{}",
            self.organization_id.as_deref().unwrap_or(""),
            self.guest_name.as_deref().unwrap_or(""),
            self.guest_email.as_deref().unwrap_or("")
        )
    }

    /// Direct mode puts an OAuth token in the page; fine against a simulator, never in production.
    pub fn warning(&self) -> Option<&'static str> {
        match self.session {
            SessionSource::Direct { .. } => Some(
                "guest-chat: data-access-token exposes an OAuth access token to every visitor. Use it for development only; in production set data-session-url to a backend endpoint.",
            ),
            SessionSource::Backend { .. } | SessionSource::Genesys { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_attributes(|name| map.get(name).cloned())
    }

    #[test]
    fn a_sign_in_page_needs_a_client_and_a_genesys_deployment() {
        let genesys = [("deployment-id", "d-1"), ("region", "eu-west-1")];
        let with = |extra: &[(&str, &str)]| {
            let mut pairs = genesys.to_vec();
            pairs.extend_from_slice(extra);
            config(&pairs)
        };
        assert_eq!(with(&[]).unwrap().sign_in_page, None);
        let page = with(&[
            ("auth-authorize-url", "https://id.example/authorize"),
            ("auth-client-id", "shop"),
        ])
        .unwrap()
        .sign_in_page
        .unwrap();
        assert_eq!(page.scope, "openid profile email");
        assert_eq!(page.redirect_uri, None);
        assert!(
            with(&[("auth-authorize-url", "https://id.example/authorize")])
                .unwrap_err()
                .0
                .contains("data-auth-client-id")
        );
        assert!(with(&[
            ("auth-authorize-url", "javascript:alert(1)"),
            ("auth-client-id", "c")
        ])
        .unwrap_err()
        .0
        .contains("data-auth-authorize-url"));
        assert!(with(&[
            ("auth-authorize-url", "https://id.example/authorize"),
            ("auth-client-id", "c"),
            ("auth-redirect-uri", "/back"),
        ])
        .unwrap_err()
        .0
        .contains("data-auth-redirect-uri"));
        let tutorial = config(&[
            ("session-url", "https://shop.example/chat-session"),
            ("auth-authorize-url", "https://id.example/authorize"),
            ("auth-client-id", "c"),
        ]);
        assert!(tutorial.unwrap_err().0.contains("data-deployment-id"));
    }

    #[test]
    fn region_gives_the_tutorial_hosts() {
        let c = config(&[("session-url", "/guest-session"), ("region", "eu-west-1")]).unwrap();
        assert_eq!(c.api_base, "https://api.eu-west-1.mygen.com");
        assert_eq!(c.ws_base, "wss://webmessaging.eu-west-1.mygen.com");
        let c = config(&[("session-url", "/guest-session")]).unwrap();
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.ws_base, "wss://webmessaging.us-east-1.mygen.com");
    }

    #[test]
    fn explicit_bases_override_the_region_and_lose_trailing_slashes() {
        let c = config(&[
            ("access-token", "t"),
            ("organization-id", "o"),
            ("api-base", "http://127.0.0.1:8787/"),
            ("ws-base", "ws://127.0.0.1:8787"),
        ])
        .unwrap();
        assert_eq!(c.api_base, "http://127.0.0.1:8787");
        assert_eq!(c.ws_base, "ws://127.0.0.1:8787");
        assert_eq!(
            c.session,
            SessionSource::Direct {
                access_token: "t".into()
            }
        );
        assert!(c.warning().is_some());
    }

    #[test]
    fn missing_or_contradictory_configuration_is_explained() {
        assert!(config(&[]).unwrap_err().0.contains("data-session-url"));
        assert!(config(&[("session-url", "/s"), ("access-token", "t")])
            .unwrap_err()
            .0
            .contains("not both"));
        assert!(config(&[("access-token", "t")])
            .unwrap_err()
            .0
            .contains("data-organization-id"));
        assert!(config(&[("session-url", "/s"), ("ws-base", "http://x")])
            .unwrap_err()
            .0
            .contains("data-ws-base"));
        assert!(config(&[("session-url", "/s"), ("heartbeat-ms", "soon")])
            .unwrap_err()
            .0
            .contains("data-heartbeat-ms"));
        assert!(config(&[("session-url", "/s"), ("attributes", "[1]")])
            .unwrap_err()
            .0
            .contains("data-attributes"));
        assert!(config(&[("session-url", "/s"), ("region", "us east")]).is_err());
    }

    #[test]
    fn storage_defaults_to_local_and_keys_differ_per_guest_and_endpoint() {
        let a = config(&[("session-url", "/s"), ("guest-name", "A")]).unwrap();
        assert_eq!(a.persistence, Persistence::Local);
        let b = config(&[("session-url", "/s"), ("guest-name", "B")]).unwrap();
        let c = config(&[("session-url", "/other"), ("guest-name", "A")]).unwrap();
        assert_ne!(a.storage_key(), b.storage_key());
        assert_ne!(a.storage_key(), c.storage_key());
        let none = config(&[("session-url", "/s"), ("storage", "none")]).unwrap();
        assert_eq!(none.persistence, Persistence::None);
        assert!(config(&[("session-url", "/s"), ("storage", "cookie")]).is_err());
        let direct = config(&[("access-token", "secret-token"), ("organization-id", "o")]).unwrap();
        assert!(!direct.storage_key().contains("secret-token"));
    }

    #[test]
    fn theme_and_position_are_read_and_checked() {
        let c = config(&[("session-url", "/s")]).unwrap();
        assert_eq!((c.theme, c.side), (Theme::Auto, Side::Right));
        let c = config(&[
            ("session-url", "/s"),
            ("theme", "dark"),
            ("position", "left"),
        ])
        .unwrap();
        assert_eq!((c.theme, c.side), (Theme::Dark, Side::Left));
        assert!(config(&[("session-url", "/s"), ("theme", "pink")])
            .unwrap_err()
            .0
            .contains("data-theme"));
        assert!(config(&[("session-url", "/s"), ("position", "top")])
            .unwrap_err()
            .0
            .contains("data-position"));
    }

    #[test]
    fn the_locale_attribute_is_kept_as_given() {
        let c = config(&[("session-url", "/s"), ("locale", " ar-EG ")]).unwrap();
        assert_eq!(c.language.as_deref(), Some("ar-EG"));
        let c = config(&[("session-url", "/s")]).unwrap();
        assert_eq!(c.language, None);
    }

    #[test]
    fn blank_attributes_count_as_absent() {
        let c = config(&[
            ("session-url", "/s"),
            ("access-token", "  "),
            ("guest-name", ""),
        ])
        .unwrap();
        assert_eq!(c.session, SessionSource::Backend { url: "/s".into() });
        assert_eq!(c.guest_name, None);
        assert!(c.warning().is_none());
    }

    #[test]
    fn messengers_environment_names_are_read_as_their_domains() {
        let domain = |environment: &str| {
            config(&[("deployment-id", "d"), ("environment", environment)])
                .unwrap()
                .api_base
        };
        assert_eq!(domain("prod"), "https://api.mypurecloud.com");
        assert_eq!(domain("prod-euw1"), "https://api.mypurecloud.ie");
        assert_eq!(domain("PROD-EUC1"), "https://api.mypurecloud.de");
        assert_eq!(domain("prod-apse2"), "https://api.mypurecloud.com.au");
        assert_eq!(domain("prod-euw2"), "https://api.euw2.pure.cloud");
        assert_eq!(domain("prod-use2"), "https://api.use2.us-gov-pure.cloud");
        assert!(config(&[("deployment-id", "d"), ("environment", "prod-nowhere")]).is_err());
    }

    #[test]
    fn a_deployment_id_selects_genesys_cloud_by_region_or_environment() {
        let c = config(&[("deployment-id", "dep-1"), ("region", "eu-west-1")]).unwrap();
        assert_eq!(
            c.session,
            SessionSource::Genesys {
                deployment_id: "dep-1".into()
            }
        );
        assert_eq!(c.ws_base, "wss://webmessaging.mypurecloud.ie");
        assert_eq!(c.api_base, "https://api.mypurecloud.ie");
        let c = config(&[("deployment-id", "dep-1")]).unwrap();
        assert_eq!(c.ws_base, "wss://webmessaging.mypurecloud.com");
        let c = config(&[("deployment-id", "d"), ("environment", "inindca.com")]).unwrap();
        assert_eq!(c.api_base, "https://api.inindca.com");
        let c = config(&[
            ("deployment-id", "d"),
            ("ws-base", "ws://127.0.0.1:8787"),
            ("api-base", "http://127.0.0.1:8787"),
        ])
        .unwrap();
        assert_eq!(
            (c.ws_base.as_str(), c.api_base.as_str()),
            ("ws://127.0.0.1:8787", "http://127.0.0.1:8787")
        );
        assert_eq!(c.warning(), None);
        assert!(c.storage_key().contains("|d|"));
    }

    #[test]
    fn a_deployment_id_with_another_source_or_an_unknown_region_is_explained() {
        for (pairs, words) in [
            (
                vec![("deployment-id", "d"), ("session-url", "/s")],
                "not both",
            ),
            (
                vec![("deployment-id", "d"), ("access-token", "t")],
                "not both",
            ),
            (
                vec![("deployment-id", "d"), ("region", "mars-1")],
                "not a Genesys Cloud region",
            ),
            (
                vec![("deployment-id", "d"), ("environment", "not a domain")],
                "data-environment",
            ),
            (
                vec![("deployment-id", "d"), ("ws-base", "http://x")],
                "data-ws-base",
            ),
        ] {
            let err = config(&pairs).unwrap_err();
            assert!(err.0.contains(words), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn an_environment_that_is_an_address_is_a_service_of_ones_own() {
        let c = config(&[
            ("deployment-id", "d"),
            ("environment", "http://127.0.0.1:8787/"),
        ])
        .unwrap();
        assert_eq!(
            (c.api_base.as_str(), c.ws_base.as_str()),
            ("http://127.0.0.1:8787", "ws://127.0.0.1:8787")
        );
        let c = config(&[
            ("deployment-id", "d"),
            ("environment", "https://sim.example"),
        ])
        .unwrap();
        assert_eq!(c.ws_base, "wss://sim.example");
    }

    #[test]
    fn a_data_attribute_overrides_the_deployment() {
        let deployment = Deployment {
            enabled: Some(true),
            accent: Colour::parse("#c01048"),
            launcher: Some(LauncherVisibility::Off),
            languages: vec!["de".into()],
            default_language: Some("de".into()),
            features: FeatureChoices {
                clear_conversation: Some(false),
                agent_typing: Some(false),
                file_upload: Some(false),
                agent_names: Some(false),
                markdown: Some(false),
            },
        };
        let mut plain = config(&[("deployment-id", "d")]).unwrap();
        plain.apply_deployment(deployment.clone());
        assert_eq!(plain.accent, Colour::parse("#c01048"));
        assert_eq!(plain.launcher, Some(LauncherVisibility::Off));
        assert_eq!(plain.default_language.as_deref(), Some("de"));
        let off = plain.feature_set();
        assert!(
            !off.clear_conversation
                && !off.agent_typing
                && !off.file_upload
                && !off.agent_names
                && !off.markdown
        );

        let mut tagged = config(&[
            ("deployment-id", "d"),
            ("accent", "#0a7"),
            ("launcher", "on"),
            ("clear-conversation", "on"),
            ("typing-indicator", "true"),
            ("file-upload", "on"),
            ("agent-names", "on"),
            ("markdown", "on"),
        ])
        .unwrap();
        tagged.apply_deployment(deployment);
        assert_eq!(tagged.accent, Colour::parse("#00aa77"));
        assert_eq!(tagged.launcher, Some(LauncherVisibility::On));
        assert_eq!(tagged.feature_set(), Features::default());
    }

    #[test]
    fn a_deployment_switched_off_hides_the_launcher_unless_the_tag_shows_it() {
        let off = Deployment {
            enabled: Some(false),
            ..Default::default()
        };
        let mut c = config(&[("deployment-id", "d")]).unwrap();
        c.apply_deployment(off.clone());
        assert_eq!(c.launcher, Some(LauncherVisibility::Off));
        let mut c = config(&[("deployment-id", "d"), ("launcher", "on")]).unwrap();
        c.apply_deployment(off);
        assert_eq!(c.launcher, Some(LauncherVisibility::On));
    }

    #[test]
    fn bad_look_and_feature_attributes_are_explained() {
        for (pairs, words) in [
            (
                vec![("session-url", "/s"), ("accent", "red;x")],
                "data-accent",
            ),
            (
                vec![("session-url", "/s"), ("launcher", "maybe")],
                "data-launcher",
            ),
            (
                vec![("session-url", "/s"), ("file-upload", "yes")],
                "data-file-upload",
            ),
        ] {
            let err = config(&pairs).unwrap_err();
            assert!(err.0.contains(words), "{pairs:?}: {err}");
        }
    }
}
