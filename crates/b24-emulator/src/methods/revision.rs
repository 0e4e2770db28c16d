//! `im.revision.get`: the messenger's API revisions (a D7 controller), with the extra
//! `im_revision_mobile` the server adds, a copy of `mobile`.

use serde_json::json;

use super::{Failure, Handler, Outcome, Read};

pub(super) const HANDLERS: &[(&str, Handler)] = &[("im.revision.get", Handler::Read(get))];

/// The revisions the emulator claims (those of the documented example).
const REST: u32 = 32;
const WEB: u32 = 130;
const MOBILE: u32 = 22;
const DESKTOP: u32 = 6;

fn get(_call: &mut Read<'_>) -> Result<Outcome, Failure> {
    Ok(Outcome::of(
        json!({
            "rest": REST,
            "web": WEB,
            "mobile": MOBILE,
            "desktop": DESKTOP,
            "im_revision_mobile": MOBILE,
        }),
        1,
    ))
}
