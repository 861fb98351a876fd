//! The builders every vendor crate declares, written once: [`vendor_client_builder!`] (the
//! client builders) and [`push_receiver_builder!`] (the push receivers' builders).
//!
//! A vendor's `client.rs` states only what is its own — the credentials (with the hint of the
//! "is required" error), its defaults, its extra settings, and how its signer is built — and
//! the macro writes the rest the same way for all four crates: the struct, `Default` (the
//! vendor's base URL and rate limit), `Debug` (secrets print as `Secret(***)`), [`Configure`],
//! [`ConfigureTokens`] when the vendor has tokens, one setter per credential, and the start
//! of `build()` that checks every credential with [`check::credential`] or
//! [`check::secret_credential`] (one wording: `` `app_id` is required: … ``).
//!
//! [`push_receiver_builder!`] does the same for the push receivers' builders: the struct,
//! `Default`, `Debug` (secrets as `"***"`), the secret setters and `PushReceiver::builder()`.
//!
//! [`Configure`]: crate::Configure
//! [`ConfigureTokens`]: crate::ConfigureTokens
//! [`check::credential`]: crate::check::credential
//! [`check::secret_credential`]: crate::check::secret_credential

use crate::{Error, Secret, check};

/// A credential type a client builder accepts: text ([`String`], trimmed) or a [`Secret`].
/// What [`vendor_client_builder!`] checks each credential with; not a public API.
#[doc(hidden)]
pub trait Credential: Sized {
    /// `value`, checked: a [`Config`](crate::ErrorKind::Config) error
    /// `` `field` is required: hint `` when it is missing or blank.
    fn required(
        vendor: &'static str,
        field: &str,
        value: Option<Self>,
        hint: &str,
    ) -> Result<Self, Error>;
}

impl Credential for String {
    fn required(
        vendor: &'static str,
        field: &str,
        value: Option<Self>,
        hint: &str,
    ) -> Result<Self, Error> {
        check::credential(vendor, field, value, hint)
    }
}

impl Credential for Secret {
    fn required(
        vendor: &'static str,
        field: &str,
        value: Option<Self>,
        hint: &str,
    ) -> Result<Self, Error> {
        check::secret_credential(vendor, field, value, hint)
    }
}

/// `show(value)`: how a builder's `Debug` prints a setting given with `=> show`.
#[doc(hidden)]
pub fn shown_with<T: ?Sized, R>(value: &T, show: impl FnOnce(&T) -> R) -> R {
    show(value)
}

