// Money collected per hour as bars (uPlot). Heights from core's fen; every amount shown is core's text
// (the legend under the cursor, the busiest hour), never a number formatted here.
import type { JSX } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { LangContext, translator, useT } from "../i18n";
import type { HourBar } from "../bindings";

/** Whether this page can draw on a canvas (happy-dom in the unit tests cannot). */
function canDraw(): boolean {
  try {
    return document.createElement("canvas").getContext("2d") !== null;
  } catch {
    return false;
  }
}

export function HourlyChart({ hours }: { hours: HourBar[] }): JSX.Element {
  const t = useT();
  const lang = useContext(LangContext);
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<HourBar | null>(null);
  const busiest = hours.reduce<HourBar | null>((best, h) => (best === null || h.collected_fen > best.collected_fen ? h : best), null);

  useEffect(() => {
    const el = box.current;
    const t = translator(lang);
    if (!el || hours.length === 0 || !canDraw()) return;
    const bars = uPlot.paths.bars;
    const width = Math.max(200, el.clientWidth);
    const height = Math.max(100, el.clientHeight);
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { y: false, points: { show: false } },
        scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          {
            stroke: "#4a5868",
            font: "15px sans-serif",
            grid: { show: false },
            splits: () => hours.map((h) => h.hour),
            // One hour's name in every few when the bars are narrow, so the names never run together.
            values: (u, splits) => {
              const perHour = u.bbox.width / devicePixelRatio / Math.max(1, splits.length);
              const step = Math.max(1, Math.ceil(46 / Math.max(1, perHour)));
              return splits.map((s, i) => (i % step === 0 ? t("chart.hour", { h: s }) : ""));
            },
          },
          // Heights only: the amounts are core's texts (under the cursor, the busiest hour).
          { show: false },
        ],
        series: [
          {},
          {
            label: t("chart.collected"),
            fill: "#1259b8",
            stroke: "#1259b8",
            ...(bars ? { paths: bars({ size: [0.7, 48], align: 0 }) } : {}),
            points: { show: false },
          },
        ],
        hooks: {
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              setHover(i == null ? null : (hours[i] ?? null));
            },
          ],
        },
      },
      [hours.map((h) => h.hour), hours.map((h) => h.collected_fen)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: Math.max(100, el.clientHeight) }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [hours, lang]);

  const shown = hover ?? busiest;
  return (
    <figure class="hourly" data-testid="hourly-chart">
      <figcaption>
        <b>{t("chart.title")}</b>{" "}
        {shown && (
          <span data-testid="hourly-caption">
            {hover ? "" : t("chart.busiest") + " "}
            {t("chart.point", { h: shown.hour, amount: shown.collected, count: shown.count })}
          </span>
        )}
      </figcaption>
      {hours.length === 0 ? <p class="empty">{t("chart.none")}</p> : <div class="hourly-plot" ref={box} />}
    </figure>
  );
}
