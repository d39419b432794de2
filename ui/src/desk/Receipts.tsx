// The day's receipts: filters, the range's totals and hourly chart (core's receipts_summary), the table
// (core's receipts_page, a page at a time), an attempt's detail, and the CSV export.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { Channel, Outcome, ReceiptsQuery, ReceiptsSummary, SortBy } from "../bindings";
import { useT } from "../i18n";
import { FieldError } from "../ui/bits";
import { AttemptDetail } from "./AttemptDetail";
import { useDesk } from "./context";
import { ExportButton } from "./Export";
import { HourlyChart } from "./HourlyChart";
import { ReceiptsTable } from "./ReceiptsTable";
import { Totals } from "./Totals";

const FIRST: ReceiptsQuery = {
  from: null,
  to: null,
  channel: null,
  outcome: null,
  operator: null,
  search: null,
  sort: { by: "time", desc: true },
  offset: 0,
  // The summary ignores paging; the table sets its own pages.
  limit: 50,
};

const orNull = (s: string) => (s === "" ? null : s);

export function Receipts(): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  const [query, setQuery] = useState<ReceiptsQuery>(FIRST);
  const [summary, setSummary] = useState<ReceiptsSummary | null>(null);
  const [search, setSearch] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    run({ receipts_summary: { query } })
      .then((s) => {
        setSummary(s);
        setError(null);
      })
      .catch((e: unknown) => setError(readFailed(e)));
  }, [query, readFailed, version]);

  // A search is sent as typed, a moment after the last key.
  useEffect(() => {
    const id = setTimeout(() => setQuery((q) => (q.search === orNull(search.trim()) ? q : { ...q, search: orNull(search.trim()) })), 250);
    return () => clearTimeout(id);
  }, [search]);

  const set = (patch: Partial<ReceiptsQuery>) => setQuery((q) => ({ ...q, ...patch }));
  const sort = (by: SortBy) => setQuery((q) => ({ ...q, sort: { by, desc: q.sort.by === by ? !q.sort.desc : by === "time" || by === "amount" } }));

  return (
    <div class="receipts" data-testid="receipts">
      <div class="filters">
        <label class="field">
          <span class="field-label">{t("receipts.from")}</span>
          <input class="input" type="date" data-testid="filter-from" value={query.from ?? summary?.from ?? ""} onChange={(e) => set({ from: orNull(e.currentTarget.value) })} />
        </label>
        <label class="field">
          <span class="field-label">{t("receipts.to")}</span>
          <input class="input" type="date" data-testid="filter-to" value={query.to ?? summary?.to ?? ""} onChange={(e) => set({ to: orNull(e.currentTarget.value) })} />
        </label>
        <label class="field">
          <span class="field-label">{t("receipts.channel")}</span>
          <select class="input" data-testid="filter-channel" value={query.channel ?? ""} onChange={(e) => set({ channel: orNull(e.currentTarget.value) as Channel | null })}>
            <option value="">{t("receipts.all")}</option>
            {summary?.channels.map((c) => (
              <option key={c.channel} value={c.channel}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t("receipts.outcome")}</span>
          <select class="input" data-testid="filter-outcome" value={query.outcome ?? ""} onChange={(e) => set({ outcome: orNull(e.currentTarget.value) as Outcome | null })}>
            <option value="">{t("receipts.all")}</option>
            {summary?.outcomes.map((c) => (
              <option key={c.outcome} value={c.outcome}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t("receipts.operator")}</span>
          <select class="input" data-testid="filter-operator" value={query.operator ?? ""} onChange={(e) => set({ operator: orNull(e.currentTarget.value) })}>
            <option value="">{t("receipts.all")}</option>
            {summary?.operators.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label class="field filter-search">
          <span class="field-label">{t("receipts.search")}</span>
          <input
            class="input"
            type="search"
            data-testid="filter-search"
            placeholder={t("receipts.searchHint")}
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </label>
        <ExportButton query={query} summary={summary} />
      </div>
      {error && <FieldError testid="receipts-error">{error}</FieldError>}
      <div class="receipts-top">
        {summary && <Totals summary={summary} />}
        {summary && <HourlyChart hours={summary.hourly} />}
      </div>
      <ReceiptsTable key={version} query={query} onSort={sort} onOpen={setOpen} />
      {open !== null && (
        <AttemptDetail
          id={open}
          onClose={(changed) => {
            setOpen(null);
            // A refund changes the totals and the row: ask core again.
            if (changed) setVersion((v) => v + 1);
          }}
        />
      )}
    </div>
  );
}
