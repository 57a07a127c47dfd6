//! Content: find the files under `content/`, read their front matter, and assemble the [`Site`].
//!
//! This stage reads files and checks what each says about itself (front matter, encoding, URL
//! clashes); what pages say about each other (links, materials) is checked once every page is
//! known, in [`crate::links`].

pub mod discover;
pub mod front_matter;
pub mod model;

pub use front_matter::{Date, Kind};
pub use model::{Attachment, Page, Section, Site};
