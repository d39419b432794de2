use super::*;

/// The names in `dir`, sorted: a leftover temporary file shows up here.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder holding `cashier.toml` with the old text.
fn old_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cashier.toml");
    std::fs::write(&path, "till = \"OLD\"\n").unwrap();
    (dir, path)
}

fn temp_beside(path: &Path, text: &str) -> NamedTempFile {
    let mut file = NamedTempFile::new_in(folder_of(path)).unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

/// What Windows answers while another program holds the file (`ERROR_SHARING_VIOLATION`).
fn sharing_violation(file: NamedTempFile) -> PersistError {
    PersistError {
        error: io::Error::from_raw_os_error(32),
        file,
    }
}

#[test]
fn replaces_the_old_file_whole_and_leaves_nothing_beside_it() {
    let (dir, path) = old_file();
    replace_file(&path, b"till = \"NEW\"\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "till = \"NEW\"\n");
    assert_eq!(names(dir.path()), ["cashier.toml"]);
}

#[test]
fn a_missing_folder_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("AppData")
        .join("cashier")
        .join("cloudpay.key");
    replace_file(&path, b"key").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"key");
}

#[test]
fn a_refused_rename_leaves_the_old_one_and_no_temporary_file() {
    // A folder where the file should be: the rename itself is refused (EISDIR), on any system
    // and for root too, which a read-only folder is not.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cashier.toml");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("kept"), "kept").unwrap();
    let err = replace_file(&path, b"new").unwrap_err();
    assert!(!err.held_elsewhere);
    let text = err.to_string();
    assert!(
        text.contains("cashier.toml was not replaced") && text.contains("the file is as it was"),
        "{text}"
    );
    assert!(err.zh().contains("原文件没有改动"), "{}", err.zh());
    assert_eq!(std::fs::read_to_string(path.join("kept")).unwrap(), "kept");
    assert_eq!(
        names(dir.path()),
        ["cashier.toml"],
        "no temporary file left"
    );
}

#[test]
fn a_folder_that_cannot_be_made_is_an_error_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("cashier");
    std::fs::write(&blocker, "a file, not a folder").unwrap();
    let err = replace_file(&blocker.join("cashier.toml"), b"new").unwrap_err();
    assert!(err.to_string().contains("was not replaced"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&blocker).unwrap(),
        "a file, not a folder"
    );
    assert_eq!(names(dir.path()), ["cashier"]);
}

#[test]
fn on_windows_a_file_held_for_a_moment_is_replaced_on_a_later_try() {
    let (dir, path) = old_file();
    let mut tries = 0;
    let done = persist_with(
        System::Windows,
        temp_beside(&path, "new"),
        &path,
        &[Duration::ZERO; 5],
        |file, to| {
            tries += 1;
            if tries <= 2 {
                // The old file is untouched while it is held.
                assert_eq!(std::fs::read_to_string(to).unwrap(), "till = \"OLD\"\n");
                return Err(sharing_violation(file));
            }
            file.persist(to).map(drop)
        },
    );
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(tries, 3);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(names(dir.path()), ["cashier.toml"]);
}

#[test]
fn on_windows_a_file_held_throughout_is_a_clear_error_and_loses_nothing() {
    let (dir, path) = old_file();
    let mut tries = 0;
    let err = persist_with(
        System::Windows,
        temp_beside(&path, "new"),
        &path,
        &[Duration::ZERO; 3],
        |file, _| {
            tries += 1;
            Err(sharing_violation(file))
        },
    )
    .unwrap_err();
    assert_eq!(tries, 4, "the first try and one after each wait");
    assert!(err.held_elsewhere);
    assert!(
        err.to_string().contains("another program may have it open"),
        "{err}"
    );
    assert!(err.zh().contains("别的程序正打开着它"), "{}", err.zh());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "till = \"OLD\"\n");
    assert_eq!(
        names(dir.path()),
        ["cashier.toml"],
        "no temporary file left"
    );
}

#[test]
fn elsewhere_the_same_error_number_is_not_tried_again() {
    let (_dir, path) = old_file();
    let mut tries = 0;
    let err = persist_with(
        System::Other,
        temp_beside(&path, "new"),
        &path,
        &[Duration::ZERO; 3],
        |file, _| {
            tries += 1;
            Err(PersistError {
                error: io::Error::from_raw_os_error(5),
                file,
            })
        },
    )
    .unwrap_err();
    assert_eq!(tries, 1);
    assert!(!err.held_elsewhere);
}

#[test]
fn which_errors_mean_another_program_holds_the_file() {
    let os = io::Error::from_raw_os_error;
    for code in [5, 32, 33] {
        assert!(held_elsewhere(System::Windows, &os(code)), "{code}");
        assert!(!held_elsewhere(System::Other, &os(code)), "{code}");
    }
    // ERROR_FILE_NOT_FOUND, ERROR_DISK_FULL: waiting does not help.
    for code in [2, 112] {
        assert!(!held_elsewhere(System::Windows, &os(code)), "{code}");
    }
    let no_number = io::Error::other("no OS error");
    assert!(!held_elsewhere(System::Windows, &no_number));
}
