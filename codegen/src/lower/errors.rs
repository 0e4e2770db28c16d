//! System errors (`spec/_system/errors.yaml`) and the error codes of a method.

use super::{Lowerer, Names};
use crate::de::Tolerant;
use crate::ir;
use crate::names;
use crate::raw;
use crate::source::FileId;

impl Lowerer<'_> {
    pub(super) fn lower_system_errors(
        &mut self,
        file: FileId,
        spec: &raw::ErrorsSpec,
    ) -> Vec<ir::SystemError> {
        let mut out = Vec::new();
        let mut codes = Names::default();
        let mut variants = Names::default();
        for entry in spec.errors.iter().filter_map(|e| e.0.as_ref()) {
            let Some(variant) = self.variant_name(
                file,
                &entry.code,
                entry.rust_name.as_ref(),
                names::ENUM_FALLBACK_VARIANTS,
            ) else {
                continue;
            };
            if !self.unique_code(file, &mut codes, &entry.code) {
                continue;
            }
            if !self.unique_rust(
                file,
                &mut variants,
                &variant,
                &entry.code,
                "error codes",
                "variant",
            ) {
                continue;
            }
            out.push(ir::SystemError {
                code: entry.code.value.clone(),
                variant: variant.value,
                status: entry.status.value,
                messages: entry.messages.clone(),
                doc: entry.doc.clone(),
                execution: entry.execution,
                retry: entry.retry,
            });
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// A method's own error codes; `false` when one of them is broken.
    pub(super) fn lower_error_codes(
        &mut self,
        file: FileId,
        entries: &[Tolerant<raw::ErrorEntry>],
        codes: &mut Names,
    ) -> (Vec<ir::ErrorCode>, bool) {
        let mut ok = true;
        let mut variants = Names::default();
        let mut errors = Vec::new();
        for e in entries.iter().filter_map(|e| e.0.as_ref()) {
            if !self.unique_code(file, codes, &e.code) {
                ok = false;
                continue;
            }
            let Some(variant) = self.variant_name(
                file,
                &e.code,
                e.rust_name.as_ref(),
                names::ERROR_FALLBACK_VARIANTS,
            ) else {
                ok = false;
                continue;
            };
            if !self.unique_rust(
                file,
                &mut variants,
                &variant,
                &e.code,
                "error codes",
                "variant",
            ) {
                ok = false;
                continue;
            }
            errors.push(ir::ErrorCode {
                code: e.code.value.clone(),
                variant: variant.value,
                statuses: e.status.0.clone(),
                messages: e.messages.clone(),
                doc: e.doc.clone(),
            });
        }
        (errors, ok)
    }
}
