//! Prices and cost: the catalog (LiteLLM's price map), the id → entry mapping, exact
//! decimal cost by LiteLLM's rules, and where each cost came from.

pub mod answer_cost;
pub mod book;
pub mod catalog;
pub mod cost;
pub mod entry;
pub mod lookup;
pub mod money;
pub mod openrouter;
pub mod overrides;
pub mod refresh;
pub mod tokens;
pub mod update;
