//! The price book and display currency every subcommand prices with: the data folder's
//! refreshed map, OpenRouter prices and overrides over the bundled snapshot.

use std::path::PathBuf;

use rust_decimal::Decimal;
use switchboard_core::prices::book::PriceBook;
use switchboard_core::prices::money::DisplayCurrency;
use switchboard_core::settings::Settings;

pub fn data_dir() -> Option<PathBuf> {
    switchboard_core::paths::data_dir().ok()
}

/// The data folder, for the subcommands that write to it.
pub fn require_data_dir() -> Result<PathBuf, String> {
    data_dir().ok_or_else(|| "no data folder: set SWITCHBOARD_DATA_DIR".to_owned())
}

/// Never fails: a broken file is reported and the bundled prices are used.
pub fn load_book() -> PriceBook {
    let Some(dir) = data_dir() else {
        return PriceBook::bundled();
    };
    let (book, err) = PriceBook::load(&dir);
    if let Some(e) = err {
        eprintln!("warning: {e}");
    }
    book
}

/// The display currency; USD when unset or unreadable (with a warning).
pub fn load_currency() -> DisplayCurrency {
    match data_dir().map(|d| Settings::load(&d)) {
        Some(Ok(s)) => s.currency,
        Some(Err(e)) => {
            eprintln!("warning: {e}");
            DisplayCurrency::default()
        }
        None => DisplayCurrency::default(),
    }
}

/// USD per token → USD per million tokens.
pub fn per_million(per_token: Decimal) -> Decimal {
    (per_token * Decimal::from(1_000_000)).normalize()
}
