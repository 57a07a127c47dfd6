//! The index schema: which fields exist, how each is tokenized, and what is stored.
//!
//! Words fields carry BM25 relevance with per-field boosts; grams fields answer verbatim
//! (substring) matches as phrases for the pages `serve` replaced (a full build leaves them empty
//! and writes the verbatim file instead); raw fields serve filters and facets from fast columns.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::Index;

use super::analyzer::{Analyzer, GramTokenizer};

pub const WORDS_TOKENIZER: &str = "studybook_words";
pub const GRAMS_TOKENIZER: &str = "studybook_grams";

/// Handles to every field, built once from the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub path: Field,
    pub url: Field,
    pub title: Field,
    pub title_grams: Field,
    pub body: Field,
    pub body_grams: Field,
    pub headings: Field,
    pub tags_text: Field,
    pub topic: Field,
    pub meta: Field,
    pub meta_grams: Field,
    pub kind: Field,
    pub meeting: Field,
    pub host: Field,
    pub tags: Field,
    pub date: Field,
    pub year: Field,
    pub studied: Field,
    /// The document's place among all documents (pages and sections' own pages) in source
    /// path order: the last tie-break of results,
    /// and its document id in the static pack, so neither depends on how indexing threads
    /// happened to fill segments.
    pub order: Field,
    /// 1 where the page's grams are in the verbatim file (a full build's documents), 0 where
    /// they are in the gram fields (pages `serve` replaced since): see [`super::verbatim`].
    pub verbatim_file: Field,
}

/// Word fields and their BM25 boosts: title well above tags and topic, above headings, above
/// body.
pub fn word_field_boosts(fields: &Fields) -> [(Field, f32); 6] {
    [
        (fields.title, 8.0),
        (fields.tags_text, 3.0),
        (fields.topic, 3.0),
        (fields.headings, 2.0),
        (fields.meta, 1.5),
        (fields.body, 1.0),
    ]
}

pub fn gram_fields(fields: &Fields) -> [Field; 3] {
    [fields.title_grams, fields.body_grams, fields.meta_grams]
}

/// Word fields keep frequencies only (BM25 needs no positions: phrases are matched on grams);
/// gram fields keep positions for verbatim matching.
fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let record = if tokenizer == GRAMS_TOKENIZER {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("path", STRING | STORED);
    builder.add_text_field("url", STORED);
    builder.add_text_field("title", text(WORDS_TOKENIZER, true));
    builder.add_text_field("title_grams", text(GRAMS_TOKENIZER, false));
    builder.add_text_field("body", text(WORDS_TOKENIZER, true));
    builder.add_text_field("body_grams", text(GRAMS_TOKENIZER, false));
    builder.add_text_field("headings", text(WORDS_TOKENIZER, false));
    builder.add_text_field("tags_text", text(WORDS_TOKENIZER, false));
    builder.add_text_field("topic", text(WORDS_TOKENIZER, true));
    builder.add_text_field("meta", text(WORDS_TOKENIZER, false));
    builder.add_text_field("meta_grams", text(GRAMS_TOKENIZER, false));
    builder.add_text_field("kind", STRING | STORED | FAST);
    builder.add_text_field("meeting", STRING | STORED | FAST);
    builder.add_text_field("host", STORED);
    builder.add_text_field("tags", STRING | STORED | FAST);
    builder.add_u64_field("date", INDEXED | STORED | FAST);
    builder.add_u64_field("year", INDEXED | FAST);
    builder.add_u64_field("studied", STORED);
    builder.add_u64_field("order", FAST);
    builder.add_u64_field("verbatim_file", FAST);
    builder.build()
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            path: f("path")?,
            url: f("url")?,
            title: f("title")?,
            title_grams: f("title_grams")?,
            body: f("body")?,
            body_grams: f("body_grams")?,
            headings: f("headings")?,
            tags_text: f("tags_text")?,
            topic: f("topic")?,
            meta: f("meta")?,
            meta_grams: f("meta_grams")?,
            kind: f("kind")?,
            meeting: f("meeting")?,
            host: f("host")?,
            tags: f("tags")?,
            date: f("date")?,
            year: f("year")?,
            studied: f("studied")?,
            order: f("order")?,
            verbatim_file: f("verbatim_file")?,
        })
    }
}

/// Registers the analyzer's tokenizers under the names the schema uses.
pub fn register_tokenizers(index: &Index, analyzer: &Analyzer) {
    index
        .tokenizers()
        .register(WORDS_TOKENIZER, analyzer.word_tokenizer());
    index
        .tokenizers()
        .register(GRAMS_TOKENIZER, GramTokenizer::default());
}
