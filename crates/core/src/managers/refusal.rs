//! Why the manager's desk refuses: a closed list, each reason with its code and its words in
//! both languages in one `match` (as `reasons.rs` does for the checkout).

use crate::error::ErrorCode;

/// A desk action refused: a PIN, a manager account, a closing, the journal's integrity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskRefusal {
    /// The PIN did not match; `left` tries before the manager is locked.
    PinWrong { left: u32 },
    /// Too many wrong PINs: locked until `until` (HH:MM in the business zone).
    Locked { name: String, until: String },
    /// A disabled manager cannot approve.
    ManagerDisabled { name: String },
    /// No manager with that id.
    UnknownManager,
    /// The embedded sandbox's demo manager approves nothing on a till with real backends.
    DemoOffSandbox,
    /// Nothing a manager approves can happen before the first manager exists.
    NoManagerYet,
    /// The first manager is created once; the others are added under a PIN.
    FirstManagerExists,
    /// Two managers with one name could not be told apart when choosing who approves.
    DuplicateName { name: String },
    /// Disabling the last active manager would lock everyone out of the desk.
    LastActiveManager,
    /// The desk is opened under a PIN and closes when left alone.
    DeskNotOpen,
    /// The install's secret, without which no PIN can be checked, is missing or unreadable.
    SecretMissing { path: String },
    /// A Z report exists for that business day; a copy can be printed, a second Z cannot.
    DayClosed { day: String, number: u64 },
    /// Days are closed in order: an earlier day with attempts has no Z yet.
    EarlierDayOpen { day: String },
    /// A day that has not ended in the business zone cannot be closed... only today or earlier.
    DayNotStarted { day: String },
    /// Payments of the day are still being followed (sent, awaiting the customer, QR on
    /// screen): a Z waits for them, they end within minutes. Their order numbers.
    PaymentsInProgress { orders: Vec<String> },
    /// A later day already has its Z.
    LaterDayClosed { day: String, number: u64 },
    /// The journal's chains do not verify: the desk will not sum or close what may be forged.
    Tampered { what: String, seq: i64 },
}

impl DeskRefusal {
    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        use DeskRefusal as R;
        match self {
            R::PinWrong { .. } => ErrorCode::PinWrong,
            R::Locked { .. } => ErrorCode::ManagerLocked,
            R::ManagerDisabled { .. }
            | R::UnknownManager
            | R::DemoOffSandbox
            | R::NoManagerYet
            | R::FirstManagerExists
            | R::DuplicateName { .. }
            | R::LastActiveManager
            | R::DeskNotOpen
            | R::SecretMissing { .. } => ErrorCode::DeskRefused,
            R::DayClosed { .. }
            | R::EarlierDayOpen { .. }
            | R::DayNotStarted { .. }
            | R::PaymentsInProgress { .. }
            | R::LaterDayClosed { .. } => ErrorCode::ClosingRefused,
            R::Tampered { .. } => ErrorCode::JournalTampered,
        }
    }

    /// English and Chinese words.
    pub fn words(&self) -> (String, String) {
        use DeskRefusal as R;
        match self {
            R::PinWrong { left } => (
                format!("wrong PIN; {left} more tries before this manager is locked"),
                format!("PIN 不正确；再错 {left} 次将锁定该主管"),
            ),
            R::Locked { name, until } => (
                format!("{name} is locked after too many wrong PINs, until {until}"),
                format!("{name} 因多次输错 PIN 已锁定，{until} 后可再试"),
            ),
            R::ManagerDisabled { name } => (
                format!("{name} is disabled and cannot approve"),
                format!("{name} 已停用，不能审批"),
            ),
            R::UnknownManager => ("no such manager".into(), "没有这位主管".into()),
            R::DemoOffSandbox => (
                "the demo manager exists only on the sandbox; this till has real backends".into(),
                "演示主管只能在模拟后台上使用；这台收银机连接的是真实后台".into(),
            ),
            R::NoManagerYet => (
                "create the first manager first".into(),
                "请先创建第一位主管".into(),
            ),
            R::FirstManagerExists => (
                "the first manager exists; add others on the manager's desk".into(),
                "已有主管；请在主管台添加其他主管".into(),
            ),
            R::DuplicateName { name } => (
                format!("a manager named {name} exists already"),
                format!("已有名为 {name} 的主管"),
            ),
            R::LastActiveManager => (
                "this is the last active manager; add another before disabling it".into(),
                "这是最后一位在用的主管；请先添加另一位再停用".into(),
            ),
            R::DeskNotOpen => (
                "the manager's desk is closed; open it with a PIN".into(),
                "主管台已关闭；请输入 PIN 打开".into(),
            ),
            R::SecretMissing { path } => (
                format!("the PIN secret {path} is missing or unreadable: no PIN can be checked"),
                format!("PIN 密钥文件 {path} 缺失或无法读取：无法核对 PIN"),
            ),
            R::DayClosed { day, number } => (
                format!("{day} is closed by Z {number}; print a copy of it instead"),
                format!("{day} 已由 Z{number} 日结；可打印其副本"),
            ),
            R::EarlierDayOpen { day } => (
                format!("close {day} first: days are closed in order"),
                format!("请先日结 {day}：日结须按日期顺序"),
            ),
            R::DayNotStarted { day } => (
                format!("{day} has not begun yet"),
                format!("{day} 尚未开始"),
            ),
            R::PaymentsInProgress { orders } => (
                format!(
                    "payments are still in progress ({}); finish or cancel them, then close the day",
                    orders.join(", ")
                ),
                format!(
                    "仍有付款在进行（{}）；请待其结束或取消后再日结",
                    orders.join("、")
                ),
            ),
            R::LaterDayClosed { day, number } => (
                format!("a later day, {day}, is closed already (Z {number})"),
                format!("更晚的 {day} 已日结（Z{number}）"),
            ),
            R::Tampered { what, seq } => (
                format!(
                    "the journal does not verify: {what} at sequence {seq}; nothing is summed or closed until it is looked at"
                ),
                format!("账本校验失败：{what}（序号 {seq}）；查明前不汇总、不日结"),
            ),
        }
    }
}
