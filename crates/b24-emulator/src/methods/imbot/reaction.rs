//! `imbot.v2.Chat.Message.Reaction.add`: the bot reacts to a message of a chat it is in. Codes
//! are exact camelCase (`like`; `LIKE` is `REACTION_NOT_FOUND`); a reaction the bot already
//! set is `REACTION_ALREADY_SET`. A reaction on a bot's own message (its own included, as on
//! the server) gives that bot `ONIMBOTV2REACTIONCHANGE` when it has reactions enabled.

use b24_imbot::{
    ChatMessageReactionAddErrorCode as Code, ChatMessageReactionAddRequest,
    ChatMessageReactionAddResult,
};

use super::identity::{owned_bot, refused};
use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::bots::ReactionRecord;

/// The reaction codes of the `ui` module the docs list.
const REACTIONS: &[&str] = &[
    "like",
    "dislike",
    "faceWithTearsOfJoy",
    "redHeart",
    "neutralFace",
    "fire",
    "cry",
    "slightlySmilingFace",
    "winkingFace",
    "laugh",
    "kiss",
    "wonder",
    "slightlyFrowningFace",
    "loudlyCryingFace",
    "faceWithStuckOutTongue",
    "faceWithStuckOutTongueAndWinkingEye",
    "smilingFaceWithSunglasses",
    "confusedFace",
    "flushedFace",
    "thinkingFace",
    "angry",
    "smilingFaceWithHorns",
    "faceWithThermometer",
];

pub(super) fn add(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let bot = owned_bot(call).map_err(refused!(Code))?;
    let message_id = u64::try_from(call.params.int("messageId").unwrap_or(0)).unwrap_or(0);
    let (chat_id, author) = call
        .portal
        .message(message_id)
        .map(|m| (m.chat_id, m.author_id))
        .ok_or_else(|| fail(Code::MessageNotFound))?;
    let member = call
        .portal
        .chat(chat_id)
        .is_some_and(|c| c.members.iter().any(|r| r.user_id == bot.id));
    if !member {
        return Err(fail(Code::MessageAccessDenied));
    }
    let reaction = call.params.text("reaction").unwrap_or_default();
    if !REACTIONS.contains(&reaction.as_str()) {
        return Err(fail(Code::ReactionNotFound));
    }
    let record = ReactionRecord {
        message_id,
        user_id: bot.id,
        reaction: reaction.clone(),
    };
    if call.portal.reactions.contains(&record) {
        return Err(fail(Code::ReactionAlreadySet));
    }
    call.portal.reactions.push(record);
    super::events::reaction_changed(call.portal, message_id, author, bot.id, &reaction, call.now);
    let mut result = ChatMessageReactionAddResult::default();
    result.result = true;
    Outcome::of::<ChatMessageReactionAddRequest>(&result, 1)
}
