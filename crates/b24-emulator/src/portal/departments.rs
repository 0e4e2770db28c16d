//! The company structure: departments as a tree with heads, and the people in each, consistent
//! with the `departments` of every user object.

use super::model::{Department, Portal, User};

impl Portal {
    /// Gives the generated structure a second level and a head for every department: `Backend`
    /// under `Development` takes every other developer, and each department without a head gets
    /// its first active employee. The users' `departments` stay the one truth of who works
    /// where.
    pub(super) fn staff_departments(&mut self) {
        if !self.departments.iter().any(|d| d.id == 6) && self.department(3).is_some() {
            self.departments.push(Department {
                id: 6,
                name: "Backend".into(),
                parent: Some(3),
                head: None,
            });
            let developers = self.users.iter_mut().filter(|u| u.departments == [3]);
            for user in developers.skip(1).step_by(2) {
                user.departments = vec![6];
            }
        }
        let heads: Vec<(u64, Option<u64>)> = self
            .departments
            .iter()
            .map(|d| {
                let first = self
                    .users
                    .iter()
                    .find(|u| u.active && u.kind == "user" && u.departments.contains(&d.id));
                (d.id, d.head.or(first.map(|u| u.id)))
            })
            .collect();
        for (id, head) in heads {
            if let Some(d) = self.departments.iter_mut().find(|d| d.id == id) {
                d.head = head;
            }
        }
    }

    /// The department with this id.
    #[must_use]
    pub fn department(&self, id: u64) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    /// `Sales / Company`: the name followed by the names of the departments above it.
    #[must_use]
    pub fn department_full_name(&self, id: u64) -> String {
        let mut names = Vec::new();
        let mut next = Some(id);
        while let Some(current) = next {
            let Some(d) = self.department(current) else {
                break;
            };
            if names.len() > self.departments.len() {
                break; // a cycle in loaded data
            }
            names.push(d.name.as_str());
            next = d.parent;
        }
        names.join(" / ")
    }

    /// Active people of a department (not of the departments below it), in id order.
    pub fn department_employees(&self, id: u64) -> impl Iterator<Item = &User> {
        self.users
            .iter()
            .filter(move |u| u.active && u.departments.contains(&id))
    }

    /// The caller's colleagues: the people of the caller's departments and the heads of those
    /// departments and of every department above them, the caller excluded, in id order.
    #[must_use]
    pub fn colleagues(&self, caller: u64) -> Vec<&User> {
        let Some(me) = self.user(caller) else {
            return Vec::new();
        };
        let mut ids = std::collections::BTreeSet::new();
        for &dept in &me.departments {
            ids.extend(self.department_employees(dept).map(|u| u.id));
            let mut next = Some(dept);
            let mut steps = 0;
            while let Some(current) = next
                && steps <= self.departments.len()
            {
                let Some(d) = self.department(current) else {
                    break;
                };
                ids.extend(d.head);
                next = d.parent;
                steps += 1;
            }
        }
        ids.remove(&caller);
        ids.iter()
            .filter_map(|id| self.user(*id))
            .filter(|u| u.active)
            .collect()
    }
}
