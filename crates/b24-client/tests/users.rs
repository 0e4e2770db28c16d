//! Users, departments, search and notifications: scenarios through the typed client against the
//! emulator over loopback HTTP, each step checking what the next read returns.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use b24_client::{Client, PageOptions};
use b24_emulator::portal::{Notification, NotifyKind};
use b24_emulator::{Config, Emulator};
use b24_im::{
    CountersGetRequest, DepartmentColleaguesListRequest, DepartmentEmployeesGetRequest,
    DepartmentGetRequest, DepartmentManagersGetRequest, NotifyAnswerRequest, NotifyConfirmRequest,
    NotifyDeleteRequest, NotifyGetRequest, NotifyHistorySearchRequest, NotifyPersonalAddRequest,
    NotifyReadAllRequest, NotifyReadListRequest, NotifyReadRequest, NotifyRequest,
    NotifySchemaGetRequest, NotifySystemAddRequest, SearchChatListRequest,
    SearchDepartmentListRequest, SearchUserListRequest, UserGetRequest, UserRef, UserStatus,
    UserStatusGetRequest, UserStatusIdleEndRequest, UserStatusIdleStartRequest,
    UserStatusSetRequest,
};
use serde_json::json;

fn config() -> Config {
    common::unmetered()
}

fn client(emu: &Emulator) -> Client {
    common::webhook_client(emu)
}

#[tokio::test]
async fn find_a_user_by_name_read_their_status_and_set_our_own() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    let (id, last_name, status) = emu.with_portal(|p| {
        let u = p
            .users
            .iter()
            .find(|u| u.id > 1 && u.active && !u.hidden && u.kind == "user")
            .unwrap();
        (u.id, u.last_name.clone(), u.status.clone())
    });

    let found = c
        .call(&SearchUserListRequest::new(&last_name).limit(50))
        .await
        .unwrap()
        .result;
    assert!(found.contains_key(&id), "{last_name} not found");
    assert!(found.iter().all(|(key, user)| *key == user.id));

    let user = c.call(&UserGetRequest::new().id(id)).await.unwrap().result;
    assert_eq!(user.id, id);
    assert_eq!(
        user.status.as_ref().map(|s| s.as_str()),
        Some(status.as_str())
    );

    let set = c
        .call(&UserStatusSetRequest::new(UserStatus::Dnd))
        .await
        .unwrap();
    assert!(set.result);
    let mine = c.call(&UserStatusGetRequest::new()).await.unwrap().result;
    assert_eq!(mine, Some(UserStatus::Dnd));
    let me = c.call(&UserGetRequest::new()).await.unwrap().result;
    assert_eq!((me.id, me.status), (1, Some(UserStatus::Dnd)));

    // Upper case is refused, as the server does; the status stays.
    let err = c
        .call_raw("im.user.status.set", &json!({"STATUS": "AWAY"}))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(400), Some("STATUS_ERROR"))
    );
    let mine = c.call(&UserStatusGetRequest::new()).await.unwrap().result;
    assert_eq!(mine, Some(UserStatus::Dnd));

    // Idle shows in the user object until it ends.
    assert!(
        c.call(&UserStatusIdleStartRequest::new().ago(30))
            .await
            .unwrap()
            .result
    );
    let me = c.call(&UserGetRequest::new()).await.unwrap().result;
    assert!(me.idle.is_some(), "idle after idle.start");
    assert!(
        c.call(&UserStatusIdleEndRequest::new())
            .await
            .unwrap()
            .result
    );
    let me = c.call(&UserGetRequest::new()).await.unwrap().result;
    assert_eq!(me.idle, None);
}

#[tokio::test]
async fn user_search_pages_read_every_match_once() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    // A department name matches everybody in it.
    let expected: BTreeSet<u64> = emu.with_portal(|p| {
        p.users
            .iter()
            .filter(|u| u.active && !u.hidden && u.departments.contains(&2))
            .map(|u| u.id)
            .collect()
    });
    assert!(expected.len() > 4, "several pages: {}", expected.len());
    let found = c
        .collect_all(
            SearchUserListRequest::new("Sales"),
            PageOptions::default().page_size(3),
        )
        .await
        .unwrap();
    let ids: Vec<u64> = found.iter().map(|u| u.id).collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a user read twice: {ids:?}");
    assert!(
        unique.is_superset(&expected),
        "{unique:?} misses some of {expected:?}"
    );
    // The same users one page of 50 holds.
    let whole = c
        .call(&SearchUserListRequest::new("Sales").limit(50))
        .await
        .unwrap();
    assert_eq!(whole.total, Some(i64::try_from(ids.len()).unwrap()));
    assert_eq!(
        whole.result.keys().copied().collect::<BTreeSet<u64>>(),
        unique
    );
}

