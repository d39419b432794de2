// The receipts as a virtualised table (@tanstack/virtual-core): only the rows in view are drawn, and rows are
// asked of core a page of 50 at a time as they come into view. A day of 10,000 attempts never crosses whole.
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualizerOptions } from "@tanstack/virtual-core";
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { run } from "../api";
import type { ReceiptRow, ReceiptsQuery, SortBy } from "../bindings";
import { useT, type MsgKey } from "../i18n";
import { Icon } from "../ui/bits";
import { useDesk } from "./context";

export const PAGE = 50;
const ROW = 46;

type Column = { key: string; label: MsgKey; sort: SortBy | null; cell: (r: ReceiptRow) => JSX.Element | string };

const COLUMNS: Column[] = [
  { key: "time", label: "receipts.col.time", sort: "time", cell: (r) => r.time },
  { key: "bill", label: "receipts.col.bill", sort: "bill", cell: (r) => r.bill },
  { key: "order", label: "receipts.col.order", sort: null, cell: (r) => <span class="mono" title={r.order_no}>{r.order_no}</span> },
  { key: "channel", label: "receipts.col.channel", sort: "channel", cell: (r) => r.channel_label },
  { key: "amount", label: "receipts.col.amount", sort: "amount", cell: (r) => r.amount },
  { key: "outcome", label: "receipts.col.outcome", sort: "outcome", cell: (r) => (
      <span class="tone-chip" title={r.state_label}>
        {r.outcome_label}
      </span>
    ) },
  { key: "operator", label: "receipts.col.operator", sort: "operator", cell: (r) => r.operator },
  { key: "code", label: "receipts.col.code", sort: null, cell: (r) => <span class="mono">{r.code_masked ?? ""}</span> },
];

/** happy-dom (the unit tests) lays nothing out: a list with no height would draw no row at all. */
const observeRect: VirtualizerOptions<HTMLDivElement, Element>["observeElementRect"] = (instance, cb) =>
  observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width, height: 600 }));

type Props = {
  /** The filters and sort; `offset` and `limit` are set here, page by page. */
  query: ReceiptsQuery;
  onSort: (by: SortBy) => void;
  onOpen: (id: number) => void;
};

export function ReceiptsTable({ query, onSort, onOpen }: Props): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  const scroller = useRef<HTMLDivElement>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [, redraw] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // The pages core sent for this query, and the ones on their way.
  const pages = useRef(new Map<number, ReceiptRow[]>());
  const asked = useRef(new Set<number>());
  const key = JSON.stringify(query);
  const keyRef = useRef(key);

  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLDivElement, Element>({
        count: 0,
        getScrollElement: () => scroller.current,
        estimateSize: () => ROW,
        overscan: 10,
        scrollToFn: elementScroll,
        observeElementRect: observeRect,
        observeElementOffset,
        initialRect: { width: 1000, height: 600 },
        onChange: () => redraw((n) => n + 1),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count: total ?? 0 });
  useEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());

  const fetchPage = (n: number) => {
    if (asked.current.has(n)) return;
    asked.current.add(n);
    const forKey = key;
    run({ receipts_page: { query: { ...query, offset: n * PAGE, limit: PAGE } } })
      .then((page) => {
        if (keyRef.current !== forKey) return; // an answer for filters no longer on screen
        pages.current.set(n, page.rows);
        setTotal(page.total);
        redraw((x) => x + 1);
      })
      .catch((e: unknown) => {
        asked.current.delete(n);
        setError(readFailed(e));
      });
  };

  // New filters or sort: forget the pages, back to the top, ask the first page.
  useEffect(() => {
    keyRef.current = key;
    pages.current = new Map();
    asked.current = new Set();
    setTotal(null);
    setError(null);
    scroller.current?.scrollTo({ top: 0 });
    fetchPage(0);
  }, [key]);

  const items = virtualizer.getVirtualItems();
  // Ask for every page that has a row in view (the effect runs after each draw, so scrolling asks).
  useEffect(() => {
    for (const it of items) fetchPage(Math.floor(it.index / PAGE));
  });

  const rowAt = (i: number) => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE];
  return (
    <div class="rt" data-testid="receipts-table" data-total={total ?? ""}>
      <div class="rt-row rt-head" role="row">
        {COLUMNS.map((c) => {
          const on = c.sort !== null && query.sort.by === c.sort;
          return (
            <div role="columnheader" key={c.key} class={`rt-cell rt-${c.key}`} aria-sort={on ? (query.sort.desc ? "descending" : "ascending") : undefined}>
              {c.sort ? (
                <button type="button" class="rt-sort" data-testid={`sort-${c.sort}`} onClick={() => c.sort && onSort(c.sort)}>
                  {t(c.label)} {on ? (query.sort.desc ? "▼" : "▲") : ""}
                </button>
              ) : (
                t(c.label)
              )}
            </div>
          );
        })}
      </div>
      {error && (
        <p class="notice">
          <Icon name="cross" size={20} /> {error}
        </p>
      )}
      {total === 0 && <p class="empty" data-testid="receipts-empty">{t("receipts.none")}</p>}
      <div class="rt-scroll" ref={scroller} data-testid="receipts-scroll">
        <div class="rt-space" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((it) => {
            const r = rowAt(it.index);
            return r ? (
              <button
                type="button"
                key={it.key}
                class={`rt-row rt-body tone-${r.tone}`}
                style={{ transform: `translateY(${it.start}px)`, height: ROW }}
                data-testid={`receipt-${it.index}`}
                data-id={r.id}
                onClick={() => onOpen(r.id)}
              >
                {COLUMNS.map((c) => (
                  <span key={c.key} class={`rt-cell rt-${c.key}`}>
                    {c.cell(r)}
                  </span>
                ))}
              </button>
            ) : (
              <div key={it.key} class="rt-row rt-body rt-loading" style={{ transform: `translateY(${it.start}px)`, height: ROW }}>
                <span class="rt-cell">{t("receipts.loadingRow")}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
