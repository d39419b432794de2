// A payment's print jobs as core lists them (what, where it is, when), and the line a queued job leaves.
// Every label is core's; the UI adds only its column heads and the 重印 / REPRINT mark's words.
import type { JSX } from "preact";
import type { PrintJobView, PrinterView } from "../bindings";
import { useT } from "../i18n";
import { Icon } from "../ui/bits";
import "./print.css";

export function PrintJobs({ jobs }: { jobs: PrintJobView[] }): JSX.Element {
  const t = useT();
  if (jobs.length === 0) {
    return (
      <p class="empty" data-testid="print-jobs-none">
        {t("print.noJobs")}
      </p>
    );
  }
  return (
    <table class="print-jobs" data-testid="print-jobs">
      <thead>
        <tr>
          <th>{t("print.col.what")}</th>
          <th>{t("print.col.state")}</th>
          <th>{t("print.col.queued")}</th>
          <th>{t("print.col.printed")}</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.id} class={`print-job-${j.state}`} data-testid={`print-job-${j.id}`}>
            <td>
              {j.kind_label}
              {j.reprint && <span class="reprint-mark">{t("print.reprintMark")}</span>}
            </td>
            <td>
              <span class="tone-chip">{j.state_label}</span>
            </td>
            <td class="print-when">{j.created_at_text}</td>
            <td class="print-when">{j.printed_at_text ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A job just put in the queue: what it is and where it stands. */
export function QueuedJob({ job, testid }: { job: PrintJobView; testid: string }): JSX.Element {
  const t = useT();
  return (
    <p class="print-queued" data-testid={testid} role="status">
      <Icon name="printer" size={22} />
      {t("print.queued", { what: job.kind_label, state: job.state_label })}
      {job.reprint && <span class="reprint-mark">{t("print.reprintMark")}</span>}
    </p>
  );
}

/** What the printer said (its label, in the colour of a fault when it is one, and its message). */
export function PrinterSaid({ printer, testid }: { printer: PrinterView; testid: string }): JSX.Element {
  return (
    <p class={`printer-said ${printer.fault ? "printer-fault" : ""}`} data-testid={testid} data-fault={printer.fault} role="status">
      <Icon name={printer.fault ? "cross" : "printer"} size={22} />
      <span>
        {printer.label}
        {printer.message && <small> · {printer.message}</small>}
      </span>
    </p>
  );
}
