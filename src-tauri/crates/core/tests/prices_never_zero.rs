//! No code path turns an unknown price into $0: whatever the model id and the token
//! counts, a cost either has a price behind it or no amount at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Utc;
use proptest::prelude::*;
use rust_decimal::Decimal;
use switchboard_core::chat::{Usage, UsageSource};
use switchboard_core::prices::answer_cost::CostSource;
use switchboard_core::prices::book::PriceBook;
use switchboard_core::prices::catalog::Catalog;
use switchboard_core::prices::lookup::switchboard_provider;

fn usage() -> impl Strategy<Value = Usage> {
    (0u64..2_000_000, 0u64..100_000, any::<bool>()).prop_flat_map(|(input, output, est)| {
        (0..=input, 0..=output).prop_map(move |(cached, reasoning)| Usage {
            input_tokens: input,
            cached_input_tokens: cached,
            output_tokens: output,
            reasoning_tokens: reasoning,
            source: if est {
                UsageSource::Estimated
            } else {
                UsageSource::Reported
            },
            ..Usage::default()
        })
    })
}

proptest! {
    #[test]
    fn an_amount_always_has_a_price_behind_it(
        provider in prop::sample::select(vec!["openai", "anthropic", "gemini", "openrouter", "mistral", "xai", "my-vllm", "azure", ""]),
        model in "[a-z0-9.:-]{1,24}",
        u in usage(),
    ) {
        let book = PriceBook::bundled();
        let id = if provider.is_empty() { model.clone() } else { format!("{provider}/{model}") };
        let cost = book.cost(&id, &u, Utc::now());
        match book.find(&id) {
            Some(found) if found.entry.is_priced() => {
                let usd = cost.usd.unwrap();
                prop_assert!(usd >= Decimal::ZERO);
                prop_assert_ne!(cost.source, CostSource::Unpriced);
                // Zero only for a free model or nothing to bill.
                if usd.is_zero() {
                    prop_assert!(found.entry.is_free() || u.input_tokens + u.output_tokens == 0 || cost.free || found.entry.rates.input == Some(Decimal::ZERO));
                }
            }
            _ => {
                prop_assert_eq!(cost.usd, None);
                prop_assert_eq!(cost.source, CostSource::Unpriced);
                prop_assert!(!cost.free);
                prop_assert_eq!(cost.display(&Default::default()), "unpriced");
            }
        }
    }
}

#[test]
fn catalog_entries_without_both_prices_are_unpriced() {
    let book = PriceBook::bundled();
    let mut checked = 0;
    for (key, entry) in &Catalog::bundled().entries {
        if entry.is_priced() {
            continue;
        }
        let provider = switchboard_provider(&entry.provider);
        let bare = key
            .strip_prefix(&format!("{}/", entry.provider))
            .unwrap_or(key);
        let id = format!("{provider}/{bare}");
        let u = Usage {
            input_tokens: 1000,
            output_tokens: 1000,
            ..Usage::default()
        };
        let cost = book.cost(&id, &u, Utc::now());
        assert_eq!(cost.usd, None, "{id} has no price and must not cost $0");
        checked += 1;
    }
    assert!(
        checked > 0,
        "the snapshot has entries without prices; they must be checked"
    );
}
