//! Paging `im.notify.get`: the cursor for the page after this one.

use crate::{NotificationPage, NotifyCursor};

/// `notify_type` of confirm notifications, which `im.notify.get` lists first (stage `1`).
const CONFIRM: u32 = 1;

impl NotificationPage {
    /// Where the next page starts: after the last notification of this page, in its stage
    /// (`1` for a confirm notification, `3` otherwise). `None` when the page is empty, which
    /// ends the walk.
    ///
    /// ```
    /// use b24_im::{NotificationPage, NotifyGetRequest};
    /// let page: NotificationPage = serde_json::from_str(
    ///     r#"{"notifications": [{"id": 9, "notify_type": 1}, {"id": 7, "notify_type": 2}]}"#,
    /// )?;
    /// let next = NotifyGetRequest::new().cursor(page.next_cursor().unwrap());
    /// assert_eq!(serde_json::to_string(&next)?, r#"{"LAST_ID":7,"LAST_TYPE":3}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn next_cursor(&self) -> Option<NotifyCursor> {
        let last = self.notifications.as_ref()?.last()?;
        let stage = if last.notify_type == Some(CONFIRM) {
            1
        } else {
            3
        };
        Some(NotifyCursor::new(last.id, stage))
    }
}
