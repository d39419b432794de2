//! `cashier manager …`: the till's manager accounts (docs/desk.md, "Managers and PINs"). The
//! first one is created with its PIN alone; the others are added and disabled under an
//! approving manager's PIN. PINs come from stdin (hidden prompts at a terminal), never argv.

use std::path::PathBuf;
use std::process::ExitCode;

use cashier_core::managers::{DeskRefusal, ManagerView};
use cashier_core::{Error, Lang};
use clap::Subcommand;

use crate::term::out;
use crate::{output, pin, setup};

#[derive(Subcommand, Debug)]
pub enum ManagerCommand {
    /// The till's first manager: their PIN (4 to 8 digits) is read from stdin, one line (typed
    /// twice at a terminal). Refused once a manager exists.
    First {
        #[arg(long)]
        name: String,
        /// Their Cloud Pay staff id, sent with the refunds they approve.
        #[arg(long)]
        staff_id: Option<String>,
    },
    /// Another manager, approved by `--manager`. stdin: first the new manager's PIN line,
    /// then the approving manager's PIN line (hidden prompts in that order at a terminal).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        staff_id: Option<String>,
        /// The approving manager; their PIN is the second line of stdin.
        #[arg(long = "manager")]
        approver: String,
    },
    /// Every manager: active or disabled, demo, staff id, locked until (no PIN needed).
    List,
    /// Disables a manager (never deleted; never the last active one), approved by `--manager`,
    /// whose PIN is read from stdin (one line).
    Disable {
        #[arg(long)]
        name: String,
        #[arg(long = "manager")]
        approver: String,
    },
}

pub async fn run(
    config: Option<PathBuf>,
    command: ManagerCommand,
    json: bool,
) -> Result<ExitCode, Error> {
    let opened = setup::open_offline(config, json).await?;
    let till = &opened.till;
    let managers = match command {
        ManagerCommand::First { name, staff_id } => {
            let new_pin = pin::new_pin(&name)?;
            till.create_first_manager(&name, &new_pin, staff_id).await?
        }
        ManagerCommand::Add {
            name,
            staff_id,
            approver,
        } => {
            let new_pin = pin::new_pin(&name)?;
            let approval = pin::approval(till, &approver)?;
            till.add_manager(&name, &new_pin, staff_id, &approval)
                .await?
        }
        ManagerCommand::List => till.managers()?,
        ManagerCommand::Disable { name, approver } => {
            let target = till
                .managers()?
                .into_iter()
                .find(|m| m.name == name.trim())
                .ok_or(DeskRefusal::UnknownManager)?;
            let approval = pin::approval(till, &approver)?;
            till.disable_manager(target.id, &approval).await?
        }
    };
    if json {
        output::json_out(&managers)?;
    } else {
        list(&managers, till.lang());
    }
    Ok(ExitCode::SUCCESS)
}

fn list(managers: &[ManagerView], lang: Lang) {
    let t = |zh: &'static str, en: &'static str| lang.pick([zh, en]);
    if managers.is_empty() {
        out!(
            "{}",
            t(
                "还没有主管：用 cashier manager first --name 姓名 创建第一位",
                "no manager yet: create the first with cashier manager first --name NAME"
            )
        );
        return;
    }
    for m in managers {
        let mut text = format!(
            "{:<20} {}",
            m.name,
            if m.active {
                t("在用", "active")
            } else {
                t("已停用", "disabled")
            }
        );
        if m.demo {
            text.push_str(t("，演示（仅模拟后台）", ", demo (sandbox only)"));
        }
        if let Some(staff) = &m.staff_id {
            text.push_str(&format!(", {} {staff}", t("员工号", "staff id")));
        }
        if let Some(until) = &m.locked_until_time {
            text.push_str(&format!(", {} {until}", t("锁定至", "locked until")));
        }
        out!("{text}");
    }
}
