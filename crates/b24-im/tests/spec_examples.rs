//! Every example response kept beside the spec decodes with the generated types (to the
//! documented error, for error examples) and re-encodes to the same JSON. The tests are generated
//! by `cargo xtask codegen`; they read the examples from `spec/`, so they are tests of the
//! repository and not part of the published package.

#[rustfmt::skip]
#[path = "spec_examples/generated.rs"]
mod generated;
