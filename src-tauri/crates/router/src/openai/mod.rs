//! OpenAI's chat-completions wire format: the request in, the answer and errors out.

mod error;
mod request;
mod response;
mod stream;

pub(crate) use error::ApiError;
pub(crate) use request::{parse, Body};
pub(crate) use response::{completion, finish_reason, ChunkWriter, DONE};
pub(crate) use stream::SseBody;
