//! The normalized vocabulary every provider is translated to and from.

mod event;
mod params;
mod request;
mod target;
mod usage;

pub use event::{ChatEvent, FinishReason};
pub use params::{ParamError, Params, ReasoningEffort};
pub use request::{ChatRequest, Message, Role};
pub use target::{ModelId, ModelIdError, Target};
pub use usage::{Usage, UsageSource};