/// Declares a vendor client builder: the struct, `Default`, `Debug`, `Configure`, optionally
/// `ConfigureTokens`, the credential setters and `build()`, the same in every vendor crate.
/// The macro writes the first paragraphs of the builder's and of `build()`'s documentation;
/// the attributes given add to them (an example, what is particular to the vendor).
///
/// ```text
/// scrm_core::vendor_client_builder! {
///     /// Builder of [`AcmeClient`] …
///     pub struct AcmeClientBuilder for Acme {
///         defaults: DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT;
///         credentials {
///             /// The app id. Required.
///             app_id: String = "the app id from acme's console",
///             /// The app secret. Required; never printed.
///             app_secret: Secret = "the app secret from the same console",
///         }
///         settings {
///             ids: Option<Arc<dyn RequestIds>> = None => |ids| ids.is_some(),
///         }
///         /// Token store, refresh margin, token-invalid codes (default …).
///         tokens: DEFAULT_TOKEN_INVALID_CODES;
///     }
///
///     /// Builds the client …
///     fn build(self) -> Result<AcmeClient, Error> {
///         // `app_id: String` and `app_secret: Secret` are checked and bound here, `VENDOR`
///         // is the vendor's name; the settings and `self.options` are fields of `self`.
///     }
/// }
/// ```
///
/// Credentials are `String` (trimmed) or `Secret`, each `Option` in the struct, set with a
/// method of its name taking `impl Into<_>`, and checked in order before the body of
/// `build()` runs: a missing or blank one is a `Config` error
/// `` <vendor>: configuration error: `<name>` is required: <hint> ``. Settings are private
/// fields with a default; `Debug` prints them as they are, or through `=> show` (a closure
/// taking `&T`). Their setters, when there are any, are written in the vendor crate. With
/// `tokens: <default token-invalid codes>;` (a token-in-the-query vendor) the builder also
/// holds `tokens: TokenSettings` and implements `ConfigureTokens`, documented by the
/// attributes before it.
#[doc(hidden)]
#[macro_export]
macro_rules! vendor_client_builder {
    (
        $(#[$attr:meta])*
        pub struct $builder:ident for $vendor:ty {
            defaults: $base_url:expr, $requests_per_second:expr, $max_concurrent:expr;
            credentials {
                $( $(#[$cred_attr:meta])* $cred:ident: $cred_ty:ty = $hint:expr ),+ $(,)?
            }
            $( settings {
                $( $set:ident: $set_ty:ty = $set_default:expr $(=> $show:expr)? ),* $(,)?
            } )?
            $( $(#[$tokens_attr:meta])* tokens: $invalid_codes:expr; )?
        }

        $(#[$build_attr:meta])*
        fn build($self:ident) -> Result<$client:ident, $error:ty> $body:block
    ) => {
        #[doc = concat!(
            "Builder of [`", stringify!($client), "`]: its credentials, and the settings every ",
            "vendor crate shares (base URL, retries, rate limit, timeouts, transport, clock, page ",
            "options) from [`Configure`](scrm_core::Configure)."
        )]
        $( #[doc = $crate::__builder_tokens_doc!($invalid_codes)] )?
        ///
        /// `Debug` never prints a secret credential: it shows `Secret(***)`.
        ///
        $(#[$attr])*
        #[derive(Clone)]
        #[must_use = "call .build() to get a client"]
        pub struct $builder {
            options: $crate::ClientOptions,
            $( $cred: ::core::option::Option<$cred_ty>, )+
            $( $( $set: $set_ty, )* )?
            $( tokens: $crate::__builder_tokens_type!($invalid_codes), )?
        }

        impl ::core::default::Default for $builder {
            #[doc = concat!("A builder with the defaults (see [`", stringify!($client), "::builder`]).")]
            fn default() -> Self {
                $builder {
                    options: $crate::ClientOptions::new(
                        $base_url,
                        $crate::RateLimit::new($requests_per_second, $max_concurrent),
                    ),
                    $( $cred: ::core::option::Option::None, )+
                    $( $( $set: $set_default, )* )?
                    $( tokens: $crate::TokenSettings::new(&$invalid_codes), )?
                }
            }
        }

        impl ::core::fmt::Debug for $builder {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($builder))
                    .field("options", &self.options)
                    $( .field(stringify!($cred), &self.$cred) )+
                    $( $( .field(stringify!($set), $crate::__builder_debug_value!(&self.$set $(, $show)?)) )* )?
                    $( .field("tokens", { let _: &[i64] = &$invalid_codes; &self.tokens }) )?
                    .finish()
            }
        }

        impl $crate::Configure for $builder {
            fn options_mut(&mut self) -> &mut $crate::ClientOptions {
                &mut self.options
            }
        }

        $(
            $(#[$tokens_attr])*
            impl $crate::ConfigureTokens for $builder {
                fn token_settings_mut(&mut self) -> &mut $crate::TokenSettings {
                    &mut self.tokens
                }
            }
        )?

        impl $builder {
            $(
                $(#[$cred_attr])*
                pub fn $cred(mut self, $cred: impl ::core::convert::Into<$cred_ty>) -> Self {
                    self.$cred = ::core::option::Option::Some($cred.into());
                    self
                }
            )+

            /// Builds the client; sends nothing yet. Fails with
            /// [`ErrorKind::Config`](scrm_core::ErrorKind::Config) when a credential is missing
            /// or blank (`` `<name>` is required: <where to find it> ``, the wording of every
            /// vendor crate), or when the base URL is invalid (plain `http://` is accepted only
            /// for loopback hosts unless
            /// [`Configure::allow_insecure_http`](scrm_core::Configure::allow_insecure_http)).
            ///
            $(#[$build_attr])*
            pub fn build($self) -> ::core::result::Result<$client, $error> {
                const VENDOR: &str = <$vendor as $crate::Vendor>::NAME;
                $(
                    let $cred = <$cred_ty as $crate::__private::Credential>::required(
                        VENDOR,
                        stringify!($cred),
                        $self.$cred,
                        $hint,
                    )?;
                )+
                $body
            }
        }
    };
}

/// A setting's value for `Debug`: itself, or what `show` makes of it.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_debug_value {
    ($value:expr) => {
        $value
    };
    ($value:expr, $show:expr) => {
        &$crate::__private::shown_with($value, $show)
    };
}

/// The line of a builder's documentation for its token settings.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_tokens_doc {
    ($invalid_codes:expr) => {
        "The token settings (store, refresh margin, token-invalid codes) come from \
         [`ConfigureTokens`](scrm_core::ConfigureTokens)."
    };
}

/// The type of a builder's token settings (the argument, the default codes, only selects the
/// line of the declaration).
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_tokens_type {
    ($invalid_codes:expr) => {
        $crate::TokenSettings
    };
}

/// How a push receiver builder's `Debug` shows a set secret or setting: text as it is, a
/// [`Secret`] as `"***"`.
#[doc(hidden)]
pub trait PushField {
    /// What `Debug` prints.
    fn shown(&self) -> &dyn std::fmt::Debug;
}

impl PushField for String {
    fn shown(&self) -> &dyn std::fmt::Debug {
        self
    }
}

impl PushField for Secret {
    fn shown(&self) -> &dyn std::fmt::Debug {
        &"***"
    }
}

/// Declares a vendor's push receiver builder: the struct, `Default`, `Debug` (secrets as
/// `"***"`), one setter per secret and `PushReceiver::builder()`, the same in every vendor
/// crate with a push scheme. The vendor writes `build()` (its checks and key schedule) and the
/// setters of its settings.
///
/// ```text
/// scrm_core::push_receiver_builder! {
///     /// Builds a [`PushReceiver`] …
///     pub struct PushReceiverBuilder for PushReceiver {
///         secrets {
///             /// The app id: every push carries it.
///             app_id: String,
///             /// The app key: signs every push.
///             app_key: Secret,
///         }
///         settings {
///             timestamp_window: Duration = DEFAULT_TIMESTAMP_WINDOW,
///         }
///         unshown {
///             clock: Arc<dyn Clock> = Arc::new(SystemClock),
///         }
///     }
/// }
/// ```
///
/// Secrets are `Option`s, set with a method of their name taking `impl Into<_>`; `settings`
/// (printed by `Debug`) and `unshown` (not printed) are fields with a default.
#[doc(hidden)]
#[macro_export]
macro_rules! push_receiver_builder {
    (
        $(#[$attr:meta])*
        pub struct $builder:ident for $receiver:ident {
            secrets {
                $( $(#[$secret_attr:meta])* $secret:ident: $secret_ty:ty ),+ $(,)?
            }
            $( settings {
                $( $set:ident: $set_ty:ty = $set_default:expr ),* $(,)?
            } )?
            $( unshown {
                $( $unshown:ident: $unshown_ty:ty = $unshown_default:expr ),* $(,)?
            } )?
        }
    ) => {
        $(#[$attr])*
        pub struct $builder {
            $( $secret: ::core::option::Option<$secret_ty>, )+
            $( $( $set: $set_ty, )* )?
            $( $( $unshown: $unshown_ty, )* )?
        }

        impl ::core::default::Default for $builder {
            fn default() -> Self {
                $builder {
                    $( $secret: ::core::option::Option::None, )+
                    $( $( $set: $set_default, )* )?
                    $( $( $unshown: $unshown_default, )* )?
                }
            }
        }

        impl ::core::fmt::Debug for $builder {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($builder))
                    $( .field(
                        stringify!($secret),
                        &self.$secret.as_ref().map($crate::__private::PushField::shown),
                    ) )+
                    $( $( .field(stringify!($set), &self.$set) )* )?
                    .finish()
            }
        }

        impl $builder {
            $(
                $(#[$secret_attr])*
                pub fn $secret(mut self, $secret: impl ::core::convert::Into<$secret_ty>) -> Self {
                    self.$secret = ::core::option::Option::Some($secret.into());
                    self
                }
            )+
        }

        impl $receiver {
            /// Starts a builder.
            pub fn builder() -> $builder {
                <$builder as ::core::default::Default>::default()
            }
        }
    };
}
