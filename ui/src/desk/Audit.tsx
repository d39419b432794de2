// The audit trail, a page at a time, newest first as core sends it: who asked, who approved, what, result.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { AuditPage } from "../bindings";
import { useT } from "../i18n";
import { FieldError, KeyButton } from "../ui/bits";
import { useDesk } from "./context";

const LIMIT = 50;

export function Audit(): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  const [day, setDay] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<AuditPage | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    run({ audit_trail: { day, offset, limit: LIMIT } })
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((e: unknown) => setError(readFailed(e)));
  }, [day, offset, readFailed]);

  const total = page?.total ?? 0;
  return (
    <div class="audit" data-testid="audit">
      <div class="desk-toolbar">
        <label class="field field-inline">
          <span class="field-label">{t("audit.day")}</span>
          <input
            class="input"
            type="date"
            data-testid="audit-day"
            value={day ?? ""}
            onChange={(e) => {
              setDay(e.currentTarget.value === "" ? null : e.currentTarget.value);
              setOffset(0);
            }}
          />
        </label>
        <span class="audit-range" data-testid="audit-range">
          {total === 0 ? t("audit.none") : t("audit.range", { from: offset + 1, to: Math.min(offset + LIMIT, total), total })}
        </span>
        <KeyButton testid="audit-prev" label={t("audit.prev")} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIMIT))} />
        <KeyButton testid="audit-next" label={t("audit.next")} disabled={offset + LIMIT >= total} onClick={() => setOffset(offset + LIMIT)} />
      </div>
      {error && <FieldError>{error}</FieldError>}
      <div class="audit-scroll">
        <table class="desk-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>{t("audit.col.time")}</th>
              <th>{t("audit.col.action")}</th>
              <th>{t("audit.col.subject")}</th>
              <th>{t("audit.col.result")}</th>
              <th>{t("audit.col.asked")}</th>
              <th>{t("audit.col.approved")}</th>
              <th>{t("audit.col.note")}</th>
            </tr>
          </thead>
          <tbody>
            {page?.rows.map((r) => (
              <tr key={r.seq} class={`audit-${r.result ?? "none"}`} data-testid={`audit-row-${r.seq}`}>
                <td class="nowrap">{r.time}</td>
                <td>{r.action_label}</td>
                <td class="mono">{r.subject ?? ""}</td>
                <td>
                  <span class="tone-chip">{r.result_label}</span>
                </td>
                <td>{r.asked_by ?? ""}</td>
                <td>{r.approved_by ?? ""}</td>
                <td class="audit-note">
                  {r.note ?? ""}
                  {r.answer && <small>{r.answer}</small>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
