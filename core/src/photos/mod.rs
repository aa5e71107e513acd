//! Photos of products and producers: the ordered photo rows of an owner. The pipeline that
//! makes the image files joins this module in the photo issue.

pub(crate) mod rows;

pub use rows::Photo;