#[tokio::test]
async fn user_get_answers_its_three_errors_with_400() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    let hidden = emu.with_portal(|p| p.users.iter().find(|u| u.hidden).map(|u| u.id).unwrap());
    for (params, code) in [
        (json!({"ID": 0}), "ID_EMPTY"),
        (json!({"ID": 999_999}), "USER_NOT_EXISTS"),
        (json!({"ID": hidden}), "ACCESS_DENIED"),
    ] {
        let err = c.call_raw("im.user.get", &params).await.unwrap_err();
        assert_eq!(
            (err.status(), err.code()),
            (Some(400), Some(code)),
            "{params}"
        );
    }
}

#[tokio::test]
async fn walk_the_department_tree_its_heads_and_employees() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    // Every department, read through the search by offset (its `next` is wrong).
    let all = c
        .collect_all(
            SearchDepartmentListRequest::new(""),
            PageOptions::default().page_size(2),
        )
        .await
        .unwrap();
    let ids: Vec<u64> = all.iter().map(|d| d.id).collect();
    let stored: Vec<u64> = emu.with_portal(|p| p.departments.iter().map(|d| d.id).collect());
    assert_eq!(ids, stored);

    let departments = c
        .call(&DepartmentGetRequest::new(ids.clone()).user_data(true))
        .await
        .unwrap()
        .result;
    assert_eq!(departments.len(), ids.len());
    let backend = departments
        .iter()
        .find(|d| d.name.as_deref() == Some("Backend"))
        .unwrap();
    assert_eq!(
        backend.full_name.as_deref(),
        Some("Backend / Development / Company")
    );
    for d in &departments {
        let head = d
            .manager_user_data
            .as_ref()
            .expect("every department has a head");
        assert_eq!(Some(head.id), d.manager_user_id);
    }

    let employees = c
        .call(&DepartmentEmployeesGetRequest::new(ids.clone()).user_data(true))
        .await
        .unwrap()
        .result;
    let managers = c
        .call(&DepartmentManagersGetRequest::new(ids.clone()))
        .await
        .unwrap()
        .result;
    for d in &departments {
        // Each employee's own `departments` says they work here.
        let people = &employees[&d.id];
        assert!(!people.is_empty(), "department {} is empty", d.id);
        for person in people {
            let UserRef::Data(user) = person else {
                panic!("USER_DATA=Y gives user objects");
            };
            assert!(user.departments.as_ref().unwrap().contains(&d.id));
        }
        assert_eq!(
            managers[&d.id],
            vec![UserRef::Id(d.manager_user_id.unwrap())]
        );
    }

    // The caller's colleagues, page by page, each once; the same set the portal holds.
    let colleagues = c
        .collect_all(
            DepartmentColleaguesListRequest::new(),
            PageOptions::default().page_size(3),
        )
        .await
        .unwrap();
    let read: Vec<u64> = colleagues
        .iter()
        .map(|u| match u {
            UserRef::Id(id) => *id,
            UserRef::Data(user) => user.id,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let unique: BTreeSet<u64> = read.iter().copied().collect();
    assert_eq!(unique.len(), read.len(), "a colleague read twice");
    let expected: BTreeSet<u64> =
        emu.with_portal(|p| p.colleagues(1).iter().map(|u| u.id).collect());
    assert_eq!(unique, expected);
    assert!(!expected.is_empty());
}

#[tokio::test]
async fn department_search_is_paged_by_offset_despite_its_wrong_next() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    // The server's answer for page 2 points back to offset 2.
    let raw = c
        .call_raw(
            "im.search.department.list",
            &json!({"FIND": "", "LIMIT": 2, "OFFSET": 2}),
        )
        .await
        .unwrap();
    assert_eq!(raw.next, Some(2), "the emulator keeps the server's bug");
    let total = usize::try_from(raw.total.unwrap()).unwrap();
    assert!(total > 4, "three pages at least: {total}");

    let pages: Vec<_> = {
        use futures_util::TryStreamExt as _;
        c.pages(
            SearchDepartmentListRequest::new(""),
            PageOptions::default().page_size(2),
        )
        .try_collect()
        .await
        .unwrap()
    };
    assert_eq!(pages.len(), total.div_ceil(2));
    let ids: Vec<u64> = pages
        .iter()
        .flat_map(|p| p.result.iter().map(|d| d.id))
        .collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(
        (ids.len(), unique.len()),
        (total, total),
        "each once: {ids:?}"
    );
}

