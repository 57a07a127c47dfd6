//! Search: a Tantivy index written with every build, and the queries that read it.
//!
//! - [`analyzer`]: how text becomes terms (jieba words and character grams), one analyzer for
//!   indexing and querying;
//! - [`schema`]: the fields, and how each is tokenized;
//! - [`index`]: writing the index from the compiled pages (the same parse as the HTML);
//!   [`preview_directory`]: the index folder as `serve`'s edits write it, without `fsync`;
//! - [`query`]: parsing a query string, running it, highlighted snippets;
//!   [`numerals`]: ordinals in a query spelled both ways (`第三次`, `第3次`);
//!   [`suggest`]: a query finding nothing answered with its misspelt character corrected;
//! - [`facets`]: counts of kind, year, meeting and tag over all matches;
//! - [`statistics`]: BM25's collection statistics from the documents alive;
//! - [`verbatim`]: the build's gram occurrences beside the index, for verbatim matches, and
//!   [`file_match`]: its matches as a Tantivy query;
//! - [`pack`]: the static search pack exported from the index, for searching with no server.

pub mod analyzer;
pub mod dates;
pub mod facets;
pub mod file_match;
pub mod index;
pub mod numerals;
pub mod pack;
pub mod preview_directory;
pub mod quantized;
pub mod query;
pub mod schema;
pub mod segment;
pub mod snippet;
pub mod statistics;
pub mod suggest;
pub mod verbatim;

/// Where the index lives inside the output folder.
pub const INDEX_DIR: &str = "search/index";
/// The site's words file, copied beside the index so queries segment as the index did.
pub const DICTIONARY_FILE: &str = "dictionary.txt";

pub use query::{Facets, Hit, SearchRequest, SearchResults, Searcher};
