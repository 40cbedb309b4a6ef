//! The one error sink of the macros (serde_derive's `Ctxt`): every check pushes
//! into it, and the macro reports every error at once.

use syn::Error;

/// Errors gathered so all are reported at once.
#[derive(Default)]
pub struct Errors(Option<Error>);

impl Errors {
    pub fn push(&mut self, e: Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// Keep `value` if the check passed, push its error otherwise.
    pub fn check<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// Everything pushed, combined; `None` if nothing was.
    pub fn into_error(self) -> Option<Error> {
        self.0
    }

    /// `value` if nothing was pushed, else every error pushed.
    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    #[test]
    fn every_pushed_error_is_reported_in_order() {
        let mut errors = Errors::default();
        assert!(errors.check(Ok::<_, Error>(1)).is_some());
        errors.push(Error::new(Span::call_site(), "first"));
        assert!(errors
            .check(Err::<(), _>(Error::new(Span::call_site(), "second")))
            .is_none());
        let messages: Vec<String> = errors
            .finish(())
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn nothing_pushed_keeps_the_value() {
        assert_eq!(Errors::default().finish(7).unwrap(), 7);
        assert!(Errors::default().into_error().is_none());
    }
}
