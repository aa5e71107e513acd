//! Clusters and cooperatives from the command line: what a facilitator does on the phone's
//! cluster screen, under the same server rules.
//!
//! ```text
//! sentra --db FILE organisations
//! sentra --db FILE create-organisation --kind cluster|cooperative --name N --region CODE
//! sentra --db FILE add-member --organisation ID --producer ID
//! sentra --db FILE remove-member --organisation ID --producer ID
//! ```

use crate::{CliResult, req};
use sentra_core::{Id, Sentra};

/// Runs one of this module's commands; `None` when `command` is not one of them.
pub fn run(command: &str, args: &[String], sentra: &Sentra) -> Option<CliResult> {
    Some(match command {
        "organisations" => list(sentra),
        "create-organisation" => create(args, sentra),
        "add-member" => pair(args).and_then(|(organisation, producer)| {
            sentra.add_member(organisation, producer)?;
            println!("{producer} is a member of {organisation}");
            Ok(())
        }),
        "remove-member" => pair(args).and_then(|(organisation, producer)| {
            sentra.remove_member(organisation, producer)?;
            println!("{producer} left {organisation}");
            Ok(())
        }),
        _ => return None,
    })
}

fn pair(args: &[String]) -> CliResult<(Id, Id)> {
    let organisation = req(args, "--organisation")?
        .parse()
        .map_err(|_| "--organisation is not an id")?;
    let producer = req(args, "--producer")?
        .parse()
        .map_err(|_| "--producer is not an id")?;
    Ok((organisation, producer))
}

fn list(sentra: &Sentra) -> CliResult {
    for o in sentra.organisations()? {
        println!(
            "{} {} {} ({} members)",
            o.id,
            o.kind.as_str(),
            o.name,
            o.members.len()
        );
    }
    Ok(())
}

fn create(args: &[String], sentra: &Sentra) -> CliResult {
    let id = sentra.create_organisation(
        &req(args, "--kind")?,
        &req(args, "--name")?,
        &req(args, "--region")?,
    )?;
    println!("{id}");
    Ok(())
}
