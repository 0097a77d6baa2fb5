//! `sellerguard token create|list|revoke`: curators' API tokens. The secret is printed
//! once, at creation; listings never show it.

use std::process::ExitCode;

use clap::Subcommand;

use super::backend::Backend;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (shown only this once).
    Create {
        /// Who or what the token is for (1-64 of A-Z a-z 0-9 . _ -).
        #[arg(long)]
        name: String,
    },
    /// List tokens (names and dates, never secrets).
    List,
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's name.
        name: String,
    },
}

pub fn run(backend: &Backend, command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create { name } => {
            let secret = backend.create_token(&name)?;
            super::print_out(&format!("{secret}\n"))?;
            eprintln!(
                "token {name:?} created; this is the only time its secret is shown \
                 (send it as `Authorization: Bearer <secret>`)"
            );
        }
        TokenCommand::List => {
            let mut text = String::new();
            for token in backend.tokens()? {
                let state = match token.revoked_at {
                    Some(at) => format!("revoked at {at}"),
                    None => "live".into(),
                };
                text.push_str(&format!(
                    "{}\tcreated at {}\t{state}\n",
                    token.name, token.created_at
                ));
            }
            if text.is_empty() {
                text.push_str("no tokens\n");
            }
            super::print_out(&text)?;
        }
        TokenCommand::Revoke { name } => {
            backend.revoke_token(&name)?;
            super::print_out(&format!("token {name:?} revoked\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
