//! `im.notify.*`: notifications as a store per user (see [`crate::portal::Notification`]).

mod answer;
mod delete;
mod get;
mod read;
mod schema_get;
mod send;

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("im.notify", Handler::Write(send::notify)),
    ("im.notify.answer", Handler::Write(answer::answer)),
    ("im.notify.confirm", Handler::Write(answer::confirm)),
    ("im.notify.delete", Handler::Write(delete::handle)),
    ("im.notify.get", Handler::Read(get::get)),
    (
        "im.notify.history.search",
        Handler::Read(get::history_search),
    ),
    ("im.notify.personal.add", Handler::Write(send::personal)),
    ("im.notify.read", Handler::Write(read::one)),
    ("im.notify.read.all", Handler::Write(read::all)),
    ("im.notify.read.list", Handler::Write(read::list)),
    ("im.notify.schema.get", Handler::Read(schema_get::handle)),
    ("im.notify.system.add", Handler::Write(send::system)),
];

/// The application a call's tags belong to: the OAuth application, or the `CLIENT_ID` a webhook
/// sends.
fn client_id<P>(call: &super::Call<P>) -> Option<String> {
    call.app.clone().or_else(|| {
        call.params
            .text("CLIENT_ID")
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
    })
}
