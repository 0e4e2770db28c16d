//! Coverage of the `im` scope: every method of the official list (`spec/im/_methods.txt`) has a
//! spec, an emulator handler, and a call over HTTP in this test run that the emulator counted as
//! executed. The calls are the tour below, one block per method group, all through the typed
//! client; the emulator's per-method counts (`Stats::executed`) are the proof, not the sources.
//!
//! Methods listed in `spec/im/_coverage_allowed_missing.txt` are expected to be missing (other
//! branches add them); the test fails when one of them is covered already, so the list stays
//! exact. The README states the coverage between `<!-- coverage -->` markers; the test fails
//! when that figure is stale and prints the right one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
// The tour calls the deprecated `im.search.last.*` on purpose.
#![allow(deprecated)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use b24_client::Client;
use b24_core::DialogId;
use b24_emulator::Emulator;
use b24_im as im;

fn repo_file(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Method names of a list file: one a line, `#` comments.
fn names(path: &str) -> BTreeSet<String> {
    repo_file(path)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The header of a 64×64 PNG, Base64: what `im.chat.updateAvatar` reads the size from.
const PNG_64: &str = "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAYAAAAAAAAA";

/// Calls every method of the spec once with arguments the emulator accepts. Each group is one
/// block; a method is covered only when its call succeeds. `bot` is a bot that registered the
/// command `help`.
async fn tour(c: &Client, bot: u64) {
    // chat
    c.call(&im::ChatGetRequest::new()).await.unwrap();
    // counters
    c.call(&im::CountersGetRequest::new()).await.unwrap();
    // chat, dialog and recent: a chat made, changed, read, pinned, handed over and left
    let chat = c
        .call(&im::ChatAddRequest::new().users(vec![2, 3]).title("Tour"))
        .await
        .unwrap()
        .result;
    let dialog = DialogId::Chat(chat);
    c.call(&im::ChatUpdateTitleRequest::new("Tour, renamed").chat_id(chat))
        .await
        .unwrap();
    c.call(&im::ChatUpdateColorRequest::new(im::ChatColor::Mint).chat_id(chat))
        .await
        .unwrap();
    c.call(&im::ChatUpdateAvatarRequest::new(PNG_64).chat_id(chat))
        .await
        .unwrap();
    c.call(&im::ChatMuteRequest::new().dialog_id(dialog))
        .await
        .unwrap();
    c.call(&im::ChatUserAddRequest::new(chat, vec![4]))
        .await
        .unwrap();
    c.call(&im::ChatUserDeleteRequest::new(chat, 4))
        .await
        .unwrap();
    c.call(&im::ChatUserListRequest::new().chat_id(chat))
        .await
        .unwrap();
    let invoice = c
        .call(
            &im::MessageAddRequest::new()
                .dialog_id(dialog)
                .message("tour invoice"),
        )
        .await
        .unwrap()
        .result;
    c.call(&im::DialogGetRequest::new(dialog)).await.unwrap();
    c.call(&im::DialogMessagesSearchRequest::new(chat).search_message("invoice"))
        .await
        .unwrap();
    c.call(&im::DialogWritingRequest::new(dialog))
        .await
        .unwrap();
    c.call(&im::DialogUnreadRequest::new(dialog, invoice))
        .await
        .unwrap();
    c.call(&im::DialogReadRequest::new(dialog)).await.unwrap();
    c.call(&im::DialogReadAllRequest::new()).await.unwrap();
    c.call(&im::RecentGetRequest::new()).await.unwrap();
    c.call(&im::RecentListRequest::new()).await.unwrap();
    c.call(&im::RecentPinRequest::new(dialog)).await.unwrap();
    c.call(&im::RecentUnreadRequest::new(dialog)).await.unwrap();
    c.call(&im::RecentHideRequest::new(dialog)).await.unwrap();
    c.call(&im::ChatSetOwnerRequest::new(2).chat_id(chat))
        .await
        .unwrap();
    c.call(&im::ChatLeaveRequest::new(chat)).await.unwrap();
    // dialog
    c.call(&im::DialogUsersListRequest::new(DialogId::Chat(1)))
        .await
        .unwrap();
    c.call(&im::DialogMessagesGetRequest::new().dialog_id(DialogId::Chat(1)))
        .await
        .unwrap();
    // message: one posted, edited, liked, shared, used for a command, then deleted
    let posted = c
        .call(
            &im::MessageAddRequest::new()
                .dialog_id(DialogId::Chat(1))
                .message("tour"),
        )
        .await
        .unwrap()
        .result;
    let edit = b24_core::MessageText::new("tour, edited").unwrap();
    c.call(&im::MessageUpdateRequest::new(posted).message(edit))
        .await
        .unwrap();
    c.call(&im::MessageLikeRequest::new(posted)).await.unwrap();
    c.call(&im::MessageShareRequest::new(
        posted,
        DialogId::Chat(1),
        im::ShareType::Task,
    ))
    .await
    .unwrap();
    c.call(&im::MessageCommandRequest::new(posted, bot, "help"))
        .await
        .unwrap();
    c.call(&im::MessageDeleteRequest::new(posted))
        .await
        .unwrap();
    // v2 files and disk: one file uploaded, downloaded, posted again, saved, then deleted
    let fields = im::FileUploadFields::new("tour.txt", "dG91cg==");
    let file = c
        .call(&im::V2FileUploadRequest::new(DialogId::Chat(1), fields))
        .await
        .unwrap()
        .result
        .file
        .unwrap()
        .id;
    c.call(&im::V2FileDownloadRequest::new(DialogId::Chat(1), file))
        .await
        .unwrap();
    c.call(&im::DiskFolderGetRequest::new().chat_id(1))
        .await
        .unwrap();
    c.call(
        &im::DiskFileCommitRequest::new()
            .chat_id(1)
            .file_id(vec![file]),
    )
    .await
    .unwrap();
    c.call(&im::DiskFileSaveRequest::new(file)).await.unwrap();
    c.call(&im::DiskFileDeleteRequest::new(1, file))
        .await
        .unwrap();
    // revision
    c.call(&im::RevisionGetRequest::new()).await.unwrap();
    // v2
    c.call(&im::V2EventSubscribeRequest::new()).await.unwrap();
    c.call(&im::V2EventGetRequest::new()).await.unwrap();
    c.call(&im::V2EventUnsubscribeRequest::new()).await.unwrap();
    // user
    c.call(&im::UserGetRequest::new()).await.unwrap();
    c.call(&im::UserListGetRequest::new(vec![1])).await.unwrap();
    c.call(&im::UserStatusGetRequest::new()).await.unwrap();
    c.call(&im::UserStatusSetRequest::new(im::UserStatus::Away))
        .await
        .unwrap();
    c.call(&im::UserStatusIdleStartRequest::new())
        .await
        .unwrap();
    c.call(&im::UserStatusIdleEndRequest::new()).await.unwrap();
    // department
    c.call(&im::DepartmentGetRequest::new(vec![1]))
        .await
        .unwrap();
    c.call(&im::DepartmentEmployeesGetRequest::new(vec![1]))
        .await
        .unwrap();
    c.call(&im::DepartmentManagersGetRequest::new(vec![1]))
        .await
        .unwrap();
    c.call(&im::DepartmentColleaguesListRequest::new())
        .await
        .unwrap();
    // search
    c.call(&im::SearchUserListRequest::new("Portal"))
        .await
        .unwrap();
    c.call(&im::SearchChatListRequest::new().find("chat"))
        .await
        .unwrap();
    c.call(&im::SearchDepartmentListRequest::new("Sales"))
        .await
        .unwrap();
    c.call(&im::SearchLastAddRequest::new(DialogId::Chat(1)))
        .await
        .unwrap();
    c.call(&im::SearchLastGetRequest::new()).await.unwrap();
    c.call(&im::SearchLastDeleteRequest::new(DialogId::Chat(1)))
        .await
        .unwrap();
    // notify
    let id = c
        .call(&im::NotifyRequest::new(1, "tour"))
        .await
        .unwrap()
        .result
        .unwrap();
    c.call(&im::NotifyPersonalAddRequest::new(1, "tour"))
        .await
        .unwrap();
    c.call(&im::NotifySystemAddRequest::new(1, "tour"))
        .await
        .unwrap();
    c.call(&im::NotifyGetRequest::new()).await.unwrap();
    c.call(&im::NotifyHistorySearchRequest::new().search_text("tour"))
        .await
        .unwrap();
    c.call(&im::NotifySchemaGetRequest::new()).await.unwrap();
    c.call(&im::NotifyReadRequest::new().id(id)).await.unwrap();
    c.call(&im::NotifyReadListRequest::new(vec![id]))
        .await
        .unwrap();
    c.call(&im::NotifyReadAllRequest::new()).await.unwrap();
    c.call(&im::NotifyDeleteRequest::new().id(id))
        .await
        .unwrap();
}

/// The tour's answerable and confirm notifications come from other modules, as on a portal.
fn seed_replies(emu: &Emulator) -> (u64, u64) {
    use b24_emulator::portal::{Notification, NotifyKind};
    emu.with_portal(|p| {
        let source = ("socialnetwork", "invite_group");
        let date = "2026-03-03T09:00:00+02:00";
        let mut confirm = Notification::new(1, 2, NotifyKind::Confirm, "Join?", source, date);
        confirm.buttons = vec![("Accept".into(), "Y".into())];
        let mut answer = Notification::new(1, 2, NotifyKind::From, "How?", source, date);
        answer.answerable = true;
        let (confirm, answer) = (p.notify(confirm), p.notify(answer));
        (confirm, answer)
    })
}

#[tokio::test]
async fn every_im_method_has_a_spec_a_handler_and_a_call_over_http() {
    let official = names("spec/im/_methods.txt");
    assert_eq!(official.len(), 69, "the official index lists 69 im methods");
    let allowed_missing = names("spec/im/_coverage_allowed_missing.txt");

    let emu = Emulator::start(common::unmetered()).await.unwrap();
    let c = common::webhook_client(&emu);
    let (confirm, answer) = seed_replies(&emu);
    let bot = emu
        .with_portal(|p| p.command_log.commands.first().map(|c| c.bot_id))
        .expect("a seeded bot registered a command");
    tour(&c, bot).await;
    c.call(&im::NotifyConfirmRequest::new(confirm, "Y"))
        .await
        .unwrap();
    c.call(&im::NotifyAnswerRequest::new(answer, "tour"))
        .await
        .unwrap();
    let executed = emu.stats().executed;

    let in_spec: BTreeSet<&str> = im::METHODS.iter().map(|m| m.info.name).collect();
    let handled: BTreeSet<&str> = b24_emulator::methods::handlers().map(|(n, _)| n).collect();
    let unofficial: Vec<&&str> = in_spec.iter().filter(|m| !official.contains(**m)).collect();
    assert!(
        unofficial.is_empty(),
        "in the spec but not in _methods.txt: {unofficial:?}"
    );

    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in &official {
        let mut lacks = Vec::new();
        if !in_spec.contains(name.as_str()) {
            lacks.push("spec");
        }
        if !handled.contains(name.as_str()) {
            lacks.push("emulator handler");
        }
        if executed.get(name).copied().unwrap_or(0) == 0 {
            lacks.push("call over HTTP in the tour");
        }
        if !lacks.is_empty() {
            missing.insert(name, lacks);
        }
    }
    let unexpected: Vec<String> = missing
        .iter()
        .filter(|(name, _)| !allowed_missing.contains(**name))
        .map(|(name, lacks)| format!("{name}: no {}", lacks.join(", no ")))
        .collect();
    let covered_already: Vec<&String> = allowed_missing
        .iter()
        .filter(|name| !missing.contains_key(name.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "im methods without full coverage:\n  {}",
        unexpected.join("\n  ")
    );
    assert!(
        covered_already.is_empty(),
        "covered now: remove from spec/im/_coverage_allowed_missing.txt: {covered_already:?}"
    );

    let covered = official.len() - missing.len();
    let figure = format!(
        "<!-- coverage -->{covered}/{}<!-- /coverage -->",
        official.len()
    );
    assert!(
        repo_file("README.md").contains(&figure),
        "README.md must state the coverage as `{figure}`"
    );
}