#[tokio::test]
async fn searches_cap_the_limit_and_answer_empty_arrays() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    let page = c
        .call(&SearchUserListRequest::new("zzzz-nobody"))
        .await
        .unwrap();
    assert!(page.result.is_empty());
    assert_eq!(page.total, Some(0));
    let raw = c
        .call_raw("im.search.user.list", &json!({"FIND": "zzzz-nobody"}))
        .await
        .unwrap();
    assert_eq!(raw.result, json!([]));
    let err = c.call(&SearchUserListRequest::new("a")).await.unwrap_err();
    assert_eq!(err.code(), Some("FIND_SHORT"));
    // 10 by default, 50 at most.
    let wide = c.call(&SearchDepartmentListRequest::new("")).await.unwrap();
    assert_eq!(wide.result.len(), wide.total.unwrap().min(10) as usize);
    let chats = c
        .call(&SearchChatListRequest::new().find("chat").limit(500))
        .await
        .unwrap();
    assert!(chats.result.len() <= 50);
    let ids: Vec<u64> = chats.result.iter().map(|c| c.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
}

fn from_module(user: u64, kind: NotifyKind, text: &str) -> Notification {
    let source = ("socialnetwork", "invite_group");
    Notification::new(user, 2, kind, text, source, "2026-03-03T09:00:00+02:00")
}

async fn notify_counter(c: &Client) -> u64 {
    let counters = c.call(&CountersGetRequest::new()).await.unwrap().result;
    u64::from(counters.totals.notify.unwrap())
}

