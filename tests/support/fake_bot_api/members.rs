//! Chat membership the fake reports through getChatMember and
//! getChatAdministrators, rendered as the server's `ChatMember` JSON.
//!
//! Administrator objects carry every permission flag teloxide 0.17 requires
//! (it rejects an administrator without e.g. `can_manage_video_chats`).

use serde_json::{Value, json};

/// What getChatMember reports for one user in one chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MemberStatus {
    /// The chat owner.
    Creator,
    /// An administrator with the two rights sellerguard cares about.
    Administrator {
        /// May delete other users' messages.
        can_delete_messages: bool,
        /// May ban, mute and restrict users.
        can_restrict_members: bool,
    },
    /// A plain member (the default for anyone not configured).
    #[default]
    Member,
    /// Not in the chat.
    Left,
    /// Banned from the chat.
    Kicked,
}

impl MemberStatus {
    /// An administrator with every right sellerguard needs.
    pub fn admin() -> Self {
        Self::Administrator {
            can_delete_messages: true,
            can_restrict_members: true,
        }
    }

    /// An administrator who may not delete messages.
    pub fn admin_without_delete() -> Self {
        Self::Administrator {
            can_delete_messages: false,
            can_restrict_members: true,
        }
    }

    /// Whether getChatAdministrators lists this member.
    pub fn is_privileged(self) -> bool {
        matches!(self, Self::Creator | Self::Administrator { .. })
    }

    /// The `ChatMember` object for `user` with this status.
    pub fn to_json(self, user: Value) -> Value {
        match self {
            Self::Creator => json!({"user": user, "status": "creator", "is_anonymous": false}),
            Self::Administrator {
                can_delete_messages,
                can_restrict_members,
            } => json!({
                "user": user,
                "status": "administrator",
                "can_be_edited": false,
                "is_anonymous": false,
                "can_manage_chat": true,
                "can_delete_messages": can_delete_messages,
                "can_manage_video_chats": false,
                "can_restrict_members": can_restrict_members,
                "can_promote_members": false,
                "can_change_info": false,
                "can_invite_users": true,
                "can_post_stories": false,
                "can_edit_stories": false,
                "can_delete_stories": false,
                "can_pin_messages": false,
                "can_manage_topics": false,
            }),
            Self::Member => json!({"user": user, "status": "member"}),
            Self::Left => json!({"user": user, "status": "left"}),
            Self::Kicked => json!({"user": user, "status": "kicked", "until_date": 0}),
        }
    }
}
