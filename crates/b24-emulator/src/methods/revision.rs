//! `im.revision.get`: the messenger's API revisions (a D7 controller), with the extra
//! `im_revision_mobile` the server adds, a copy of `mobile`.

use b24_im::{RevisionGetRequest as Method, Revisions};

use super::{Failure, Handler, Outcome, Read, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[handler::<Method>(Handler::Read(get))];

/// The revisions the emulator claims (those of the documented example).
const REST: u32 = 32;
const WEB: u32 = 130;
const MOBILE: u32 = 22;
const DESKTOP: u32 = 6;

fn get(_call: &mut Read<'_>) -> Result<Outcome, Failure> {
    let mut revisions = Revisions::default();
    revisions.rest = Some(REST);
    revisions.web = Some(WEB);
    revisions.mobile = Some(MOBILE);
    revisions.desktop = Some(DESKTOP);
    revisions.im_revision_mobile = Some(MOBILE);
    Outcome::of::<Method>(&revisions, 1)
}