#[tokio::test]
async fn notifications_are_sent_listed_answered_read_and_deleted_by_tag() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    assert_eq!(notify_counter(&c).await, 0);

    // Three sent over REST to the caller, the third tagged for the application `app-one`.
    let personal = c
        .call(&NotifyPersonalAddRequest::new(1, "Personal hello"))
        .await
        .unwrap()
        .result
        .unwrap();
    let system = c
        .call(&NotifySystemAddRequest::new(1, "System notice"))
        .await
        .unwrap()
        .result
        .unwrap();
    let tagged = c
        .call(
            &NotifyRequest::new(1, "Tagged reminder")
                .tag("TASK_42")
                .client_id("app-one"),
        )
        .await
        .unwrap()
        .result
        .unwrap();
    // A confirm notification and an answerable one, as other modules send them.
    let (confirm, answerable) = emu.with_portal(|p| {
        let mut n = from_module(1, NotifyKind::Confirm, "Join the group?");
        n.buttons = vec![
            ("Accept".into(), "Y".into()),
            ("Decline".into(), "N".into()),
        ];
        let confirm = p.notify(n);
        let mut n = from_module(1, NotifyKind::From, "How was the meeting?");
        n.answerable = true;
        (confirm, p.notify(n))
    });
    assert_eq!(notify_counter(&c).await, 5);

    let page = c.call(&NotifyGetRequest::new()).await.unwrap().result;
    assert_eq!(
        (page.total_count, page.total_unread_count),
        (Some(5), Some(5))
    );
    let notes = page.notifications.as_ref().unwrap();
    assert_eq!(notes[0].id, confirm, "confirm notifications first");
    let by_id = |id: u64| notes.iter().find(|n| n.id == id).unwrap();
    assert_eq!(by_id(personal).author_id, Some(1));
    assert_eq!(by_id(system).author_id, Some(0));
    assert_eq!(
        by_id(tagged).notify_tag.as_deref(),
        Some("MP|0ff34|TASK_42")
    );
    assert!(by_id(confirm).notify_buttons.is_some());

    // Replies only where the notification takes them.
    let err = c
        .call(&NotifyAnswerRequest::new(personal, "ok"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ID_ERROR"));
    let err = c
        .call(&NotifyConfirmRequest::new(personal, "Y"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ID_ERROR"));
    c.call(&NotifyAnswerRequest::new(answerable, "Fine, thanks"))
        .await
        .unwrap();
    c.call(&NotifyConfirmRequest::new(confirm, "Y"))
        .await
        .unwrap();
    assert_eq!(
        notify_counter(&c).await,
        3,
        "answered is read, confirmed is gone"
    );
    let answers = emu.with_portal(|p| p.notification(1, answerable).unwrap().answers.clone());
    assert_eq!(answers, ["Fine, thanks"]);

    // Read one, then a list, then unread one again, then all.
    assert!(
        c.call(&NotifyReadRequest::new().id(personal).only_current("Y"))
            .await
            .unwrap()
            .result
    );
    assert_eq!(notify_counter(&c).await, 2);
    c.call(&NotifyReadListRequest::new(vec![system, tagged]))
        .await
        .unwrap();
    assert_eq!(notify_counter(&c).await, 0);
    c.call(&NotifyReadListRequest::new(vec![system]).action(false))
        .await
        .unwrap();
    assert_eq!(notify_counter(&c).await, 1);
    let all = c.call(&NotifyReadAllRequest::new()).await.unwrap().result;
    assert_eq!(all.new_counter, Some(0));
    assert_eq!(notify_counter(&c).await, 0);

    // The history finds by text; the schema names the modules.
    let found = c
        .call(&NotifyHistorySearchRequest::new().search_text("reminder"))
        .await
        .unwrap()
        .result;
    let found: Vec<u64> = found.notifications.unwrap().iter().map(|n| n.id).collect();
    assert_eq!(found, [tagged]);
    let schema = c.call(&NotifySchemaGetRequest::new()).await.unwrap().result;
    assert!(schema.contains_key("rest") && schema.contains_key("socialnetwork"));

    // Delete by tag: a webhook must name its application, and only that one's tags go.
    let err = c
        .call(&NotifyDeleteRequest::new().tag("TASK_42"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("ACCESS_DENIED"))
    );
    c.call(
        &NotifyDeleteRequest::new()
            .tag("TASK_42")
            .client_id("app-two"),
    )
    .await
    .unwrap();
    assert!(
        emu.with_portal(|p| p.notification(1, tagged).is_some()),
        "other app's tag kept"
    );
    c.call(
        &NotifyDeleteRequest::new()
            .tag("TASK_42")
            .client_id("app-one"),
    )
    .await
    .unwrap();
    assert!(emu.with_portal(|p| p.notification(1, tagged).is_none()));
    assert!(
        c.call(&NotifyDeleteRequest::new().id(system))
            .await
            .unwrap()
            .result
    );
    let left = c.call(&NotifyGetRequest::new()).await.unwrap().result;
    let left: Vec<u64> = left.notifications.unwrap().iter().map(|n| n.id).collect();
    assert_eq!(left, [answerable, personal]);
}

#[tokio::test]
async fn notify_get_needs_both_halves_of_its_cursor() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    let err = c
        .call_raw("im.notify.get", &json!({"LAST_ID": 5}))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(400), Some("LAST_ID_AND_LAST_TYPE"))
    );
    let err = c
        .call_raw("im.notify.get", &json!({"LAST_ID": "x", "LAST_TYPE": 3}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LAST_ID_STRING"));
}

#[tokio::test]
async fn notify_get_pages_with_its_typed_cursor_through_both_stages() {
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    let expected: Vec<u64> = emu.with_portal(|p| {
        let mut ids = Vec::new();
        for n in 0..7 {
            let kind = if n % 3 == 0 {
                NotifyKind::Confirm
            } else {
                NotifyKind::System
            };
            let mut note = from_module(1, kind, &format!("note {n}"));
            note.buttons = vec![("Ok".into(), "Y".into())];
            ids.push((u8::from(kind != NotifyKind::Confirm), p.notify(note)));
        }
        // Confirm notifications first, then the others; newest first in each.
        ids.sort_by_key(|(stage, id)| (*stage, std::cmp::Reverse(*id)));
        ids.into_iter().map(|(_, id)| id).collect()
    });
    let mut read = Vec::new();
    let mut request = NotifyGetRequest::new().limit(2);
    loop {
        let page = c.call(&request).await.unwrap().result;
        assert_eq!(page.total_count, Some(7));
        read.extend(page.notifications.iter().flatten().map(|n| n.id));
        let Some(next) = page.next_cursor() else {
            break;
        };
        request = NotifyGetRequest::new().limit(2).cursor(next);
    }
    assert_eq!(read, expected);
}

#[tokio::test]
async fn a_department_tree_loaded_with_data_is_what_the_methods_answer() {
    // Dump a generated portal, add a department under Backend with its own head, load it back.
    let mut portal = b24_emulator::Portal::generate(b24_emulator::portal::Shape {
        seed: 3,
        webhook_user: 1,
        dialog_size: None,
        hidden_pct: 0.0,
    });
    let head = portal
        .users
        .iter()
        .find(|u| u.departments == [6])
        .unwrap()
        .id;
    portal.departments.push(b24_emulator::portal::Department {
        id: 70,
        name: "Release".into(),
        parent: Some(6),
        head: Some(head),
    });
    for user in portal.users.iter_mut().filter(|u| u.id == head) {
        user.departments.push(70);
    }
    let path = std::env::temp_dir().join(format!("b24-users-data-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&portal).unwrap()).unwrap();
    let emu = Emulator::start(Config {
        data: Some(path.clone()),
        ..config()
    })
    .await
    .unwrap();
    let c = client(&emu);
    let found = c
        .call(&DepartmentGetRequest::new(vec![70]))
        .await
        .unwrap()
        .result;
    assert_eq!(
        found[0].full_name.as_deref(),
        Some("Release / Backend / Development / Company")
    );
    let people = c
        .call(&DepartmentEmployeesGetRequest::new(vec![70]))
        .await
        .unwrap()
        .result;
    assert_eq!(people[&70], vec![UserRef::Id(head)]);
    let user = c
        .call(&UserGetRequest::new().id(head))
        .await
        .unwrap()
        .result;
    assert!(user.departments.unwrap().contains(&70));
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn an_application_deletes_only_its_own_tags() {
    use b24_client::{MemoryTokenStore, OAuthApp, OAuthTokens};
    let emu = Emulator::start(config()).await.unwrap();
    let webhook = client(&emu);
    let issued = emu.issue_tokens();
    let tokens = OAuthTokens::new(
        issued.access_token,
        issued.refresh_token,
        std::time::Duration::from_secs(3600),
    );
    let app = OAuthApp::new(
        &emu.base_url(),
        emu.client_id(),
        emu.client_secret(),
        tokens,
    )
    .unwrap()
    .token_endpoint(&emu.token_url())
    .unwrap()
    .store(std::sync::Arc::new(MemoryTokenStore::default()));
    let app = Client::builder().oauth(app).unlimited().build().unwrap();

    // The same tag from the application and from a webhook naming another application.
    let from_app = app
        .call(&NotifySystemAddRequest::new(1, "from the app").tag("T1"))
        .await
        .unwrap()
        .result
        .unwrap();
    let from_other = webhook
        .call(
            &NotifySystemAddRequest::new(1, "from another")
                .tag("T1")
                .client_id("other"),
        )
        .await
        .unwrap()
        .result
        .unwrap();
    let tags = emu.with_portal(|p| {
        [from_app, from_other].map(|id| p.notification(1, id).unwrap().tag.clone().unwrap())
    });
    assert_ne!(tags[0], tags[1], "tags are stored per application");
    assert!(
        tags.iter()
            .all(|t| t.starts_with("MP|") && t.ends_with("|T1"))
    );

    // The application needs no CLIENT_ID: its token says who it is.
    assert!(
        app.call(&NotifyDeleteRequest::new().tag("T1"))
            .await
            .unwrap()
            .result
    );
    let left =
        emu.with_portal(|p| [from_app, from_other].map(|id| p.notification(1, id).is_some()));
    assert_eq!(left, [false, true]);
}
