//! Where a till keeps its files when the configuration names no other place.
//!
//! | system  | `cashier.toml` (and `cloudpay.key` beside it) | `journal.db` (and `journal.db.pin-secret`) |
//! |---------|-----------------------------------------------|--------------------------------------------|
//! | Linux   | `$XDG_CONFIG_HOME/cashier/` (`~/.config`)     | `$XDG_DATA_HOME/cashier/` (`~/.local/share`) |
//! | macOS   | `~/Library/Application Support/cashier/`      | the same folder                            |
//! | Windows | `%LOCALAPPDATA%\cashier\`                      | the same folder                            |
//!
//! On Windows both live in `%LOCALAPPDATA%` (this machine only), not `%APPDATA%` (which `dirs`
//! gives for both, and which a roaming profile copies to every PC the user signs in to): the
//! configuration holds this till's number, part of every order number, and two tills sharing
//! one would make the same order numbers; the journal is a SQLite database written all day,
//! which must not be copied about at sign-out; the keys belong to this machine.

use std::path::PathBuf;

/// The system the rules are for: Windows, or the others (Linux, macOS), which `dirs` already
/// answers as wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Windows,
    Other,
}

impl System {
    /// The system this program was built for.
    pub fn this() -> System {
        if cfg!(windows) {
            System::Windows
        } else {
            System::Other
        }
    }
}

/// The folders the system names for a program's files; `None` when it names none (no home).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemFolders {
    /// Linux `~/.config`; Windows `%APPDATA%` (roaming).
    pub config: Option<PathBuf>,
    /// Linux `~/.local/share`; Windows `%APPDATA%` (roaming) as well.
    pub data: Option<PathBuf>,
    /// Windows `%LOCALAPPDATA%` (this machine only); elsewhere the same as `data`.
    pub local_data: Option<PathBuf>,
}

impl SystemFolders {
    /// What this machine's system says, for the user running the till.
    pub fn of_this_machine() -> SystemFolders {
        SystemFolders {
            config: dirs::config_dir(),
            data: dirs::data_dir(),
            local_data: dirs::data_local_dir(),
        }
    }
}

/// The application's folder name inside the system's folders.
const APP_FOLDER: &str = "cashier";

/// The configuration file when none is named (`--config`, `CASHIER_CONFIG`).
pub fn default_config_file(system: System, folders: &SystemFolders) -> PathBuf {
    let base = match system {
        System::Windows => &folders.local_data,
        System::Other => &folders.config,
    };
    in_app_folder(base, "cashier.toml")
}

/// The journal when the configuration names none (`db_path`, `CASHIER_DB`). The PIN secret is
/// always beside it (`managers::pin::secret_path`).
pub fn default_journal(system: System, folders: &SystemFolders) -> PathBuf {
    let base = match system {
        System::Windows => &folders.local_data,
        System::Other => &folders.data,
    };
    in_app_folder(base, "journal.db")
}

/// `file` in the application's folder under `base`; under the working directory when the system
/// names no folder (a service account without a profile), as before.
fn in_app_folder(base: &Option<PathBuf>, file: &str) -> PathBuf {
    base.clone()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_FOLDER)
        .join(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managers::pin::secret_path;

    /// What `dirs` answers on Windows for user `till` (`FOLDERID_RoamingAppData`,
    /// `FOLDERID_LocalAppData`): config and data are both the roaming folder.
    fn windows() -> SystemFolders {
        let roaming = PathBuf::from(r"C:\Users\till\AppData\Roaming");
        SystemFolders {
            config: Some(roaming.clone()),
            data: Some(roaming),
            local_data: Some(PathBuf::from(r"C:\Users\till\AppData\Local")),
        }
    }

    fn linux() -> SystemFolders {
        SystemFolders {
            config: Some(PathBuf::from("/home/till/.config")),
            data: Some(PathBuf::from("/home/till/.local/share")),
            local_data: Some(PathBuf::from("/home/till/.local/share")),
        }
    }

    #[test]
    fn on_windows_everything_stays_on_this_machine() {
        let local = PathBuf::from(r"C:\Users\till\AppData\Local").join("cashier");
        let config = default_config_file(System::Windows, &windows());
        let journal = default_journal(System::Windows, &windows());
        assert_eq!(config, local.join("cashier.toml"));
        assert_eq!(journal, local.join("journal.db"));
        assert_eq!(secret_path(&journal), local.join("journal.db.pin-secret"));
        for file in [&config, &journal] {
            assert!(
                !file.starts_with(r"C:\Users\till\AppData\Roaming"),
                "{file:?}"
            );
        }
    }

    #[test]
    fn elsewhere_the_config_and_data_folders_as_before() {
        assert_eq!(
            default_config_file(System::Other, &linux()),
            PathBuf::from("/home/till/.config/cashier/cashier.toml")
        );
        let journal = default_journal(System::Other, &linux());
        assert_eq!(
            journal,
            PathBuf::from("/home/till/.local/share/cashier/journal.db")
        );
        assert_eq!(
            secret_path(&journal),
            PathBuf::from("/home/till/.local/share/cashier/journal.db.pin-secret")
        );
    }

    #[test]
    fn no_folder_from_the_system_means_the_working_directory() {
        for system in [System::Windows, System::Other] {
            let none = SystemFolders::default();
            assert_eq!(
                default_config_file(system, &none),
                PathBuf::from("./cashier/cashier.toml")
            );
            assert_eq!(
                default_journal(system, &none),
                PathBuf::from("./cashier/journal.db")
            );
        }
    }

    #[test]
    fn this_machine_is_what_the_build_says() {
        assert_eq!(System::this() == System::Windows, cfg!(windows));
    }
}
