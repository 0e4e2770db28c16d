//! Portals as JSON: `--data FILE` loads one instead of generating it, `--dump-data FILE` writes
//! the portal in the same format.

use std::path::Path;

use super::{Portal, Shape};
use crate::config::Config;

impl Portal {
    /// Parses a portal from JSON.
    ///
    /// # Errors
    /// When the JSON does not describe a portal.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut portal: Self =
            serde_json::from_str(text).map_err(|e| format!("not a portal: {e}"))?;
        portal.reindex();
        Ok(portal)
    }
}

/// The portal a configuration describes: loaded from `--data`, or generated from the seed.
///
/// # Errors
/// When the data file cannot be read or parsed.
pub fn load_portal(config: &Config) -> std::io::Result<Portal> {
    match &config.data {
        Some(path) => {
            let text = std::fs::read_to_string(path)?;
            Portal::from_json(&text).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            })
        }
        None => Ok(Portal::generate(Shape {
            seed: config.seed,
            webhook_user: config.webhook_user,
            dialog_size: config.dialog_size,
            hidden_pct: config.hidden_members_pct,
        })),
    }
}

/// Writes the portal as pretty JSON, the `--data` format.
///
/// # Errors
/// When the file cannot be written.
pub fn dump_portal(portal: &Portal, path: &Path) -> Result<(), String> {
    let text = serde_json::to_string_pretty(portal).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
