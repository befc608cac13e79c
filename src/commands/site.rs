//! `vetted site add|list`.

use super::Context;
use crate::cli::SiteCommand;
use crate::domain::{text, values};
use crate::error::Result;
use crate::store::sites::{self, NewSite};

pub async fn run(ctx: &Context, cmd: SiteCommand) -> Result<()> {
    match cmd {
        SiteCommand::Add {
            supplier,
            name,
            city,
            province,
            country,
            lines,
        } => {
            let new = NewSite {
                supplier,
                name: text::name("name", &name)?,
                city: text::optional_line("city", city.as_deref())?,
                province: text::optional_line("province", province.as_deref())?,
                country: country
                    .as_deref()
                    .map(|c| values::parse_country("country", c))
                    .transpose()?,
                lines: lines
                    .as_deref()
                    .map(|n| values::parse_count("lines", n))
                    .transpose()?,
            };
            let store = ctx.store().await?;
            let site = sites::add(&store, new).await?;
            ctx.done(
                &format!("Added site #{} {} of {}", site.id, site.name, site.supplier),
                "site",
                &site,
            )
        }
        SiteCommand::List { supplier } => {
            let store = ctx.store().await?;
            let list = sites::list(&store, supplier.as_deref()).await?;
            ctx.print(&ctx.output.list(
                &list,
                &["id", "supplier", "name", "city", "province", "country", "lines"],
            ))
        }
    }
}
