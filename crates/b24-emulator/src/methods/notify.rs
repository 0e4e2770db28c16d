//! `im.notify.*`: notifications as a store per user (see [`crate::portal::Notification`]).

mod answer;
mod delete;
mod get;
mod read;
mod schema_get;
mod send;

use b24_im::{
    NotifyAnswerRequest, NotifyConfirmRequest, NotifyDeleteRequest, NotifyGetRequest,
    NotifyHistorySearchRequest, NotifyPersonalAddRequest, NotifyReadAllRequest,
    NotifyReadListRequest, NotifyReadRequest, NotifyRequest, NotifySchemaGetRequest,
    NotifySystemAddRequest,
};

use super::{Handler, handler};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    handler::<NotifyRequest>(Handler::Write(send::notify)),
    handler::<NotifyAnswerRequest>(Handler::Write(answer::answer)),
    handler::<NotifyConfirmRequest>(Handler::Write(answer::confirm)),
    handler::<NotifyDeleteRequest>(Handler::Write(delete::handle)),
    handler::<NotifyGetRequest>(Handler::Read(get::get)),
    handler::<NotifyHistorySearchRequest>(Handler::Read(get::history_search)),
    handler::<NotifyPersonalAddRequest>(Handler::Write(send::personal)),
    handler::<NotifyReadRequest>(Handler::Write(read::one)),
    handler::<NotifyReadAllRequest>(Handler::Write(read::all)),
    handler::<NotifyReadListRequest>(Handler::Write(read::list)),
    handler::<NotifySchemaGetRequest>(Handler::Read(schema_get::handle)),
    handler::<NotifySystemAddRequest>(Handler::Write(send::system)),
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
